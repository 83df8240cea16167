//! `GET /sign-in` and `GET /sign-up` show a button per configured provider (or, with none,
//! exactly what to configure); `GET /sign-in/<provider>` starts the flow.
//!
//! Starting is a GET link, not a form: the Content-Security-Policy's `form-action 'self'`
//! would stop a form whose answer redirects to another site. Its only effect is the flow
//! cookie, so a link is safe.
//!
//! 1. Build the provider's authorization URL with a fresh `state`, PKCE verifier and (OIDC)
//!    nonce (`Provider::start`; OIDC discovers the endpoints first).
//! 2. Put those secrets in the flow cookie (ten minutes, HttpOnly, SameSite=Lax).
//! 3. Redirect (303) the browser to the provider.

use crate::OAuth;
use crate::flow_cookie::{self, Flow, Purpose};
use crate::provider::Provider;
use crate::refusal::provider_failed;
use auth_web::PageResult;
use auth_web::view::{Column, Table, page};
use auth_web::{AppError, AppState, SignedOut};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router};
use axum_extra::extract::CookieJar;
use leptos::prelude::*;
use url::Url;

pub fn router() -> Router<AppState> {
    let sign_up = "Your first sign-in creates your account, with the verified email address the \
                   provider gives. No password is stored here.";
    Router::new()
        .route(
            "/sign-in",
            buttons_page("Sign in", "Sign in with the account you used before."),
        )
        .route("/sign-up", buttons_page("Create an account", sign_up))
        .route("/sign-in/{provider}", get(start))
}

/// The sign-in and sign-up pages: the same buttons, other words (the first sign-in creates
/// the account). A signed-in user is sent home.
fn buttons_page(title: &'static str, intro: &'static str) -> MethodRouter<AppState> {
    get(
        move |_: SignedOut, State(state): State<AppState>, Extension(oauth): Extension<OAuth>| async move {
            page(title, None, buttons(state.origin(), &oauth, intro))
        },
    )
}

/// One "Sign in with …" button per provider, in configuration order, or the setup
/// instructions if there are none. Each is a link styled as a button (starting is a GET, see
/// above); its text is its accessible name, and `data-provider` names it for styles and tests.
fn buttons(origin: &Url, oauth: &OAuth, intro: &'static str) -> AnyView {
    if oauth.providers.is_empty() {
        return setup_instructions(origin).into_any();
    }
    let links = oauth
        .providers
        .iter()
        .map(|p| {
            let href = format!("/sign-in/{}", p.slug);
            let label = format!("Sign in with {}", p.name);
            view! { <a class="button provider" data-provider=p.slug.clone() href=href>{label}</a> }
        })
        .collect::<Vec<_>>();
    view! { <p>{intro}</p><div class="providers">{links}</div> }.into_any()
}

/// The columns of the setup table.
const SETUP_COLUMNS: [Column; 3] = [
    Column::new("Provider"),
    Column::new("Variables"),
    Column::new("Redirect URI"),
];

fn setup_instructions(origin: &Url) -> impl IntoView + use<> {
    let redirect = |slug: &str| format!("{}sign-in/{slug}/callback", origin.as_str());
    let rows = [
        (
            "GitHub",
            "GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET",
            redirect("github"),
        ),
        (
            "Google",
            "GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET",
            redirect("google"),
        ),
        (
            "Any OpenID Connect provider",
            "OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (and OIDC_NAME)",
            redirect("oidc"),
        ),
    ]
    .into_iter()
    .map(|(name, vars, uri)| {
        vec![
            name.into_any(),
            view! { <code>{vars}</code> }.into_any(),
            view! { <code>{uri}</code> }.into_any(),
        ]
    })
    .collect();
    view! {
        <p class="alert" role="alert">"No sign-in provider is configured yet."</p>
        <p>"Register an OAuth app at a provider, then set its variables (in the environment or "
           "a " <code>".env"</code> " file) and restart. The provider must send users back to "
           "the redirect URI shown."</p>
        <Table columns=&SETUP_COLUMNS rows=rows/>
        <p>"Or try the whole flow with no account anywhere: restart with "
           <code>"OAUTH_DEV_PROVIDER=true"</code> " for a local development provider."</p>
    }
}

async fn start(
    _: SignedOut,
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    Path(slug): Path<String>,
) -> PageResult {
    let provider = oauth.providers.get(&slug).ok_or(AppError::NotFound)?;
    Ok(start_flow(&state, &oauth, provider, Purpose::SignIn).await)
}

/// Steps 1–3 above, for a sign-in, a link or a fresh proof (which asks the provider for a
/// fresh login).
pub(crate) async fn start_flow(
    state: &AppState,
    oauth: &OAuth,
    provider: &Provider,
    purpose: Purpose,
) -> Response {
    let redirect = provider.redirect_uri(state.origin());
    let fresh_login = matches!(purpose, Purpose::Reauth { .. });
    let (url, secrets) = match provider.start(&oauth.http, &redirect, fresh_login).await {
        Ok(started) => started,
        Err(e) => return provider_failed(e),
    };
    let flow = Flow {
        provider: provider.slug.clone(),
        secrets,
        purpose,
        started_at: state.table.now(),
    };
    let jar = CookieJar::new().add(flow_cookie::set(state, &flow));
    (jar, Redirect::to(url.as_str())).into_response()
}

//! Signing in with a password, the same in every example with passwords: the check with what
//! the request adds to the email and password (the device cookie, the client's address), and
//! the sign-in page and route an example configures ([`sign_in_router`]).

use crate::client_ip::ClientIp;
use crate::cookie::DEVICE;
use crate::error::PageResult;
use crate::form::Form;
use crate::form_error::FormError;
use crate::rate_limit::{POSTS_PER_CLIENT, SIGN_IN_PATH};
use crate::session::{SignedOut, sign_in_and_redirect};
use crate::state::AppState;
use crate::view::{EmailPasswordFields, Purpose};
use auth_core::Result;
use auth_core::credentials::{Credentials, Verified, verify_credentials};
use auth_core::rate_limit::RateLimit;
use auth_core::user::User;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use serde::Deserialize;

/// The email and password fields of sign-in and sign-up forms. Missing fields arrive empty
/// and fail the checks with a message.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EmailPasswordForm {
    pub email: String,
    pub password: String,
}

/// `POST /sign-in`'s check. The client's place in [`POSTS_PER_CLIENT`] is taken here, beside
/// the account lookup, rather than by the rate-limit layer (see `crate::rate_limit`).
pub async fn check_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    address: ClientIp,
    form: &EmailPasswordForm,
) -> Result<Verified> {
    let key = address.key();
    let per_client = Some((&POSTS_PER_CLIENT, key.as_str()));
    verify(state, headers, &form.email, &form.password, per_client).await
}

/// A signed-in user proving it is them with their password, throttled like a sign-in (a
/// stolen session must not become a way to guess the password). The rate-limit layer took
/// the client's place already.
pub async fn check_password(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    password: &str,
) -> Result<Verified> {
    verify(state, headers, &user.email.to_string(), password, None).await
}

/// The password check, with the browser's device cookie for the throttle.
async fn verify(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    password: &str,
    per_client: Option<(&RateLimit, &str)>,
) -> Result<Verified> {
    let device = DEVICE.read(state, headers);
    let credentials = Credentials {
        email,
        password,
        device: device.as_deref(),
        per_client,
    };
    verify_credentials(&state.table, &state.hasher, credentials).await
}

/// What an example's sign-in page adds to the shared one.
#[derive(Clone, Copy)]
pub struct SignInPage {
    /// Where a user goes once signed in.
    pub next: fn(&User) -> &'static str,
    /// Whether the example has the forgot-password flow (`crate::password_reset`) to link to.
    pub password_reset: bool,
}

/// `GET /sign-in` shows the form; `POST /sign-in` checks the password
/// ([`check_sign_in`]), starts a session and sends the user on; a refusal shows the form
/// again with the email typed and the message.
pub fn sign_in_router(page: SignInPage) -> Router<AppState> {
    let show = move |_: SignedOut| async move { render(page, StatusCode::OK, "", None, None) };
    let submit = move |state, address, headers, form| submit(page, state, address, headers, form);
    Router::new().route(SIGN_IN_PATH, get(show).post(submit))
}

#[tracing::instrument(skip_all)]
async fn submit(
    page: SignInPage,
    State(state): State<AppState>,
    address: ClientIp,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> PageResult {
    match check_sign_in(&state, &headers, address, &form).await {
        Ok(verified) => {
            let next = (page.next)(&verified.user);
            sign_in_and_redirect(&state, &headers, verified, next).await
        }
        Err(e) => {
            let refusal = match e {
                // The one input that must parse. "Wrong email or password" marks neither
                // field, on purpose: it must not say which one was wrong.
                auth_core::Error::InvalidInput(_) => FormError::from(e).on_field("email"),
                other => other.into(),
            };
            let field = refusal.field();
            refusal
                .render(async |status, message| {
                    Ok(render(page, status, &form.email, Some(message), field))
                })
                .await
        }
    }
}

fn render(
    page: SignInPage,
    status: StatusCode,
    email: &str,
    error: Option<String>,
    error_field: Option<&'static str>,
) -> Response {
    let reset = page.password_reset.then(|| {
        view! { <p class="muted"><a href="/forgot-password">"Forgot your password?"</a></p> }
    });
    let body = view! {
        <EmailPasswordFields purpose=Purpose::SignIn email=email.to_owned() error=error
            error_field=error_field/>
        {reset}
        <p class="muted">"No account yet? "<a href="/sign-up">"Create one"</a></p>
    };
    (status, crate::view::page("Sign in", None, body)).into_response()
}

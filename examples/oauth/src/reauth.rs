//! The fresh proof of this example: signing in again at a provider whose account is linked to
//! the user. Linking or unlinking an account, signing out everywhere and deleting the account
//! need a proof younger than `REAUTH_WINDOW_SECS`; an older session is sent to
//! `GET /reauth?next=…` (`auth_web::reauth::FreshUser`) and comes back to where it was.
//!
//! 1. `GET /reauth?next=…`: one button per configured provider the user has an account at.
//! 2. `GET /reauth/<provider>?next=…` starts a flow like a sign-in, with `Purpose::Reauth`
//!    (the user and `next`) in the flow cookie. OpenID Connect providers are asked for a fresh
//!    login: `prompt=login` and `max_age=0`.
//! 3. The callback (`crate::callback`) requires the same signed-in user, an identity linked to
//!    them (the account claim names them: one `GetItem`), and, when the ID token carries
//!    `auth_time`, a login at the provider no older than the flow; then it writes
//!    `AuthenticatedAt = now` (one `TransactWriteItems`) and redirects to `next`.
//!
//! How much this proves depends on the provider. An OpenID Connect provider that honours
//! `max_age` and reports `auth_time` proves a password (or whatever it asks) typed just now.
//! One that sends no `auth_time` is trusted to have honoured `prompt=login`. GitHub can be
//! asked for neither: a completed GitHub authorization is accepted as the proof, and it only
//! shows that this browser holds a GitHub session for a linked account, which someone at an
//! unlocked computer has too. It still stops a stolen session cookie used anywhere else.

use crate::OAuth;
use crate::flow_cookie::Purpose;
use crate::sign_in::start_flow;
use auth_core::oauth_account::list_oauth_accounts;
use auth_web::PageResult;
use auth_web::reauth::{Next, REAUTH_PATH, return_to, with_next};
use auth_web::view::page;
use auth_web::{AppError, AppState, AuthUser};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REAUTH_PATH, get(show))
        .route("/reauth/{provider}", get(start))
}

/// `/reauth?next=<next>`: where a proof starts, and where it can be tried again.
pub fn proof_url(next: &str) -> String {
    with_next(REAUTH_PATH, next)
}

async fn show(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    current: AuthUser,
    Query(next): Query<Next>,
) -> PageResult {
    let accounts = list_oauth_accounts(&state.table, &current.user.id).await?;
    let next = return_to(&next.next);
    let buttons = oauth
        .providers
        .iter()
        .filter(|p| accounts.iter().any(|a| a.identity.provider == p.slug))
        .map(|p| {
            let href = with_next(&format!("/reauth/{}", p.slug), next);
            let label = format!("Continue with {}", p.name);
            view! { <a class="button provider" data-provider=p.slug.clone() href=href>{label}</a> }
        })
        .collect::<Vec<_>>();
    let body = if buttons.is_empty() {
        view! {
            <p class="alert" role="alert">"None of the providers linked to your account is \
                available here right now, so it cannot be confirmed that it is you."</p>
        }
        .into_any()
    } else {
        view! {
            <p>"For your security, sign in again with one of your linked accounts before you \
                continue."</p>
            <div class="providers">{buttons}</div>
        }
        .into_any()
    };
    Ok(page("Confirm it is you", Some(&current.user), body).into_response())
}

async fn start(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    current: AuthUser,
    Path(slug): Path<String>,
    Query(next): Query<Next>,
) -> PageResult {
    let provider = oauth.providers.get(&slug).ok_or(AppError::NotFound)?;
    let purpose = Purpose::Reauth {
        user_id: current.user.id,
        next: return_to(&next.next).to_owned(),
    };
    Ok(start_flow(&state, &oauth, provider, purpose).await)
}

/// A sign-in at the provider that does not prove it is this user: the page says why, with the
/// way to try again.
pub fn not_proved(current: &AuthUser, next: &str, message: String) -> Response {
    tracing::info!(user = %current.user.id, message, "fresh proof refused");
    let again = proof_url(next);
    let body = view! {
        <p class="alert" role="alert">{message}</p>
        <p><a href=again>"Try again"</a></p>
    };
    (
        StatusCode::FORBIDDEN,
        page("Could not confirm it is you", Some(&current.user), body),
    )
        .into_response()
}

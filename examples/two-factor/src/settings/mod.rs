//! `GET /settings`: whether two-factor authentication is on (and how many recovery codes are
//! left), the active sessions, deleting the account; and the fresh proof (`/reauth`: the
//! password, then a second factor when 2FA is on) that the sensitive actions need.
//! Managing the second factors is its own page, behind a fresh proof ([`two_factor`]).

mod keys;
mod recovery_codes;
mod totp;
mod two_factor;

use auth_core::recovery_codes::remaining;
use auth_web::PageResult;
use auth_web::account::account_settings_router;
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions};
use auth_web::reauth::password_reauth_router;
use auth_web::view::{DeleteAccount, Done, Notice, page};
use auth_web::{AppError, AppState, AuthUser};
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .merge(two_factor::router())
        .merge(totp::router())
        .merge(keys::router())
        .merge(recovery_codes::router())
        .merge(password_reauth_router())
        .merge(account_settings_router())
}

async fn show(State(state): State<AppState>, current: AuthUser, done: Done) -> PageResult {
    let notice = done.notice(&[
        ("revoked", REVOKED_NOTICE),
        (
            "recovery-code",
            "You signed in with a recovery code, which no longer works.",
        ),
        (
            "two-factor-off",
            "Two-factor authentication is off: your password alone signs you in.",
        ),
    ]);
    let user = &current.user;
    // How many recovery codes are left is read beside the sessions, when 2FA is on.
    let left = async {
        if !user.second_factors.any() {
            return Ok::<_, AppError>(None);
        }
        Ok(Some(remaining(&state.table, &user.id).await?))
    };
    let (left, sessions) = tokio::try_join!(left, active_sessions(&state, &current))?;
    let status = if let Some(left) = left {
        view! {
            <p>"Two-factor authentication is " <strong>"on"</strong> ". "
               {format!("You have {left} recovery code{} left.", if left == 1 { "" } else { "s" })}</p>
        }
        .into_any()
    } else {
        view! {
            <p>"Two-factor authentication is " <strong>"off"</strong>
               ": anyone with your password can sign in as you."</p>
        }
        .into_any()
    };
    let body = view! {
        <Notice message=notice/>
        <section>
            <h2>"Two-factor authentication"</h2>
            {status}
            <p><a href="/settings/two-factor">"Manage your second factors and recovery codes"</a></p>
        </section>
        {sessions}
        <DeleteAccount/>
    };
    Ok(page("Settings", Some(user), body).into_response())
}

/// The page that shows a new set of recovery codes, once: they are stored only as hashes, so
/// this response is the only place they ever appear.
pub(crate) fn recovery_codes_page(
    user: &auth_core::user::User,
    intro: &'static str,
    codes: &[auth_core::recovery_codes::RecoveryCode],
) -> Html<String> {
    let items = codes
        .iter()
        .map(|c| view! { <li><code>{c.display()}</code></li> })
        .collect::<Vec<_>>();
    let body = view! {
        <p>{intro}</p>
        <p>"Save these recovery codes somewhere safe, such as a password manager. Each one signs "
           "you in once if you lose your second factor. They are shown only now."</p>
        <ol class="recovery-codes">{items}</ol>
        <p><a href="/settings/two-factor">"I saved them"</a></p>
    };
    page("Your recovery codes", Some(user), body)
}

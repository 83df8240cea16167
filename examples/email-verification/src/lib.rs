//! Email verification and password reset with emailed one-time codes: sign up and verify the
//! address, change it, and reset a forgotten password. See this example's README for the
//! flows, the items written, the cookies set and the emails sent.

mod codes;
mod home;
pub mod limits;
mod settings;
mod sign_in;
mod sign_up;
mod verified;
mod verify_email;

use auth_web::AppState;
use auth_web::account::delete_account_router;
use auth_web::mail::Mailer;
use auth_web::password_reset::password_reset_router;
use auth_web::reauth::password_reauth_router;
use auth_web::session::sign_out_router;
use axum::{Extension, Router};
use std::sync::Arc;

/// Every route of this example; `auth_web::server` adds the shared ones and the layers.
/// `mailer` delivers the codes (the console, or SMTP; tests pass a local SMTP server).
pub fn routes(_: &AppState, mailer: Arc<dyn Mailer>) -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(sign_up::router())
        .merge(sign_in::router())
        .merge(sign_out_router())
        .merge(verify_email::router())
        .merge(settings::router())
        .merge(password_reset_router())
        .merge(password_reauth_router())
        .merge(delete_account_router())
        .layer(Extension(mailer))
}

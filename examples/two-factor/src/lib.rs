//! Email and password with a second factor: an authenticator app (TOTP), security keys,
//! passkeys, and recovery codes; password reset and fresh proofs that respect it. See this
//! example's README for the flows, the items written, the cookies and what each action costs.

mod qr;
mod second_factor;
mod settings;
mod sign_in;
mod webauthn;

use auth_core::encryption::EncryptionKey;
use auth_web::AppState;
use auth_web::home::{HomePage, home_router_with_notices};
use auth_web::mail::Mailer;
use auth_web::password_reset::password_reset_router;
use auth_web::session::sign_out_router;
use auth_web::sign_up::sign_up_router;
use auth_web::webauthn::{RelyingParty, RelyingPartyError};
use axum::{Extension, Router};
use std::sync::Arc;

/// The name authenticator apps show next to the account.
pub const ISSUER: &str = "Auth examples";

/// Every route of this example; `auth_web::server` adds the shared ones and the layers.
/// `mailer` delivers the password reset codes; `sealing` seals the TOTP keys (the same key on
/// every instance: `ENCRYPTION_KEY`, see `auth_web::encryption_key`). The WebAuthn relying
/// party is built from the origin, which must be a domain name.
pub fn routes(
    state: &AppState,
    mailer: Arc<dyn Mailer>,
    sealing: EncryptionKey,
) -> Result<Router<AppState>, RelyingPartyError> {
    let relying_party = RelyingParty::for_origin(state.origin())?;
    let home = HomePage {
        title: "Two-factor authentication",
        about: "This example signs people in with an email address and a password, then a second factor: an authenticator app, a security key or a passkey, with recovery codes for when it is lost.",
        settings_link: "Manage your second factors and sessions",
    };
    let notices = &[(
        "reset",
        "Your password was changed. Every other session was signed out.",
    )];
    Ok(Router::new()
        .merge(home_router_with_notices(home, notices))
        .merge(sign_up_router())
        .merge(sign_in::router())
        .merge(sign_out_router())
        .merge(second_factor::router())
        .merge(password_reset_router())
        .merge(settings::router())
        .merge(auth_web::webauthn::script::router())
        .layer(Extension(mailer))
        .layer(Extension(sealing))
        .layer(Extension(relying_party)))
}

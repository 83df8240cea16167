//! Passwordless sign-in with passkeys (WebAuthn): sign up with an email and a passkey, sign in
//! with a discoverable passkey, add, rename or delete passkeys in settings, and delete the
//! account; the sensitive ones after a fresh proof with a passkey (`/reauth`).
//! See this example's README for the ceremonies, the items written and the cookies set.

mod api;
mod authentication;
mod limits;
mod reauth;
mod registration;
mod script;
mod settings;
mod sign_in;
mod sign_up;

use auth_web::AppState;
use auth_web::home::{HomePage, home_router};
use auth_web::session::sign_out_router;
use auth_web::webauthn::{RelyingParty, RelyingPartyError};
use axum::{Extension, Router};

/// Every route of this example; `auth_web::server` adds the shared ones and the layers.
/// The WebAuthn relying party is built from the app's origin, so it works behind a real domain;
/// an origin that cannot be one (an IP address) is an error.
pub fn routes(state: &AppState) -> Result<Router<AppState>, RelyingPartyError> {
    let relying_party = RelyingParty::for_origin(state.origin())?;
    let routes = Router::new()
        .merge(home_router(HomePage {
            title: "Passkeys",
            about: "This example signs people in with passkeys (WebAuthn): no passwords, and every ceremony's state kept in DynamoDB.",
            settings_link: "Manage your passkeys",
        }))
        .merge(sign_up::router())
        .merge(sign_in::router())
        .merge(sign_out_router())
        .merge(settings::router())
        .merge(reauth::router())
        .merge(script::router())
        .layer(Extension(relying_party));
    Ok(routes)
}

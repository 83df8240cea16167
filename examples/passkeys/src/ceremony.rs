//! The ceremony cookie and the ceremony item it points to.
//!
//! Starting a ceremony stores the WebAuthn library's state in DynamoDB
//! (`auth_core::ceremony`) and gives the browser only a random token, in an HttpOnly,
//! SameSite=Strict cookie that lives as long as the item. Finishing takes the item (a
//! conditional delete: single use), and checks that it is the right kind of ceremony for the
//! right user. Nothing is kept in process memory, so any app instance can finish it.

use crate::api::ApiError;
use auth_core::ceremony::{CEREMONY_TIMEOUT, start_ceremony, take_ceremony};
use auth_web::AppState;
use auth_web::cookie::{CookieJar, CookieKind};
use axum_extra::extract::cookie::SameSite;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a ceremony is for; a ceremony of one purpose can never finish another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    SignIn,
    AddPasskey,
    /// A fresh proof of identity for a signed-in user (`crate::reauth`).
    Reauth,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign-up",
            Self::SignIn => "sign-in",
            Self::AddPasskey => "add-passkey",
            Self::Reauth => "reauth",
        }
    }
}

/// The ceremony cookie: a random token naming the ceremony item, for as long as it lives.
const CEREMONY: CookieKind = CookieKind {
    name: "ceremony",
    same_site: SameSite::Strict,
};

/// Stores a new ceremony and returns the jar with its cookie set. `kept` is what the finish
/// needs: the library's state, with what else the flow needs (an email, a name, a page).
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    purpose: Purpose,
    user_id: Option<&str>,
    kept: &impl Serialize,
) -> Result<CookieJar, ApiError> {
    let serialized = serde_json::to_string(kept).map_err(|e| {
        tracing::error!("cannot serialize the ceremony state: {e}");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "The app hit an unexpected error. Please try again.",
        )
    })?;
    let token = start_ceremony(&state.table, purpose.as_str(), user_id, serialized).await?;
    Ok(jar.add(CEREMONY.set(state, token, CEREMONY_TIMEOUT)))
}

/// Takes this browser's ceremony (single use) and returns what it kept, provided it has the
/// expected purpose and was started by `user_id`. The cookie is removed. A stored state that
/// does not parse is the app's fault, not the browser's: an error, not a refusal.
pub async fn finish<T: DeserializeOwned>(
    state: &AppState,
    jar: CookieJar,
    purpose: Purpose,
    user_id: Option<&str>,
) -> Result<(CookieJar, T), ApiError> {
    let gone = || ApiError::refused("This attempt expired or was already used. Please try again.");
    let token = jar
        .get(&CEREMONY.name(state))
        .map(|c| c.value().to_owned())
        .ok_or_else(gone)?;
    let jar = jar.add(CEREMONY.removal(state));
    let ceremony = take_ceremony(&state.table, &token)
        .await?
        .ok_or_else(gone)?;
    if ceremony.purpose != purpose.as_str() || ceremony.user_id.as_deref() != user_id {
        return Err(gone());
    }
    let kept = serde_json::from_str(&ceremony.state).map_err(|e| {
        auth_core::Error::corrupt(format!("stored ceremony state does not parse: {e}"))
    })?;
    Ok((jar, kept))
}

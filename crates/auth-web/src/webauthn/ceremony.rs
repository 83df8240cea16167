//! The ceremony cookie and the ceremony item it points to.
//!
//! 1. [`start`] stores what the ceremony's second request needs (the WebAuthn library's state,
//!    with whatever else the flow keeps: an email, a name, a page) in DynamoDB
//!    (`auth_core::ceremony`) and gives the browser only a random token, in an HttpOnly,
//!    SameSite=Strict cookie that lives as long as the item.
//! 2. [`finish`] takes the item (a conditional delete: single use) and checks that it is the
//!    right kind of ceremony, started by the right user. Nothing is kept in process memory,
//!    so any app instance can finish what another started.

use crate::cookie::{CookieJar, CookieKind};
use crate::state::AppState;
use auth_core::ceremony::{CEREMONY_TIMEOUT, start_ceremony, take_ceremony};
use auth_core::{Error, Result};
use axum_extra::extract::cookie::SameSite;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The ceremony cookie: a random token naming the ceremony item, for as long as it lives.
const CEREMONY: CookieKind = CookieKind {
    name: "ceremony",
    same_site: SameSite::Strict,
};

/// Stores a new ceremony for `purpose` (a ceremony of one purpose never finishes another)
/// and returns the jar with its cookie set.
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    purpose: &str,
    user_id: Option<&str>,
    kept: &impl Serialize,
) -> Result<CookieJar> {
    let serialized = serde_json::to_string(kept)
        .map_err(|e| Error::corrupt(format!("ceremony state does not serialize: {e}")))?;
    let token = start_ceremony(&state.table, purpose, user_id, serialized).await?;
    Ok(jar.add(CEREMONY.set(state, token, CEREMONY_TIMEOUT)))
}

/// Takes this browser's ceremony (single use) and returns the jar with its cookie removed and
/// what [`start`] kept, provided it has the expected purpose and was started by `user_id`.
/// Anything else (no cookie, expired, used, another purpose or user) is refused with one
/// message. A stored state that does not parse is the app's fault, not the browser's: an
/// error, not a refusal.
pub async fn finish<T: DeserializeOwned>(
    state: &AppState,
    jar: CookieJar,
    purpose: &str,
    user_id: Option<&str>,
) -> Result<(CookieJar, T)> {
    let gone = || {
        Error::InvalidInput("This attempt expired or was already used. Please try again.".into())
    };
    let token = jar
        .get(&CEREMONY.name(state))
        .map(|c| c.value().to_owned())
        .ok_or_else(gone)?;
    let jar = jar.add(CEREMONY.removal(state));
    let ceremony = take_ceremony(&state.table, &token)
        .await?
        .ok_or_else(gone)?;
    if ceremony.purpose != purpose || ceremony.user_id.as_deref() != user_id {
        return Err(gone());
    }
    let kept = serde_json::from_str(&ceremony.state)
        .map_err(|e| Error::corrupt(format!("stored ceremony state does not parse: {e}")))?;
    Ok((jar, kept))
}

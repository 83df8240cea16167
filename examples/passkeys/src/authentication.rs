//! The authentication ceremony, in its two uses here.
//!
//! **Sign-in**, with a discoverable credential: nobody types a username.
//! 1. [`start`]: webauthn-rs makes request options with a fresh challenge and an empty
//!    `allowCredentials`, so the authenticator offers every passkey it holds for this site.
//! 2. The authenticator signs the challenge with the chosen passkey and returns its credential
//!    id and the user handle it was created with; see `static/passkeys.js`.
//! 3. [`finish`]: the credential id has found its user through the claim item (a consistent
//!    read the caller made while taking the ceremony); the passkey is read under that user, the
//!    user handle must be the one stored with it, and webauthn-rs checks the signature with the
//!    stored public key, the challenge, the origin and the relying party id.
//!
//! **A fresh proof** for a signed-in user (`crate::reauth`):
//! 1. [`start_for_user`]: request options that list the user's own passkeys in
//!    `allowCredentials`, with user verification required.
//! 2. [`finish_for_user`]: webauthn-rs accepts only a credential from that list.
//!
//! Either way the credential's new counter and backup state come back as a transaction item
//! ([`mark_passkey_used`]), written in one transaction with the session or the proof.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/#sctn-verifying-assertion>

use crate::registration::serialize;
use auth_core::passkey::{Passkey, get_passkey, mark_passkey_used};
use auth_core::{Table, TxItem};
use auth_web::json::ApiError;
use auth_web::webauthn::{RelyingParty, asserted_id};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, PasskeyAuthentication, PublicKeyCredential,
    RequestChallengeResponse, Uuid,
};

/// Sign-in request options for the browser, and the state to keep until the answer comes.
pub fn start(
    rp: &RelyingParty,
) -> Result<(RequestChallengeResponse, DiscoverableAuthentication), ApiError> {
    rp.start_discoverable_authentication().map_err(|e| {
        tracing::error!("cannot start an authentication: {e}");
        ApiError::refused("The app could not start a passkey sign-in.")
    })
}

/// Verifies a sign-in assertion for a credential that `owner` registered (`None`: nobody
/// did). On success, the passkey that signed it and its use, to write with the session.
pub async fn finish(
    table: &Table,
    rp: &RelyingParty,
    response: &PublicKeyCredential,
    state: DiscoverableAuthentication,
    owner: Option<String>,
) -> Result<(Passkey, TxItem), ApiError> {
    let unknown = || ApiError::refused("This passkey is not registered here.");
    let credential_id = asserted_id(response);
    let owner = owner.ok_or_else(unknown)?;
    let stored = get_passkey(table, &owner, &credential_id)
        .await?
        .ok_or_else(unknown)?;
    let handle = response.response.user_handle.as_deref();
    let handle_matches = handle
        .and_then(|h| Uuid::from_slice(h).ok())
        .is_some_and(|h| h.to_string() == stored.user_handle);
    if !handle_matches {
        return Err(unknown());
    }
    let credential = parse(&stored).ok_or_else(unknown)?;
    let result = rp
        .finish_discoverable_authentication_v2(response, state, &credential)
        .map_err(not_verified)?;
    let used = record_use(table, &stored, credential, &result)?;
    Ok((stored, used))
}

/// Request options for a fresh proof: only the user's own passkeys, user verification
/// required (webauthn-rs's passkey policy). A user always has at least one passkey.
pub fn start_for_user(
    rp: &RelyingParty,
    passkeys: &[Passkey],
) -> Result<(RequestChallengeResponse, PasskeyAuthentication), ApiError> {
    let credentials: Vec<_> = passkeys.iter().filter_map(parse).collect();
    rp.start_passkey_authentication(&credentials).map_err(|e| {
        tracing::error!("cannot start a re-authentication: {e}");
        ApiError::refused("The app could not start a passkey check.")
    })
}

/// Verifies a proof's assertion against the passkeys the options listed. `stored` is the
/// user's passkey with the assertion's credential id (`None`: not one of theirs, or deleted
/// since). On success, its use, to write with the proof.
pub fn finish_for_user(
    table: &Table,
    rp: &RelyingParty,
    response: &PublicKeyCredential,
    state: &PasskeyAuthentication,
    stored: Option<&Passkey>,
) -> Result<TxItem, ApiError> {
    let not_yours = || ApiError::refused("That passkey is not one of this account's passkeys.");
    let stored = stored.ok_or_else(not_yours)?;
    let credential = parse(stored).ok_or_else(not_yours)?;
    let result = rp
        .finish_passkey_authentication(response, state)
        .map_err(not_verified)?;
    record_use(table, stored, credential, &result)
}

/// The stored credential as webauthn-rs's type; one that does not parse is logged and unusable.
fn parse(stored: &Passkey) -> Option<webauthn_rs::prelude::Passkey> {
    serde_json::from_str(&stored.credential)
        .inspect_err(|e| tracing::error!("stored passkey does not parse: {e}"))
        .ok()
}

fn not_verified(e: webauthn_rs::prelude::WebauthnError) -> ApiError {
    tracing::info!("assertion refused: {e}");
    ApiError::refused("The passkey could not be verified. Please try again.")
}

/// The credential updated by a verified assertion (counter, backup state), as a write.
fn record_use(
    table: &Table,
    stored: &Passkey,
    mut credential: webauthn_rs::prelude::Passkey,
    result: &AuthenticationResult,
) -> Result<TxItem, ApiError> {
    credential.update_credential(result);
    Ok(mark_passkey_used(
        table,
        &stored.user_id,
        &stored.credential_id,
        serialize(&credential)?,
    ))
}

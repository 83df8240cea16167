//! The authentication ceremony with a discoverable credential: nobody types a username.
//!
//! 1. [`start`]: webauthn-rs makes request options with a fresh challenge and an empty
//!    `allowCredentials`, so the authenticator offers every passkey it holds for this site.
//! 2. The authenticator signs the challenge with the chosen passkey and returns its credential
//!    id and the user handle it was created with; see `static/passkeys.js`.
//! 3. [`finish`]: the credential id finds the passkey through its claim item (a consistent
//!    read), the user handle must be the one stored with it, and webauthn-rs checks the
//!    signature with the stored public key, the challenge, the origin and the relying party
//!    id. The credential's counter and backup state are then stored back.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/#sctn-verifying-assertion>

use crate::RelyingParty;
use crate::api::ApiError;
use crate::registration::serialize;
use auth_core::Table;
use auth_core::passkey::{Passkey, find_passkey, record_passkey_use};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PublicKeyCredential, RequestChallengeResponse, Uuid,
};

/// Request options for the browser, and the state to keep until the answer comes.
pub fn start(
    rp: &RelyingParty,
) -> Result<(RequestChallengeResponse, DiscoverableAuthentication), ApiError> {
    rp.start_discoverable_authentication().map_err(|e| {
        tracing::error!("cannot start an authentication: {e}");
        ApiError::refused("The app could not start a passkey sign-in.")
    })
}

/// Verifies the assertion and records the use; on success, the passkey that signed it.
pub async fn finish(
    table: &Table,
    rp: &RelyingParty,
    response: &PublicKeyCredential,
    state: DiscoverableAuthentication,
) -> Result<Passkey, ApiError> {
    let unknown = || ApiError::refused("This passkey is not registered here.");
    let credential_id = URL_SAFE_NO_PAD.encode(&response.raw_id);
    let stored = find_passkey(table, &credential_id)
        .await?
        .ok_or_else(unknown)?;
    let handle = response.response.user_handle.as_deref();
    let handle_matches = handle
        .and_then(|h| Uuid::from_slice(h).ok())
        .is_some_and(|h| h.to_string() == stored.user_handle);
    if !handle_matches {
        return Err(unknown());
    }
    let mut credential: webauthn_rs::prelude::Passkey = serde_json::from_str(&stored.credential)
        .map_err(|e| {
            tracing::error!("stored passkey does not parse: {e}");
            unknown()
        })?;
    let result = rp
        .finish_discoverable_authentication_v2(response, state, &credential)
        .map_err(|e| {
            tracing::info!("assertion refused: {e}");
            ApiError::refused("The passkey could not be verified. Please try again.")
        })?;
    credential.update_credential(&result);
    record_passkey_use(
        table,
        &stored.user_id,
        &credential_id,
        serialize(&credential)?,
    )
    .await?;
    Ok(stored)
}

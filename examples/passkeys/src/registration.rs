//! The registration ceremony's two halves, shared by sign-up and "add a passkey".
//!
//! 1. [`start`]: webauthn-rs makes the creation options (a fresh challenge, the relying
//!    party, the user handle, the credentials to exclude). The options are changed to require
//!    a discoverable credential (a "resident key"), so that sign-in needs no username.
//! 2. The browser's authenticator creates a key pair and signs the challenge; see
//!    `static/passkeys.js`.
//! 3. [`finish`]: webauthn-rs checks the response against the stored state (challenge,
//!    origin, relying party id, user verification) and returns the credential to store.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/#sctn-registering-a-new-credential>

use auth_core::passkey::NewPasskey;
use auth_web::json::ApiError;
use auth_web::webauthn::{RelyingParty, credential_id};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, PasskeyRegistration, RegisterPublicKeyCredential, Uuid,
};
use webauthn_rs_proto::ResidentKeyRequirement;

/// What the server keeps between the two halves (serialized into the ceremony item).
#[derive(Serialize, Deserialize)]
pub struct Registration {
    user_handle: Uuid,
    state: PasskeyRegistration,
}

/// Creation options for the browser, and the state to keep until the answer comes.
pub fn start(
    rp: &RelyingParty,
    user_handle: Uuid,
    email: &str,
    exclude: Option<Vec<Vec<u8>>>,
) -> Result<(CreationChallengeResponse, Registration), ApiError> {
    let (mut options, state) = rp
        .start_passkey_registration(user_handle, email, email, exclude)
        .map_err(|e| {
            tracing::error!("cannot start a registration: {e}");
            ApiError::refused("The app could not start a passkey registration.")
        })?;
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    Ok((options, Registration { user_handle, state }))
}

/// Verifies the authenticator's answer; on success, the passkey to store under `name`.
pub fn finish(
    rp: &RelyingParty,
    response: &RegisterPublicKeyCredential,
    registration: &Registration,
    name: &str,
) -> Result<NewPasskey, ApiError> {
    let passkey = rp
        .finish_passkey_registration(response, &registration.state)
        .map_err(|e| {
            tracing::info!("registration refused: {e}");
            ApiError::refused("The passkey could not be verified. Please try again.")
        })?;
    Ok(NewPasskey {
        credential_id: credential_id(passkey.cred_id()),
        name: name.to_owned(),
        user_handle: registration.user_handle.to_string(),
        credential: serialize(&passkey)?,
    })
}

/// A credential as stored in the passkey item: webauthn-rs's own JSON form.
pub fn serialize(passkey: &webauthn_rs::prelude::Passkey) -> Result<String, ApiError> {
    serde_json::to_string(passkey).map_err(|e| {
        tracing::error!("cannot serialize a passkey: {e}");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "The app hit an unexpected error. Please try again.",
        )
    })
}

//! The WebAuthn ceremonies of security keys and passkeys used as a second factor, on
//! webauthn-rs. Each kind has its own pair of calls: a security key may skip user
//! verification (it is the second factor; the password was the first), a passkey may not.
//! Both are non-discoverable here: the server names the user's credentials
//! (`allowCredentials`), since the user is known from the password.
//!
//! 1. Registration ([`registration_options`], [`finish_registration`]): options with the
//!    user's existing credentials excluded (an authenticator refuses to register twice); the
//!    result is the credential id and webauthn-rs's JSON of the credential, to store.
//! 2. Authentication ([`authentication_options`], [`finish_authentication`]): options naming
//!    the user's credentials of one kind; the assertion is checked against the stored public
//!    key, the challenge, the origin and the relying party id, and the updated credential
//!    (its signature counter) comes back, to store.
//!
//! The library's state between the two halves goes into the ceremony item
//! (`auth_web::webauthn::ceremony`), never into process memory.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/#sctn-registering-a-new-credential>,
//! <https://www.w3.org/TR/webauthn-3/#sctn-verifying-assertion>

use auth_core::second_factor::{FactorKind, WebauthnFactor};
use auth_core::user::User;
use auth_core::{Error, Result};
use auth_web::webauthn::{RelyingParty, credential_id, excluded};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, SecurityKey,
    SecurityKeyAuthentication, SecurityKeyRegistration, Uuid,
};

/// What the server keeps between the two halves of a registration.
#[derive(Serialize, Deserialize)]
pub enum Registration {
    SecurityKey(SecurityKeyRegistration),
    Passkey(PasskeyRegistration),
}

impl Registration {
    pub fn kind(&self) -> FactorKind {
        match self {
            Self::SecurityKey(_) => FactorKind::SecurityKey,
            Self::Passkey(_) => FactorKind::Passkey,
        }
    }
}

/// What the server keeps between the two halves of an authentication.
#[derive(Serialize, Deserialize)]
pub enum Authentication {
    SecurityKey(SecurityKeyAuthentication),
    Passkey(PasskeyAuthentication),
}

impl Authentication {
    pub fn kind(&self) -> FactorKind {
        match self {
            Self::SecurityKey(_) => FactorKind::SecurityKey,
            Self::Passkey(_) => FactorKind::Passkey,
        }
    }
}

/// A credential as stored: its id (base64url) and webauthn-rs's JSON of it.
pub struct StoredCredential {
    pub id: String,
    pub json: String,
}

fn refused(message: &str) -> Error {
    Error::InvalidInput(message.to_owned())
}

fn unexpected(what: &str, e: impl std::fmt::Display) -> Error {
    Error::corrupt(format!("{what}: {e}"))
}

/// The WebAuthn user handle of a user: the same for all their credentials, derived from the
/// user id rather than stored, and revealing nothing of it (a hash).
fn user_handle(user_id: &str) -> Uuid {
    let hash = auth_core::random::hash_secret(&format!("webauthn-user-handle:{user_id}"));
    Uuid::from_slice(&hash[..16]).expect("16 bytes make a UUID")
}

/// Creation options for a new factor of `kind`, and the state to keep.
pub fn registration_options(
    rp: &RelyingParty,
    user: &User,
    kind: FactorKind,
    existing: &[WebauthnFactor],
) -> Result<(CreationChallengeResponse, Registration)> {
    let exclude = excluded(existing.iter().map(|f| f.credential_id.as_str()));
    let (handle, email) = (user_handle(&user.id), user.email.as_str());
    let started = match kind {
        FactorKind::SecurityKey => rp
            .start_securitykey_registration(handle, email, email, exclude, None, None)
            .map(|(mut options, state)| {
                // webauthn-rs asks for credProtect "userVerificationRequired" beside user
                // verification "preferred", which Chrome refuses as inconsistent
                // (kanidm/webauthn-rs#490). A security key is the second factor after a
                // password: touching it is enough, so the request is left out.
                if let Some(extensions) = options.public_key.extensions.as_mut() {
                    extensions.cred_protect = None;
                }
                (options, Registration::SecurityKey(state))
            }),
        FactorKind::Passkey => rp
            .start_passkey_registration(handle, email, email, exclude)
            .map(|(options, state)| (options, Registration::Passkey(state))),
    };
    started.map_err(|e| unexpected("cannot start a registration", e))
}

/// Verifies the authenticator's answer; on success, the credential to store.
pub fn finish_registration(
    rp: &RelyingParty,
    response: &RegisterPublicKeyCredential,
    state: &Registration,
) -> Result<StoredCredential> {
    let not_verified = |e: webauthn_rs::prelude::WebauthnError| {
        tracing::info!("registration refused: {e}");
        refused("The security key or passkey could not be verified. Please try again.")
    };
    let (id, json) = match state {
        Registration::SecurityKey(state) => {
            let key = rp
                .finish_securitykey_registration(response, state)
                .map_err(not_verified)?;
            (key.cred_id().clone(), serde_json::to_string(&key))
        }
        Registration::Passkey(state) => {
            let passkey = rp
                .finish_passkey_registration(response, state)
                .map_err(not_verified)?;
            (passkey.cred_id().clone(), serde_json::to_string(&passkey))
        }
    };
    Ok(StoredCredential {
        id: credential_id(&id),
        json: json.map_err(|e| unexpected("cannot serialize a credential", e))?,
    })
}

/// Request options naming the user's credentials of `kind`, and the state to keep.
pub fn authentication_options(
    rp: &RelyingParty,
    kind: FactorKind,
    factors: &[WebauthnFactor],
) -> Result<(RequestChallengeResponse, Authentication)> {
    let mine: Vec<&WebauthnFactor> = factors.iter().filter(|f| f.kind == kind).collect();
    if mine.is_empty() {
        return Err(refused(&format!("You have no {} set up.", kind.label())));
    }
    let started = match kind {
        FactorKind::SecurityKey => {
            let keys = parse_all::<SecurityKey>(&mine)?;
            rp.start_securitykey_authentication(&keys)
                .map(|(options, state)| (options, Authentication::SecurityKey(state)))
        }
        FactorKind::Passkey => {
            let passkeys = parse_all::<Passkey>(&mine)?;
            rp.start_passkey_authentication(&passkeys)
                .map(|(options, state)| (options, Authentication::Passkey(state)))
        }
    };
    started.map_err(|e| unexpected("cannot start an authentication", e))
}

fn parse_all<T: serde::de::DeserializeOwned>(factors: &[&WebauthnFactor]) -> Result<Vec<T>> {
    factors
        .iter()
        .map(|f| {
            serde_json::from_str(&f.credential)
                .map_err(|e| unexpected("a stored credential does not parse", e))
        })
        .collect()
}

/// Verifies an assertion made with `stored` (of the ceremony's kind); on success, the
/// credential as the library updated it (signature counter, backup state), to store.
pub fn finish_authentication(
    rp: &RelyingParty,
    response: &PublicKeyCredential,
    state: &Authentication,
    stored: &WebauthnFactor,
) -> Result<String> {
    let not_verified = |e: webauthn_rs::prelude::WebauthnError| {
        tracing::info!("assertion refused: {e}");
        refused("The security key or passkey could not be verified. Please try again.")
    };
    if stored.kind != state.kind() {
        return Err(refused("That is not one of your second factors."));
    }
    let json = match state {
        Authentication::SecurityKey(state) => {
            let result = rp
                .finish_securitykey_authentication(response, state)
                .map_err(not_verified)?;
            let mut key: SecurityKey = parse_all(&[stored])?.remove(0);
            key.update_credential(&result);
            serde_json::to_string(&key)
        }
        Authentication::Passkey(state) => {
            let result = rp
                .finish_passkey_authentication(response, state)
                .map_err(not_verified)?;
            let mut passkey: Passkey = parse_all(&[stored])?.remove(0);
            passkey.update_credential(&result);
            serde_json::to_string(&passkey)
        }
    };
    json.map_err(|e| unexpected("cannot serialize a credential", e))
}

//! WebAuthn (security keys and passkeys) on the web side, for the examples that use it: who
//! this app is to an authenticator ([`RelyingParty`]), the state kept between a ceremony's two
//! requests ([`ceremony`]), and the script that runs ceremonies in the browser ([`script`]).
//! The ceremonies themselves (which webauthn-rs calls, what is stored) are each example's flow.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/>

pub mod ceremony;
pub mod script;

use crate::client_ip::ClientIp;
use crate::cookie::CookieJar;
use crate::state::AppState;
use axum::extract::{Extension, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;
use url::Url;
use webauthn_rs::prelude::{PublicKeyCredential, Webauthn, WebauthnBuilder, WebauthnError};

/// The configured `webauthn_rs::Webauthn`, shared by every handler. Its id is the origin's
/// host (`localhost` by default, `auth.example.com` behind a real domain) and only the app's
/// own origin is accepted in a client's signed data. Credentials are bound to the id: change
/// the domain and old ones no longer work.
#[derive(Clone)]
pub struct RelyingParty(Arc<Webauthn>);

/// Why an origin cannot be a relying party.
#[derive(Debug, thiserror::Error)]
pub enum RelyingPartyError {
    #[error("WebAuthn needs a domain name (localhost, or your site's), not an IP address")]
    NoDomain,
    #[error("webauthn-rs refused the configuration: {0}")]
    Webauthn(#[from] WebauthnError),
}

impl RelyingParty {
    /// The relying party for an origin such as `http://localhost:3004`.
    pub fn for_origin(origin: &Url) -> Result<Self, RelyingPartyError> {
        let id = origin.domain().ok_or(RelyingPartyError::NoDomain)?;
        let webauthn = WebauthnBuilder::new(id, origin)?
            .rp_name("Auth examples")
            .build()?;
        Ok(Self(Arc::new(webauthn)))
    }
}

impl std::ops::Deref for RelyingParty {
    type Target = Webauthn;

    fn deref(&self) -> &Webauthn {
        &self.0
    }
}

/// The form that renames or removes one of a user's credentials (a passkey, a security key).
/// Missing fields arrive empty: an empty id names nothing, an empty name is refused.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct CredentialForm {
    pub credential_id: String,
    pub name: String,
}

/// What a ceremony's requests need besides their body: the app state, the relying party, the
/// browser's cookies (the ceremony cookie among them) and headers (for a session a finish
/// starts), and the client address (for the ceremony limits). One extractor, so that each
/// handler's signature says only what is its own.
pub struct WebauthnRequest {
    pub state: AppState,
    pub rp: RelyingParty,
    pub jar: CookieJar,
    pub headers: HeaderMap,
    pub client: ClientIp,
}

impl FromRequestParts<AppState> for WebauthnRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Extension(rp) = Extension::<RelyingParty>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(client) = ClientIp::from_request_parts(parts, state).await;
        Ok(Self {
            state: state.clone(),
            rp,
            jar: CookieJar::from_headers(&parts.headers),
            headers: parts.headers.clone(),
            client,
        })
    }
}

/// A credential id as the app stores and looks it up: base64url, no padding.
pub fn credential_id(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

/// The credential id an assertion names: the key of its items and its claim.
pub fn asserted_id(response: &PublicKeyCredential) -> String {
    credential_id(&response.raw_id)
}

/// Stored credential ids as a registration excludes them (so an authenticator is not
/// registered twice); `None` when there are none.
pub fn excluded<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<Vec<Vec<u8>>> {
    let ids: Vec<Vec<u8>> = ids
        .into_iter()
        .filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok())
        .collect();
    (!ids.is_empty()).then_some(ids)
}

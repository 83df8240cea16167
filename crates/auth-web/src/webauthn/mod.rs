//! WebAuthn (security keys and passkeys) on the web side, for the examples that use it: who
//! this app is to an authenticator ([`RelyingParty`]), the state kept between a ceremony's two
//! requests ([`ceremony`]), and the script that runs ceremonies in the browser ([`script`]).
//! The ceremonies themselves (which webauthn-rs calls, what is stored) are each example's flow.
//!
//! Spec: <https://www.w3.org/TR/webauthn-3/>

pub mod ceremony;
pub mod script;

use std::sync::Arc;
use url::Url;
use webauthn_rs::prelude::{Webauthn, WebauthnBuilder, WebauthnError};

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

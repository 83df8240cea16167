//! The providers this app can sign in with, and the two halves of the authorization-code flow
//! each one runs: `start` (the URL to send the browser to, and the secrets to keep until it
//! comes back) and `finish` (code → tokens → a verified identity).

mod github;
mod oidc;

use auth_core::oauth_account::OAuthIdentity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

/// One configured provider. Secrets come only from the environment (see `config`).
#[derive(Clone, Debug)]
pub struct Provider {
    /// Short name in URLs and account keys: `github`, `google`, `oidc`, `dev`.
    pub slug: String,
    /// Shown on buttons: "GitHub", "Google", or `OIDC_NAME`.
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub endpoints: Endpoints,
}

/// Where a provider lives; every URL is configurable so tests and self-hosted providers work.
#[derive(Clone, Debug)]
pub enum Endpoints {
    /// GitHub's OAuth app flow (no OpenID Connect): `<base>/login/oauth/…` and `<api>/user`.
    GitHub { base_url: Url, api_url: Url },
    /// Any OpenID Connect provider, found by discovery from its issuer URL.
    Oidc { issuer: String },
}

/// What the app keeps (in the flow cookie) between sending the browser away and its return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowSecrets {
    /// Echoed back by the provider; ties the callback to this browser (CSRF defence).
    pub state: String,
    /// PKCE: the provider only hands out tokens to whoever knows this (RFC 7636, S256).
    pub pkce_verifier: String,
    /// OpenID Connect only: must come back inside the signed ID token (replay defence).
    pub nonce: Option<String>,
}

/// A person as the provider vouches for them after a successful flow.
#[derive(Clone, Debug)]
pub struct Identity {
    pub account: OAuthIdentity,
    /// The email address, only if the provider says it is verified.
    pub verified_email: Option<String>,
    /// When they last actually signed in at the provider, if it says (the ID token's
    /// `auth_time`; GitHub never says).
    pub authenticated_at: Option<OffsetDateTime>,
}

/// Why a flow could not be finished. Each is shown to the user as a page; none writes anything.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached, or answered with a server error.
    #[error("{0} could not be reached: {1}")]
    Unreachable(String, String),
    /// The provider refused: an expired, used or wrong code, or a client misconfiguration.
    #[error("{0} refused the sign-in: {1}")]
    Refused(String, String),
    /// The identity failed verification: the ID token (signature, issuer, audience, expiry or
    /// nonce), or a UserInfo answer about someone other than the ID token's subject.
    #[error("the identity from {0} failed verification: {1}")]
    Unverified(String, String),
    /// The provider answered with something this app cannot use.
    #[error("{0} sent an unusable answer: {1}")]
    BadResponse(String, String),
}

impl Provider {
    /// Where GitHub, Google … must send the browser back to: `<origin>/sign-in/<slug>/callback`.
    pub fn redirect_uri(&self, origin: &Url) -> Url {
        let mut uri = origin.clone();
        uri.set_path(&format!("/sign-in/{}/callback", self.slug));
        uri
    }

    /// The provider's authorization URL for this browser, and the secrets to keep. With
    /// `fresh_login` the provider is asked to make the user sign in again rather than reuse
    /// their session there (OpenID Connect's `prompt=login` and `max_age=0`). GitHub's OAuth
    /// apps have no such parameter: if the user is signed in at GitHub and has authorized the
    /// app before, GitHub sends them straight back.
    pub async fn start(
        &self,
        http: &reqwest::Client,
        redirect: &Url,
        fresh_login: bool,
    ) -> Result<(Url, FlowSecrets), ProviderError> {
        match &self.endpoints {
            Endpoints::GitHub { base_url, .. } => github::start(self, base_url, redirect),
            Endpoints::Oidc { issuer } => {
                oidc::start(self, http, issuer, redirect, fresh_login).await
            }
        }
    }

    /// Trades the code for tokens and returns the verified identity. `now` decides ID-token
    /// expiry, so it is the table's clock like every other expiry decision.
    pub async fn finish(
        &self,
        http: &reqwest::Client,
        redirect: &Url,
        code: String,
        secrets: &FlowSecrets,
        now: OffsetDateTime,
    ) -> Result<Identity, ProviderError> {
        match &self.endpoints {
            Endpoints::GitHub { base_url, api_url } => {
                github::finish(self, http, base_url, api_url, redirect, code, secrets).await
            }
            Endpoints::Oidc { issuer } => {
                oidc::finish(self, http, issuer, redirect, code, secrets, now).await
            }
        }
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::Unreachable(self.name.clone(), e.to_string())
    }

    fn refused(&self, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::Refused(self.name.clone(), e.to_string())
    }

    fn bad_response(&self, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::BadResponse(self.name.clone(), e.to_string())
    }

    fn unverified(&self, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::Unverified(self.name.clone(), e.to_string())
    }

    /// Sorts a failed token request: no answer or a 5xx is "unreachable", anything else "refused".
    fn token_error<RE, T>(&self, e: oauth2::RequestTokenError<RE, T>) -> ProviderError
    where
        RE: std::error::Error + 'static,
        T: oauth2::ErrorResponse + std::fmt::Display + 'static,
    {
        use oauth2::RequestTokenError as E;
        match &e {
            E::Request(_) => self.unreachable(describe(&e)),
            E::ServerResponse(r) => self.refused(r),
            E::Parse(_, body) if body.is_empty() => self.unreachable(describe(&e)),
            // GitHub answers a bad code with 200 and an error body, which is not a token.
            E::Parse(_, body) => match serde_json::from_slice::<ErrorBody>(body) {
                Ok(body) => self.refused(body.error),
                Err(_) => self.refused(describe(&e)),
            },
            E::Other(_) => self.refused(describe(&e)),
        }
    }
}

/// The `error` member of an OAuth error answer (RFC 6749, section 5.2).
#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

/// An error with its chain of causes, for the log and the details line of a refusal page.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

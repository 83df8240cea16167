//! Google and any OpenID Connect provider (Keycloak, Auth0, Okta, Dex, the dev provider).
//!
//! 1. Discovery: `GET <issuer>/.well-known/openid-configuration`, then its `jwks_uri`; the
//!    metadata's `issuer` must equal the configured one exactly.
//! 2. `start`: the authorization endpoint with `state`, a `nonce`, a PKCE S256 challenge and the
//!    scopes `openid email profile`.
//! 3. `finish`: the code and the PKCE verifier go to the token endpoint (discovered again: no
//!    state in memory); the ID token in the answer is verified: its RS256/ES256… signature
//!    against the provider's JWKS, `iss`, `aud` (our client id), `exp` against the table's
//!    clock, and `nonce` against the one in the flow cookie.
//! 4. The identity is the `sub` claim; the email counts only with `email_verified: true`.
//!
//! Spec: <https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth>

use super::{FlowSecrets, Identity, Provider, ProviderError, describe};
use auth_core::oauth_account::OAuthIdentity;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use time::OffsetDateTime;
use url::Url;

/// Discovers the provider's endpoints and keys; nothing is cached, so every instance agrees.
async fn discover(
    provider: &Provider,
    http: &reqwest::Client,
    issuer: &str,
) -> Result<CoreProviderMetadata, ProviderError> {
    let issuer = IssuerUrl::new(issuer.to_owned())
        .map_err(|e| provider.bad_response(format!("issuer URL: {e}")))?;
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| match e {
            openidconnect::DiscoveryError::Request(_) => provider.unreachable(describe(&e)),
            other => provider.bad_response(describe(&other)),
        })
}

pub(super) async fn start(
    provider: &Provider,
    http: &reqwest::Client,
    issuer: &str,
    redirect: &Url,
) -> Result<(Url, FlowSecrets), ProviderError> {
    let metadata = discover(provider, http, issuer).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client(provider, metadata, redirect)
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let secrets = FlowSecrets {
        state: state.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        nonce: Some(nonce.secret().clone()),
    };
    Ok((url, secrets))
}

pub(super) async fn finish(
    provider: &Provider,
    http: &reqwest::Client,
    issuer: &str,
    redirect: &Url,
    code: String,
    secrets: &FlowSecrets,
    now: OffsetDateTime,
) -> Result<Identity, ProviderError> {
    let metadata = discover(provider, http, issuer).await?;
    let client = client(provider, metadata, redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| provider.bad_response(describe(&e)))?
        .set_pkce_verifier(PkceCodeVerifier::new(secrets.pkce_verifier.clone()))
        .request_async(http)
        .await
        .map_err(|e| provider.token_error(e))?;
    let invalid = |reason: String| ProviderError::InvalidIdToken(provider.name.clone(), reason);
    let id_token = token
        .id_token()
        .ok_or_else(|| invalid("the token response has no ID token".into()))?;
    let nonce = Nonce::new(secrets.nonce.clone().unwrap_or_default());
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || chrono_time(now));
    let claims = id_token
        .claims(&verifier, &nonce)
        .map_err(|e| invalid(describe(&e)))?;
    let verified_email = claims
        .email()
        .filter(|_| claims.email_verified() == Some(true))
        .map(|e| e.as_str().to_owned());
    let label = verified_email
        .clone()
        .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
        .unwrap_or_else(|| claims.subject().as_str().to_owned());
    Ok(Identity {
        account: OAuthIdentity {
            provider: provider.slug.clone(),
            subject: claims.subject().as_str().to_owned(),
            label,
        },
        verified_email,
    })
}

type DiscoveredClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client(provider: &Provider, metadata: CoreProviderMetadata, redirect: &Url) -> DiscoveredClient {
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::from_url(redirect.clone()))
}

/// The table's clock in the type `openidconnect` checks `exp` with.
fn chrono_time(now: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(now.unix_timestamp(), now.nanosecond()).unwrap_or_default()
}

//! Google and any OpenID Connect provider (Keycloak, Auth0, Okta, Dex, the dev provider).
//!
//! 1. Discovery: `GET <issuer>/.well-known/openid-configuration`, then its `jwks_uri`; the
//!    metadata's `issuer` must equal the configured one exactly.
//! 2. `start`: the authorization endpoint with `state`, a `nonce`, a PKCE S256 challenge and the
//!    scopes `openid email profile`; for a fresh proof also `prompt=login` and `max_age=0`
//!    (sign in again, whatever session the user has at the provider).
//! 3. `finish`: the code and the PKCE verifier go to the token endpoint (discovered again: no
//!    state in memory); the ID token in the answer is verified: its RS256/ES256… signature
//!    against the provider's JWKS, `iss`, `aud` (our client id), `exp` against the table's
//!    clock, and `nonce` against the one in the flow cookie.
//! 4. The identity is the `sub` claim; `auth_time`, when present, says when the user last
//!    signed in at the provider (a fresh proof checks it: `prompt=login` is only a request,
//!    which the browser could even strip from the URL).
//! 5. The email: from the ID token if it carries both `email` and `email_verified`. Otherwise
//!    from UserInfo (the discovered `userinfo_endpoint`, asked with the access token): a
//!    provider may put those claims only there (Core 5.4). UserInfo's `sub` must equal the ID
//!    token's, or the answer is about someone else and the sign-in is refused (Core 5.3.2). A
//!    provider with no UserInfo endpoint gives no email. Either way, the email counts only
//!    with `email_verified: true`.
//!
//! Spec: <https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth>,
//! <https://openid.net/specs/openid-connect-core-1_0.html#UserInfo>

use super::{FlowSecrets, Identity, Provider, ProviderError, describe};
use auth_core::oauth_account::OAuthIdentity;
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndUserEmail, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SubjectIdentifier, TokenResponse, UserInfoError,
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
    fresh_login: bool,
) -> Result<(Url, FlowSecrets), ProviderError> {
    let metadata = discover(provider, http, issuer).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = client(provider, metadata, redirect);
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if fresh_login {
        request = request
            .add_prompt(CoreAuthPrompt::Login)
            .set_max_age(std::time::Duration::ZERO);
    }
    let (url, state, nonce) = request.url();
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
    let id_token = token
        .id_token()
        .ok_or_else(|| provider.unverified("the token response has no ID token".to_owned()))?;
    let nonce = Nonce::new(secrets.nonce.clone().unwrap_or_default());
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || chrono_time(now));
    let claims = id_token
        .claims(&verifier, &nonce)
        .map_err(|e| provider.unverified(format!("ID token: {}", describe(&e))))?;
    // Both claims from one source, never one from each.
    let verified_email = match (claims.email(), claims.email_verified()) {
        (Some(email), Some(verified)) => verified_email(Some(email), Some(verified)),
        _ => user_info(
            provider,
            http,
            &client,
            token.access_token(),
            claims.subject(),
        )
        .await?
        .and_then(|info| verified_email(info.email(), info.email_verified())),
    };
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
        authenticated_at: claims.auth_time().map(offset_time),
    })
}

/// The address, only if the same source also says it is verified.
fn verified_email(email: Option<&EndUserEmail>, verified: Option<bool>) -> Option<String> {
    email
        .filter(|_| verified == Some(true))
        .map(|e| e.as_str().to_owned())
}

/// Step 5: UserInfo's claims, or `None` if the provider advertises no UserInfo endpoint.
/// `openidconnect` compares UserInfo's `sub` with `subject` and fails on a mismatch.
async fn user_info(
    provider: &Provider,
    http: &reqwest::Client,
    client: &DiscoveredClient,
    access_token: &AccessToken,
    subject: &SubjectIdentifier,
) -> Result<Option<CoreUserInfoClaims>, ProviderError> {
    let Ok(request) = client.user_info(access_token.clone(), Some(subject.clone())) else {
        return Ok(None);
    };
    request.request_async(http).await.map(Some).map_err(|e| {
        let reason = format!("UserInfo: {}", describe(&e));
        match &e {
            UserInfoError::Request(_) => provider.unreachable(reason),
            UserInfoError::Response(status, ..) if status.is_server_error() => {
                provider.unreachable(reason)
            }
            // 401 or 403 (RFC 6750): the provider does not accept the token it just issued.
            UserInfoError::Response(status, ..) if status.is_client_error() => {
                provider.refused(reason)
            }
            UserInfoError::ClaimsVerification(_) => provider.unverified(reason),
            _ => provider.bad_response(reason),
        }
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

/// A time from a claim, in the type the rest of the app uses (one out of range: as long ago as
/// can be, so it proves nothing recent).
fn offset_time(t: chrono::DateTime<chrono::Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The table's clock in the type `openidconnect` checks `exp` with.
fn chrono_time(now: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(now.unix_timestamp(), now.nanosecond()).unwrap_or_default()
}

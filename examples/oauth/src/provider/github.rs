//! GitHub: plain OAuth 2.0 (GitHub has no ID token), so the identity comes from its API.
//!
//! 1. `start`: `<base>/login/oauth/authorize` with `state`, a PKCE S256 challenge and the
//!    scopes `read:user user:email`.
//! 2. `finish`: `POST <base>/login/oauth/access_token` with the code and the PKCE verifier.
//! 3. `GET <api>/user` gives the stable numeric id (the subject) and the login.
//! 4. `GET <api>/user/emails` gives the addresses; only a verified primary one counts.
//!
//! GitHub cannot be asked for a fresh login (an OAuth app's authorize URL has no `prompt` or
//! `max_age`), and it says nothing of when the user last signed in there: a completed
//! authorization only shows that this browser can get GitHub to vouch for the account now.
//!
//! Docs: <https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps>

use super::{FlowSecrets, Identity, Provider, ProviderError};
use auth_core::oauth_account::OAuthIdentity;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;
use url::Url;

#[derive(Deserialize)]
struct GitHubUser {
    id: u64,
    login: String,
}

#[derive(Deserialize)]
struct GitHubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

fn client(
    provider: &Provider,
    base_url: &Url,
    redirect: &Url,
) -> Result<
    BasicClient<
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
    ProviderError,
> {
    let url = |path: &str| {
        base_url
            .join(path)
            .map_err(|e| provider.bad_response(format!("GITHUB_BASE_URL: {e}")))
    };
    Ok(BasicClient::new(ClientId::new(provider.client_id.clone()))
        .set_client_secret(ClientSecret::new(provider.client_secret.clone()))
        .set_auth_uri(AuthUrl::from_url(url("login/oauth/authorize")?))
        .set_token_uri(TokenUrl::from_url(url("login/oauth/access_token")?))
        .set_redirect_uri(RedirectUrl::from_url(redirect.clone())))
}

pub(super) fn start(
    provider: &Provider,
    base_url: &Url,
    redirect: &Url,
) -> Result<(Url, FlowSecrets), ProviderError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client(provider, base_url, redirect)?
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("read:user".into()))
        .add_scope(Scope::new("user:email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let secrets = FlowSecrets {
        state: state.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        nonce: None,
    };
    Ok((url, secrets))
}

pub(super) async fn finish(
    provider: &Provider,
    http: &reqwest::Client,
    base_url: &Url,
    api_url: &Url,
    redirect: &Url,
    code: String,
    secrets: &FlowSecrets,
) -> Result<Identity, ProviderError> {
    let token = client(provider, base_url, redirect)?
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(secrets.pkce_verifier.clone()))
        .request_async(http)
        .await
        .map_err(|e| provider.token_error(e))?;
    let access_token = token.access_token().secret();
    let user: GitHubUser = api_get(provider, http, api_url, "user", access_token).await?;
    let emails: Vec<GitHubEmail> =
        api_get(provider, http, api_url, "user/emails", access_token).await?;
    let verified_email = emails
        .into_iter()
        .find(|e| e.primary && e.verified)
        .map(|e| e.email);
    Ok(Identity {
        account: OAuthIdentity {
            provider: provider.slug.clone(),
            subject: user.id.to_string(),
            label: user.login,
        },
        verified_email,
        authenticated_at: None,
    })
}

/// One authenticated call to GitHub's REST API, which requires a `User-Agent`.
async fn api_get<T: serde::de::DeserializeOwned>(
    provider: &Provider,
    http: &reqwest::Client,
    api_url: &Url,
    path: &str,
    access_token: &str,
) -> Result<T, ProviderError> {
    let url = api_url
        .join(path)
        .map_err(|e| provider.bad_response(format!("GITHUB_API_URL: {e}")))?;
    let response = http
        .get(url)
        .bearer_auth(access_token)
        .header("accept", "application/vnd.github+json")
        .header("user-agent", "auth-examples-oauth")
        .send()
        .await
        .map_err(|e| provider.unreachable(super::describe(&e)))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(provider.unreachable(format!("GET /{path} answered {status}")));
    }
    if !status.is_success() {
        return Err(provider.refused(format!("GET /{path} answered {status}")));
    }
    response
        .json()
        .await
        .map_err(|e| provider.bad_response(format!("GET /{path}: {e}")))
}

//! Which providers are on, from environment variables. A provider is shown only when both its
//! client id and secret are set; secrets are never read from anywhere else.
//!
//! | variables | provider |
//! |---|---|
//! | `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`, `GITHUB_BASE_URL`, `GITHUB_API_URL` | GitHub |
//! | `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`, `GOOGLE_ISSUER_URL` | Google |
//! | `OIDC_ISSUER_URL`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `OIDC_NAME` | any OpenID Connect provider |
//! | `OAUTH_DEV_PROVIDER`, `OAUTH_DEV_PROVIDER_PORT` | the local dev provider |
//!
//! The local dev provider is the `oidc-dev-provider` crate, started in this process; it knows
//! nothing of this app, so [`dev_provider`] turns what it tells a client into a [`Provider`].

use crate::provider::{Endpoints, Provider};
use auth_web::config::{ConfigError, flag, parsed, var};
use oidc_dev_provider::DevProvider;
use url::Url;

const GITHUB_BASE_URL: &str = "https://github.com/";
const GITHUB_API_URL: &str = "https://api.github.com/";
const GOOGLE_ISSUER_URL: &str = "https://accounts.google.com";

/// The providers this app offers, in button order.
#[derive(Clone, Debug, Default)]
pub struct Providers(Vec<Provider>);

impl Providers {
    pub fn new(providers: Vec<Provider>) -> Self {
        Self(providers)
    }

    /// Reads the environment (with `auth_web::config`'s one reader: a value that cannot mean
    /// anything is an error naming the variable; a provider configured by halves is logged and
    /// stays off) and starts the dev provider if asked, its redirect URI derived from `origin`.
    pub fn from_env(origin: &Url) -> Result<Self, ConfigError> {
        let mut providers = Vec::new();
        if let Some((id, secret)) = credentials("GITHUB") {
            let urls = (
                base_url("GITHUB_BASE_URL", GITHUB_BASE_URL),
                base_url("GITHUB_API_URL", GITHUB_API_URL),
            );
            if let (Some(base_url), Some(api_url)) = urls {
                providers.push(provider(
                    "github",
                    "GitHub",
                    id,
                    secret,
                    Endpoints::GitHub { base_url, api_url },
                ));
            }
        }
        if let Some((id, secret)) = credentials("GOOGLE") {
            let issuer = var("GOOGLE_ISSUER_URL").unwrap_or_else(|| GOOGLE_ISSUER_URL.into());
            providers.push(provider(
                "google",
                "Google",
                id,
                secret,
                Endpoints::Oidc { issuer },
            ));
        }
        if let Some((id, secret)) = credentials("OIDC") {
            match var("OIDC_ISSUER_URL") {
                Some(issuer) => {
                    let name = var("OIDC_NAME").unwrap_or_else(|| "OpenID Connect".into());
                    providers.push(provider(
                        "oidc",
                        &name,
                        id,
                        secret,
                        Endpoints::Oidc { issuer },
                    ));
                }
                None => tracing::warn!(
                    "OIDC_CLIENT_ID is set but OIDC_ISSUER_URL is not: that provider is off"
                ),
            }
        }
        if flag("OAUTH_DEV_PROVIDER")?.unwrap_or(false) {
            let port = parsed("OAUTH_DEV_PROVIDER_PORT")?.unwrap_or(0);
            providers.extend(start_dev_provider(origin, port));
        }
        Ok(Self(providers))
    }

    pub fn get(&self, slug: &str) -> Option<&Provider> {
        self.0.iter().find(|p| p.slug == slug)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Provider> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn provider(
    slug: &str,
    name: &str,
    client_id: String,
    client_secret: String,
    endpoints: Endpoints,
) -> Provider {
    Provider {
        slug: slug.into(),
        name: name.into(),
        client_id,
        client_secret,
        endpoints,
    }
}

/// Signing in at a running dev provider, under `slug` (URLs, account keys) and `name` (buttons):
/// an OpenID Connect provider like any other, found by discovery from its issuer.
pub fn dev_provider(dev: &DevProvider, slug: &str, name: &str) -> Provider {
    provider(
        slug,
        name,
        dev.client_id().into(),
        dev.client_secret().into(),
        Endpoints::Oidc {
            issuer: dev.issuer().into(),
        },
    )
}

fn start_dev_provider(origin: &Url, port: u16) -> Option<Provider> {
    let redirect = origin.join("sign-in/dev/callback").ok()?;
    match DevProvider::start(port, vec![redirect]) {
        Ok(dev) => Some(dev_provider(&dev, "dev", "the local dev provider")),
        Err(e) => {
            tracing::error!("the dev provider could not start: {e}");
            None
        }
    }
}

/// `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET`, both or neither.
fn credentials(prefix: &str) -> Option<(String, String)> {
    match (
        var(&format!("{prefix}_CLIENT_ID")),
        var(&format!("{prefix}_CLIENT_SECRET")),
    ) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        _ => {
            tracing::warn!(
                "set both {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET, or neither: that provider is off"
            );
            None
        }
    }
}

/// A base URL from `name` (or `default`), with a trailing slash so paths join below it.
fn base_url(name: &str, default: &str) -> Option<Url> {
    let mut value = var(name).unwrap_or_else(|| default.into());
    if !value.ends_with('/') {
        value.push('/');
    }
    Url::parse(&value)
        .inspect_err(|e| tracing::warn!("{name}={value}: {e}; GitHub sign-in is off"))
        .ok()
}

//! A local OpenID Connect provider for development: click through the whole redirect flow
//! without an account anywhere. It listens on 127.0.0.1 only, on a port of its own, and anyone
//! who can reach it can sign in as any email address, so it must never face a network.
//!
//! It is a real provider over real HTTP: discovery, an authorize page, a token endpoint that
//! checks the client secret, the redirect URI and PKCE, RS256-signed ID tokens with a JWKS, and
//! a UserInfo endpoint. Tests use it too, told by [`Quirks`] to misbehave in the ways a provider
//! can, or to behave in the other ways the standard allows.
//!
//! It keeps no login session: every authorization shows its page, so every sign-in here is a
//! fresh one. That is how it honours `prompt=login` and `max_age` (a client asking for a fresh
//! login gets one, and the page says it was asked), and why `prompt=none` is always answered
//! `login_required`. Each ID token carries `auth_time`, the moment the page was approved.
//!
//! It knows nothing of any app: a client reads [`DevProvider::issuer`],
//! [`DevProvider::client_id`] and [`DevProvider::client_secret`] and configures itself.
//! Its signing key, codes and access tokens live in its own memory: it is the provider, not the
//! app.

mod authorize;
mod discovery;
mod page;
mod token;
mod userinfo;

use auth_core::Clock;
use axum::Router;
use axum::routing::{get, post};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use token::SigningKeys;
use url::Url;

/// Ways the provider can be told to misbehave, or to use a freedom the standard gives it;
/// all off by default.
#[derive(Clone, Debug, Default)]
pub struct Quirks {
    /// The ID token carries a nonce other than the one asked for.
    pub wrong_nonce: bool,
    /// The ID token expired an hour ago.
    pub expired_id_token: bool,
    /// The ID token is for another client.
    pub wrong_audience: bool,
    /// The ID token's signature does not match its content.
    pub bad_signature: bool,
    /// The email is reported as not verified (in the ID token and in UserInfo).
    pub unverified_email: bool,
    /// The token endpoint answers with an OAuth error instead of tokens.
    pub token_error: bool,
    /// The ID token carries only `sub`; `email` and `email_verified` come only from UserInfo,
    /// as OpenID Connect Core 5.4 allows (node-oidc-provider does this by default).
    pub email_only_in_userinfo: bool,
    /// UserInfo answers about another subject than the ID token's.
    pub userinfo_subject_mismatch: bool,
    /// Discovery advertises no UserInfo endpoint (OpenID Connect Discovery 1.0, section 3, only
    /// recommends one).
    pub no_userinfo_endpoint: bool,
    /// `auth_time` is an hour before the approval: the provider reused an old login although
    /// the client asked for a fresh one.
    pub old_auth_time: bool,
}

/// A running dev provider.
#[derive(Clone)]
pub struct DevProvider {
    inner: Arc<DevState>,
}

/// Everything the endpoints share.
struct DevState {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uris: Vec<Url>,
    keys: SigningKeys,
    /// Issued codes, each taken (removed) by its one exchange.
    codes: Mutex<HashMap<String, token::Grant>>,
    /// Issued access tokens, so that UserInfo answers only to those.
    access_tokens: Mutex<HashMap<String, token::AccessGrant>>,
    quirks: Mutex<Quirks>,
    /// What time it is for `auth_time`, `iat` and `exp`: the system's, or a test's.
    clock: Mutex<Clock>,
}

impl DevProvider {
    /// Generates a signing key, binds 127.0.0.1:`port` (0 for any) and serves in the background
    /// (so it must be called inside a Tokio runtime). Only `redirect_uris` are accepted,
    /// compared exactly, as a real provider does.
    pub fn start(port: u16, redirect_uris: Vec<Url>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let inner = Arc::new(DevState {
            issuer: format!("http://127.0.0.1:{port}"),
            client_id: "dev-client".into(),
            client_secret: auth_core::random::random_secret(),
            redirect_uris,
            keys: SigningKeys::generate().map_err(std::io::Error::other)?,
            codes: Mutex::default(),
            access_tokens: Mutex::default(),
            quirks: Mutex::default(),
            clock: Mutex::new(Clock::system()),
        });
        let app = router(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("dev provider stopped: {e}");
            }
        });
        tracing::info!("local dev OpenID Connect provider at {}", inner.issuer);
        Ok(Self { inner })
    }

    /// The issuer URL, `http://127.0.0.1:<port>`, for discovery.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The one client registered here.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// That client's secret, random for each start.
    pub fn client_secret(&self) -> &str {
        &self.inner.client_secret
    }

    /// Replaces the quirks for every request from now on.
    pub fn set_quirks(&self, quirks: Quirks) {
        *lock(&self.inner.quirks) = quirks;
    }

    /// Tells the time by `clock` from now on: a test gives it the app's manual clock, so that
    /// the tokens it signs move in time with the app that checks them.
    pub fn set_clock(&self, clock: Clock) {
        *lock(&self.inner.clock) = clock;
    }
}

impl DevState {
    fn quirks(&self) -> Quirks {
        lock(&self.quirks).clone()
    }

    fn now(&self) -> OffsetDateTime {
        lock(&self.clock).now()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn router(state: Arc<DevState>) -> Router {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::metadata),
        )
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(authorize::show).post(authorize::decide))
        .route("/token", post(token::exchange))
        .route("/userinfo", get(userinfo::claims))
        .route(auth_web::view::STYLESHEET_PATH, get(page::stylesheet))
        .with_state(state)
}

//! Configuration from environment variables (and `.env` if present), each with a default
//! that works on a fresh machine. [`var`] and [`flag`] are the one way every example reads a
//! variable, so a value means the same everywhere and a bad one is refused with its name.

use auth_core::hasher::Hasher;
use auth_core::session::SessionPolicy;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Where the DynamoDB API is served from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Dynoxide inside the process, on a SQLite file: zero setup.
    Embedded { path: PathBuf },
    /// Dynoxide inside the process, in memory: for tests.
    Memory,
    /// Any DynamoDB-compatible server (`AWS_ENDPOINT_URL_DYNAMODB`).
    Endpoint(String),
    /// Amazon DynamoDB, with the SDK's own credential and region chain.
    Aws,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The example's name, used for its page titles and its embedded database file.
    pub app_name: String,
    /// Address to listen on (`HOST`, `PORT`).
    pub bind: SocketAddr,
    /// The public origin users reach the app at (`APP_ORIGIN`, by default
    /// `http://localhost:<port>`); CSRF checks and cookie security follow from it.
    pub origin: Url,
    /// `TABLE_NAME`.
    pub table_name: String,
    pub backend: Backend,
    /// Create the table if missing (`CREATE_TABLE`); on by default except against AWS.
    pub create_table: bool,
    /// How many proxies in front of the app append to `X-Forwarded-For` (`TRUST_PROXY`):
    /// 0 reads the socket address only; `true` means 1.
    pub trusted_proxies: usize,
    /// Check new passwords against Have I Been Pwned (`CHECK_PWNED_PASSWORDS`).
    pub check_pwned_passwords: bool,
    /// argon2id hashes run at once (`MAX_CONCURRENT_HASHES`, by default one per core).
    pub max_concurrent_hashes: usize,
    /// Session lifetimes (`SESSION_MAX_LIFETIME_DAYS`, `REAUTH_WINDOW_SECS`).
    pub sessions: SessionPolicy,
    /// A connection that has not sent a request's headers within this is closed
    /// (`HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout: Duration,
    /// Connections served at once (`MAX_CONNECTIONS`); more wait to be accepted.
    pub max_connections: usize,
    /// Show each page's DynamoDB calls and cookies at its foot (`SHOW_INTERNALS`); on by
    /// default except against AWS.
    pub show_internals: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl Config {
    /// Reads the environment; `default_port` keeps the examples from colliding.
    pub fn from_env(app_name: &str, default_port: u16) -> Result<Self, ConfigError> {
        load_dotenv();
        let host: IpAddr = parsed("HOST")?.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let port: u16 = parsed("PORT")?.unwrap_or(default_port);
        let origin = match var("APP_ORIGIN") {
            Some(o) => parse_origin(&o)?,
            None => local_origin(port),
        };
        let backend = backend_from_env(app_name)?;
        let create_table = flag("CREATE_TABLE")?.unwrap_or(backend != Backend::Aws);
        let defaults = SessionPolicy::default();
        let sessions = SessionPolicy {
            max_lifetime: parsed::<u32>("SESSION_MAX_LIFETIME_DAYS")?
                .map_or(defaults.max_lifetime, |d| time::Duration::days(d.into())),
            reauth_window: parsed::<u32>("REAUTH_WINDOW_SECS")?
                .map_or(defaults.reauth_window, |s| {
                    time::Duration::seconds(s.into())
                }),
            ..defaults
        };
        Ok(Self {
            app_name: app_name.to_owned(),
            bind: SocketAddr::new(host, port),
            origin,
            table_name: var("TABLE_NAME")
                .unwrap_or_else(|| auth_core::table::DEFAULT_TABLE_NAME.into()),
            create_table,
            trusted_proxies: trusted_proxies()?,
            check_pwned_passwords: flag("CHECK_PWNED_PASSWORDS")?.unwrap_or(false),
            max_concurrent_hashes: parsed("MAX_CONCURRENT_HASHES")?
                .unwrap_or_else(Hasher::default_workers),
            sessions,
            header_read_timeout: Duration::from_secs(
                parsed("HEADER_READ_TIMEOUT_SECS")?.unwrap_or(10),
            ),
            max_connections: parsed("MAX_CONNECTIONS")?.unwrap_or(1024),
            show_internals: flag("SHOW_INTERNALS")?.unwrap_or(backend != Backend::Aws),
            backend,
        })
    }

    /// A configuration for tests: in-memory store, random port, nothing read from the environment.
    pub fn for_tests(app_name: &str) -> Self {
        Self {
            app_name: app_name.to_owned(),
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            origin: local_origin(0),
            table_name: auth_core::table::DEFAULT_TABLE_NAME.into(),
            backend: Backend::Memory,
            create_table: true,
            trusted_proxies: 0,
            check_pwned_passwords: false,
            max_concurrent_hashes: 2,
            sessions: SessionPolicy::default(),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            show_internals: true,
        }
    }
}

/// `http://localhost:<port>`, the origin when `APP_ORIGIN` is not set.
pub fn local_origin(port: u16) -> Url {
    Url::parse(&format!("http://localhost:{port}")).expect("a valid URL")
}

/// Reads `.env` from the working directory once, if there is one (a missing file is normal).
pub fn load_dotenv() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = dotenvy::dotenv();
    });
}

/// A variable's value, trimmed; unset and blank are the same: `None`.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A yes/no variable: `true/false`, `1/0`, `yes/no`, `on/off`, any case; anything else is an
/// error naming the variable, never a silent "off".
pub fn flag(name: &str) -> Result<Option<bool>, ConfigError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "off" => Ok(Some(false)),
        _ => Err(ConfigError(format!("{name}={value} is not true or false"))),
    }
}

/// A variable parsed as `T`; a value that does not parse is an error naming the variable.
pub fn parsed<T: std::str::FromStr>(name: &str) -> Result<Option<T>, ConfigError> {
    var(name)
        .map(|v| {
            v.parse()
                .map_err(|_| ConfigError(format!("{name}={v} is not a valid value")))
        })
        .transpose()
}

/// `TRUST_PROXY`: a number of proxies, or `true`/`false` for 1/0.
fn trusted_proxies() -> Result<usize, ConfigError> {
    match parsed::<usize>("TRUST_PROXY") {
        Ok(count) => Ok(count.unwrap_or(0)),
        Err(_) => Ok(usize::from(flag("TRUST_PROXY")?.unwrap_or(false))),
    }
}

fn parse_origin(value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError(format!("APP_ORIGIN={value}: {e}")))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || !bare {
        return Err(ConfigError(format!(
            "APP_ORIGIN={value} must be a bare origin such as https://auth.example.com"
        )));
    }
    Ok(url)
}

fn backend_from_env(app_name: &str) -> Result<Backend, ConfigError> {
    match var("DYNAMODB_BACKEND")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("aws") => Ok(Backend::Aws),
        Some("embedded") | None => Ok(match var("AWS_ENDPOINT_URL_DYNAMODB") {
            Some(endpoint) => Backend::Endpoint(endpoint),
            None => Backend::Embedded {
                path: data_dir().join(format!("{app_name}.db")),
            },
        }),
        Some(other) => Err(ConfigError(format!(
            "DYNAMODB_BACKEND={other}: use embedded or aws"
        ))),
    }
}

/// `DATA_DIR`, where local state lives (the embedded database, a generated key).
pub fn data_dir() -> PathBuf {
    PathBuf::from(var("DATA_DIR").unwrap_or_else(|| ".data".into()))
}

//! Configuration from environment variables (and `.env` if present), each with a default
//! that works on a fresh machine.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
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
    /// The public origin users reach the app at (`APP_ORIGIN`); CSRF checks and cookie
    /// security follow from it. `None` means `http://localhost:<bound port>`.
    pub origin: Option<Url>,
    /// `TABLE_NAME`.
    pub table_name: String,
    pub backend: Backend,
    /// Create the table if missing (`CREATE_TABLE`); on by default except against AWS.
    pub create_table: bool,
    /// Read the client address from `X-Forwarded-For` (`TRUST_PROXY`); only behind a proxy
    /// that sets it, or anyone can pick their own rate-limit key.
    pub trust_proxy: bool,
    /// Check new passwords against Have I Been Pwned (`CHECK_PWNED_PASSWORDS`).
    pub check_pwned_passwords: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads the environment; `default_port` keeps the examples from colliding.
    pub fn from_env(app_name: &str, default_port: u16) -> Result<Self, ConfigError> {
        // A missing .env file is the normal case.
        let _ = dotenvy::dotenv();
        let host: IpAddr = var("HOST")
            .map(|h| {
                h.parse()
                    .map_err(|_| ConfigError(format!("HOST={h} is not an IP address")))
            })
            .transpose()?
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let port = match var("PORT") {
            Some(p) => p
                .parse()
                .map_err(|_| ConfigError(format!("PORT={p} is not a port")))?,
            None => default_port,
        };
        let origin = var("APP_ORIGIN").map(|o| parse_origin(&o)).transpose()?;
        let table_name =
            var("TABLE_NAME").unwrap_or_else(|| auth_core::table::DEFAULT_TABLE_NAME.into());
        let backend = backend_from_env(app_name)?;
        let create_table = match var("CREATE_TABLE") {
            Some(v) => flag("CREATE_TABLE", &v)?,
            None => backend != Backend::Aws,
        };
        Ok(Self {
            app_name: app_name.to_owned(),
            bind: SocketAddr::new(host, port),
            origin,
            table_name,
            backend,
            create_table,
            trust_proxy: var("TRUST_PROXY")
                .map(|v| flag("TRUST_PROXY", &v))
                .transpose()?
                .unwrap_or(false),
            check_pwned_passwords: var("CHECK_PWNED_PASSWORDS")
                .map(|v| flag("CHECK_PWNED_PASSWORDS", &v))
                .transpose()?
                .unwrap_or(false),
        })
    }

    /// A configuration for tests: in-memory store, random port, nothing read from the environment.
    pub fn for_tests(app_name: &str) -> Self {
        Self {
            app_name: app_name.to_owned(),
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            origin: None,
            table_name: auth_core::table::DEFAULT_TABLE_NAME.into(),
            backend: Backend::Memory,
            create_table: true,
            trust_proxy: false,
            check_pwned_passwords: false,
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError(format!("{name}={value} is not true or false"))),
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
            None => {
                let dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| ".data".into()));
                Backend::Embedded {
                    path: dir.join(format!("{app_name}.db")),
                }
            }
        }),
        Some(other) => Err(ConfigError(format!(
            "DYNAMODB_BACKEND={other}: use embedded or aws"
        ))),
    }
}

//! Putting an example together: shared routes and layers around the example's own routes,
//! a listener, and a graceful shutdown. `main` of every example is one call to [`run`].

use crate::config::{Config, ConfigError};
use crate::csrf::csrf_middleware;
use crate::dynamo::{self, ConnectError, EmbeddedServer};
use crate::error::AppError;
use crate::headers::with_security_headers;
use crate::rate_limit::rate_limit_middleware;
use crate::session::session_middleware;
use crate::state::AppState;
use crate::view::{STYLESHEET, STYLESHEET_PATH};
use auth_core::Clock;
use auth_core::password::PwnedPasswords;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use url::Url;

/// Forms are small; anything bigger than this is refused with 413 before it is read.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Reads the configuration, connects, listens, and serves the example's routes until Ctrl-C
/// or SIGTERM. `routes` is called once with the ready state (which knows the origin).
pub async fn run(
    app_name: &str,
    default_port: u16,
    routes: impl FnOnce(&AppState) -> Router<AppState>,
) -> ExitCode {
    try_run(app_name, default_port, |state| {
        Ok::<_, std::convert::Infallible>(routes(state))
    })
    .await
}

/// [`run`] for an example whose routes cannot be built for every configuration (passkeys
/// need a domain name as origin): the error is logged and the process exits with failure.
pub async fn try_run<E: std::fmt::Display>(
    app_name: &str,
    default_port: u16,
    routes: impl FnOnce(&AppState) -> Result<Router<AppState>, E>,
) -> ExitCode {
    crate::telemetry::init();
    let started = async {
        let config = Config::from_env(app_name, default_port)?;
        Server::build(config).await
    };
    let server = match started.await {
        Ok(server) => server,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let routes = match routes(&server.state) {
        Ok(routes) => routes,
        Err(e) => {
            tracing::error!("cannot serve {app_name} at {}: {e}", server.state.origin);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("{app_name} example listening on {}", server.state.origin);
    match server.serve(routes, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A connected, listening app that has not started serving yet.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    embedded: Option<EmbeddedServer>,
}

impl Server {
    /// Connects to DynamoDB and binds the port (port 0 picks a free one, for tests).
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let connection = dynamo::connect(&config).await?;
        let addr = config.bind;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?
            .port();
        let origin = config.origin.clone().unwrap_or_else(|| {
            Url::parse(&format!("http://localhost:{port}")).expect("a valid URL")
        });
        let pwned = config
            .check_pwned_passwords
            .then(|| PwnedPasswords::new(PwnedPasswords::DEFAULT_URL));
        let state = AppState {
            table: connection.table,
            config: Arc::new(config),
            origin: Arc::new(origin),
            pwned,
        };
        Ok(Self {
            listener,
            state,
            embedded: connection.embedded,
        })
    }

    /// Reads time from `clock` from now on (tests use a manual clock).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.state.table = self.state.table.with_clock(clock);
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, lets running requests finish, then stops the store.
    pub async fn serve(
        self,
        routes: Router<AppState>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = app(self.state, routes);
        let result = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        if let Some(embedded) = self.embedded {
            embedded.stop().await;
        }
        result
    }
}

/// The example's routes inside everything every example shares.
pub fn app(state: AppState, routes: Router<AppState>) -> Router {
    let router = routes
        .route("/healthz", get(healthz))
        .route(STYLESHEET_PATH, get(stylesheet))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), session_middleware))
        .layer(from_fn_with_state(state.clone(), rate_limit_middleware))
        .layer(from_fn_with_state(state.clone(), csrf_middleware))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES));
    // One span per request and one line per response, at info so the default log shows them.
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    with_security_headers(router).layer(trace).with_state(state)
}

/// 200 when DynamoDB answers for the table, 503 otherwise; for load balancers and probes.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.table.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!("health check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "DynamoDB unavailable")
        }
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what container runtimes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

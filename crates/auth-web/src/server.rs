//! Putting an example together: shared routes and layers around the example's own routes,
//! a listener, and a graceful shutdown. `main` of every example is one call to [`run`].
//!
//! Connections are served by hyper directly rather than `axum::serve`, for two limits a
//! public server needs: a connection must send its request headers within
//! `HEADER_READ_TIMEOUT_SECS` (a client that sends half a request and waits is closed), and at
//! most `MAX_CONNECTIONS` are served at once (the next ones wait in the kernel's queue).

use crate::config::{Config, ConfigError, local_origin};
use crate::csrf::csrf_middleware;
use crate::dynamo::{self, ConnectError, EmbeddedServer};
use crate::error::AppError;
use crate::headers::with_security_headers;
use crate::internals::internals_middleware;
use crate::rate_limit::rate_limit_middleware;
use crate::session::session_middleware;
use crate::state::AppState;
use crate::view::{
    FOCUS_SCRIPT, FOCUS_SCRIPT_PATH, JAVASCRIPT, STYLESHEET, STYLESHEET_PATH, asset,
};
use auth_core::Clock;
use auth_core::hasher::Hasher;
use auth_core::password::PwnedPasswords;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

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
/// need a domain name as origin, mail a valid `SMTP_URL`): the error is logged and the
/// process exits with failure.
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
            tracing::error!("cannot serve {app_name} at {}: {e}", server.state.origin());
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("{app_name} example listening on {}", server.state.origin());
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
    /// Connects to DynamoDB and binds the port (port 0 picks a free one, for tests, and the
    /// origin then names the port picked).
    pub async fn build(mut config: Config) -> Result<Self, StartError> {
        let connection = dynamo::connect(&config).await?;
        let addr = config.bind;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?
            .port();
        if config.origin == local_origin(0) {
            config.origin = local_origin(port);
        }
        let pwned = config
            .check_pwned_passwords
            .then(|| PwnedPasswords::new(PwnedPasswords::DEFAULT_URL));
        let state = AppState {
            table: connection.table,
            hasher: Hasher::new(config.max_concurrent_hashes),
            config: Arc::new(config),
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
        let app = app(self.state.clone(), routes);
        self.serve_app(app, shutdown).await
    }

    /// [`Server::serve`] for an app already put together (the test harness adds a layer).
    pub async fn serve_app(
        self,
        app: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let config = self.state.config.clone();
        let result = accept_loop(self.listener, app, &config, shutdown).await;
        if let Some(embedded) = self.embedded {
            embedded.stop().await;
        }
        result
    }
}

/// Accepts connections until `shutdown`, at most `max_connections` at a time, each with the
/// header read timeout; then waits for the open ones to finish their requests.
pub async fn accept_loop(
    listener: TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(config.max_connections));
    tokio::pin!(shutdown);
    loop {
        // Both waits race the shutdown: an idle server stops on Ctrl-C without one more
        // connection, and a full one stops without a free place.
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: keep serving the connections we have.
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let connection = serve_connection(stream, peer, app.clone(), config.header_read_timeout);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// One HTTP/1.1 connection, its requests carrying the peer address as `ConnectInfo`.
fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    header_read_timeout: std::time::Duration,
) -> hyper::server::conn::http1::Connection<
    TokioIo<TcpStream>,
    impl hyper::service::Service<
        Request<Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future = impl Send,
    >,
> {
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request.map(Body::new))
    });
    hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .serve_connection(TokioIo::new(stream), service)
}

/// The example's routes inside everything every example shares.
pub fn app(state: AppState, routes: Router<AppState>) -> Router {
    // The last layer added runs first: the session layer wraps the CSRF check, which wraps
    // the rate limit, so that even a refusal's error page knows who is signed in.
    let router = routes
        .route("/healthz", get(healthz))
        .merge(asset(
            STYLESHEET_PATH,
            "text/css; charset=utf-8",
            STYLESHEET,
        ))
        .merge(asset(FOCUS_SCRIPT_PATH, JAVASCRIPT, FOCUS_SCRIPT))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), rate_limit_middleware))
        .layer(from_fn_with_state(state.clone(), csrf_middleware))
        .layer(from_fn_with_state(state.clone(), session_middleware))
        .layer(from_fn_with_state(state.clone(), internals_middleware))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES));
    // One span per request and one line per response, at info so the default log shows them.
    // The span names the path only: a query can carry secrets (an OAuth callback's code).
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        // The response line already has the status, and `error::log` says why at the level
        // the cause deserves: a shed 503 in a sign-in storm is not an ERROR line each.
        .on_failure(());
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

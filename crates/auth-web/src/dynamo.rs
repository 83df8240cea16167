//! Connecting to DynamoDB: an embedded Dynoxide server by default, any endpoint, or AWS.
//!
//! The embedded store is a real DynamoDB API server on an ephemeral loopback port inside the
//! process, so the app talks HTTP to DynamoDB the same way whichever backend is in use.

use crate::calls::Recorder;
use crate::config::{Backend, Config};
use auth_core::Table;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("could not open the embedded database at {path}: {source}")]
    Open {
        path: String,
        source: dynoxide::DynoxideError,
    },
    #[error("could not start the embedded DynamoDB server: {0}")]
    Serve(#[from] std::io::Error),
    #[error(transparent)]
    Table(#[from] auth_core::Error),
}

/// The table handle plus, for the embedded backend, the server that must outlive it.
pub struct Connection {
    pub table: Table,
    pub embedded: Option<EmbeddedServer>,
}

/// A Dynoxide server running on a task of this process.
pub struct EmbeddedServer {
    pub endpoint: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), String>>,
}

impl EmbeddedServer {
    /// Serves `db` on 127.0.0.1 at a port the OS picks.
    pub async fn start(db: dynoxide::Database) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(dynoxide::server::serve_with_shutdown(listener, db, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            endpoint,
            stop,
            task,
        })
    }

    /// Stops the server after in-flight requests finish, so SQLite closes cleanly.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Ok(Err(e)) = self.task.await {
            tracing::warn!("embedded DynamoDB server stopped with an error: {e}");
        }
    }
}

/// Opens the configured backend and, where allowed, creates the table.
pub async fn connect(config: &Config) -> Result<Connection, ConnectError> {
    let (client, embedded) = match &config.backend {
        Backend::Embedded { path } => {
            let db = open_file(path)?;
            let server = EmbeddedServer::start(db).await?;
            (local_client(&server.endpoint), Some(server))
        }
        Backend::Memory => {
            let db = dynoxide::Database::memory().map_err(|source| ConnectError::Open {
                path: ":memory:".into(),
                source,
            })?;
            let server = EmbeddedServer::start(db).await?;
            (local_client(&server.endpoint), Some(server))
        }
        Backend::Endpoint(url) => (local_client(url), None),
        Backend::Aws => {
            let shared = aws_config::load_defaults(BehaviorVersion::latest()).await;
            let config = aws_sdk_dynamodb::config::Builder::from(&shared)
                .interceptor(Recorder)
                .build();
            (aws_sdk_dynamodb::Client::from_conf(config), None)
        }
    };
    let table = Table::new(client, config.table_name.as_str());
    tracing::info!(backend = %describe(config), table = %config.table_name, "DynamoDB backend");
    if config.create_table {
        table.ensure_table().await?;
    }
    Ok(Connection { table, embedded })
}

/// A one-line description of the backend for the startup log.
pub fn describe(config: &Config) -> String {
    match &config.backend {
        Backend::Embedded { path } => format!("embedded Dynoxide, file {}", path.display()),
        Backend::Memory => "embedded Dynoxide, in memory".into(),
        Backend::Endpoint(url) => format!("DynamoDB-compatible endpoint {url}"),
        Backend::Aws => "Amazon DynamoDB (AWS credential and region chain)".into(),
    }
}

fn open_file(path: &std::path::Path) -> Result<dynoxide::Database, ConnectError> {
    let open_error = |source| ConnectError::Open {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    dynoxide::Database::new(&path.to_string_lossy()).map_err(open_error)
}

/// A client for a local DynamoDB-compatible server: fixed region, throwaway credentials.
pub fn local_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(10))
        .build();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(
            std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into()),
        ))
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .timeout_config(timeouts)
        .interceptor(Recorder)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

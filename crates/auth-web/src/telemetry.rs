//! Logs: `RUST_LOG` decides what is printed; the default shows the app's own info lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (from tests) do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,dynoxide=error,aws_smithy_runtime=warn,aws_config=warn")
    });
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

//! Logs: `RUST_LOG` decides what is printed; the default shows the app's own info lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (from tests) do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,dynoxide=error,aws_smithy_runtime=warn,aws_config=warn")
    });
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// For tests: the same filter, written through the test harness so that a passing test's log
/// stays hidden and a failing test's log is shown with it.
#[cfg(feature = "testing")]
pub fn init_for_tests() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

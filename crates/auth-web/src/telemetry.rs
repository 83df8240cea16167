//! Logs: `RUST_LOG` decides what is printed; the default shows the app's own info lines.
//!
//! The log goes to standard error, with colours only when that is a terminal and `NO_COLOR`
//! is not set (<https://no-color.org>), so a log file never holds escape codes.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is not set. webauthn-rs logs a client's malformed passkey data
/// at ERROR from inside its parser; the app logs its own line for such a refusal instead.
const DEFAULT_FILTER: &str =
    "info,dynoxide=error,aws_smithy_runtime=warn,aws_config=warn,webauthn_rs_core=off";

/// Installs the global subscriber once; later calls (from tests) do nothing.
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_colour())
        .try_init();
}

/// Colours for a person at a terminal, never in a file or a pipe.
fn use_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

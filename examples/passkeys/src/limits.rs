//! Rate limits of this example, per client address, on top of the per-client limit on every
//! POST. Each decides in one conditional write (`auth_core::rate_limit`).
//!
//! Starting a ceremony writes an item, so starts are limited. A passkey's signature cannot be
//! guessed, so failed ceremonies are limited only to keep a misbehaving client from costing
//! writes and log lines: past the limit, a failure is answered 429 and the client must wait.

use auth_core::Table;
use auth_core::rate_limit::RateLimit;
use auth_web::client_ip::ClientIp;
use auth_web::json::ApiError;
use time::Duration;

/// 20 ceremony starts per address every 10 minutes.
pub const CEREMONY_STARTS: RateLimit = RateLimit {
    policy: "passkey-start",
    max: 20,
    window: Duration::minutes(10),
};

/// 5 failed ceremonies per address every 10 minutes.
pub const CEREMONY_FAILURES: RateLimit = RateLimit {
    policy: "passkey-failure",
    max: 5,
    window: Duration::minutes(10),
};

/// Counts a refused ceremony against the client's address; past the limit the refusal
/// becomes "too many attempts".
pub async fn count_failure(table: &Table, client: ClientIp, e: ApiError) -> ApiError {
    if !e.is_refusal() {
        return e;
    }
    match CEREMONY_FAILURES.take(table, &client.key()).await {
        Ok(()) => e,
        Err(limited) => limited.into(),
    }
}

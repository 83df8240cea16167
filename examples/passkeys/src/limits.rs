//! Rate limits of this example, per client address, on top of the per-IP limit on every POST.
//!
//! Starting a ceremony writes an item, so starts are limited; failed ceremonies are throttled
//! with growing timeouts after a few free mistakes (a wrong authenticator, a cancelled prompt).

use crate::api::ApiError;
use auth_core::Table;
use auth_core::rate_limit::{Throttler, TokenBucket};
use auth_web::client_ip::ClientIp;
use time::Duration;

/// 20 ceremony starts in a burst per address, then one every 10 seconds.
pub const CEREMONY_STARTS: TokenBucket = TokenBucket {
    policy: "passkey-start",
    capacity: 20,
    refill_every: Duration::seconds(10),
};

/// Four free failures per address, then 1, 2, 4 … 300 seconds between attempts; a successful
/// sign-in from the address forgets them.
pub const CEREMONY_FAILURES: Throttler = Throttler {
    policy: "passkey-failure",
    timeouts: &[0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 60, 180, 300],
    forget_after: Duration::days(1),
};

/// Counts a refused ceremony against the client's address, then passes the error on.
pub async fn count_failure(table: &Table, ip: ClientIp, e: ApiError) -> ApiError {
    if !e.is_refusal() {
        return e;
    }
    match CEREMONY_FAILURES
        .record_failure(table, &ip.0.to_string())
        .await
    {
        Ok(()) => e,
        Err(record) => record.into(),
    }
}

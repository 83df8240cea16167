//! The rate limits of this example's flows, on top of the per-client limit on every form
//! post. Each counts in DynamoDB (`RATE#<policy>#<key>#<window>`), shared by every app
//! instance, and decides each request in one conditional write (`auth_core::rate_limit`).

use auth_core::rate_limit::RateLimit;
use time::Duration;

/// Codes mailed to one account: 3 every 15 minutes.
pub const SEND_CODE_PER_USER: RateLimit =
    RateLimit::new("send-code-user", 3, Duration::minutes(15));

/// Codes mailed on behalf of one client address: 10 every 10 minutes.
pub const SEND_CODE_PER_IP: RateLimit = RateLimit::new("send-code-ip", 10, Duration::minutes(10));

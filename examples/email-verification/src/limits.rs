//! The rate limits of this example's flows, on top of the per-client limit on every form
//! post. Each counts in DynamoDB (`RATE#<policy>#<key>#<window>`), shared by every app
//! instance, and decides each request in one conditional write (`auth_core::rate_limit`).

use auth_core::rate_limit::RateLimit;
use time::Duration;

/// Codes mailed to one account: 3 every 15 minutes.
pub const SEND_CODE_PER_USER: RateLimit = RateLimit {
    policy: "send-code-user",
    max: 3,
    window: Duration::minutes(15),
};

/// Codes mailed on behalf of one client address: 10 every 10 minutes.
pub const SEND_CODE_PER_IP: RateLimit = RateLimit {
    policy: "send-code-ip",
    max: 10,
    window: Duration::minutes(10),
};

/// Codes entered for one account (verification or reset): 10 every 10 minutes. Each code
/// also allows only `auth_core::one_time_code::MAX_ATTEMPTS` wrong tries.
pub const VERIFY_CODE_PER_USER: RateLimit = RateLimit {
    policy: "verify-code-user",
    max: 10,
    window: Duration::minutes(10),
};

/// "Forgot password" from one client address: 10 every 10 minutes.
pub const FORGOT_PASSWORD_PER_IP: RateLimit = RateLimit {
    policy: "forgot-password-ip",
    max: 10,
    window: Duration::minutes(10),
};

/// "Forgot password" for one address: 3 every 30 minutes.
pub const FORGOT_PASSWORD_PER_EMAIL: RateLimit = RateLimit {
    policy: "forgot-password-email",
    max: 3,
    window: Duration::minutes(30),
};

//! The rate limits of this example's flows, on top of the per-IP limit on every form post.
//! Each is a token bucket in DynamoDB (`RATE#<policy>#<key>`), shared by every app instance.

use auth_core::rate_limit::TokenBucket;
use time::Duration;

/// Codes mailed to one account: 3 at once, then one every 5 minutes.
pub const SEND_CODE_PER_USER: TokenBucket = TokenBucket {
    policy: "send-code-user",
    capacity: 3,
    refill_every: Duration::minutes(5),
};

/// Codes mailed on behalf of one client address: 10 at once, then one a minute.
pub const SEND_CODE_PER_IP: TokenBucket = TokenBucket {
    policy: "send-code-ip",
    capacity: 10,
    refill_every: Duration::minutes(1),
};

/// Codes entered for one account (verification or reset): 10 at once, then one a minute.
/// Each code also allows only `auth_core::email_verification::MAX_ATTEMPTS` wrong tries.
pub const VERIFY_CODE_PER_USER: TokenBucket = TokenBucket {
    policy: "verify-code-user",
    capacity: 10,
    refill_every: Duration::minutes(1),
};

/// "Forgot password" from one client address: 10 at once, then one a minute.
pub const FORGOT_PASSWORD_PER_IP: TokenBucket = TokenBucket {
    policy: "forgot-password-ip",
    capacity: 10,
    refill_every: Duration::minutes(1),
};

/// "Forgot password" for one address: 3 at once, then one every 10 minutes.
pub const FORGOT_PASSWORD_PER_EMAIL: TokenBucket = TokenBucket {
    policy: "forgot-password-email",
    capacity: 3,
    refill_every: Duration::minutes(10),
};

//! "Forgot password", the same in every example that mails codes: a code to the address,
//! then a new password, in a reset session of its own (`auth_core::password_reset`) that
//! belongs to the browser that started it (its cookie).
//!
//! - [`forgot`]: `GET`/`POST /forgot-password` asks for the address and mails the code.
//! - [`new_password`]: `/reset-password/verify-email` takes the code, `/reset-password` the
//!   new password. For a user with second factors, the example's page at
//!   [`SECOND_FACTOR_STEP`] comes between: it reads the reset with [`reset_at`] and
//!   records the factor with `auth_core::password_reset::pass_second_factor`.
//!
//! Guessing a code is bounded without a limit of its own: each code allows
//! `auth_core::one_time_code::MAX_ATTEMPTS` wrong tries, and new codes are limited below.
//! The example supplies the mailer as an `Extension<Arc<dyn Mailer>>`.

mod forgot;
mod new_password;

pub use new_password::{SECOND_FACTOR_STEP, reset_at};

use crate::state::AppState;
use auth_core::rate_limit::RateLimit;
use axum::Router;
use time::Duration;

/// "Forgot password" from one client address: 10 every 10 minutes.
pub const FORGOT_PASSWORD_PER_IP: RateLimit =
    RateLimit::new("forgot-password-ip", 10, Duration::minutes(10));

/// "Forgot password" for one address: 3 every 30 minutes.
pub const FORGOT_PASSWORD_PER_EMAIL: RateLimit =
    RateLimit::new("forgot-password-email", 3, Duration::minutes(30));

/// Every route of the reset flow.
pub fn password_reset_router() -> Router<AppState> {
    Router::new()
        .merge(forgot::router())
        .merge(new_password::router())
}

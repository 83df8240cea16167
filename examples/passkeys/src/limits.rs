//! Rate limits of this example, per client address, on top of the per-client limit on every
//! POST. Each decides in one conditional write (`auth_core::rate_limit`).
//!
//! Starting a ceremony writes an item, so starts are limited. A passkey's signature cannot be
//! guessed, so failed ceremonies are limited only to keep a misbehaving client from costing
//! writes and log lines: past the limit, a failure is answered 429 and the client must wait.

use auth_core::rate_limit::RateLimit;
use auth_web::json::ApiResult;
use auth_web::webauthn::WebauthnRequest;
use time::Duration;

/// 20 ceremony starts per address every 10 minutes.
pub const CEREMONY_STARTS: RateLimit = RateLimit::new("passkey-start", 20, Duration::minutes(10));

/// 5 failed ceremonies per address every 10 minutes.
pub const CEREMONY_FAILURES: RateLimit =
    RateLimit::new("passkey-failure", 5, Duration::minutes(10));

/// Runs a ceremony's finish; a refusal counts against the client's address, and past the
/// limit it becomes "too many attempts".
pub async fn counting_failures(
    w: &WebauthnRequest,
    finish: impl Future<Output = ApiResult>,
) -> ApiResult {
    let e = match finish.await {
        Ok(done) => return Ok(done),
        Err(e) if !e.is_refusal() => return Err(e),
        Err(e) => e,
    };
    match CEREMONY_FAILURES
        .take(&w.state.table, &w.client.key())
        .await
    {
        Ok(()) => Err(e),
        Err(limited) => Err(limited.into()),
    }
}

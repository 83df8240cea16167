//! A per-client-IP limit on requests that change state, kept in DynamoDB so every instance
//! shares it. Flows add their own finer limits (per email, per user) on top.

use crate::client_ip::client_ip;
use crate::error::AppError;
use crate::state::AppState;
use auth_core::rate_limit::TokenBucket;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::Duration;

/// 60 form posts in a burst per address, then one a second.
pub const POSTS_PER_IP: TokenBucket = TokenBucket {
    policy: "ip-post",
    capacity: 60,
    refill_every: Duration::SECOND,
};

/// Answers 429 when the client's address has used up its [`POSTS_PER_IP`] bucket.
pub async fn rate_limit_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts, state.config.trust_proxy);
    if let Err(e) = POSTS_PER_IP.consume(&state.table, &ip.0.to_string()).await {
        return AppError::from(e).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

//! A per-client limit on requests that change state, kept in DynamoDB so every instance
//! shares it. Flows add their own finer limits (per email, per user) on top.
//!
//! `POST /sign-in` is the one exception the layer leaves alone: a sign-in takes its place in
//! [`POSTS_PER_CLIENT`] itself, in parallel with looking up the account
//! (`auth_core::credentials`), which saves the sign-in a round trip to DynamoDB.

use crate::client_ip::client_ip;
use crate::error::AppError;
use crate::state::AppState;
use auth_core::rate_limit::RateLimit;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::Duration;

/// 60 form posts a minute per client address (an IPv6 /64).
pub const POSTS_PER_CLIENT: RateLimit = RateLimit::new("client-post", 60, Duration::MINUTE);

/// The path whose handler takes its own place in [`POSTS_PER_CLIENT`].
pub const SIGN_IN_PATH: &str = "/sign-in";

/// Answers 429 when the client's address has used up its [`POSTS_PER_CLIENT`] places.
pub async fn rate_limit_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let exempt = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || (*method == Method::POST && request.uri().path() == SIGN_IN_PATH);
    if exempt {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let address = client_ip(&parts, state.config.trusted_proxies);
    if let Err(e) = POSTS_PER_CLIENT.take(&state.table, &address.key()).await {
        return AppError::from(e).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

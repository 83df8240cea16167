//! "What just happened": each request's DynamoDB calls, collected while it runs
//! ([`crate::calls`]) when `SHOW_INTERNALS` is on, and handed to whoever shows them.

use crate::calls::record;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Collects the request's calls and attaches them to the response as an extension.
pub async fn internals_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.config.show_internals {
        return next.run(request).await;
    }
    let (mut response, calls) = record(true, next.run(request)).await;
    response.extensions_mut().insert(calls);
    response
}

//! `POST /sign-out`: deletes this session's item and clears the cookie.

use auth_core::session::invalidate_session;
use auth_web::session::clear_and_redirect;
use auth_web::{AppError, AppState, MaybeUser};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-out", post(sign_out))
}

async fn sign_out(
    State(state): State<AppState>,
    MaybeUser(session): MaybeUser,
) -> Result<Response, AppError> {
    if let Some(s) = session {
        invalidate_session(&state.table, &s.user.id, &s.session.id).await?;
    }
    Ok(clear_and_redirect(&state, "/"))
}

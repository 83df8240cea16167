//! `POST /settings/sessions/revoke` signs out one of the user's sessions;
//! `POST /settings/sessions/revoke-all` signs out all of them, this one included.

use auth_core::session::{invalidate_session, invalidate_user_sessions};
use auth_web::session::clear_and_redirect;
use auth_web::{AppError, AppState, AuthUser, Form};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/sessions/revoke", post(revoke))
        .route("/settings/sessions/revoke-all", post(revoke_all))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RevokeForm {
    session_id: String,
}

/// The session is looked up under the signed-in user's own partition, so a user can only
/// ever delete their own sessions, whatever id the form carries.
async fn revoke(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    if !auth_core::random::is_valid_id(&form.session_id) {
        return Err(AppError::BadRequest("That session does not exist.".into()));
    }
    invalidate_session(&state.table, &session.user.id, &form.session_id).await?;
    if form.session_id == session.session.id {
        return Ok(clear_and_redirect(&state, "/"));
    }
    Ok(Redirect::to("/settings?done=revoked").into_response())
}

async fn revoke_all(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Response, AppError> {
    invalidate_user_sessions(&state.table, &session.user.id, None).await?;
    Ok(clear_and_redirect(&state, "/"))
}

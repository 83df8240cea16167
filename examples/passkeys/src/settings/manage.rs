//! `POST /settings/passkeys/rename` and `POST /settings/passkeys/delete`: plain forms, each
//! after a fresh proof (`FreshUser`: an older session is sent to `/reauth` first). Deleting
//! refuses the last passkey, in the same transaction that deletes (see
//! `auth_core::passkey::delete_passkey`), so an account can never be left without a way in.

use auth_core::passkey::{delete_passkey, rename_passkey};
use auth_web::reauth::FreshUser;
use auth_web::{AppError, AppState, AuthUser, Form, FormError};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/passkeys/rename", post(rename))
        .route("/settings/passkeys/delete", post(delete))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PasskeyForm {
    credential_id: String,
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<PasskeyForm>,
) -> Result<Response, AppError> {
    let user_id = &current.user.id;
    let renamed = rename_passkey(&state.table, user_id, &form.credential_id, &form.name).await;
    answer(&state, &current, renamed, "/settings?done=renamed").await
}

async fn delete(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<PasskeyForm>,
) -> Result<Response, AppError> {
    let user_id = &current.user.id;
    let deleted = delete_passkey(&state.table, user_id, &form.credential_id).await;
    answer(&state, &current, deleted, "/settings?done=deleted").await
}

/// Done: back to settings with a notice. Refused (a bad name, the last passkey, a passkey
/// deleted meanwhile): the settings page again, with the message.
async fn answer(
    state: &AppState,
    current: &AuthUser,
    result: auth_core::Result<()>,
    done: &str,
) -> Result<Response, AppError> {
    let refusal = match result {
        Ok(()) => return Ok(Redirect::to(done).into_response()),
        Err(auth_core::Error::NotFound) => FormError::refuse(
            StatusCode::CONFLICT,
            "That passkey no longer exists: it was deleted, maybe from another browser.",
        ),
        Err(e) => FormError::from(e),
    };
    refusal
        .render(async |status, message| {
            super::render(state, current, status, None, Some(message)).await
        })
        .await
}

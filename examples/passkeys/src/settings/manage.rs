//! `POST /settings/passkeys/rename` and `POST /settings/passkeys/delete`: plain forms.
//! Deleting refuses the last passkey, in the same transaction that deletes (see
//! `auth_core::passkey::delete_passkey`), so an account can never be left without a way in.

use auth_core::passkey::{delete_passkey, rename_passkey};
use auth_web::{AppError, AppState, AuthUser, Form};
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
    current: AuthUser,
    Form(form): Form<PasskeyForm>,
) -> Result<Response, AppError> {
    let user_id = &current.user.id;
    match rename_passkey(&state.table, user_id, &form.credential_id, &form.name).await {
        Ok(()) => Ok(Redirect::to("/settings?done=renamed").into_response()),
        Err(auth_core::Error::InvalidInput(message)) => {
            super::render(
                &state,
                &current,
                StatusCode::BAD_REQUEST,
                None,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    current: AuthUser,
    Form(form): Form<PasskeyForm>,
) -> Result<Response, AppError> {
    let user_id = &current.user.id;
    match delete_passkey(&state.table, user_id, &form.credential_id).await {
        Ok(()) => Ok(Redirect::to("/settings?done=deleted").into_response()),
        Err(auth_core::Error::InvalidInput(message)) => {
            super::render(
                &state,
                &current,
                StatusCode::BAD_REQUEST,
                None,
                Some(message),
            )
            .await
        }
        Err(auth_core::Error::Conflict(_)) => {
            let message = "Your passkeys changed meanwhile. Please try again.".to_owned();
            super::render(&state, &current, StatusCode::CONFLICT, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

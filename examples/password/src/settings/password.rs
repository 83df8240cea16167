//! `POST /settings/password`: checks the current password, stores the new hash, signs out
//! every session of the account and starts a fresh one for this browser.

use auth_core::Error;
use auth_core::credentials::verify_credentials;
use auth_core::password::hash_password;
use auth_core::session::invalidate_user_sessions;
use auth_core::user::{User, set_password_hash};
use auth_web::account::new_password;
use auth_web::session::sign_in_and_redirect;
use auth_web::{AppError, AppState, AuthUser, Form, Stop};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/password", post(change_password))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ChangePasswordForm {
    current_password: String,
    new_password: String,
}

#[tracing::instrument(skip_all, fields(user = %session.user.id))]
async fn change_password(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    headers: HeaderMap,
    Form(form): Form<ChangePasswordForm>,
) -> Result<Response, AppError> {
    match set_new_password(&state, &session.user, &form).await {
        Ok(()) => {
            sign_in_and_redirect(
                &state,
                &session.user.id,
                &headers,
                "/settings?done=password",
            )
            .await
        }
        Err(Stop::Refuse {
            status, message, ..
        }) => super::render(&state, &session, status, None, Some(message)).await,
        Err(Stop::Fail(e)) => Err(e),
    }
}

/// Checks the current password, stores the new hash and deletes every session of the user.
async fn set_new_password(
    state: &AppState,
    user: &User,
    form: &ChangePasswordForm,
) -> Result<(), Stop> {
    // Checked like a sign-in, throttle included: a stolen session must not become a way to
    // guess the password.
    verify_credentials(&state.table, &user.email, &form.current_password)
        .await
        .map_err(|e| match e {
            Error::WrongCredentials => Stop::refuse(
                StatusCode::UNAUTHORIZED,
                "Your current password is not right.",
            ),
            other => other.into(),
        })?;
    let hash = hash_password(&new_password(state, &form.new_password).await?).await?;
    set_password_hash(&state.table, &user.id, &hash).await?;
    invalidate_user_sessions(&state.table, &user.id, None).await?;
    Ok(())
}

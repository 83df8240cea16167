//! `POST /settings/password`: checks the current password, stores the new hash, signs out
//! every session of the account and starts a fresh one for this browser.

use auth_core::Error;
use auth_core::session::invalidate_user_sessions;
use auth_core::user::set_password_hash;
use auth_web::PageResult;
use auth_web::account::new_password;
use auth_web::cookie::CookieJar;
use auth_web::session::start_session;
use auth_web::sign_in::check_password;
use auth_web::view::Said;
use auth_web::{AppState, AuthUser, Form, FormError};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
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

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn change_password(
    State(state): State<AppState>,
    current: AuthUser,
    headers: HeaderMap,
    Form(form): Form<ChangePasswordForm>,
) -> PageResult {
    match set_new_password(&state, &current, &headers, &form).await {
        Ok(jar) => Ok((jar, Redirect::to("/settings?done=password")).into_response()),
        Err(e) => {
            let field = e.field();
            e.render(async |status, message| {
                super::render(&state, &current, Said::refused(status, message, field)).await
            })
            .await
        }
    }
}

/// Checks the current password, stores the new hash, deletes every session of the user and
/// starts this browser's new one (with the password check's own writes). A refusal about one
/// of the two passwords names its field.
async fn set_new_password(
    state: &AppState,
    current: &AuthUser,
    headers: &HeaderMap,
    form: &ChangePasswordForm,
) -> Result<CookieJar, FormError> {
    let user = &current.user;
    let verified = check_password(state, headers, user, &form.current_password)
        .await
        .map_err(|e| match e {
            Error::WrongCredentials => FormError::refuse(
                StatusCode::UNAUTHORIZED,
                "Your current password is not right.",
            )
            .on_field("current_password"),
            other => other.into(),
        })?;
    let password = new_password(state, &form.new_password)
        .await
        .map_err(|e| FormError::from(e).on_field("new_password"))?;
    let hash = state.hasher.reserve()?.hash(&password).await?;
    set_password_hash(&state.table, &user.id, &hash).await?;
    invalidate_user_sessions(&state.table, &user.id, None).await?;
    Ok(start_session(state, headers, &user.id, verified.writes, None).await?)
}

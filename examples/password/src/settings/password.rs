//! `POST /settings/password`: checks the current password, stores the new hash, signs out
//! every session of the account and starts a fresh one for this browser.

use auth_core::password::{Password, hash_password, verify_password};
use auth_core::rate_limit::LOGIN_THROTTLER;
use auth_core::session::invalidate_user_sessions;
use auth_core::user::set_password_hash;
use auth_web::session::sign_in_and_redirect;
use auth_web::{AppError, AppState, AuthUser, Form};
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
    let refuse =
        |status, message: String| super::render(&state, &session, status, None, Some(message));
    let user = &session.user;
    // A stolen session must not become a way to guess the password: same throttle as sign-in.
    match LOGIN_THROTTLER.check(&state.table, &user.email).await {
        Ok(()) => {}
        Err(e @ auth_core::Error::RateLimited { .. }) => {
            return refuse(StatusCode::TOO_MANY_REQUESTS, e.to_string()).await;
        }
        Err(e) => return Err(e.into()),
    }
    let current_ok = match Password::parse(&form.current_password) {
        Ok(current) => verify_password(user.password_hash.as_ref(), &current).await?,
        Err(_) => false,
    };
    if !current_ok {
        LOGIN_THROTTLER
            .record_failure(&state.table, &user.email)
            .await?;
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Your current password is not right.".into(),
        )
        .await;
    }
    let new_password = match Password::parse(&form.new_password) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()).await,
    };
    let hash = hash_password(&new_password).await?;
    set_password_hash(&state.table, &user.id, &hash).await?;
    invalidate_user_sessions(&state.table, &user.id, None).await?;
    sign_in_and_redirect(&state, &user.id, &headers, "/settings?done=password").await
}

//! `GET /settings`: change password and the list of active sessions.

mod password;

use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions, active_sessions_router};
use auth_web::view::{Alert, Field, Notice, PostForm, page};
use auth_web::{AppError, AppState, AuthUser};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .merge(password::router())
        .merge(active_sessions_router())
}

/// Which confirmation to show after a redirect; a fixed set, so nothing is reflected.
#[derive(Default, Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    current: AuthUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = match done.done.as_deref() {
        Some("password") => Some("Your password was changed. Every other session was signed out."),
        Some("revoked") => Some(REVOKED_NOTICE),
        _ => None,
    };
    render(&state, &current, StatusCode::OK, notice, None).await
}

/// The settings page, with an optional confirmation or error.
pub(crate) async fn render(
    state: &AppState,
    current: &AuthUser,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let sessions = active_sessions(state, current).await?;
    let body = view! {
        <Notice message=notice.map(str::to_owned)/>
        <section>
            <h2>"Change password"</h2>
            <Alert message=error/>
            <PostForm action="/settings/password" submit="Change password">
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password"/>
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password"/>
            </PostForm>
        </section>
        {sessions}
    };
    Ok((status, page("Settings", Some(&current.user), body)).into_response())
}

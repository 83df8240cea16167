//! `GET /settings`: change password, the list of active sessions, delete the account; and the
//! fresh proof (`/reauth`, the password) that signing out everywhere and deleting need.

mod password;

use auth_web::PageResult;
use auth_web::account::account_settings_router;
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions};
use auth_web::reauth::password_reauth_router;
use auth_web::view::{
    Alert, DeleteAccount, Done, Field, Notice, PostForm, Said, field_error, page,
};
use auth_web::{AppState, AuthUser};
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .merge(password::router())
        .merge(password_reauth_router())
        .merge(account_settings_router())
}

async fn show(State(state): State<AppState>, current: AuthUser, done: Done) -> PageResult {
    let notice = done.notice(&[
        (
            "password",
            "Your password was changed. Every other session was signed out.",
        ),
        ("revoked", REVOKED_NOTICE),
    ]);
    render(&state, &current, Said::shown(notice)).await
}

/// The settings page, with an optional confirmation or error; an error about one of the
/// password fields (`error_field`) marks it.
pub(crate) async fn render(state: &AppState, current: &AuthUser, said: Said) -> PageResult {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let error_field = said.field;
    let sessions = active_sessions(state, current).await?;
    let current_error = field_error("current_password", &error, error_field);
    let new_error = field_error("new_password", &error, error_field);
    let body = view! {
        <Notice message=notice/>
        <section>
            <h2>"Change password"</h2>
            <Alert message=error/>
            <PostForm action="/settings/password" submit="Change password">
                <Field label="Current password" name="current_password" kind="password"
                    autocomplete="current-password" error=current_error/>
                <Field label="New password (at least 8 characters)" name="new_password"
                    kind="password" autocomplete="new-password" error=new_error/>
            </PostForm>
        </section>
        {sessions}
        <DeleteAccount/>
    };
    Ok((status, page("Settings", Some(&current.user), body)).into_response())
}

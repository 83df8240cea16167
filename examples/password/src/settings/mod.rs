//! `GET /settings`: change password and the list of active sessions.

mod password;
mod sessions;

use auth_core::session::{Session, ValidSession, list_user_sessions};
use auth_web::view::{Alert, Field, Notice, PostButton, PostForm, page};
use auth_web::{AppError, AppState, AuthUser};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .merge(password::router())
        .merge(sessions::router())
}

/// Which confirmation to show after a redirect; a fixed set, so nothing is reflected.
#[derive(Default, Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = match done.done.as_deref() {
        Some("password") => Some("Your password was changed. Every other session was signed out."),
        Some("revoked") => Some("That session was signed out."),
        _ => None,
    };
    render(&state, &session, StatusCode::OK, notice, None).await
}

/// The settings page, with an optional confirmation or error.
pub(crate) async fn render(
    state: &AppState,
    current: &ValidSession,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let sessions = list_user_sessions(&state.table, &current.user.id).await?;
    let current_id = current.session.id.clone();
    let rows = sessions
        .into_iter()
        .map(|s| session_row(s, &current_id))
        .collect::<Vec<_>>();
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
        <section>
            <h2>"Active sessions"</h2>
            <table>
                <thead><tr><th>"Device"</th><th>"Signed in"</th><th>"Last seen"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <PostButton action="/settings/sessions/revoke-all" label="Sign out everywhere"/>
        </section>
    };
    Ok((status, page("Settings", Some(&current.user), body)).into_response())
}

fn session_row(session: Session, current_id: &str) -> impl IntoView + use<> {
    let this_one = session.id == current_id;
    let device = session
        .user_agent
        .unwrap_or_else(|| "Unknown device".into());
    let action = (!this_one).then(|| {
        view! {
            <PostButton action="/settings/sessions/revoke" label="Sign out"
                hidden=("session_id", session.id.clone())/>
        }
    });
    view! {
        <tr>
            <td>{device}{this_one.then_some(" (this browser)")}</td>
            <td>{format_time(session.created_at)}</td>
            <td>{format_time(session.last_verified_at)}</td>
            <td>{action}</td>
        </tr>
    }
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

//! `GET /settings`: the user's passkeys, with forms to add, rename and delete them, and the
//! active sessions (`auth_web::sessions`).

mod add;
mod manage;

use crate::script::passkey_support;
use auth_core::passkey::{Passkey, list_passkeys};
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions, active_sessions_router};
use auth_web::view::{Alert, Notice, PostButton, format_time, page};
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
        .merge(add::router())
        .merge(manage::router())
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
        Some("added") => Some("Your new passkey was added."),
        Some("renamed") => Some("The passkey was renamed."),
        Some("deleted") => Some("The passkey was deleted."),
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
    let passkeys = list_passkeys(&state.table, &current.user.id).await?;
    let only_one = passkeys.len() == 1;
    let rows = passkeys
        .into_iter()
        .map(|p| passkey_row(p, only_one))
        .collect::<Vec<_>>();
    let sessions = active_sessions(state, current).await?;
    let body = view! {
        <Notice message=notice.map(str::to_owned)/>
        <Alert message=error/>
        <section>
            <h2>"Your passkeys"</h2>
            <table>
                <thead><tr><th>"Name"</th><th>"Added"</th><th>"Last used"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
        <section>
            <h2>"Add a passkey"</h2>
            {passkey_support()}
            <form method="post" action="/settings/passkeys/add" data-passkey="create"
                data-options="/settings/passkeys/options" data-finish="/settings/passkeys/finish">
                <label>
                    <span>"Name"</span>
                    <input type="text" name="name" value="Another passkey" maxlength="60" required/>
                </label>
                <button type="submit">"Add a passkey"</button>
            </form>
        </section>
        {sessions}
    };
    Ok((status, page("Settings", Some(&current.user), body)).into_response())
}

fn passkey_row(passkey: Passkey, only_one: bool) -> impl IntoView + use<> {
    let id = passkey.credential_id.clone();
    let delete = (!only_one).then(|| {
        view! {
            <PostButton action="/settings/passkeys/delete" label="Delete"
                hidden=("credential_id", id.clone())/>
        }
    });
    view! {
        <tr>
            <td>
                <form method="post" action="/settings/passkeys/rename" class="inline">
                    <input type="hidden" name="credential_id" value=id/>
                    <input type="text" name="name" value=passkey.name aria-label="Name"
                        maxlength="60" required/>
                    <button type="submit">"Rename"</button>
                </form>
            </td>
            <td>{format_time(passkey.created_at)}</td>
            <td>{passkey.last_used_at.map_or("never".into(), format_time)}</td>
            <td>{delete}</td>
        </tr>
    }
}

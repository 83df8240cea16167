//! `GET /settings`: the user's passkeys, with forms to add, rename and delete them, the active
//! sessions (`auth_web::active_sessions`), and deleting the account
//! (`auth_web::account::delete_account_router`). Everything here but the page itself and
//! signing one other session out needs a fresh proof (`crate::reauth`).

mod add;
mod manage;

use crate::script::passkey_support;
use auth_core::passkey::{Passkey, list_passkeys};
use auth_web::account::delete_account_router;
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions, active_sessions_router};
use auth_web::view::{Alert, DeleteAccount, Done, Notice, PostButton, format_time, page};
use auth_web::{AppError, AppState, AuthUser};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .merge(add::router())
        .merge(manage::router())
        .merge(active_sessions_router())
        .merge(delete_account_router())
}

async fn show(
    State(state): State<AppState>,
    current: AuthUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = done.notice(&[
        ("added", "Your new passkey was added."),
        ("renamed", "The passkey was renamed."),
        ("deleted", "The passkey was deleted."),
        ("revoked", REVOKED_NOTICE),
    ]);
    render(&state, &current, StatusCode::OK, notice, None).await
}

/// The settings page, with an optional confirmation or error.
pub(crate) async fn render(
    state: &AppState,
    current: &AuthUser,
    status: StatusCode,
    notice: Option<String>,
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
        <Notice message=notice/>
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
        <DeleteAccount/>
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

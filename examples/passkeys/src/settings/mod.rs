//! `GET /settings`: the user's passkeys, with forms to add, rename and delete them, the active
//! sessions (`auth_web::active_sessions`), and deleting the account
//! (`auth_web::account::account_settings_router`). Everything here but the page itself and
//! signing one other session out needs a fresh proof (`crate::reauth`).

mod add;
mod manage;

use crate::script::passkey_support;
use auth_core::passkey::{Passkey, list_passkeys};
use auth_web::PageResult;
use auth_web::account::account_settings_router;
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions};
use auth_web::view::{
    Alert, ButtonKind, Column, DeleteAccount, Done, Notice, PostButton, Said, Table, format_time,
    page,
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
        .merge(add::router())
        .merge(manage::router())
        .merge(account_settings_router())
}

async fn show(State(state): State<AppState>, current: AuthUser, done: Done) -> PageResult {
    let notice = done.notice(&[
        ("added", "Your new passkey was added."),
        ("renamed", "The passkey was renamed."),
        ("deleted", "The passkey was deleted."),
        ("revoked", REVOKED_NOTICE),
    ]);
    render(&state, &current, Said::shown(notice), None).await
}

/// A new name the user must fix: the passkey's row shows it as typed, its field marked invalid
/// and described by the message.
pub(crate) struct BadName {
    pub credential_id: String,
    pub typed: String,
}

/// The passkeys table's columns; the last one holds the "Delete" buttons.
const COLUMNS: [Column; 4] = [
    Column::new("Name"),
    Column::new("Added"),
    Column::new("Last used"),
    Column::unlabelled("Actions"),
];

/// The settings page, with an optional confirmation or error.
pub(crate) async fn render(
    state: &AppState,
    current: &AuthUser,
    said: Said,
    bad_name: Option<BadName>,
) -> PageResult {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let passkeys = list_passkeys(&state.table, &current.user.id).await?;
    let only_one = passkeys.len() == 1;
    let rows = passkeys
        .into_iter()
        .map(|p| {
            let bad = bad_name
                .as_ref()
                .filter(|b| b.credential_id == p.credential_id)
                .zip(error.clone());
            passkey_row(p, only_one, bad)
        })
        .collect::<Vec<_>>();
    let sessions = active_sessions(state, current).await?;
    let body = view! {
        <Notice message=notice/>
        <Alert message=error/>
        <section>
            <h2>"Your passkeys"</h2>
            <Table columns=&COLUMNS rows=rows/>
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

/// A row of the table. Its name is a small rename form (a quiet button: the page's primary
/// action is adding a passkey); `bad` is a refused new name for this passkey, and why.
fn passkey_row(passkey: Passkey, only_one: bool, bad: Option<(&BadName, String)>) -> Vec<AnyView> {
    let id = passkey.credential_id.clone();
    let delete = (!only_one).then(|| {
        view! {
            <PostButton action="/settings/passkeys/delete" label="Delete"
                hidden=("credential_id", id.clone())/>
        }
    });
    let (name, invalid, described_by, message) = match bad {
        Some((bad, message)) => (
            bad.typed.clone(),
            Some("true"),
            Some(RENAME_ERROR_ID),
            Some(view! { <p class="field-error" id=RENAME_ERROR_ID>{message}</p> }),
        ),
        None => (passkey.name.clone(), None, None, None),
    };
    let rename = view! {
        <form method="post" action="/settings/passkeys/rename" class="inline">
            <input type="hidden" name="credential_id" value=id/>
            <input type="text" name="name" value=name aria-label="Name" maxlength="60" required
                aria-invalid=invalid aria-describedby=described_by/>
            <button type="submit" class=ButtonKind::Quiet.class()>"Rename"</button>
        </form>
        {message}
    };
    vec![
        rename.into_any(),
        format_time(passkey.created_at).into_any(),
        passkey
            .last_used_at
            .map_or("Never".into(), format_time)
            .into_any(),
        delete.into_any(),
    ]
}

/// The id of the message under a refused new name (one row at most has it).
const RENAME_ERROR_ID: &str = "rename-error";

//! `GET /settings`: linked accounts (link another, unlink one), active sessions, and deleting
//! the account.
//!
//! - `GET /settings/link/<provider>` starts the same flow as signing in, with the user's id in
//!   the flow cookie; the callback links instead of signing in.
//! - `POST /settings/unlink` (`account` = `<provider>#<subject>`) deletes the account claim and
//!   the link in one transaction, never the last way to sign in.
//! - Active sessions, with their routes, come from `auth_web::active_sessions`; deleting the
//!   account from `auth_web::account::account_settings_router`.
//!
//! Linking, unlinking, signing out everywhere and deleting need a fresh proof
//! ([`FreshUser`]): an older session is sent to sign in again at a linked provider first
//! (`crate::reauth`). Another account in the hands of whoever stole a session would be a way
//! back in after the session ends.

use crate::OAuth;
use crate::flow_cookie::Purpose;
use crate::sign_in::start_flow;
use auth_core::oauth_account::{OAuthAccount, list_oauth_accounts, unlink_oauth_account};
use auth_web::PageResult;
use auth_web::account::account_settings_router;
use auth_web::active_sessions::{REVOKED_NOTICE, active_sessions};
use auth_web::reauth::FreshUser;
use auth_web::view::{
    Alert, Column, DeleteAccount, Done, Notice, PostButton, Said, Table, format_time, page,
};
use auth_web::{AppError, AppState, AuthUser, Form};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Router};
use leptos::prelude::*;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .route("/settings/link/{provider}", get(link))
        .route("/settings/unlink", post(unlink))
        .merge(account_settings_router())
}

async fn show(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    current: AuthUser,
    done: Done,
) -> PageResult {
    let notice = done.notice(&[
        (
            "linked",
            "The account was linked: you can now sign in with it too.",
        ),
        ("already", "That account was linked to yours already."),
        ("unlinked", "The account was unlinked."),
        ("revoked", REVOKED_NOTICE),
    ]);
    render(&state, &oauth, &current, Said::shown(notice)).await
}

/// The linked accounts' table: the last column holds the "Unlink" buttons.
const ACCOUNT_COLUMNS: [Column; 4] = [
    Column::new("Provider"),
    Column::new("Account"),
    Column::new("Linked"),
    Column::unlabelled("Actions"),
];

async fn render(state: &AppState, oauth: &OAuth, current: &AuthUser, said: Said) -> PageResult {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let user = &current.user;
    let accounts = list_oauth_accounts(&state.table, &user.id).await?;
    let can_unlink = accounts.len() > 1 || user.password_hash.is_some();
    let rows = accounts
        .into_iter()
        .map(|a| account_row(oauth, a, can_unlink))
        .collect::<Vec<_>>();
    // The same buttons as on the sign-in page: links (a GET starts the flow, see
    // `crate::sign_in`), equal choices, none filled.
    let links = oauth
        .providers
        .iter()
        .map(|p| {
            let href = format!("/settings/link/{}", p.slug);
            let label = format!("Link {}", p.name);
            view! { <a class="button provider" data-provider=p.slug.clone() href=href>{label}</a> }
        })
        .collect::<Vec<_>>();
    let sessions = active_sessions(state, current).await?;
    let body = view! {
        <Notice message=notice/>
        <section>
            <h2>"Linked accounts"</h2>
            <Alert message=error/>
            <Table columns=&ACCOUNT_COLUMNS rows=rows/>
            {(!can_unlink).then(|| view! {
                <p class="muted">"This is your only way to sign in; link another account before unlinking it."</p>
            })}
            <h3>"Link another account"</h3>
            <div class="providers">{links}</div>
        </section>
        {sessions}
        <DeleteAccount/>
    };
    Ok((status, page("Settings", Some(user), body)).into_response())
}

/// A row of the table: provider, the account's name there, when it was linked, "Unlink".
fn account_row(oauth: &OAuth, account: OAuthAccount, can_unlink: bool) -> Vec<AnyView> {
    let id = account.identity;
    let provider = oauth
        .providers
        .get(&id.provider)
        .map_or(id.provider.clone(), |p| p.name.clone());
    let unlink = can_unlink.then(|| {
        let value = format!("{}#{}", id.provider, id.subject);
        view! { <PostButton action="/settings/unlink" label="Unlink" hidden=("account", value)/> }
    });
    vec![
        provider.into_any(),
        id.label.into_any(),
        format_time(account.linked_at).into_any(),
        unlink.into_any(),
    ]
}

async fn link(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    FreshUser(current): FreshUser,
    Path(slug): Path<String>,
) -> PageResult {
    let provider = oauth.providers.get(&slug).ok_or(AppError::NotFound)?;
    let purpose = Purpose::Link {
        user_id: current.user.id,
    };
    Ok(start_flow(&state, &oauth, provider, purpose).await)
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct UnlinkForm {
    account: String,
}

async fn unlink(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    FreshUser(current): FreshUser,
    Form(form): Form<UnlinkForm>,
) -> PageResult {
    let Some((provider, subject)) = form.account.split_once('#') else {
        return Err(AppError::BadRequest(
            "That account is not linked to yours.".into(),
        ));
    };
    match unlink_oauth_account(&state.table, &current.user, provider, subject).await {
        Ok(()) => Ok(Redirect::to("/settings?done=unlinked").into_response()),
        Err(e @ auth_core::Error::LastSignInMethod) => {
            let said = Said::refused(StatusCode::CONFLICT, e.to_string(), None);
            render(&state, &oauth, &current, said).await
        }
        // A malformed or unknown account: nothing of this user's to unlink.
        Err(auth_core::Error::InvalidInput(_) | auth_core::Error::NotFound) => Err(
            AppError::BadRequest("That account is not linked to yours.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

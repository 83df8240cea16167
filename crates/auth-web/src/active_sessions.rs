//! "Active sessions" on a settings page, the same in every example: one row per live session
//! with a button to sign it out, and "Sign out everywhere".
//!
//! - `POST /settings/sessions/revoke` (`session_id`) deletes one of the user's sessions. It is
//!   looked up under the signed-in user's own partition, so nobody can delete another's.
//! - `POST /settings/sessions/revoke-all` deletes all of them, this one included.

use crate::reauth::FreshUser;
use crate::session::clear_and_redirect;
use crate::view::{PostButton, format_time};
use crate::{AppError, AppState, AuthUser, Form};
use auth_core::session::{
    Session, invalidate_session, invalidate_user_sessions, list_user_sessions,
};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use leptos::prelude::*;
use serde::Deserialize;

/// Where a revoked session sends the user back to; settings pages show [`REVOKED_NOTICE`].
pub const REVOKED_REDIRECT: &str = "/settings?done=revoked";
pub const REVOKED_NOTICE: &str = "That session was signed out.";

pub fn active_sessions_router() -> Router<AppState> {
    Router::new()
        .route("/settings/sessions/revoke", post(revoke))
        .route("/settings/sessions/revoke-all", post(revoke_all))
}

/// The section for a settings page: the user's live sessions, this browser marked.
pub async fn active_sessions(
    state: &AppState,
    current: &AuthUser,
) -> Result<impl IntoView + use<>, AppError> {
    let sessions =
        list_user_sessions(&state.table, &state.config.sessions, &current.user.id).await?;
    let rows = sessions
        .into_iter()
        .map(|s| session_row(s, &current.session.id))
        .collect::<Vec<_>>();
    Ok(view! {
        <section>
            <h2>"Active sessions"</h2>
            <table>
                <thead><tr><th>"Device"</th><th>"Signed in"</th><th>"Last seen"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <PostButton action="/settings/sessions/revoke-all" label="Sign out everywhere"/>
        </section>
    })
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

#[derive(Default, Deserialize)]
#[serde(default)]
struct RevokeForm {
    session_id: String,
}

async fn revoke(
    State(state): State<AppState>,
    current: AuthUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    if !auth_core::random::is_valid_id(&form.session_id) {
        return Err(AppError::BadRequest("That session does not exist.".into()));
    }
    invalidate_session(&state.table, &current.user.id, &form.session_id).await?;
    if form.session_id == current.session.id {
        return Ok(clear_and_redirect(&state, "/"));
    }
    Ok(Redirect::to(REVOKED_REDIRECT).into_response())
}

/// Signing out everywhere ends the owner's other sessions too, so it needs a fresh proof.
async fn revoke_all(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
) -> Result<Response, AppError> {
    invalidate_user_sessions(&state.table, &current.user.id, None).await?;
    Ok(clear_and_redirect(&state, "/"))
}

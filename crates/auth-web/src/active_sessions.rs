//! "Active sessions" on a settings page, the same in every example: one row per live session
//! ("Chrome 148 on Linux", signed in "2 days ago") with a button to sign it out, and "Sign out
//! everywhere".
//!
//! - `POST /settings/sessions/revoke` (`session_id`) deletes one of the user's sessions. It is
//!   looked up under the signed-in user's own partition, so nobody can delete another's.
//! - `POST /settings/sessions/revoke-all` deletes all of them, this one included.

use crate::error::PageResult;
use crate::reauth::FreshUser;
use crate::session::clear_and_redirect;
use crate::view::{Column, PostButton, RelativeTime, Table};
use crate::{AppError, AppState, AuthUser, Form};
use auth_core::session::{
    Session, invalidate_session, invalidate_user_sessions, list_user_sessions,
};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use leptos::prelude::*;
use serde::Deserialize;
use time::OffsetDateTime;

/// Where a revoked session sends the user back to; settings pages show [`REVOKED_NOTICE`].
pub const REVOKED_REDIRECT: &str = "/settings?done=revoked";
pub const REVOKED_NOTICE: &str = "That session was signed out.";

pub fn active_sessions_router() -> Router<AppState> {
    Router::new()
        .route("/settings/sessions/revoke", post(revoke))
        .route("/settings/sessions/revoke-all", post(revoke_all))
}

/// The table's columns; the last one holds the "Sign out" buttons.
const COLUMNS: [Column; 4] = [
    Column::new("Device"),
    Column::new("Signed in"),
    Column::new("Last seen"),
    Column::unlabelled("Actions"),
];

/// The section for a settings page: the user's live sessions, this browser marked, times
/// relative to the app's clock.
pub async fn active_sessions(
    state: &AppState,
    current: &AuthUser,
) -> Result<impl IntoView + use<>, AppError> {
    let sessions =
        list_user_sessions(&state.table, &state.config.sessions, &current.user.id).await?;
    let now = state.table.now();
    let rows = sessions
        .into_iter()
        .map(|s| session_row(s, &current.session.id, now))
        .collect::<Vec<_>>();
    Ok(view! {
        <section>
            <h2>"Active sessions"</h2>
            <Table columns=&COLUMNS rows=rows/>
            <PostButton action="/settings/sessions/revoke-all" label="Sign out everywhere"/>
        </section>
    })
}

fn session_row(session: Session, current_id: &str, now: OffsetDateTime) -> Vec<AnyView> {
    let this_one = session.id == current_id;
    let device = match &session.user_agent {
        // The name to read, and the whole user agent on hover.
        Some(agent) => view! { <span title=agent.clone()>{device_name(agent)}</span> }.into_any(),
        None => "Unknown device".into_any(),
    };
    let marker =
        this_one.then(|| view! { " " <strong class="this-browser">"(this browser)"</strong> });
    let action = (!this_one).then(|| {
        view! {
            <PostButton action="/settings/sessions/revoke" label="Sign out"
                hidden=("session_id", session.id.clone())/>
        }
    });
    vec![
        view! { {device}{marker} }.into_any(),
        view! { <RelativeTime at=session.created_at now=now/> }.into_any(),
        view! { <RelativeTime at=session.last_verified_at now=now/> }.into_any(),
        action.into_any(),
    ]
}

/// "Chrome 148 on Linux", "Safari 17 on iPhone": the browser, its major version and the
/// system, read from a user agent by [woothee](https://github.com/woothee/woothee) (a
/// compiled-in table of patterns: no data file to load, nothing fetched at build time).
/// What it cannot name is said plainly ("Unknown browser on Linux", "Unknown device").
pub fn device_name(user_agent: &str) -> String {
    let known = |value: &str| !value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN;
    let Some(parsed) = woothee::parser::Parser::new().parse(user_agent) else {
        return "Unknown device".into();
    };
    let major = parsed.version.split('.').next().unwrap_or_default();
    let browser = match (known(parsed.name), known(major)) {
        (true, true) => format!("{} {major}", parsed.name),
        (true, false) => parsed.name.to_owned(),
        (false, _) => "Unknown browser".to_owned(),
    };
    if known(parsed.os) {
        format!("{browser} on {}", parsed.os)
    } else if known(parsed.name) {
        browser
    } else {
        "Unknown device".into()
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
) -> PageResult {
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
async fn revoke_all(State(state): State<AppState>, FreshUser(current): FreshUser) -> PageResult {
    invalidate_user_sessions(&state.table, &current.user.id, None).await?;
    Ok(clear_and_redirect(&state, "/"))
}

#[cfg(test)]
mod tests {
    use super::device_name;

    #[test]
    fn devices_are_named_by_browser_version_and_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/148.0.0.0 Safari/537.36",
                "Chrome 148 on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0",
                "Firefox 135 on Windows 10",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                "Safari 17 on iPhone",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) auth-examples-test",
                "Unknown browser on Linux",
            ),
            ("curl/8.5.0", "HTTP Library curl"),
            ("", "Unknown device"),
        ];
        for (agent, name) in cases {
            assert_eq!(device_name(agent), name, "{agent}");
        }
    }
}

//! `GET /`, the same in most examples: who is signed in, or the way in.

use crate::session::MaybeUser;
use crate::state::AppState;
use crate::view::{Done, Notice, page};
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use leptos::prelude::*;

/// What an example's home page says; the page around it is shared.
#[derive(Clone, Copy)]
pub struct HomePage {
    pub title: &'static str,
    /// One sentence for visitors: what the example shows.
    pub about: &'static str,
    /// The text of the link to `/settings` for signed-in users.
    pub settings_link: &'static str,
}

pub fn home_router(home: HomePage) -> Router<AppState> {
    home_router_with_notices(home, &[])
}

/// [`home_router`] for an example whose flows end on the home page with notices of their
/// own (`/?done=reset`), besides the shared one for a deleted account.
pub fn home_router_with_notices(
    home: HomePage,
    notices: &'static [(&'static str, &'static str)],
) -> Router<AppState> {
    Router::new().route(
        "/",
        get(move |current, done| show(home, notices, current, done)),
    )
}

async fn show(
    home: HomePage,
    notices: &'static [(&'static str, &'static str)],
    MaybeUser(current): MaybeUser,
    done: Done,
) -> Html<String> {
    let user = current.map(|c| c.user);
    let shared = [("deleted", "Your account was deleted.")];
    let notice = done.notice(&shared).or_else(|| done.notice(notices));
    let greeting = match &user {
        Some(user) => view! {
            <p>"You are signed in as " <strong>{user.email.to_string()}</strong> "."</p>
            <p><a href="/settings">{home.settings_link}</a></p>
        }
        .into_any(),
        None => view! {
            <p>{home.about}</p>
            <p><a href="/sign-up">"Create an account"</a>" or "<a href="/sign-in">"sign in"</a>"."</p>
        }
        .into_any(),
    };
    let body = view! { <Notice message=notice/> {greeting} };
    page(home.title, user.as_ref(), body)
}

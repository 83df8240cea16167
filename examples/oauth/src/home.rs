//! `GET /`: who is signed in, or the way to sign in.

use auth_web::view::page;
use auth_web::{AppState, MaybeUser};
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(MaybeUser(session): MaybeUser) -> Html<String> {
    let user = session.map(|s| s.user);
    let body = match &user {
        Some(user) => view! {
            <p>"You are signed in as " <strong>{user.email.clone()}</strong> "."</p>
            <p><a href="/settings">"Link or unlink accounts, see your sessions"</a></p>
        }
        .into_any(),
        None => view! {
            <p>"This example signs people in with GitHub, Google or any OpenID Connect provider: "
               "no password is ever stored here."</p>
            <p><a href="/sign-in">"Sign in"</a>" or "<a href="/sign-up">"create an account"</a>"."</p>
        }
        .into_any(),
    };
    page("Sign in with OAuth", user.as_ref(), body)
}

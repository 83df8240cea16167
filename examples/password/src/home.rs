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
            <p><a href="/settings">"Change your password or see your sessions"</a></p>
        }
        .into_any(),
        None => view! {
            <p>"This example signs people in with an email address and a password, "
               "with every session stored in DynamoDB."</p>
            <p><a href="/sign-up">"Create an account"</a>" or "<a href="/sign-in">"sign in"</a>"."</p>
        }
        .into_any(),
    };
    page("Email and password", user.as_ref(), body)
}

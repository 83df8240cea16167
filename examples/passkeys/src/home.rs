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
            <p>"You are signed in as " <strong>{user.email.clone()}</strong> " with a passkey."</p>
            <p><a href="/settings">"Manage your passkeys"</a></p>
        }
        .into_any(),
        None => view! {
            <p>"This example signs people in with passkeys (WebAuthn): no passwords, "
               "and every ceremony's state kept in DynamoDB."</p>
            <p><a href="/sign-up">"Create an account"</a>" or "<a href="/sign-in">"sign in"</a>"."</p>
        }
        .into_any(),
    };
    page("Passkeys", user.as_ref(), body)
}

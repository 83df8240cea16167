//! `GET /`: who is signed in, or the way in. A user whose address is not verified yet is
//! sent to `/verify-email`.

use auth_web::view::{Done, Notice, page};
use auth_web::{AppState, MaybeUser};
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(MaybeUser(session): MaybeUser, done: Done) -> Response {
    let user = session.map(|s| s.user);
    if user.as_ref().is_some_and(|u| !u.email_verified) {
        return Redirect::to("/verify-email").into_response();
    }
    let notice = done.notice(&[
        ("verified", "Your email address is verified."),
        (
            "reset",
            "Your password was changed. Every other session was signed out.",
        ),
        ("deleted", "Your account was deleted."),
    ]);
    let body = match &user {
        Some(user) => view! {
            <Notice message=notice/>
            <p>"You are signed in as " <strong>{user.email.to_string()}</strong> "."</p>
            <p><a href="/settings">"Change your email address"</a></p>
        }
        .into_any(),
        None => view! {
            <Notice message=notice/>
            <p>"This example verifies email addresses and resets passwords with one-time "
               "codes sent by email, with everything stored in DynamoDB."</p>
            <p><a href="/sign-up">"Create an account"</a>", "<a href="/sign-in">"sign in"</a>
               ", or "<a href="/forgot-password">"reset a forgotten password"</a>"."</p>
        }
        .into_any(),
    };
    page("Email verification", user.as_ref(), body).into_response()
}

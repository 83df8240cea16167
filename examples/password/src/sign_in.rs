//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//!
//! `auth_core::credentials::verify_credentials` does the checking: wrong guesses are slowed by
//! the login throttler (per email: 1, 2, 4 … 300 seconds) on top of the per-IP limit every form
//! post has, and unknown emails get the same answer and the same hashing work as wrong
//! passwords, so the form does not reveal who has an account.

use crate::EmailPasswordForm;
use auth_core::credentials::verify_credentials;
use auth_web::session::sign_in_and_redirect;
use auth_web::view::{Alert, Field, PostForm, page};
use auth_web::{AppError, AppState, Form, SignedOut, Stop};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-in", get(show).post(submit))
}

async fn show(_: SignedOut) -> Response {
    render(StatusCode::OK, "", None)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> Result<Response, AppError> {
    match verify_credentials(&state.table, &form.email, &form.password).await {
        Ok(user) => sign_in_and_redirect(&state, &user.id, &headers, "/").await,
        Err(e) => {
            Stop::from(e).render(|status, message| render(status, &form.email, Some(message)))
        }
    }
}

fn render(status: StatusCode, email: &str, error: Option<String>) -> Response {
    let email = email.to_owned();
    let body = view! {
        <Alert message=error/>
        <PostForm action="/sign-in" submit="Sign in">
            <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"/>
        </PostForm>
        <p class="muted">"No account yet? "<a href="/sign-up">"Create one"</a></p>
    };
    (status, page("Sign in", None, body)).into_response()
}

//! `GET /sign-up` shows the form; `POST /sign-up` creates the user (user item + email claim in
//! one transaction), starts a session and redirects home.

use crate::EmailPasswordForm;
use auth_web::account::create_account;
use auth_web::session::sign_in_and_redirect;
use auth_web::view::{Alert, Field, PostForm, page};
use auth_web::{AppError, AppState, Form, SignedOut};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
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
    match create_account(&state, &form.email, &form.password).await {
        Ok(user) => sign_in_and_redirect(&state, &user.id, &headers, "/").await,
        Err(stop) => stop.render(|status, message| render(status, &form.email, Some(message))),
    }
}

fn render(status: StatusCode, email: &str, error: Option<String>) -> Response {
    let email = email.to_owned();
    let body = view! {
        <Alert message=error/>
        <PostForm action="/sign-up" submit="Create account">
            <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
            <Field label="Password (at least 8 characters)" name="password" kind="password" autocomplete="new-password"/>
        </PostForm>
        <p class="muted">"Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

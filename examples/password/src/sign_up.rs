//! `GET /sign-up` shows the form; `POST /sign-up` creates the user (user item + email claim in
//! one transaction), starts a session and redirects home.

use crate::EmailPasswordForm;
use auth_core::password::{Password, hash_password};
use auth_core::user::{EmailAddress, create_user};
use auth_web::session::sign_in_and_redirect;
use auth_web::view::{Alert, Field, PostForm, page};
use auth_web::{AppError, AppState, Form, MaybeUser};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

async fn show(MaybeUser(session): MaybeUser) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    render(StatusCode::OK, "", None)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> Result<Response, AppError> {
    let refuse = |message: String| Ok(render(StatusCode::BAD_REQUEST, &form.email, Some(message)));
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(e) => return refuse(e.to_string()),
    };
    let password = match Password::parse(&form.password) {
        Ok(password) => password,
        Err(e) => return refuse(e.to_string()),
    };
    if let Some(message) = pwned_warning(&state, &password).await {
        return refuse(message);
    }
    let hash = hash_password(&password).await?;
    match create_user(&state.table, &email, Some(hash)).await {
        Ok(user) => sign_in_and_redirect(&state, &user.id, &headers, "/").await,
        Err(auth_core::Error::EmailTaken) => Ok(render(
            StatusCode::CONFLICT,
            &form.email,
            Some("That email is already registered. Sign in instead?".into()),
        )),
        Err(e) => Err(e.into()),
    }
}

/// With `CHECK_PWNED_PASSWORDS` on, refuses passwords seen in breaches. If the service cannot
/// be reached the password is accepted: an outage there must not stop sign-ups here.
async fn pwned_warning(state: &AppState, password: &Password) -> Option<String> {
    let pwned = state.pwned.as_ref()?;
    match pwned.is_pwned(password).await {
        Ok(true) => {
            Some("That password appears in a known data breach. Choose another one.".into())
        }
        Ok(false) => None,
        Err(e) => {
            tracing::warn!("Have I Been Pwned check failed: {e}");
            None
        }
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

//! `GET /sign-up` shows the form; `POST /sign-up` creates the account (user item + email
//! claim in one transaction), signs the user in, and mails a verification code.
//!
//! If the code cannot be mailed, the account still exists and the user is signed in: the
//! verify page says so, and "Send a new code" tries again. No request item is written for a
//! mail that never left.

use crate::codes::send_verification_code;
use crate::verify_email;
use auth_core::session::create_session;
use auth_core::user::EmailAddress;
use auth_web::account::create_account;
use auth_web::client_ip::ClientIp;
use auth_web::mail::Mailer;
use auth_web::session::session_cookie;
use auth_web::view::{Alert, Field, PostForm, page};
use auth_web::{AppError, AppState, Form, SignedOut};
use axum::extract::State;
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use axum_extra::extract::cookie::CookieJar;
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct SignUpForm {
    email: String,
    password: String,
}

async fn show(_: SignedOut) -> Response {
    render(StatusCode::OK, "", None)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let user = match create_account(&state, &form.email, &form.password).await {
        Ok(user) => user,
        Err(stop) => {
            return stop.render(|status, message| render(status, &form.email, Some(message)));
        }
    };
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (token, _) = create_session(&state.table, &user.id, user_agent).await?;
    let jar = CookieJar::new().add(session_cookie(&state, &token));
    let email = EmailAddress::parse(&user.email)?;
    let sent = send_verification_code(&state, mailer.as_ref(), &user.id, &email, ip).await;
    let response = match sent {
        Ok(()) => Redirect::to("/verify-email").into_response(),
        Err(stop) => stop.render(|status, message| {
            let message = format!("Your account was created, but: {message}");
            verify_email::render(&user, None, status, None, Some(message))
        })?,
    };
    Ok((jar, response).into_response())
}

fn render(status: StatusCode, email: &str, error: Option<String>) -> Response {
    let email = email.to_owned();
    let body = view! {
        <Alert message=error/>
        <PostForm action="/sign-up" submit="Create account">
            <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
            <Field label="Password (at least 8 characters)" name="password" kind="password" autocomplete="new-password"/>
        </PostForm>
        <p class="muted">"We will email you a code to verify the address. "
           "Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

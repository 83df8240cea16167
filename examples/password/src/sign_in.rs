//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//!
//! Wrong guesses are slowed by the login throttler (per email: 1, 2, 4 … 300 seconds) on top
//! of the per-IP limit every form post has. Unknown emails get the same answer and the same
//! hashing work as wrong passwords, so the form does not reveal who has an account.

use crate::EmailPasswordForm;
use auth_core::password::{Password, verify_password};
use auth_core::rate_limit::LOGIN_THROTTLER;
use auth_core::user::{EmailAddress, get_user_by_email};
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
    Router::new().route("/sign-in", get(show).post(submit))
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
    let wrong = || {
        render(
            StatusCode::UNAUTHORIZED,
            &form.email,
            Some("Wrong email or password.".into()),
        )
    };
    let Ok(email) = EmailAddress::parse(&form.email) else {
        return Ok(render(
            StatusCode::BAD_REQUEST,
            &form.email,
            Some("Enter a valid email address.".into()),
        ));
    };
    if let Err(e) = LOGIN_THROTTLER.check(&state.table, email.as_str()).await {
        return throttled(e, &form.email);
    }
    let user = get_user_by_email(&state.table, &email).await?;
    let password_ok = match Password::parse(&form.password) {
        Ok(password) => {
            verify_password(
                user.as_ref().and_then(|u| u.password_hash.as_ref()),
                &password,
            )
            .await?
        }
        Err(_) => false,
    };
    let Some(user) = user.filter(|_| password_ok) else {
        LOGIN_THROTTLER
            .record_failure(&state.table, email.as_str())
            .await?;
        return Ok(wrong());
    };
    LOGIN_THROTTLER.reset(&state.table, email.as_str()).await?;
    sign_in_and_redirect(&state, &user.id, &headers, "/").await
}

/// Re-renders the form with the wait, or passes on an error that is not a rate limit.
fn throttled(e: auth_core::Error, email: &str) -> Result<Response, AppError> {
    match e {
        auth_core::Error::RateLimited { retry_after } => {
            let mut response = render(StatusCode::TOO_MANY_REQUESTS, email, Some(e.to_string()));
            response.headers_mut().insert(
                "retry-after",
                auth_web::error::retry_after_seconds(retry_after),
            );
            Ok(response)
        }
        other => Err(other.into()),
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

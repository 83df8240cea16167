//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//! A user whose address is not verified yet lands on `/verify-email`, everyone else on `/`.
//!
//! `auth_core::credentials::verify_credentials` checks the password as in every example: the
//! attempt is taken before any hashing, wrong guesses make the next one wait longer (except
//! from the owner's own browser, with its device cookie), and unknown emails get the same
//! answer and the same hashing work as wrong passwords.

use auth_web::client_ip::ClientIp;
use auth_web::session::sign_in_and_redirect;
use auth_web::sign_in::{EmailPasswordForm, check_sign_in};
use auth_web::view::{SignInForm, page};
use auth_web::{AppError, AppState, Form, FormError, SignedOut};
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
    client: ClientIp,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> Result<Response, AppError> {
    match check_sign_in(&state, &headers, client, &form).await {
        Ok(verified) => {
            let to = if verified.user.email_verified {
                "/"
            } else {
                "/verify-email"
            };
            sign_in_and_redirect(&state, &headers, verified, to).await
        }
        Err(e) => {
            FormError::from(e)
                .render(async |status, message| Ok(render(status, &form.email, Some(message))))
                .await
        }
    }
}

fn render(status: StatusCode, email: &str, error: Option<String>) -> Response {
    let body = view! {
        <SignInForm email=email.to_owned() error=error/>
        <p class="muted"><a href="/forgot-password">"Forgot your password?"</a></p>
        <p class="muted">"No account yet? "<a href="/sign-up">"Create one"</a></p>
    };
    (status, page("Sign in", None, body)).into_response()
}

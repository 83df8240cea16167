//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//!
//! 1. The password check is the shared one (`auth_web::sign_in::check_sign_in`: the attempt
//!    taken before hashing, growing waits after wrong passwords, device cookies).
//! 2. A session is written either way. For a user with second factors it is signed in with
//!    the password only (no `TwoFactorVerified`): `auth_web::session` lets it reach nothing
//!    but the second-factor page, where the browser goes next (see `second_factor`).

use auth_web::client_ip::ClientIp;
use auth_web::session::{SECOND_FACTOR_PATH, sign_in_and_redirect};
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
            let next = if verified.user.second_factors.any() {
                SECOND_FACTOR_PATH
            } else {
                "/"
            };
            sign_in_and_redirect(&state, &headers, verified, next).await
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
        <p class="muted">
            <a href="/forgot-password">"Forgot your password?"</a>
            " · No account yet? "<a href="/sign-up">"Create one"</a>
        </p>
    };
    (status, page("Sign in", None, body)).into_response()
}

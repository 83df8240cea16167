//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//!
//! `auth_core::credentials::verify_credentials` does the checking (see its steps): the attempt
//! is taken before any hashing, so parallel guesses wait; wrong guesses make the next one wait
//! longer (per account: 1, 2, 4 … 300 seconds), except from the owner's own browser, which
//! has a device cookie; unknown emails get the same answer and the same hashing work as wrong
//! passwords, so the form does not reveal who has an account.

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
        Ok(verified) => sign_in_and_redirect(&state, &headers, verified, "/").await,
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
        <p class="muted">"No account yet? "<a href="/sign-up">"Create one"</a></p>
    };
    (status, page("Sign in", None, body)).into_response()
}

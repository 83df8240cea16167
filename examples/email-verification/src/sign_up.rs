//! `GET /sign-up` shows the form; `POST /sign-up` creates the account and signs it in (user
//! item, email claim, first session and device in one transaction), then mails a
//! verification code.
//!
//! If the code cannot be mailed, the account still exists and the user is signed in: the
//! verify page says so, and "Send a new code" tries again. No request item is written for a
//! mail that never left.

use crate::codes::send_verification_code;
use crate::verify_email;
use auth_web::account::create_account;
use auth_web::client_ip::ClientIp;
use auth_web::mail::Mailer;
use auth_web::sign_in::EmailPasswordForm;
use auth_web::view::{SignUpForm, page};
use auth_web::{AppError, AppState, Form, SignedOut};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use leptos::prelude::*;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

async fn show(_: SignedOut) -> Response {
    render(StatusCode::OK, "", None, None)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    client: ClientIp,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> Result<Response, AppError> {
    let account = match create_account(&state, &headers, &form.email, &form.password).await {
        Ok(account) => account,
        Err(e) => {
            let field = e.field();
            return e
                .render(async |status, message| {
                    Ok(render(status, &form.email, Some(message), field))
                })
                .await;
        }
    };
    let user = &account.user;
    let sent = send_verification_code(&state, mailer.as_ref(), &user.id, &user.email, client);
    let response = match sent.await {
        Ok(()) => Redirect::to("/verify-email").into_response(),
        Err(e) => {
            e.render(async |status, message| {
                let message = format!("Your account was created. {message}");
                Ok(verify_email::render(
                    user,
                    None,
                    status,
                    None,
                    Some(message),
                    None,
                ))
            })
            .await?
        }
    };
    Ok((account.cookies, response).into_response())
}

/// The form; a refusal about the email or the password (`error_field`) marks that field.
fn render(
    status: StatusCode,
    email: &str,
    error: Option<String>,
    error_field: Option<&'static str>,
) -> Response {
    let body = view! {
        <SignUpForm email=email.to_owned() error=error error_field=error_field/>
        <p class="muted">"We will email you a code to verify the address. "
           "Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

//! `GET /sign-up` shows the form; `POST /sign-up` creates the account and signs it in (user
//! item, email claim, first session and device in one transaction), then mails a
//! verification code.
//!
//! If the code cannot be mailed, the account still exists and the user is signed in: the
//! verify page says so, and "Send a new code" tries again. No request item is written for a
//! mail that never left.

use crate::codes::send_verification_code;
use crate::verify_email;
use auth_web::PageResult;
use auth_web::account::create_account;
use auth_web::client_ip::ClientIp;
use auth_web::mail::Mailer;
use auth_web::sign_in::EmailPasswordForm;
use auth_web::sign_up::sign_up_page;
use auth_web::view::Said;
use auth_web::{AppState, Form, SignedOut};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use std::sync::Arc;

/// What the form says happens next.
const NOTE: &str = "We will email you a code to verify the address. ";

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

async fn show(_: SignedOut) -> Response {
    sign_up_page(StatusCode::OK, "", None, None, NOTE)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    client: ClientIp,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> PageResult {
    let account = match create_account(&state, &headers, &form.email, &form.password).await {
        Ok(account) => account,
        Err(e) => {
            let field = e.field();
            return e
                .render(async |status, message| {
                    Ok(sign_up_page(
                        status,
                        &form.email,
                        Some(message),
                        field,
                        NOTE,
                    ))
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
                let said = Said::refused(status, message, None);
                Ok(verify_email::render(user, None, said))
            })
            .await?
        }
    };
    Ok((account.cookies, response).into_response())
}

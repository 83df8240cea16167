//! `GET /verify-email` asks for the emailed code, `POST /verify-email` checks it, and
//! `POST /verify-email/resend` mails a new one.
//!
//! 1. A signed-in user whose address is not verified is sent here by every other page.
//! 2. The code is checked against `USER#<uid>` / `EMAIL_VERIFICATION` (five wrong tries per
//!    code; new codes are limited per account). The right code verifies the address, or, when the
//!    request was for a new address, moves the account to it in one transaction.
//!    A move sends a security notice to the old address (`auth_web::notices`).
//! 3. "Send a new code" mails a fresh code to the pending address (or the account's own, if it
//!    is not verified yet) and replaces the request.

use crate::codes::send_verification_code;
use auth_core::email::EmailAddress;
use auth_core::email_verification::{
    EmailVerificationRequest, Verified, get_email_verification_request, verify_email_code,
};
use auth_core::one_time_code::CODE_LIFETIME;
use auth_core::user::User;
use auth_web::FormError;
use auth_web::PageResult;
use auth_web::client_ip::ClientIp;
use auth_web::code_mail::{CodeForm, accepted, parse_code};
use auth_web::mail::Mailer;
use auth_web::notices;
use auth_web::view::{
    Alert, ButtonKind, Field, Notice, PostButton, PostForm, Said, field_error, page,
};
use auth_web::{AppState, AuthUser, Form};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify-email", get(show).post(submit))
        .route("/verify-email/resend", post(resend))
}

/// `?sent=1` after a new code was mailed; a flag, so nothing the URL says is shown.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Sent {
    sent: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    current: AuthUser,
    Query(sent): Query<Sent>,
) -> PageResult {
    let user = &current.user;
    let request = get_email_verification_request(&state.table, &user.id).await?;
    if user.email_verified && request.is_none() {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = sent.sent.map(|_| "We sent you a new code.".to_owned());
    Ok(render(user, request.as_ref(), Said::shown(notice)))
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn submit(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    current: AuthUser,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let user = &current.user;
    let refusal = match check(&state, user, &form.code).await {
        Ok(verified) => {
            if let Verified::MovedTo(new) = verified {
                notices::email_changed(mailer.as_ref(), &user.email, &new).await;
            }
            return Ok(Redirect::to("/?done=verified").into_response());
        }
        Err(refusal) => refusal,
    };
    let request = get_email_verification_request(&state.table, &user.id).await?;
    let field = refusal.field();
    refusal
        .render(async |status, message| {
            Ok(render(
                user,
                request.as_ref(),
                Said::refused(status, message, field),
            ))
        })
        .await
}

/// The code, checked; what it did when it was right. A code that is malformed, wrong or
/// spent marks the `code` field; an address taken meanwhile is not about the code.
async fn check(state: &AppState, user: &User, input: &str) -> Result<Verified, FormError> {
    let code = parse_code(input).map_err(|e| e.on_field("code"))?;
    match verify_email_code(&state.table, user, &code).await {
        Ok(check) => accepted(check).map_err(|e| e.on_field("code")),
        Err(auth_core::Error::EmailTaken) => Err(FormError::refuse(
            StatusCode::CONFLICT,
            "That address now belongs to another account. Choose a different one.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn resend(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    ip: ClientIp,
    current: AuthUser,
) -> PageResult {
    let user = &current.user;
    let request = get_email_verification_request(&state.table, &user.id).await?;
    let address = match (&request, user.email_verified) {
        (Some(request), _) => request.email.as_str(),
        (None, false) => user.email.as_str(),
        (None, true) => return Ok(Redirect::to("/settings").into_response()),
    };
    let email = EmailAddress::parse(address)?;
    match send_verification_code(&state, mailer.as_ref(), &user.id, &email, ip).await {
        Ok(()) => Ok(Redirect::to("/verify-email?sent=1").into_response()),
        Err(stop) => {
            stop.render(async |status, message| {
                Ok(render(
                    user,
                    request.as_ref(),
                    Said::refused(status, message, None),
                ))
            })
            .await
        }
    }
}

/// The page: where the code went, the code form (its button the page's primary action; an
/// error about the code marks the field), "Send a new code", and for an address that is not
/// verified yet, a way to fix a typo in it.
pub fn render(user: &User, request: Option<&EmailVerificationRequest>, said: Said) -> Response {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let error_field = said.field;
    let code_error = field_error("code", &error, error_field);
    let sent_to = match request {
        Some(r) => view! {
            <p>"We sent a code to " <strong>{r.email.to_string()}</strong>
               {format!(". Enter it here; it works for {} minutes.", CODE_LIFETIME.whole_minutes())}</p>
        }
        .into_any(),
        None => view! {
            <p>"Your code has expired or none was sent. Send a new one to "
               <strong>{user.email.to_string()}</strong>"."</p>
        }
        .into_any(),
    };
    let change_address = (!user.email_verified).then(|| {
        view! {
            <section>
                <h2>"Wrong address?"</h2>
                <PostForm action="/settings/email" submit="Send the code there instead"
                    kind=ButtonKind::Quiet>
                    <Field label="Email" name="email" kind="email" autocomplete="email"/>
                </PostForm>
            </section>
        }
    });
    let body = view! {
        <Notice message=notice/>
        <Alert message=error/>
        {sent_to}
        <PostForm action="/verify-email" submit="Verify">
            <Field label="Code" name="code" autocomplete="one-time-code" error=code_error/>
        </PostForm>
        <PostButton action="/verify-email/resend" label="Send a new code"/>
        {change_address}
    };
    (status, page("Verify your email", Some(user), body)).into_response()
}

//! `GET /settings` shows the address and a form to change it; `POST /settings/email` mails a
//! code to the new address. The account moves to it only once that code is entered on
//! `/verify-email` (see `auth_core::email_verification`): until then nothing changes, and the
//! old address keeps working.
//!
//! A user whose address is not verified yet may post here too, from the verify page, to fix
//! a typo in the address they signed up with.
//!
//! Changing the address needs a fresh proof (`auth_web::reauth`): a stolen session that could
//! move the account to its thief's address could then reset the password, too. The page also
//! offers to delete the account (`auth_web::account`).

use crate::codes::send_verification_code;
use crate::verified::VerifiedUser;
use auth_core::email::EmailAddress;
use auth_core::email_verification::get_email_verification_request;
use auth_core::user::{User, get_user_by_email};
use auth_web::FormError;
use auth_web::PageResult;
use auth_web::client_ip::ClientIp;
use auth_web::mail::Mailer;
use auth_web::reauth::FreshUser;
use auth_web::view::{Alert, DeleteAccount, Field, Notice, PostForm, Said, field_error, page};
use auth_web::{AppState, Form};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show))
        .route("/settings/email", post(change_email))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct EmailForm {
    email: String,
}

async fn show(State(state): State<AppState>, VerifiedUser(current): VerifiedUser) -> PageResult {
    let pending = get_email_verification_request(&state.table, &current.user.id)
        .await?
        .map(|r| {
            format!(
                "A code was sent to {}. Enter it on the verify page to switch.",
                r.email
            )
        });
    Ok(render(&current.user, "", Said::shown(pending)))
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn change_email(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    ip: ClientIp,
    FreshUser(current): FreshUser,
    Form(form): Form<EmailForm>,
) -> PageResult {
    let user = &current.user;
    match request_change(&state, mailer.as_ref(), ip, user, &form.email).await {
        Ok(()) => Ok(Redirect::to("/verify-email").into_response()),
        Err(stop) => {
            let field = stop.field();
            stop.render(async |status, message| {
                Ok(render(
                    user,
                    &form.email,
                    Said::refused(status, message, field),
                ))
            })
            .await
        }
    }
}

/// Refuses the current or a taken address (each marks the `email` field), then mails a code
/// to the new one.
async fn request_change(
    state: &AppState,
    mailer: &dyn Mailer,
    ip: ClientIp,
    user: &User,
    input: &str,
) -> Result<(), FormError> {
    let email = EmailAddress::parse(input).map_err(|e| FormError::from(e).on_field("email"))?;
    if email == user.email && user.email_verified {
        return Err(
            FormError::refuse(StatusCode::BAD_REQUEST, "That is already your address.")
                .on_field("email"),
        );
    }
    let owner = get_user_by_email(&state.table, &email).await?;
    if owner.is_some_and(|owner| owner.id != user.id) {
        return Err(FormError::refuse(
            StatusCode::CONFLICT,
            "That address belongs to another account.",
        )
        .on_field("email"));
    }
    send_verification_code(state, mailer, &user.id, &email, ip).await
}

fn render(user: &User, typed: &str, said: Said) -> Response {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let error_field = said.field;
    let typed = typed.to_owned();
    let email_error = field_error("email", &error, error_field);
    let body = view! {
        <Notice message=notice/>
        <section>
            <h2>"Email address"</h2>
            <p>"Your address is " <strong>{user.email.to_string()}</strong>
               {user.email_verified.then_some(" (verified)")}"."</p>
            <Alert message=error/>
            <PostForm action="/settings/email" submit="Send a code to the new address">
                <Field label="New email" name="email" kind="email" value=typed autocomplete="email"
                    error=email_error/>
            </PostForm>
        </section>
        <DeleteAccount/>
    };
    (status, page("Settings", Some(user), body)).into_response()
}

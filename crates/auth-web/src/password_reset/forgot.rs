//! `GET /forgot-password` asks for the address; `POST /forgot-password` mails a code and
//! starts a password reset session, kept in its own cookie.
//!
//! 1. Limited per client address and per address typed, before anything is looked up.
//! 2. An unknown address is answered "There is no account with that email address." — a
//!    deliberate choice, explained in the README ("Forgot password and unknown addresses").
//! 3. The code is mailed first; only then are the user's earlier reset sessions deleted and
//!    `USER#<uid>` / `PASSWORD_RESET#<id>` written, and the reset cookie set.

use super::new_password::reset_cookie;
use super::{FORGOT_PASSWORD_PER_EMAIL, FORGOT_PASSWORD_PER_IP};
use crate::client_ip::ClientIp;
use crate::code_mail::{Purpose, mail_code};
use crate::cookie::CookieJar;
use crate::error::PageResult;
use crate::form::Form;
use crate::form_error::FormError;
use crate::mail::Mailer;
use crate::session::MaybeUser;
use crate::state::AppState;
use crate::view::{Alert, Field, PostForm, page};
use auth_core::email::EmailAddress;
use auth_core::password_reset::create_password_reset_session;
use auth_core::rate_limit::take_all;
use auth_core::user::get_user_by_email;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/forgot-password", get(show).post(submit))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ForgotForm {
    email: String,
}

async fn show(MaybeUser(session): MaybeUser) -> Response {
    let user = session.map(|s| s.user);
    render(
        user.as_ref().map(|u| u.email.as_str()).unwrap_or(""),
        StatusCode::OK,
        None,
    )
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    ip: ClientIp,
    Form(form): Form<ForgotForm>,
) -> PageResult {
    match start_reset(&state, mailer.as_ref(), ip, &form.email).await {
        Ok(jar) => Ok((
            jar,
            axum::response::Redirect::to("/reset-password/verify-email"),
        )
            .into_response()),
        Err(stop) => {
            stop.render(async |status, message| Ok(render(&form.email, status, Some(message))))
                .await
        }
    }
}

/// Mails the code, then stores the reset session; returns the cookie to set.
async fn start_reset(
    state: &AppState,
    mailer: &dyn Mailer,
    ip: ClientIp,
    input: &str,
) -> Result<CookieJar, FormError> {
    let email = EmailAddress::parse(input)
        .map_err(|e| FormError::refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    let address = ip.key();
    let limits = [
        (&FORGOT_PASSWORD_PER_EMAIL, email.as_str()),
        (&FORGOT_PASSWORD_PER_IP, address.as_str()),
    ];
    take_all(&state.table, &limits).await?;
    let Some(user) = get_user_by_email(&state.table, &email).await? else {
        return Err(FormError::refuse(
            StatusCode::NOT_FOUND,
            "There is no account with that email address.",
        ));
    };
    let code = mail_code(mailer, &email, Purpose::ResetPassword).await?;
    let (token, _) = create_password_reset_session(&state.table, &user, &code).await?;
    Ok(CookieJar::new().add(reset_cookie(state, &token)))
}

fn render(email: &str, status: StatusCode, error: Option<String>) -> Response {
    let email = email.to_owned();
    let body = view! {
        <Alert message=error/>
        <p>"We will email you a code. Enter it on the next page, then choose a new password."</p>
        <PostForm action="/forgot-password" submit="Send a code">
            <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
        </PostForm>
    };
    (status, page("Forgot your password?", None, body)).into_response()
}

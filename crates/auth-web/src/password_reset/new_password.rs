//! `/reset-password/verify-email` takes the emailed code, `/reset-password` the new password.
//! Both need the reset cookie that `/forgot-password` set: the reset belongs to that browser.
//!
//! 1. Each request reads the reset session by the primary key the cookie names
//!    (`<uid>.<id>.<secret>`), with a consistent read, and checks `ExpiresAt` and the secret's
//!    hash. No valid cookie: "start again", and the cookie is cleared.
//! 2. The code is limited per account and to five wrong tries; the right one marks the reset
//!    session (and the address) verified.
//! 3. A user with second factors must pass one next, on the example's page at
//!    [`SECOND_FACTOR_STEP`]; until then both pages send the browser there.
//! 4. The new password: the reset session is deleted and the hash stored in one transaction,
//!    only if the session is verified and its second factor passed (or none is needed): one
//!    reset, one password, and never around 2FA. Then every session and reset session of the
//!    account is deleted, and a fresh session starts in this browser (two-factor verified
//!    when the reset passed a second factor). The reset cookie is cleared, and the account's
//!    address gets a security notice (`crate::notices`).

use crate::account::new_password;
use crate::code_mail::{CodeForm, accepted, parse_code};
use crate::cookie::{CookieJar, CookieKind};
use crate::error::AppError;
use crate::error::PageResult;
use crate::form::Form;
use crate::form_error::FormError;
use crate::mail::Mailer;
use crate::notices;
use crate::session::{sign_in_cookies, user_agent};
use crate::state::AppState;
use crate::view::{Alert, Field, PostForm, page};
use auth_core::one_time_code::CODE_LIFETIME;
use auth_core::password_reset::{
    PasswordResetSession, PasswordResetToken, consume_password_reset_session,
    invalidate_user_password_reset_sessions, validate_password_reset_token,
    verify_password_reset_code,
};
use auth_core::session::{create_session, create_two_factor_session, invalidate_user_sessions};
use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, SameSite};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/reset-password/verify-email",
            get(show_code).post(submit_code),
        )
        .route("/reset-password", get(show_password).post(submit_password))
}

/// The reset cookie: this browser's reset session, for as long as its code lasts.
const RESET: CookieKind = CookieKind {
    name: "password_reset",
    same_site: SameSite::Lax,
};

/// The cookie carrying a reset token.
pub(super) fn reset_cookie(state: &AppState, token: &PasswordResetToken) -> Cookie<'static> {
    RESET.set(state, token.to_string(), CODE_LIFETIME)
}

/// Where a user with second factors passes one during a reset; the example serves it.
pub const SECOND_FACTOR_STEP: &str = "/reset-password/two-factor";

/// The page of the emailed code, and of the new password.
const CODE_STEP: &str = "/reset-password/verify-email";
const PASSWORD_STEP: &str = "/reset-password";

/// The step a reset is at, as the path of its page: the emailed code, then the second factor
/// when one is needed, then the new password.
fn step_path(reset: &PasswordResetSession) -> &'static str {
    if !reset.email_verified {
        CODE_STEP
    } else if reset.awaits_second_factor() {
        SECOND_FACTOR_STEP
    } else {
        PASSWORD_STEP
    }
}

/// The reset session the cookie names, if it is valid.
async fn current_reset(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<PasswordResetSession>, AppError> {
    let Some(token) = RESET.read(state, headers) else {
        return Ok(None);
    };
    Ok(validate_password_reset_token(&state.table, &token).await?)
}

/// The reset in progress if it is at the step `path`; otherwise the answer that sends the
/// browser where it belongs: without a valid reset, start again; else the step it is at.
pub async fn reset_at(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> Result<Result<PasswordResetSession, Response>, AppError> {
    Ok(match current_reset(state, headers).await? {
        None => Err(start_again(state)),
        Some(reset) if step_path(&reset) != path => {
            Err(Redirect::to(step_path(&reset)).into_response())
        }
        Some(reset) => Ok(reset),
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
}

async fn show_code(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    show_step(&state, &headers, CODE_STEP, |reset| {
        render_code(reset, StatusCode::OK, None)
    })
    .await
}

/// The page of the step at `path`, if the reset is at it; else a redirect to the step it is
/// at, or without a valid reset cookie, back to the start (the cookie cleared).
async fn show_step(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    render: impl FnOnce(&PasswordResetSession) -> Response,
) -> PageResult {
    Ok(match current_reset(state, headers).await? {
        None => (
            CookieJar::new().add(RESET.removal(state)),
            Redirect::to("/forgot-password"),
        )
            .into_response(),
        Some(reset) if step_path(&reset) != path => Redirect::to(step_path(&reset)).into_response(),
        Some(reset) => render(&reset),
    })
}

#[tracing::instrument(skip_all)]
async fn submit_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let Some(reset) = current_reset(&state, &headers).await? else {
        return Ok(start_again(&state));
    };
    match check_code(&state, &reset, &form.code).await {
        // The reset was read before its code was right: the step after the code.
        Ok(()) => {
            let verified = PasswordResetSession {
                email_verified: true,
                ..reset
            };
            Ok(Redirect::to(step_path(&verified)).into_response())
        }
        Err(stop) => {
            stop.render(async |status, message| Ok(render_code(&reset, status, Some(message))))
                .await
        }
    }
}

async fn check_code(
    state: &AppState,
    reset: &PasswordResetSession,
    input: &str,
) -> Result<(), FormError> {
    let code = parse_code(input)?;
    accepted(verify_password_reset_code(&state.table, reset, &code).await?)
}

async fn show_password(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    show_step(&state, &headers, PASSWORD_STEP, |_| {
        render_password(StatusCode::OK, None)
    })
    .await
}

#[tracing::instrument(skip_all)]
async fn submit_password(
    State(state): State<AppState>,
    Extension(mailer): Extension<Arc<dyn Mailer>>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let reset = match reset_at(&state, &headers, PASSWORD_STEP).await? {
        Ok(reset) => reset,
        Err(elsewhere) => return Ok(elsewhere),
    };
    match set_password(&state, &headers, &reset, &form.password).await {
        Ok(Some(jar)) => {
            notices::password_changed(mailer.as_ref(), &reset.email).await;
            let jar = jar.add(RESET.removal(&state));
            Ok((jar, Redirect::to("/?done=reset")).into_response())
        }
        Ok(None) => Ok(start_again(&state)),
        Err(e) => {
            e.render(async |status, message| Ok(render_password(status, Some(message))))
                .await
        }
    }
}

/// Hashes the new password, then ends the reset session and stores the hash in one
/// transaction (only if the session may still set a password: one reset, one password), signs
/// every session out and starts this browser's. `None` when the reset session was used or
/// expired meanwhile, or needs a second factor it did not pass.
async fn set_password(
    state: &AppState,
    headers: &HeaderMap,
    reset: &PasswordResetSession,
    input: &str,
) -> Result<Option<CookieJar>, FormError> {
    let password = new_password(state, input).await?;
    let hash = state.hasher.reserve()?.hash(&password).await?;
    let table = &state.table;
    match consume_password_reset_session(table, reset, &hash).await {
        Ok(()) => {}
        Err(auth_core::Error::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let user_id = &reset.user_id;
    invalidate_user_sessions(table, user_id, None).await?;
    invalidate_user_password_reset_sessions(table, user_id).await?;
    let (policy, agent) = (&state.config.sessions, user_agent(headers));
    let (token, session) = if reset.second_factor_passed {
        create_two_factor_session(table, policy, user_id, agent).await?
    } else {
        create_session(table, policy, user_id, agent, vec![]).await?
    };
    Ok(Some(sign_in_cookies(state, &token, &session, None)))
}

/// No valid reset session in this browser: expired, finished, or started elsewhere.
fn start_again(state: &AppState) -> Response {
    let body = view! {
        <p class="alert" role="alert">"Your password reset has expired, was already used, or was "
           "started in another browser. Please start again."</p>
        <p><a href="/forgot-password">"Reset your password"</a></p>
    };
    let page = page("Start again", None, body);
    (
        StatusCode::BAD_REQUEST,
        CookieJar::new().add(RESET.removal(state)),
        page,
    )
        .into_response()
}

fn render_code(
    reset: &PasswordResetSession,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let body = view! {
        <Alert message=error/>
        <p>"We sent a code to " <strong>{reset.email.to_string()}</strong>
           {format!(". Enter it here; it works for {} minutes, in this browser only.", CODE_LIFETIME.whole_minutes())}</p>
        <PostForm action="/reset-password/verify-email" submit="Continue">
            <Field label="Code" name="code" autocomplete="one-time-code"/>
        </PostForm>
    };
    (status, page("Check your email", None, body)).into_response()
}

fn render_password(status: StatusCode, error: Option<String>) -> Response {
    let body = view! {
        <Alert message=error/>
        <p>"Every session of your account will be signed out, and you will be signed in here."</p>
        <PostForm action="/reset-password" submit="Set password">
            <Field label="New password (at least 8 characters)" name="password" kind="password" autocomplete="new-password"/>
        </PostForm>
    };
    (status, page("Choose a new password", None, body)).into_response()
}

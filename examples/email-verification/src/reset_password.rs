//! `/reset-password/verify-email` takes the emailed code, `/reset-password` the new password.
//! Both need the reset cookie that `/forgot-password` set: the reset belongs to that browser.
//!
//! 1. Each request reads the reset session by the primary key the cookie names
//!    (`<uid>.<id>.<secret>`), with a consistent read, and checks `ExpiresAt` and the secret's
//!    hash. No valid cookie: "start again", and the cookie is cleared.
//! 2. The code is limited per account and to five wrong tries; the right one marks the reset
//!    session (and the address) verified.
//! 3. The new password: the reset session is deleted first, only if verified (one reset, one
//!    password), then the hash is stored, every session and reset session of the account is
//!    deleted, and a fresh session starts in this browser. The reset cookie is cleared.

use crate::codes::{accepted, parse_code};
use crate::limits::VERIFY_CODE_PER_USER;
use auth_core::password::hash_password;
use auth_core::password_reset::{
    CODE_LIFETIME, PasswordResetSession, PasswordResetToken, consume_password_reset_session,
    invalidate_user_password_reset_sessions, validate_password_reset_token,
    verify_password_reset_code,
};
use auth_core::session::invalidate_user_sessions;
use auth_core::user::set_password_hash;
use auth_web::Stop;
use auth_web::account::new_password;
use auth_web::session::sign_in_and_redirect;
use auth_web::view::{Alert, Field, PostForm, page};
use auth_web::{AppError, AppState, Form};
use axum::Router;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use leptos::prelude::*;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/reset-password/verify-email",
            get(show_code).post(submit_code),
        )
        .route("/reset-password", get(show_password).post(submit_password))
}

/// `__Host-` prefixed over https, like the session cookie.
fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-password_reset"
    } else {
        "password_reset"
    }
}

fn cookie_base(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((cookie_name(state), value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(state.secure_cookies())
        .build()
}

/// The cookie carrying a reset token; it lasts as long as the code does.
pub fn reset_cookie(state: &AppState, token: &PasswordResetToken) -> Cookie<'static> {
    let mut cookie = cookie_base(state, token.to_string());
    cookie.set_max_age(CODE_LIFETIME);
    cookie
}

fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = cookie_base(state, String::new());
    cookie.make_removal();
    cookie
}

/// The reset session the cookie names, if it is valid.
async fn current(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<PasswordResetSession>, AppError> {
    let Some(cookie) = jar.get(cookie_name(state)) else {
        return Ok(None);
    };
    Ok(validate_password_reset_token(&state.table, cookie.value()).await?)
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
}

async fn show_code(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    Ok(match current(&state, &jar).await? {
        None => (
            jar.add(removal_cookie(&state)),
            Redirect::to("/forgot-password"),
        )
            .into_response(),
        Some(reset) if reset.email_verified => Redirect::to("/reset-password").into_response(),
        Some(reset) => render_code(&reset, StatusCode::OK, None),
    })
}

#[tracing::instrument(skip_all)]
async fn submit_code(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(reset) = current(&state, &jar).await? else {
        return Ok(start_again(&state, jar));
    };
    match check_code(&state, &reset, &form.code).await {
        Ok(()) => Ok(Redirect::to("/reset-password").into_response()),
        Err(stop) => stop.render(|status, message| render_code(&reset, status, Some(message))),
    }
}

async fn check_code(
    state: &AppState,
    reset: &PasswordResetSession,
    input: &str,
) -> Result<(), Stop> {
    VERIFY_CODE_PER_USER
        .consume(&state.table, &reset.user_id)
        .await?;
    let code = parse_code(input)?;
    accepted(verify_password_reset_code(&state.table, reset, &code).await?)
}

async fn show_password(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    Ok(match current(&state, &jar).await? {
        None => (
            jar.add(removal_cookie(&state)),
            Redirect::to("/forgot-password"),
        )
            .into_response(),
        Some(reset) if !reset.email_verified => {
            Redirect::to("/reset-password/verify-email").into_response()
        }
        Some(_) => render_password(StatusCode::OK, None),
    })
}

#[tracing::instrument(skip_all)]
async fn submit_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let Some(reset) = current(&state, &jar).await? else {
        return Ok(start_again(&state, jar));
    };
    if !reset.email_verified {
        return Ok(Redirect::to("/reset-password/verify-email").into_response());
    }
    let password = match new_password(&state, &form.password).await {
        Ok(password) => password,
        Err(e) => {
            return Stop::from(e).render(|status, message| render_password(status, Some(message)));
        }
    };
    let hash = hash_password(&password).await?;
    match consume_password_reset_session(&state.table, &reset).await {
        Ok(()) => {}
        Err(auth_core::Error::NotFound) => return Ok(start_again(&state, jar)),
        Err(e) => return Err(e.into()),
    }
    set_password_hash(&state.table, &reset.user_id, &hash).await?;
    invalidate_user_sessions(&state.table, &reset.user_id, None).await?;
    invalidate_user_password_reset_sessions(&state.table, &reset.user_id).await?;
    let mut response =
        sign_in_and_redirect(&state, &reset.user_id, &headers, "/?done=reset").await?;
    if let Ok(value) = removal_cookie(&state).encoded().to_string().parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// No valid reset session in this browser: expired, finished, or started elsewhere.
fn start_again(state: &AppState, jar: CookieJar) -> Response {
    let body = view! {
        <p class="alert" role="alert">"Your password reset has expired, was already used, or was "
           "started in another browser. Please start again."</p>
        <p><a href="/forgot-password">"Reset your password"</a></p>
    };
    let page = page("Start again", None, body);
    (
        StatusCode::BAD_REQUEST,
        jar.add(removal_cookie(state)),
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
        <p>"We sent a code to " <strong>{reset.email.clone()}</strong>
           ". Enter it here; it works for 10 minutes, in this browser only."</p>
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

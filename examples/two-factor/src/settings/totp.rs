//! Setting up an authenticator app, after a fresh proof.
//!
//! 1. `GET /settings/two-factor/totp`: a new random key, shown as a QR code of its
//!    `otpauth://` URI (drawn on the server as inline SVG) and as base32 text to type in.
//!    Nothing is stored yet: the key travels in a hidden field of the form, so any instance
//!    can finish the setup.
//! 2. `POST /settings/two-factor/totp` (`key`, `code`): the code must be right for that key
//!    (one step either side). Only then is the key stored, sealed, with the code's step as
//!    `LastStep` (`auth_core::totp::enable`): the setup code cannot be used again to sign in.
//!    With the first factor come the recovery codes, shown once in the answer.
//! 3. `POST /settings/two-factor/totp/remove`: the app is removed (with the last factor, 2FA
//!    goes off and the recovery codes go too).

use super::recovery_codes_page;
use crate::second_factor::AppCodeField;
use crate::{ISSUER, qr};
use auth_core::Error;
use auth_core::encryption::EncryptionKey;
use auth_core::totp::{TotpCode, TotpKey, enable, matching_step, remove};
use auth_web::PageResult;
use auth_web::reauth::FreshUser;
use auth_web::view::{Alert, page};
use auth_web::{AppError, AppState, AuthUser, Form, FormError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use leptos::prelude::*;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/two-factor/totp", get(show).post(set_up))
        .route("/settings/two-factor/totp/remove", post(remove_app))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct SetupForm {
    key: String,
    code: String,
}

async fn show(FreshUser(current): FreshUser) -> Response {
    if current.user.second_factors.totp {
        return Redirect::to("/settings/two-factor").into_response();
    }
    render(&current, &TotpKey::generate(), StatusCode::OK, None)
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn set_up(
    State(state): State<AppState>,
    Extension(sealing): Extension<EncryptionKey>,
    FreshUser(current): FreshUser,
    Form(form): Form<SetupForm>,
) -> PageResult {
    let Some(key) = TotpKey::from_base32(&form.key) else {
        return Err(AppError::BadRequest(
            "The setup form was changed or is incomplete. Start the setup again.".into(),
        ));
    };
    match confirm(&state, &sealing, &current, &key, &form.code).await {
        Ok(Some(codes)) => {
            let intro = "Your authenticator app is set up: two-factor authentication is on.";
            Ok(recovery_codes_page(&current.user, intro, &codes).into_response())
        }
        Ok(None) => Ok(Redirect::to("/settings/two-factor?done=totp").into_response()),
        Err(e) => {
            e.render(async |status, message| Ok(render(&current, &key, status, Some(message))))
                .await
        }
    }
}

/// Step 2: the code must be right for the key; then the key is stored.
async fn confirm(
    state: &AppState,
    sealing: &EncryptionKey,
    current: &AuthUser,
    key: &TotpKey,
    input: &str,
) -> Result<Option<Vec<auth_core::recovery_codes::RecoveryCode>>, FormError> {
    let code = TotpCode::parse(input).ok_or_else(|| {
        FormError::refuse(
            StatusCode::BAD_REQUEST,
            "Enter the 6-digit code your authenticator app shows.",
        )
    })?;
    let step = matching_step(key, &code, state.table.now(), None).ok_or(Error::WrongCode)?;
    Ok(enable(
        &state.table,
        sealing,
        &current.user,
        &current.session,
        key,
        step,
    )
    .await?)
}

async fn remove_app(State(state): State<AppState>, FreshUser(current): FreshUser) -> PageResult {
    match remove(&state.table, &current.user).await {
        Ok(()) | Err(Error::NotFound) => {
            Ok(Redirect::to("/settings/two-factor?done=removed").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The key in groups of four, easier to type.
fn grouped(key: &TotpKey) -> String {
    let text = key.base32();
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn render(
    current: &AuthUser,
    key: &TotpKey,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let uri = key.uri(ISSUER, current.user.email.as_str());
    let body = view! {
        <Alert message=error/>
        <p>"1. Scan this code with your authenticator app:"</p>
        <div class="qr" inner_html=qr::svg(&uri, 200)></div>
        <p>"Or type this key into the app (time-based, 6 digits, 30 seconds):"</p>
        <p><code data-totp-key>{grouped(key)}</code></p>
        <p>"2. Enter the code the app now shows, to confirm it works."</p>
        <form method="post" action="/settings/two-factor/totp">
            <input type="hidden" name="key" value=key.base32()/>
            <AppCodeField label="Code"/>
            <button type="submit">"Turn on"</button>
        </form>
        <p class="muted"><a href="/settings/two-factor">"Cancel"</a></p>
    };
    (
        status,
        page("Set up an authenticator app", Some(&current.user), body),
    )
        .into_response()
}

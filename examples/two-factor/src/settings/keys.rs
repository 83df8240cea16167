//! Security keys and passkeys as second factors, after a fresh proof.
//!
//! 1. `POST /settings/two-factor/keys/options` (JSON `{kind, name}`): creation options with
//!    the user's credentials excluded; the ceremony item keeps the library's state (which
//!    says the kind) and the name.
//! 2. The browser's authenticator creates the credential (`auth_web::webauthn::script`), and
//!    the form posts it to `POST /settings/two-factor/keys`: the ceremony is taken (it must
//!    be this user's), the answer verified, and the factor written with its credential claim
//!    (`auth_core::second_factor::add_webauthn_factor`); with the first factor come the
//!    recovery codes, shown once in the answer.
//! 3. `POST /settings/two-factor/keys/rename` and `…/remove` (`credential_id`): plain forms.

use super::recovery_codes_page;
use crate::webauthn::{Registration, finish_registration, registration_options};
use auth_core::Error;
use auth_core::second_factor::{
    FactorKind, NewWebauthnFactor, add_webauthn_factor, list_webauthn_factors,
    remove_webauthn_factor, rename_webauthn_factor,
};
use auth_web::cookie::CookieJar;
use auth_web::json::{ApiError, JsonBody};
use auth_web::reauth::FreshUser;
use auth_web::webauthn::script::NEEDS_JAVASCRIPT;
use auth_web::webauthn::{RelyingParty, ceremony};
use auth_web::{AppError, AppState, AuthUser, Form, FormError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

/// Ceremonies started here finish only here.
const PURPOSE: &str = "add-second-factor";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/two-factor/keys/options", post(options))
        .route("/settings/two-factor/keys", post(add))
        .route("/settings/two-factor/keys/rename", post(rename))
        .route("/settings/two-factor/keys/remove", post(remove))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct OptionsRequest {
    kind: String,
    name: String,
}

/// Step 1. Starting a ceremony changes nothing, so a signed-in user is enough here; the
/// finish needs the fresh proof.
async fn options(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    current: AuthUser,
    jar: CookieJar,
    JsonBody(request): JsonBody<OptionsRequest>,
) -> Result<Response, ApiError> {
    let kind = FactorKind::parse(&request.kind)
        .ok_or_else(|| ApiError::refused("Choose a security key or a passkey."))?;
    let name = kind.parse_name(&request.name)?;
    let user = &current.user;
    let existing = list_webauthn_factors(&state.table, &user.id).await?;
    let (options, registration) = registration_options(&rp, user, kind, &existing)?;
    let kept = (registration, name);
    let jar = ceremony::start(&state, jar, PURPOSE, Some(&user.id), &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AddForm {
    credential: String,
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn add(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    FreshUser(current): FreshUser,
    jar: CookieJar,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    match register(&state, &rp, &current, jar, &form.credential).await {
        Ok((jar, Some(codes))) => {
            let intro = "Your second factor is set up: two-factor authentication is on.";
            Ok((jar, recovery_codes_page(&current.user, intro, &codes)).into_response())
        }
        Ok((jar, None)) => {
            Ok((jar, Redirect::to("/settings/two-factor?done=added")).into_response())
        }
        Err(e) => refused(&state, &current, e).await,
    }
}

/// Step 2: the ceremony finished and the factor written; the recovery codes, when it is the
/// first factor.
async fn register(
    state: &AppState,
    rp: &RelyingParty,
    current: &AuthUser,
    jar: CookieJar,
    credential: &str,
) -> Result<
    (
        CookieJar,
        Option<Vec<auth_core::recovery_codes::RecoveryCode>>,
    ),
    FormError,
> {
    if credential.is_empty() {
        return Err(FormError::refuse(StatusCode::BAD_REQUEST, NEEDS_JAVASCRIPT));
    }
    let response: RegisterPublicKeyCredential = serde_json::from_str(credential).map_err(|_| {
        FormError::refuse(
            StatusCode::BAD_REQUEST,
            "The browser sent an answer the app could not read. Please try again.",
        )
    })?;
    let user = &current.user;
    let (jar, (registration, name)) =
        ceremony::finish::<(Registration, String)>(state, jar, PURPOSE, Some(&user.id)).await?;
    let stored = finish_registration(rp, &response, &registration)?;
    let new = NewWebauthnFactor {
        credential_id: stored.id,
        kind: registration.kind(),
        name,
        credential: stored.json,
    };
    let codes = add_webauthn_factor(&state.table, user, &current.session, new).await?;
    Ok((jar, codes))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct FactorForm {
    credential_id: String,
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<FactorForm>,
) -> Result<Response, AppError> {
    let user_id = &current.user.id;
    match rename_webauthn_factor(&state.table, user_id, &form.credential_id, &form.name).await {
        Ok(()) => Ok(Redirect::to("/settings/two-factor?done=renamed").into_response()),
        Err(e) => refused(&state, &current, gone_or(e)).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<FactorForm>,
) -> Result<Response, AppError> {
    match remove_webauthn_factor(&state.table, &current.user, &form.credential_id).await {
        Ok(()) => Ok(Redirect::to("/settings/two-factor?done=removed").into_response()),
        Err(e) => refused(&state, &current, gone_or(e)).await,
    }
}

/// A factor that is not there (removed meanwhile, maybe from another browser) says so.
fn gone_or(e: Error) -> FormError {
    match e {
        Error::NotFound => FormError::refuse(
            StatusCode::CONFLICT,
            "That security key or passkey no longer exists: it was removed, maybe from another browser.",
        ),
        other => other.into(),
    }
}

/// The settings page again, with the message.
async fn refused(state: &AppState, current: &AuthUser, e: FormError) -> Result<Response, AppError> {
    e.render(async |status, message| {
        super::two_factor::render(state, current, status, None, Some(message)).await
    })
    .await
}

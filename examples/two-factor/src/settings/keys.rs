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
use auth_core::recovery_codes::RecoveryCode;
use auth_core::second_factor::{
    FactorKind, NewWebauthnFactor, add_webauthn_factor, list_webauthn_factors,
    remove_webauthn_factor, rename_webauthn_factor,
};
use auth_web::PageResult;
use auth_web::cookie::CookieJar;
use auth_web::json::{ApiError, ApiResult, JsonBody};
use auth_web::reauth::FreshUser;
use auth_web::view::Said;
use auth_web::webauthn::script::read_answer;
use auth_web::webauthn::{CredentialForm, WebauthnRequest, ceremony};
use auth_web::{AppState, AuthUser, Form, FormError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use axum::{Json, Router};
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
    w: WebauthnRequest,
    me: AuthUser,
    JsonBody(request): JsonBody<OptionsRequest>,
) -> ApiResult {
    let kind = FactorKind::parse(&request.kind)
        .ok_or_else(|| ApiError::refused("Choose a security key or a passkey."))?;
    let name = kind.parse_name(&request.name)?;
    let user = &me.user;
    let existing = list_webauthn_factors(&w.state.table, &user.id).await?;
    let (options, registration) = registration_options(&w.rp, user, kind, &existing)?;
    let kept = (registration, name);
    let jar = ceremony::start(&w.state, w.jar, PURPOSE, Some(&user.id), &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct AddForm {
    credential: String,
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn add(
    w: WebauthnRequest,
    FreshUser(current): FreshUser,
    Form(form): Form<AddForm>,
) -> PageResult {
    match register(&w, &current, &form.credential).await {
        Ok((jar, Some(codes))) => {
            let intro = "Your second factor is set up: two-factor authentication is on.";
            Ok((jar, recovery_codes_page(&current.user, intro, &codes)).into_response())
        }
        Ok((jar, None)) => {
            Ok((jar, Redirect::to("/settings/two-factor?done=added")).into_response())
        }
        Err(e) => refused(&w.state, &current, e).await,
    }
}

/// Step 2: the ceremony finished and the factor written; the recovery codes, when it is the
/// first factor.
async fn register(
    w: &WebauthnRequest,
    current: &AuthUser,
    credential: &str,
) -> Result<(CookieJar, Option<Vec<RecoveryCode>>), FormError> {
    let response: RegisterPublicKeyCredential = read_answer(credential)?;
    let (state, user) = (&w.state, &current.user);
    let jar = w.jar.clone();
    let (jar, (registration, name)) =
        ceremony::finish::<(Registration, String)>(state, jar, PURPOSE, Some(&user.id)).await?;
    let stored = finish_registration(&w.rp, &response, &registration)?;
    let new = NewWebauthnFactor {
        credential_id: stored.id,
        kind: registration.kind(),
        name,
        credential: stored.json,
    };
    let codes = add_webauthn_factor(&state.table, user, &current.session, new).await?;
    Ok((jar, codes))
}

async fn rename(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<CredentialForm>,
) -> PageResult {
    let user_id = &current.user.id;
    match rename_webauthn_factor(&state.table, user_id, &form.credential_id, &form.name).await {
        Ok(()) => Ok(Redirect::to("/settings/two-factor?done=renamed").into_response()),
        Err(e) => refused(&state, &current, gone_or(e)).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<CredentialForm>,
) -> PageResult {
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
async fn refused(state: &AppState, current: &AuthUser, e: FormError) -> PageResult {
    e.render(async |status, message| {
        super::two_factor::render(state, current, Said::refused(status, message, None)).await
    })
    .await
}

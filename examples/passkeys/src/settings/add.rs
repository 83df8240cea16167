//! Adding a passkey to the signed-in account: the registration ceremony again, for a user
//! who exists.
//!
//! 1. `POST /settings/passkeys/options` (JSON `{name}`): creation options with the user's
//!    existing user handle and their credentials excluded (the authenticator refuses to
//!    register one twice); the ceremony item records the user and the name.
//! 2. The browser creates the passkey.
//! 3. `POST /settings/passkeys/finish`: takes the ceremony (it must be this user's), verifies,
//!    and writes the passkey and its credential claim in one transaction: a credential already
//!    registered, here or on another account, is refused.
//!
//! Both calls need a fresh proof ([`FreshApiUser`]): a stolen session must not be able to add
//! a key of its own. A stale one is answered 403 with `"reauth"`, and the script goes there
//! before any prompt; a proof that went stale between the two calls is refused at the finish
//! the same way, and nothing is written.

use crate::api::Next;
use crate::limits::{CEREMONY_STARTS, counting_failures};
use crate::registration;
use crate::script::NEEDS_JAVASCRIPT;
use auth_core::passkey::{add_passkey, list_passkeys, parse_passkey_name};
use auth_web::PageResult;
use auth_web::json::{ApiError, ApiResult, FreshApiUser, JsonBody};
use auth_web::view::Said;
use auth_web::webauthn::{WebauthnRequest, ceremony, excluded};
use auth_web::{AppState, AuthUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use webauthn_rs::prelude::{RegisterPublicKeyCredential, Uuid};

/// The ceremony purpose: a ceremony started for anything else never finishes here.
const PURPOSE: &str = "add-passkey";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/passkeys/add", post(without_javascript))
        .route("/settings/passkeys/options", post(options))
        .route("/settings/passkeys/finish", post(finish))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Add {
    name: String,
}

async fn without_javascript(State(state): State<AppState>, current: AuthUser) -> PageResult {
    let said = Said::refused(StatusCode::BAD_REQUEST, NEEDS_JAVASCRIPT.into(), None);
    super::render(&state, &current, said, None).await
}

#[tracing::instrument(skip_all)]
async fn options(
    w: WebauthnRequest,
    FreshApiUser(me): FreshApiUser,
    JsonBody(add): JsonBody<Add>,
) -> ApiResult {
    CEREMONY_STARTS
        .take(&w.state.table, &w.client.key())
        .await?;
    let name = parse_passkey_name(&add.name).map_err(|e| ApiError::from(e).on_field("name"))?;
    let user = &me.user;
    let existing = list_passkeys(&w.state.table, &user.id).await?;
    // Every passkey of a user shares one user handle, so an authenticator keeps one per account.
    let handle = existing
        .first()
        .and_then(|p| Uuid::parse_str(&p.user_handle).ok())
        .unwrap_or_else(Uuid::new_v4);
    let exclude = excluded(existing.iter().map(|p| p.credential_id.as_str()));
    let (options, registration) = registration::start(&w.rp, handle, user.email.as_str(), exclude)?;
    let kept = (name, registration);
    let jar = ceremony::start(&w.state, w.jar, PURPOSE, Some(&user.id), &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all)]
async fn finish(
    w: WebauthnRequest,
    FreshApiUser(current): FreshApiUser,
    JsonBody(response): JsonBody<RegisterPublicKeyCredential>,
) -> ApiResult {
    counting_failures(&w, add(&w, &current.user.id, &response)).await
}

async fn add(
    w: &WebauthnRequest,
    user_id: &str,
    response: &RegisterPublicKeyCredential,
) -> ApiResult {
    let finish = ceremony::finish::<(String, registration::Registration)>;
    let (jar, (name, registration)) =
        finish(&w.state, w.jar.clone(), PURPOSE, Some(user_id)).await?;
    let new = registration::finish(&w.rp, response, &registration, &name)?;
    add_passkey(&w.state.table, user_id, new).await?;
    let next = Next {
        redirect: "/settings?done=added",
    };
    Ok((jar, Json(next)).into_response())
}

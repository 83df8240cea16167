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
use crate::limits::{CEREMONY_STARTS, count_failure};
use crate::registration;
use crate::script::NEEDS_JAVASCRIPT;
use auth_core::passkey::{add_passkey, list_passkeys, parse_passkey_name};
use auth_web::client_ip::ClientIp;
use auth_web::json::{ApiError, FreshApiUser, JsonBody};
use auth_web::webauthn::RelyingParty;
use auth_web::webauthn::ceremony;
use auth_web::{AppError, AppState, AuthUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
struct AddRequest {
    name: String,
}

async fn without_javascript(
    State(state): State<AppState>,
    current: AuthUser,
) -> Result<Response, AppError> {
    let error = Some(NEEDS_JAVASCRIPT.into());
    super::render(&state, &current, StatusCode::BAD_REQUEST, None, error, None).await
}

#[tracing::instrument(skip_all)]
async fn options(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    FreshApiUser(current): FreshApiUser,
    ip: ClientIp,
    jar: CookieJar,
    JsonBody(request): JsonBody<AddRequest>,
) -> Result<Response, ApiError> {
    CEREMONY_STARTS.take(&state.table, &ip.key()).await?;
    let name = parse_passkey_name(&request.name).map_err(|e| ApiError::from(e).on_field("name"))?;
    let user = &current.user;
    let existing = list_passkeys(&state.table, &user.id).await?;
    // Every passkey of a user shares one user handle, so an authenticator keeps one per account.
    let handle = existing
        .first()
        .and_then(|p| Uuid::parse_str(&p.user_handle).ok())
        .unwrap_or_else(Uuid::new_v4);
    let exclude = existing
        .iter()
        .filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok())
        .collect();
    let (options, registration) = registration::start(&rp, handle, user.email.as_str(), exclude)?;
    let kept = (name, registration);
    let jar = ceremony::start(&state, jar, PURPOSE, Some(&user.id), &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all)]
async fn finish(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    FreshApiUser(current): FreshApiUser,
    ip: ClientIp,
    jar: CookieJar,
    JsonBody(response): JsonBody<RegisterPublicKeyCredential>,
) -> Result<Response, ApiError> {
    let user_id = current.user.id.as_str();
    let added =
        async {
            let (jar, (name, registration)) = ceremony::finish::<(
                String,
                registration::Registration,
            )>(&state, jar, PURPOSE, Some(user_id))
            .await?;
            let new = registration::finish(&rp, &response, &registration, &name)?;
            add_passkey(&state.table, user_id, new).await?;
            Ok::<_, ApiError>(jar)
        };
    match added.await {
        Ok(jar) => Ok((
            jar,
            Json(Next {
                redirect: "/settings?done=added",
            }),
        )
            .into_response()),
        Err(e) => Err(count_failure(&state.table, ip, e).await),
    }
}

//! Sign-up with an email address and a passkey, no password.
//!
//! 1. `GET /sign-up`: the form. `passkeys.js` takes over its submit.
//! 2. `POST /sign-up/options` (JSON `{email}`): checks the address, stores a ceremony item
//!    with a fresh random user handle, sets the ceremony cookie, answers the creation options.
//! 3. The browser creates the passkey (`navigator.credentials.create`).
//! 4. `POST /sign-up/finish` (JSON credential): takes the ceremony, verifies the answer, and
//!    writes user + email claim + passkey + credential claim in one transaction; then starts a
//!    session and answers `{"redirect": "/"}`.

use crate::api::Next;
use crate::limits::{CEREMONY_STARTS, counting_failures};
use crate::registration::{self, Registration};
use crate::script::{passkey_support, signed_out_page};
use auth_core::email::EmailAddress;
use auth_core::passkey::create_user_with_passkey;
use auth_core::user::{get_user_by_email, new_user};
use auth_web::AppState;
use auth_web::json::{ApiError, ApiResult, JsonBody};
use auth_web::session::new_account_session;
use auth_web::view::{Alert, Field, page};
use auth_web::webauthn::{WebauthnRequest, ceremony};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use leptos::prelude::*;
use serde::Deserialize;
use webauthn_rs::prelude::{RegisterPublicKeyCredential, Uuid};

/// The ceremony purpose: a ceremony started for anything else never finishes here.
const PURPOSE: &str = "sign-up";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-up", signed_out_page(render))
        .route("/sign-up/options", post(options))
        .route("/sign-up/finish", post(finish))
}

/// The name the first passkey gets; the user can rename it in settings.
const FIRST_PASSKEY_NAME: &str = "First passkey";

#[derive(Default, Deserialize)]
#[serde(default)]
struct SignUpRequest {
    email: String,
}

#[tracing::instrument(skip_all)]
async fn options(w: WebauthnRequest, JsonBody(request): JsonBody<SignUpRequest>) -> ApiResult {
    let WebauthnRequest {
        state,
        rp,
        jar,
        client,
        ..
    } = w;
    CEREMONY_STARTS.take(&state.table, &client.key()).await?;
    let email =
        EmailAddress::parse(&request.email).map_err(|e| ApiError::from(e).on_field("email"))?;
    if get_user_by_email(&state.table, &email).await?.is_some() {
        return Err(ApiError::from(auth_core::Error::EmailTaken).on_field("email"));
    }
    let (options, registration) = registration::start(&rp, Uuid::new_v4(), email.as_str(), None)?;
    let kept = (email, registration);
    let jar = ceremony::start(&state, jar, PURPOSE, None, &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all)]
async fn finish(
    w: WebauthnRequest,
    JsonBody(response): JsonBody<RegisterPublicKeyCredential>,
) -> ApiResult {
    counting_failures(&w, create_account(&w, &response)).await
}

async fn create_account(w: &WebauthnRequest, response: &RegisterPublicKeyCredential) -> ApiResult {
    let state = &w.state;
    let (jar, (email, registration)) =
        ceremony::finish::<(EmailAddress, Registration)>(state, w.jar.clone(), PURPOSE, None)
            .await?;
    let new = registration::finish(&w.rp, response, &registration, FIRST_PASSKEY_NAME)?;
    let user = new_user(&state.table, &email, None, false);
    let (session, cookie) = new_account_session(state, &w.headers, &user.id)?;
    create_user_with_passkey(&state.table, &user, new, vec![session]).await?;
    Ok((jar.add(cookie), Json(Next { redirect: "/" })).into_response())
}

fn render(status: StatusCode, error: Option<String>) -> Response {
    let body = view! {
        <Alert message=error/>
        {passkey_support()}
        <form method="post" action="/sign-up" data-passkey="create"
            data-options="/sign-up/options" data-finish="/sign-up/finish">
            <Field label="Email" name="email" kind="email" autocomplete="email"/>
            <button type="submit">"Create account with a passkey"</button>
        </form>
        <p class="muted">"Your device will ask you to create a passkey: a key pair whose private "
            "half never leaves it. No password to remember."</p>
        <p class="muted">"Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

//! Sign-in with a passkey, without typing anything.
//!
//! 1. `GET /sign-in`: a button, and an optional email field marked
//!    `autocomplete="username webauthn"`, where browsers with passkey autofill (conditional
//!    UI) suggest the passkeys for this site. What is typed there is not used: the passkey
//!    names its account.
//! 2. `POST /sign-in/options`: stores a ceremony item, sets the ceremony cookie, answers
//!    request options with a fresh challenge and no credential list (discoverable).
//! 3. The browser asks the authenticator (`navigator.credentials.get`).
//! 4. `POST /sign-in/finish` (JSON assertion): takes the ceremony and reads the credential's
//!    claim at the same time (one round trip for both), verifies the assertion (see
//!    `authentication`), writes the session and the passkey's use in one transaction and
//!    answers `{"redirect": "/"}`.

use crate::api::sign_in_and_answer;
use crate::authentication;
use crate::limits::{CEREMONY_STARTS, counting_failures};
use crate::script::{passkey_support, signed_out_page};
use auth_core::passkey::credential_owner;
use auth_web::AppState;
use auth_web::json::{ApiResult, JsonBody};
use auth_web::view::{Alert, Field, page};
use auth_web::webauthn::{WebauthnRequest, asserted_id, ceremony};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use leptos::prelude::*;
use webauthn_rs::prelude::{DiscoverableAuthentication, PublicKeyCredential};

/// The ceremony purpose: a ceremony started for anything else never finishes here.
const PURPOSE: &str = "sign-in";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", signed_out_page(render))
        .route("/sign-in/options", post(options))
        .route("/sign-in/finish", post(finish))
}

#[tracing::instrument(skip_all)]
async fn options(w: WebauthnRequest) -> ApiResult {
    CEREMONY_STARTS
        .take(&w.state.table, &w.client.key())
        .await?;
    let (options, authentication) = authentication::start(&w.rp)?;
    let jar = ceremony::start(&w.state, w.jar, PURPOSE, None, &authentication).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all)]
async fn finish(
    w: WebauthnRequest,
    JsonBody(response): JsonBody<PublicKeyCredential>,
) -> ApiResult {
    counting_failures(&w, sign_in(&w, &response)).await
}

async fn sign_in(w: &WebauthnRequest, response: &PublicKeyCredential) -> ApiResult {
    let (state, table) = (&w.state, &w.state.table);
    // Neither call needs the other's answer: the ceremony is taken (single use) while the
    // credential's claim names its user.
    let credential_id = asserted_id(response);
    let ((jar, authentication), owner) = tokio::try_join!(
        ceremony::finish::<DiscoverableAuthentication>(state, w.jar.clone(), PURPOSE, None),
        credential_owner(table, &credential_id),
    )?;
    let (passkey, used) =
        authentication::finish(table, &w.rp, response, authentication, owner).await?;
    sign_in_and_answer(state, &passkey.user_id, vec![used], &w.headers, jar, "/").await
}

fn render(status: StatusCode, error: Option<String>) -> Response {
    let body = view! {
        <Alert message=error/>
        {passkey_support()}
        <form method="post" action="/sign-in" data-passkey="get"
            data-options="/sign-in/options" data-finish="/sign-in/finish">
            <Field label="Email" name="username" autocomplete="username webauthn" required=false
                hint="Optional. Your browser may suggest your passkeys here."/>
            <button type="submit">"Sign in with a passkey"</button>
        </form>
        <p class="muted">"No account yet? "<a href="/sign-up">"Create one"</a></p>
    };
    (status, page("Sign in", None, body)).into_response()
}

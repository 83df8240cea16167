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
use crate::limits::{CEREMONY_STARTS, count_failure};
use crate::script::{NEEDS_JAVASCRIPT, passkey_support};
use auth_core::passkey::credential_owner;
use auth_web::client_ip::ClientIp;
use auth_web::json::{ApiError, JsonBody};
use auth_web::view::{Alert, Field, page};
use auth_web::webauthn::RelyingParty;
use auth_web::webauthn::ceremony;
use auth_web::{AppState, SignedOut};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use axum_extra::extract::cookie::CookieJar;
use leptos::prelude::*;
use webauthn_rs::prelude::{DiscoverableAuthentication, PublicKeyCredential};

/// The ceremony purpose: a ceremony started for anything else never finishes here.
const PURPOSE: &str = "sign-in";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(show).post(without_javascript))
        .route("/sign-in/options", post(options))
        .route("/sign-in/finish", post(finish))
}

async fn show(_: SignedOut) -> Response {
    render(StatusCode::OK, None)
}

async fn without_javascript() -> Response {
    render(StatusCode::BAD_REQUEST, Some(NEEDS_JAVASCRIPT.into()))
}

#[tracing::instrument(skip_all)]
async fn options(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    ip: ClientIp,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    CEREMONY_STARTS.take(&state.table, &ip.key()).await?;
    let (options, authentication) = authentication::start(&rp)?;
    let jar = ceremony::start(&state, jar, PURPOSE, None, &authentication).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all)]
async fn finish(
    State(state): State<AppState>,
    Extension(rp): Extension<RelyingParty>,
    ip: ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    JsonBody(response): JsonBody<PublicKeyCredential>,
) -> Result<Response, ApiError> {
    let signed_in = async {
        // Neither call needs the other's answer: the ceremony is taken (single use) while the
        // credential's claim names its user.
        let credential_id = authentication::credential_id(&response);
        let ((jar, authentication), owner) = tokio::try_join!(
            ceremony::finish::<DiscoverableAuthentication>(&state, jar, PURPOSE, None),
            credential_owner(&state.table, &credential_id),
        )?;
        let (passkey, used) =
            authentication::finish(&state.table, &rp, &response, authentication, owner).await?;
        sign_in_and_answer(&state, &passkey.user_id, vec![used], &headers, jar, "/").await
    };
    match signed_in.await {
        Ok(answer) => Ok(answer),
        Err(e) => Err(count_failure(&state.table, ip, e).await),
    }
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

//! The fresh proof of this example: a passkey of the signed-in user, with user verification
//! (a fingerprint, a face, a PIN). Adding, renaming or deleting a passkey, signing out
//! everywhere and deleting the account need a proof younger than `REAUTH_WINDOW_SECS`; an
//! older session is sent here (`auth_web::reauth::FreshUser`, or `crate::api::FreshApiUser`
//! for the script's JSON calls) and comes back to where it was.
//!
//! 1. `GET /reauth?next=…`: a button; `passkeys.js` runs the ceremony.
//! 2. `POST /reauth/options` (JSON `{next}`): request options that list only this user's
//!    passkeys in `allowCredentials`, user verification required. The ceremony item (purpose
//!    `reauth`) records the user and, as its subject, where to go afterwards.
//! 3. The browser asks the authenticator (`navigator.credentials.get`).
//! 4. `POST /reauth/finish` (JSON assertion): takes the ceremony (single use, and only this
//!    user's) while reading the passkey the assertion names under this user, in one round trip;
//!    webauthn-rs accepts only a credential the options listed. Then `AuthenticatedAt = now` and
//!    the passkey's use go in one transaction, and the script goes to `next`.
//!
//! Another user's passkey is refused twice over: it is not under this user, and it was not in
//! the list the challenge was issued for.

use crate::api;
use crate::authentication;
use crate::limits::{CEREMONY_STARTS, counting_failures};
use crate::script::{NEEDS_JAVASCRIPT, passkey_support};
use auth_core::passkey::{get_passkey, list_passkeys};
use auth_core::session::record_proof;
use auth_web::json::{ApiResult, ApiUser, JsonBody};
use auth_web::reauth::{Next, REAUTH_PATH, return_to};
use auth_web::view::{Alert, page};
use auth_web::webauthn::{WebauthnRequest, asserted_id, ceremony};
use auth_web::{AppState, AuthUser, Form};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::*;
use webauthn_rs::prelude::{PasskeyAuthentication, PublicKeyCredential};

/// The ceremony purpose: a ceremony started for anything else never finishes here.
const PURPOSE: &str = "reauth";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(REAUTH_PATH, get(show).post(without_javascript))
        .route("/reauth/options", post(options))
        .route("/reauth/finish", post(finish))
}

async fn show(current: AuthUser, Query(next): Query<Next>) -> Response {
    render(&current, return_to(&next.next), StatusCode::OK, None)
}

async fn without_javascript(current: AuthUser, Form(next): Form<Next>) -> Response {
    let error = Some(NEEDS_JAVASCRIPT.into());
    render(
        &current,
        return_to(&next.next),
        StatusCode::BAD_REQUEST,
        error,
    )
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn options(
    w: WebauthnRequest,
    ApiUser(current): ApiUser,
    JsonBody(to): JsonBody<Next>,
) -> ApiResult {
    let (state, table) = (&w.state, &w.state.table);
    CEREMONY_STARTS.take(table, &w.client.key()).await?;
    let user_id = current.user.id.as_str();
    let passkeys = list_passkeys(table, user_id).await?;
    let (options, authentication) = authentication::start_for_user(&w.rp, &passkeys)?;
    let kept = (return_to(&to.next), authentication);
    let jar = ceremony::start(state, w.jar, PURPOSE, Some(user_id), &kept).await?;
    Ok((jar, Json(options)).into_response())
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn finish(
    w: WebauthnRequest,
    ApiUser(current): ApiUser,
    JsonBody(response): JsonBody<PublicKeyCredential>,
) -> ApiResult {
    counting_failures(&w, prove(&w, &current, &response)).await
}

/// The ceremony taken and the passkey read at once, the signature checked, then the proof
/// and the passkey's use in one write.
async fn prove(
    w: &WebauthnRequest,
    current: &AuthUser,
    response: &PublicKeyCredential,
) -> ApiResult {
    let (table, user_id) = (&w.state.table, current.user.id.as_str());
    let credential_id = asserted_id(response);
    let finish = ceremony::finish::<(String, PasskeyAuthentication)>;
    let ((jar, (next, authentication)), stored) = tokio::try_join!(
        finish(&w.state, w.jar.clone(), PURPOSE, Some(user_id)),
        get_passkey(table, user_id, &credential_id),
    )?;
    let used =
        authentication::finish_for_user(table, &w.rp, response, &authentication, stored.as_ref())?;
    record_proof(table, &current.session, vec![used]).await?;
    let next = return_to(&next);
    Ok((jar, Json(api::Next { redirect: next })).into_response())
}

fn render(current: &AuthUser, next: &str, status: StatusCode, error: Option<String>) -> Response {
    let next = next.to_owned();
    let body = view! {
        <p>"For your security, confirm it is you with one of your passkeys before you continue."</p>
        <Alert message=error/>
        {passkey_support()}
        <form method="post" action=REAUTH_PATH data-passkey="get"
            data-options="/reauth/options" data-finish="/reauth/finish">
            <input type="hidden" name="next" value=next/>
            <button type="submit">"Confirm with a passkey"</button>
        </form>
    };
    (status, page("Confirm it is you", Some(&current.user), body)).into_response()
}

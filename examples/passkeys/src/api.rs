//! What a finished ceremony answers: where the script should go next, with the session
//! cookie set when it signed someone in. Errors and the signed-in user, for JSON endpoints,
//! are `auth_web::json`'s.

use auth_core::TxItem;
use auth_web::AppState;
use auth_web::cookie::CookieJar;
use auth_web::json::ApiResult;
use auth_web::session::start_session;
use axum::Json;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde::Serialize;

/// A successful finish: where the script should go next.
#[derive(Serialize)]
pub struct Next<'a> {
    pub redirect: &'a str,
}

/// Starts a session for the user, committing `also` (the passkey's use) in the same write, and
/// answers where to go next, with the session cookie set (the JSON counterpart of
/// `auth_web::session::sign_in_and_redirect`).
pub async fn sign_in_and_answer(
    state: &AppState,
    user_id: &str,
    also: Vec<TxItem>,
    headers: &HeaderMap,
    jar: CookieJar,
    to: &str,
) -> ApiResult {
    let cookies = start_session(state, headers, user_id, also, None).await?;
    Ok((jar, cookies, Json(Next { redirect: to })).into_response())
}

//! The JSON side of the ceremonies: what `passkeys.js` posts and reads back.
//!
//! Every answer is JSON, errors included (`{"error": "…"}` with a 4xx or 5xx status), so the
//! script can show the message in the page. The layers every POST passes (the CSRF origin
//! check, the per-IP limit) still answer with their own pages; the script shows their status.

use auth_web::AppError;
use auth_web::AppState;
use auth_web::cookie::CookieJar;
use auth_web::error::{log, with_retry_after};
use auth_web::session::start_session;
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

/// A refused or failed JSON call: a status and a message a user can read.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<time::Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// True for the user's side of things (a bad or replayed answer), not for limits or outages.
    pub fn is_refusal(&self) -> bool {
        self.status.is_client_error() && self.status != StatusCode::TOO_MANY_REQUESTS
    }

    /// The ceremony could not be verified; the message says what the user can do.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// An error as `auth_web::error` explains it: the same words as on every page.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let explanation = e.explain();
        log(&e, &explanation);
        Self {
            status: explanation.status,
            message: explanation.message,
            retry_after: explanation.retry_after,
        }
    }
}

impl From<auth_core::Error> for ApiError {
    fn from(e: auth_core::Error) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::info!(status = %self.status, message = %self.message, "passkey request refused");
        let response = (self.status, Json(json!({ "error": self.message }))).into_response();
        with_retry_after(response, self.retry_after)
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s: malformed JSON is a 400 with a message.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "The request is too large."),
            ),
            Err(_) => Err(ApiError::refused(
                "The browser sent something the app could not read. Please try again.",
            )),
        }
    }
}

/// A successful finish: where the script should go next.
#[derive(Serialize)]
pub struct Next {
    pub redirect: &'static str,
}

/// Starts a session for the user and answers where to go next, with the session cookie set
/// (the JSON counterpart of `auth_web::session::sign_in_and_redirect`).
pub async fn sign_in_and_answer(
    state: &AppState,
    user_id: &str,
    headers: &HeaderMap,
    jar: CookieJar,
    to: &'static str,
) -> Result<Response, ApiError> {
    let cookies = start_session(state, headers, user_id, vec![], None).await?;
    Ok((jar, cookies, Json(Next { redirect: to })).into_response())
}

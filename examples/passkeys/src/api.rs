//! The JSON side of the ceremonies: what `passkeys.js` posts and reads back.
//!
//! Every answer is JSON, errors included (`{"error": "…"}` with a 4xx or 5xx status), so the
//! script can show the message in the page. The layers every POST passes (the CSRF origin
//! check, the per-IP limit) still answer with their own pages; the script shows their status.

use auth_core::session::create_session;
use auth_web::AppState;
use auth_web::session::session_cookie;
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::USER_AGENT;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
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

impl From<auth_core::Error> for ApiError {
    fn from(e: auth_core::Error) -> Self {
        use auth_core::Error as E;
        match e {
            E::InvalidInput(message) => Self::refused(message),
            E::EmailTaken => Self::new(
                StatusCode::CONFLICT,
                "That email is already registered. Sign in instead?",
            ),
            E::NotFound => Self::new(StatusCode::NOT_FOUND, "That passkey does not exist."),
            E::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, e.to_string())
            },
            E::Unavailable(_) => {
                tracing::error!(error = %e, "passkey request failed");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The app cannot reach its database right now. Please try again in a moment.",
                )
            }
            other => {
                tracing::error!(error = %other, "passkey request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The app hit an unexpected error. Please try again.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::info!(status = %self.status, message = %self.message, "passkey request refused");
        let mut response = (self.status, Json(json!({ "error": self.message }))).into_response();
        if let Some(wait) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", auth_web::error::retry_after_seconds(wait));
        }
        response
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
pub struct Redirect {
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
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (token, _) = create_session(&state.table, user_id, user_agent).await?;
    let jar = jar.add(session_cookie(state, &token));
    Ok((jar, Json(Redirect { redirect: to })).into_response())
}

//! JSON answers for the few requests a page's script makes itself (WebAuthn options): every
//! answer is JSON, errors included (`{"error": "…"}` with a 4xx or 5xx status), so the
//! script can show the message in the page. The layers every POST passes (the CSRF origin
//! check, the per-client limit) still answer with their own pages; the script shows their
//! status.

use crate::error::{AppError, log, with_retry_after};
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    /// The request cannot be served as sent; the message says what the user can do.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// An error as `crate::error` explains it: the same words as on every page.
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
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge.into())
            }
            Err(_) => Err(ApiError::refused(
                "The browser sent something the app could not read. Please try again.",
            )),
        }
    }
}

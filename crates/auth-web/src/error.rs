//! One error type for handlers. Users get a page with the right status and no internals;
//! the log gets the cause.

use crate::view::page;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A request that must come from the app's own pages did not (CSRF check).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// A concurrent change won, or something that must be unique is taken.
    #[error("conflict: {0}")]
    Conflict(#[source] auth_core::Error),
    #[error("rate limited for {0}")]
    RateLimited(Duration),
    /// DynamoDB (or another service the app needs) did not answer.
    #[error("service unavailable: {0}")]
    Unavailable(#[source] auth_core::Error),
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<auth_core::Error> for AppError {
    fn from(e: auth_core::Error) -> Self {
        use auth_core::Error as E;
        match e {
            E::NotFound => Self::NotFound,
            E::RateLimited { retry_after } => Self::RateLimited(retry_after),
            E::InvalidInput(message) => Self::BadRequest(message),
            E::WrongCredentials => Self::BadRequest(e.to_string()),
            E::Unavailable(_) => Self::Unavailable(e),
            E::EmailTaken | E::Conflict(_) => Self::Conflict(e),
            E::SchemaMismatch(_) => Self::Internal(e.into()),
        }
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user reads: a title and one sentence, never a cause from inside.
    fn explain(&self) -> (&'static str, String) {
        match self {
            Self::NotFound => ("Page not found", "There is nothing at this address.".into()),
            Self::Forbidden(_) => (
                "Request refused",
                "This form was sent from another site, so it was not accepted. Go back to the \
                 app's own page and try again."
                    .into(),
            ),
            Self::BadRequest(message) => ("Something is wrong with that request", message.clone()),
            Self::PayloadTooLarge => (
                "Too much data",
                "That form sent more data than the app accepts.".into(),
            ),
            Self::Conflict(auth_core::Error::EmailTaken) => (
                "Email already registered",
                "That email address belongs to another account.".into(),
            ),
            Self::Conflict(_) => (
                "Changed in the meantime",
                "Something changed while you were doing this. Please reload and try again.".into(),
            ),
            Self::RateLimited(wait) => (
                "Too many requests",
                format!(
                    "Too many requests, try again in {}.",
                    auth_core::error::wait_text(*wait)
                ),
            ),
            Self::Unavailable(_) => (
                "Temporarily unavailable",
                "The app cannot reach its database right now. Please try again in a moment.".into(),
            ),
            Self::Internal(_) => (
                "Something went wrong",
                "The app hit an unexpected error. It has been logged.".into(),
            ),
        }
    }
}

/// Seconds to put in `Retry-After`, rounded up to at least one.
pub fn retry_after_seconds(wait: Duration) -> HeaderValue {
    HeaderValue::from(wait.whole_seconds().max(1))
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        let (title, message) = self.explain();
        let body = view! { <p>{message}</p><p><a href="/">"Back to the home page"</a></p> };
        let mut response = (status, page(title, None, body)).into_response();
        if let Self::RateLimited(wait) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_seconds(wait));
        }
        response
    }
}

//! Why a flow stops early: either the user's form comes back with a message (a wrong password
//! or code, a rate limit, an email that could not be sent), or an error page (the store is
//! down). Handlers return `Result<_, Stop>` from their checks, so they read as a straight line
//! of early returns, and `Stop::render` re-renders the form with the user's input.

use crate::AppError;
use crate::error::retry_after_seconds;
use crate::mail::MailError;
use axum::http::{StatusCode, header};
use axum::response::Response;
use time::Duration;

pub enum Stop {
    /// Re-render the form with this status and message.
    Refuse {
        status: StatusCode,
        message: String,
        retry_after: Option<Duration>,
    },
    /// Show an error page.
    Fail(AppError),
}

impl Stop {
    pub fn refuse(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Refuse {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The form from `render` with the message (and `Retry-After` for a rate limit), or the
    /// error page.
    pub fn render(
        self,
        render: impl FnOnce(StatusCode, String) -> Response,
    ) -> Result<Response, AppError> {
        match self {
            Self::Refuse {
                status,
                message,
                retry_after,
            } => {
                let mut response = render(status, message);
                if let Some(wait) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, retry_after_seconds(wait));
                }
                Ok(response)
            }
            Self::Fail(e) => Err(e),
        }
    }
}

/// The errors a user can fix (or wait out) go back to the form; the rest are error pages.
impl From<auth_core::Error> for Stop {
    fn from(e: auth_core::Error) -> Self {
        use auth_core::Error as E;
        let status = match e {
            E::RateLimited { retry_after } => {
                return Self::Refuse {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    message: e.to_string(),
                    retry_after: Some(retry_after),
                };
            }
            E::InvalidInput(_) => StatusCode::BAD_REQUEST,
            E::WrongCredentials => StatusCode::UNAUTHORIZED,
            E::EmailTaken => StatusCode::CONFLICT,
            other => return Self::Fail(other.into()),
        };
        Self::refuse(status, e.to_string())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Self::Fail(e)
    }
}

/// The mail server refused or could not be reached: nothing was stored, the user may retry.
impl From<MailError> for Stop {
    fn from(e: MailError) -> Self {
        tracing::warn!("{e}");
        Self::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "We could not send the email. Check the address, or try again in a few minutes.",
        )
    }
}

//! Why a form's flow stops early: either the form comes back with a message the user can act
//! on (a wrong password or code, a rate limit, an email that could not be sent), or an error
//! page (the store is down). Handlers return `Result<_, FormError>` from their checks, so they
//! read as a straight line of early returns, and [`FormError::render`] shows the form again
//! with the user's input, the message and the right status.
//!
//! A refusal about one input also names its field ([`FormError::on_field`], where the input is
//! parsed), and the form marks that field ([`FormError::field`]; see `crate::view::Field`):
//! "Use at least 8 characters" is then read with the password field, not only at the top.

use crate::error::PageResult;
use crate::error::{AppError, Explanation, explain, log, with_retry_after};
use crate::mail::MailError;
use axum::http::StatusCode;

pub enum FormError {
    /// Show the form again with this explanation.
    Refused(Explanation),
    /// Show an error page.
    Failed(AppError),
}

impl FormError {
    pub fn refuse(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Refused(Explanation::new(status, "", message))
    }

    /// The refusal is about the form field `name`. An error page stays an error page.
    pub fn on_field(mut self, name: &'static str) -> Self {
        if let Self::Refused(explanation) = &mut self {
            explanation.field = Some(name);
        }
        self
    }

    /// The form field the refusal is about, if one: to mark it when the form is shown again.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Refused(explanation) => explanation.field,
            Self::Failed(_) => None,
        }
    }

    /// The form from `render` (given the status and the message), with `Retry-After` when the
    /// user must wait; or the error page.
    pub async fn render(
        self,
        render: impl AsyncFnOnce(StatusCode, String) -> PageResult,
    ) -> PageResult {
        match self {
            Self::Refused(explanation) => {
                let response = render(explanation.status, explanation.message.clone()).await?;
                Ok(with_retry_after(response, explanation.retry_after))
            }
            Self::Failed(e) => Err(e),
        }
    }
}

/// The errors a user can fix (or wait out) go back to the form; the rest are error pages.
impl From<auth_core::Error> for FormError {
    fn from(e: auth_core::Error) -> Self {
        let explanation = explain(&e);
        if explanation.is_for_the_user() {
            log(&e, &explanation);
            Self::Refused(explanation)
        } else {
            Self::Failed(e.into())
        }
    }
}

impl From<AppError> for FormError {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

/// The mail server refused or could not be reached: nothing was stored, the user may retry.
impl From<MailError> for FormError {
    fn from(e: MailError) -> Self {
        tracing::warn!("{e}");
        Self::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "We could not send the email. Check the address, or try again in a few minutes.",
        )
    }
}

//! What users are told when something is refused or fails: [`explain`] is the one mapping from
//! an `auth_core::Error` to a status, a message and `Retry-After`. Every way of presenting an
//! error uses it: an error page ([`AppError`]), a form shown again with its message
//! (`crate::form_error::FormError`), a JSON answer (the passkeys script). Users get a clear
//! message and no internals; the log gets the cause.

use crate::view::page;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use time::Duration;

/// A core error as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub status: StatusCode,
    /// A short heading, for a page of its own.
    pub title: &'static str,
    /// One or two sentences, safe to show.
    pub message: String,
    pub retry_after: Option<Duration>,
    /// The form field the refusal is about, when it is about one: a form marks that field too
    /// (`crate::form_error::FormError::on_field`). `None` from [`explain`], which cannot know
    /// which field an input came from.
    pub field: Option<&'static str>,
}

impl Explanation {
    pub(crate) fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            retry_after: None,
            field: None,
        }
    }

    /// True for what the user can fix or wait out (4xx, and a busy 503); false for our faults
    /// and outages, which are logged as errors.
    pub fn is_for_the_user(&self) -> bool {
        self.status.is_client_error() || self.retry_after.is_some()
    }
}

/// The one mapping from a core error to what the user sees.
pub fn explain(e: &auth_core::Error) -> Explanation {
    use auth_core::Error as E;
    let conflict = |title, message: String| Explanation::new(StatusCode::CONFLICT, title, message);
    match e {
        E::NotFound => Explanation::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "That does not exist, or no longer does.",
        ),
        E::EmailTaken => conflict("Email already registered", e.to_string()),
        E::AccountAlreadyLinked => conflict("Account linked elsewhere", e.to_string()),
        E::CredentialTaken => conflict("Already registered", e.to_string()),
        E::LastSignInMethod => conflict("Your only way to sign in", e.to_string()),
        E::WrongCredentials => {
            Explanation::new(StatusCode::UNAUTHORIZED, "Not signed in", e.to_string())
        }
        E::WrongCode => Explanation::new(StatusCode::UNAUTHORIZED, "Wrong code", e.to_string()),
        E::InvalidInput(message) => Explanation::new(
            StatusCode::BAD_REQUEST,
            "Something is wrong with that request",
            message.clone(),
        ),
        E::RateLimited { retry_after } => Explanation {
            retry_after: Some(*retry_after),
            ..Explanation::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                e.to_string(),
            )
        },
        E::Busy { retry_after } => Explanation {
            retry_after: Some(*retry_after),
            ..Explanation::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy",
                format!(
                    "The app is busy right now. Please try again in {}.",
                    auth_core::error::wait_text(*retry_after)
                ),
            )
        },
        E::Conflict(_) => conflict(
            "Changed in the meantime",
            "Something changed while you were doing this. Please reload and try again.".into(),
        ),
        E::Unavailable(_) => Explanation::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Temporarily unavailable",
            "The app cannot reach its database right now. Please try again in a moment.",
        ),
        E::SchemaMismatch(_) | E::Corrupt(_) => internal(),
    }
}

fn internal() -> Explanation {
    Explanation::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The app hit an unexpected error. It has been logged.",
    )
}

/// What a handler that answers with a page returns.
pub type PageResult = Result<axum::response::Response, AppError>;

/// One error type for handlers that answer with a page.
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
    #[error(transparent)]
    Core(#[from] auth_core::Error),
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn explain(&self) -> Explanation {
        match self {
            Self::NotFound => Explanation::new(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address.",
            ),
            Self::Forbidden(_) => Explanation::new(
                StatusCode::FORBIDDEN,
                "Request refused",
                "This form was sent from another site, so it was not accepted. Go back to the \
                 app's own page and try again.",
            ),
            Self::BadRequest(message) => Explanation::new(
                StatusCode::BAD_REQUEST,
                "Something is wrong with that request",
                message.clone(),
            ),
            Self::PayloadTooLarge => Explanation::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much data",
                "That form sent more data than the app accepts.",
            ),
            Self::Core(e) => explain(e),
            Self::Internal(_) => internal(),
        }
    }
}

/// Seconds to put in `Retry-After`, rounded up to at least one.
pub fn retry_after_seconds(wait: Duration) -> HeaderValue {
    HeaderValue::from(wait.whole_seconds().max(1))
}

/// Logs an error the way every presenter does: refusals at info, our faults as errors.
pub fn log(error: &dyn std::error::Error, explanation: &Explanation) {
    if explanation.is_for_the_user() {
        tracing::info!(status = %explanation.status, %error, "request refused");
    } else {
        tracing::error!(status = %explanation.status, %error, source = ?error.source(), "request failed");
    }
}

/// Adds `Retry-After` to a response when there is a wait.
pub fn with_retry_after(mut response: Response, wait: Option<Duration>) -> Response {
    if let Some(wait) = wait {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after_seconds(wait));
    }
    response
}

/// Marks a response as an error page, so the session layer can render it again with the
/// signed-in user's header (`crate::session`); the page itself was rendered signed out.
#[derive(Clone, Debug)]
pub struct ErrorPage(pub Explanation);

/// The error page's body, for whoever is signed in.
pub fn error_page_body(
    explanation: &Explanation,
    user: Option<&auth_core::user::User>,
) -> axum::response::Html<String> {
    let message = explanation.message.clone();
    let body = view! { <p>{message}</p><p><a href="/">"Back to the home page"</a></p> };
    page(explanation.title, user, body)
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let explanation = self.explain();
        log(&self, &explanation);
        let mut response =
            (explanation.status, error_page_body(&explanation, None)).into_response();
        response = with_retry_after(response, explanation.retry_after);
        response.extensions_mut().insert(ErrorPage(explanation));
        response
    }
}

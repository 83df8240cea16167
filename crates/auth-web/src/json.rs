//! JSON answers for the requests a page's script makes itself (WebAuthn options and
//! finishes): every answer is JSON, errors included (`{"error": "…"}` with a 4xx or 5xx
//! status), so the script can show the message in the page. A session that must prove who
//! its user is first (too old a proof, or a second factor still to come) is one of them too:
//! `"reauth": "<page>"` says where the script should send the browser, since it cannot follow
//! a redirect to a page in place of JSON. A refusal about one form field names it
//! (`"field": "email"`). The layers every POST passes (the CSRF origin check,
//! the per-client limit) still answer with their own pages; the script shows their status.

use crate::error::{AppError, log, with_retry_after};
use crate::reauth::proof_url;
use crate::session::{AuthUser, Visitor, second_factor_url, visitor};
use crate::state::AppState;
use auth_core::session::is_fresh;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// What a JSON endpoint answers.
pub type ApiResult = Result<Response, ApiError>;

/// A refused or failed JSON call: a status and a message a user can read.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<time::Duration>,
    /// Where to prove who the user is before trying again.
    reauth: Option<String>,
    /// The form field the refusal is about, if one: the script marks it, as the
    /// server-rendered forms do.
    field: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
            reauth: None,
            field: None,
        }
    }

    /// The refusal is about the form field `name` (set where the input is parsed).
    pub fn on_field(self, name: &'static str) -> Self {
        Self {
            field: Some(name),
            ..self
        }
    }

    /// The request cannot be served as sent; the message says what the user can do.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// True for the user's side of things (a bad or replayed answer), not for limits or outages.
    pub fn is_refusal(&self) -> bool {
        self.status.is_client_error() && self.status != StatusCode::TOO_MANY_REQUESTS
    }

    fn prove_first(message: &str, reauth: String) -> Self {
        Self {
            reauth: Some(reauth),
            ..Self::new(StatusCode::FORBIDDEN, message)
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
            reauth: None,
            field: None,
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
        tracing::info!(status = %self.status, message = %self.message, "JSON request refused");
        let mut body = json!({ "error": self.message });
        if let Some(reauth) = self.reauth {
            body["reauth"] = reauth.into();
        }
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        let response = (self.status, Json(body)).into_response();
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

/// The signed-in user, for a JSON endpoint: signed out is a JSON refusal (401), not the
/// redirect to the sign-in page that [`AuthUser`] answers with.
pub struct ApiUser(pub AuthUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match visitor(parts, state).await? {
            Visitor::SignedIn(current) => Ok(Self(current)),
            Visitor::AwaitsSecondFactor(_) => Err(ApiError::prove_first(
                "Finish signing in with your second factor first.",
                second_factor_url("/"),
            )),
            Visitor::SignedOut => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "You are signed out. Sign in again to continue.",
            )),
        }
    }
}

/// [`crate::reauth::FreshUser`] for a JSON endpoint: a signed-in user whose session proved
/// who they are within the re-authentication window. Otherwise 403 with
/// `"reauth": "/reauth?next=<the page the script runs on>"`.
pub struct FreshApiUser(pub AuthUser);

impl FromRequestParts<AppState> for FreshApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(current) = ApiUser::from_request_parts(parts, state).await?;
        if is_fresh(&current.session, &state.config.sessions, state.table.now()) {
            return Ok(Self(current));
        }
        Err(ApiError::prove_first(
            "For your security, confirm it is you first.",
            proof_url(parts, state),
        ))
    }
}

//! The JSON side of the ceremonies: what `passkeys.js` posts and reads back.
//!
//! Every answer is JSON, errors included (`{"error": "…"}` with a 4xx or 5xx status), so the
//! script can show the message in the page; a refusal about one form field names it too
//! (`"field": "email"`), and the script marks that field as the server-rendered forms do. A
//! session whose proof of identity is too old for the action is one of them too: 403 with
//! `"reauth": "/reauth?next=…"`, where the script sends the browser (it cannot follow a
//! redirect to a page in place of JSON). The layers every POST passes (the CSRF origin check,
//! the per-IP limit) still answer with their own pages; the script says what their status
//! means, in words.

use auth_core::TxItem;
use auth_core::session::is_fresh;
use auth_web::cookie::CookieJar;
use auth_web::error::{log, with_retry_after};
use auth_web::reauth::proof_url;
use auth_web::session::start_session;
use auth_web::{AppError, AppState, AuthUser, MaybeUser};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
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
    /// Where to prove who the user is before trying again (a stale session).
    reauth: Option<String>,
    /// The form field the refusal is about, if one.
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
        tracing::info!(status = %self.status, message = %self.message, "passkey request refused");
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
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "The request is too large."),
            ),
            Err(_) => Err(ApiError::refused(
                "The browser sent something the app could not read. Please try again.",
            )),
        }
    }
}

/// The signed-in user, for a JSON endpoint: signed out is a JSON refusal (401), not the
/// redirect to the sign-in page that `AuthUser` answers with.
pub struct ApiUser(pub AuthUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(current)) => Ok(Self(current)),
            MaybeUser(None) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "You are signed out. Sign in again to continue.",
            )),
        }
    }
}

/// `auth_web::reauth::FreshUser` for a JSON endpoint: a signed-in user whose session proved
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
        Err(ApiError {
            reauth: Some(proof_url(parts, state)),
            ..ApiError::new(
                StatusCode::FORBIDDEN,
                "For your security, confirm it is you with a passkey first.",
            )
        })
    }
}

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
) -> Result<Response, ApiError> {
    let cookies = start_session(state, headers, user_id, also, None).await?;
    Ok((jar, cookies, Json(Next { redirect: to })).into_response())
}

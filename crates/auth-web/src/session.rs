//! Sessions on the web side: the cookie, a middleware that validates it once per request, and
//! the `AuthUser` / `MaybeUser` extractors handlers use.
//!
//! The middleware clears a cookie that no longer validates and re-sets one whose expiry was
//! pushed forward, unless the handler set the cookie itself (sign-in, sign-out).

use crate::error::AppError;
use crate::state::AppState;
use auth_core::session::{
    INACTIVITY_TIMEOUT, SessionToken, ValidSession, create_session, invalidate_session,
    validate_session_token,
};
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The cookie's name: `__Host-` prefixed over https, where browsers then enforce Secure,
/// Path=/ and no Domain.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-session"
    } else {
        "session"
    }
}

/// The cookie that carries a session token.
pub fn session_cookie(state: &AppState, token: &SessionToken) -> Cookie<'static> {
    Cookie::build((cookie_name(state), token.to_string()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(state.secure_cookies())
        .max_age(INACTIVITY_TIMEOUT)
        .build()
}

/// A cookie that makes the browser forget the session cookie.
pub fn removal_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = session_cookie_base(state);
    cookie.make_removal();
    cookie
}

fn session_cookie_base(state: &AppState) -> Cookie<'static> {
    Cookie::build((cookie_name(state), ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(state.secure_cookies())
        .build()
}

/// The validation result, stored in request extensions for the extractors.
#[derive(Clone)]
struct CurrentSession(Option<ValidSession>);

/// Validates the session cookie (one DynamoDB round trip) before the handler runs.
pub async fn session_middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let name = cookie_name(&state);
    let Some(token) = raw_cookie(request.headers(), name) else {
        request.extensions_mut().insert(CurrentSession(None));
        return next.run(request).await;
    };
    let valid = match validate_session_token(&state.table, &token).await {
        Ok(valid) => valid,
        Err(e) => return AppError::from(e).into_response(),
    };
    let cookie_update = match &valid {
        None => Some(removal_cookie(&state)),
        Some(v) if v.refreshed => SessionToken::parse(&token).map(|t| session_cookie(&state, &t)),
        Some(_) => None,
    };
    request.extensions_mut().insert(CurrentSession(valid));
    let mut response = next.run(request).await;
    if let Some(cookie) = cookie_update {
        let handler_set_it = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{name}="))));
        if !handler_set_it && let Ok(value) = cookie.encoded().to_string().parse() {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// The cookie's value exactly as sent. Read by hand rather than through a cookie parser,
/// which skips values it cannot decode: those must still reach validation and be cleared.
fn raw_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (n, value) = pair.trim().split_once('=')?;
            (n == name).then(|| value.to_owned())
        })
}

fn current(parts: &Parts) -> Option<ValidSession> {
    parts
        .extensions
        .get::<CurrentSession>()
        .and_then(|c| c.0.clone())
}

/// The signed-in user and session; a signed-out visitor is sent to the sign-in page.
pub struct AuthUser(pub ValidSession);

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        current(parts)
            .map(AuthUser)
            .ok_or_else(|| Redirect::to("/sign-in"))
    }
}

/// The signed-in user and session, if any.
pub struct MaybeUser(pub Option<ValidSession>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(current(parts)))
    }
}

/// Only for visitors who are not signed in (sign-in and sign-up pages); a signed-in user is
/// sent home instead.
pub struct SignedOut;

impl<S: Send + Sync> FromRequestParts<S> for SignedOut {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match current(parts) {
            Some(_) => Err(Redirect::to("/")),
            None => Ok(SignedOut),
        }
    }
}

/// Starts a session for the user and redirects to `to` with the session cookie set.
pub async fn sign_in_and_redirect(
    state: &AppState,
    user_id: &str,
    headers: &HeaderMap,
    to: &str,
) -> Result<Response, AppError> {
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (token, _) = create_session(&state.table, user_id, user_agent).await?;
    let jar = CookieJar::new().add(session_cookie(state, &token));
    Ok((jar, Redirect::to(to)).into_response())
}

/// Clears the session cookie and redirects to `to`; the caller has deleted the item.
pub fn clear_and_redirect(state: &AppState, to: &str) -> Response {
    let jar = CookieJar::new().add(removal_cookie(state));
    (jar, Redirect::to(to)).into_response()
}

/// `POST /sign-out`, the same in every example: deletes this session's item and clears the
/// cookie. A form post, not a link, so another site cannot sign a user out with an image tag.
pub fn sign_out_router() -> Router<AppState> {
    Router::new().route("/sign-out", post(sign_out))
}

async fn sign_out(
    State(state): State<AppState>,
    MaybeUser(session): MaybeUser,
) -> Result<Response, AppError> {
    if let Some(s) = session {
        invalidate_session(&state.table, &s.user.id, &s.session.id).await?;
    }
    Ok(clear_and_redirect(&state, "/"))
}

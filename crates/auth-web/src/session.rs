//! Sessions on the web side: the cookie, its validation, the extractors handlers use, and
//! starting and ending sessions.
//!
//! The session layer validates a request's cookie at most once, and only when something asks
//! for it: an extractor ([`AuthUser`], [`MaybeUser`], [`SignedOut`]) or an error page that
//! shows who is signed in. A request that never asks (the stylesheet, `/healthz`, sign-out)
//! costs no read. Afterwards the layer clears a cookie that did not validate and re-sets one
//! whose expiry was pushed forward, unless the handler set the cookie itself.
//!
//! Two-factor authentication is enforced here, for every page at once: a session that
//! [awaits its second factor](auth_core::session::awaits_second_factor) (the password was
//! right, the second factor is still to come) is not an [`AuthUser`], a [`MaybeUser`] or
//! [`SignedOut`]. Each of them sends it to [`SECOND_FACTOR_PATH`], the example's page that
//! takes the second factor with [`FirstFactorUser`]. Only sign-out, which reads no session,
//! is open to it too.

use crate::cookie::{DEVICE, SESSION};
use crate::error::PageResult;
use crate::error::{AppError, ErrorPage, error_page_body};
use crate::state::AppState;
use auth_core::TxItem;
use auth_core::credentials::Verified;
use auth_core::device::{DEVICE_LIFETIME, DeviceToken};
use auth_core::session::{
    Session, SessionToken, ValidSession, awaits_second_factor, create_session,
    invalidate_session_token, new_session, validate_session_token,
};
use auth_core::user::User;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// This request's session cookie and its validation, done once when first needed.
#[derive(Clone)]
struct Current {
    token: Option<String>,
    checked: Arc<OnceCell<Option<ValidSession>>>,
}

impl Current {
    async fn get(&self, state: &AppState) -> Result<Option<ValidSession>, AppError> {
        let Some(token) = &self.token else {
            return Ok(None);
        };
        let checked = self
            .checked
            .get_or_try_init(|| validate_session_token(&state.table, &state.config.sessions, token))
            .await?;
        Ok(checked.clone())
    }

    /// The cookie to send back: a removal when the cookie did not validate, a fresh one when
    /// validation pushed the expiry forward, nothing otherwise (or when nobody asked).
    fn cookie_update(&self, state: &AppState) -> Option<Cookie<'static>> {
        let token = self.token.as_deref()?;
        match self.checked.get()? {
            None => Some(SESSION.removal(state)),
            Some(valid) if valid.refreshed => {
                let token = SessionToken::parse(token)?;
                Some(session_cookie(state, &token, &valid.session))
            }
            Some(_) => None,
        }
    }
}

/// The session layer (see the module docs).
pub async fn session_middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let current = Current {
        token: SESSION.read(&state, request.headers()),
        checked: Arc::default(),
    };
    request.extensions_mut().insert(current.clone());
    let mut response = next.run(request).await;
    if let Some(ErrorPage(explanation)) = response.extensions().get::<ErrorPage>().cloned()
        && let Ok(Some(valid)) = current.get(&state).await
        && !awaits_second_factor(&valid.user, &valid.session)
    {
        let body = error_page_body(&explanation, Some(&valid.user));
        *response.body_mut() = body.into_response().into_body();
    }
    if let Some(cookie) = current.cookie_update(&state) {
        let name = SESSION.name(&state);
        let handler_set_it = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{name}="))));
        if !handler_set_it {
            response = crate::cookie::append(response, cookie);
        }
    }
    response
}

/// Where a session that awaits its second factor is sent: the example's page for it.
pub const SECOND_FACTOR_PATH: &str = "/two-factor";

async fn current(parts: &Parts, state: &AppState) -> Result<Option<ValidSession>, AppError> {
    match parts.extensions.get::<Current>() {
        Some(current) => current.get(state).await,
        None => Ok(None),
    }
}

/// Who the request is from, as the extractors below (and `crate::json`'s) see it.
pub(crate) enum Visitor {
    SignedOut,
    /// The password was right; a second factor is still to come.
    AwaitsSecondFactor(AuthUser),
    SignedIn(AuthUser),
}

pub(crate) async fn visitor(parts: &Parts, state: &AppState) -> Result<Visitor, AppError> {
    Ok(match current(parts, state).await? {
        None => Visitor::SignedOut,
        Some(valid) if awaits_second_factor(&valid.user, &valid.session) => {
            Visitor::AwaitsSecondFactor(valid.into())
        }
        Some(valid) => Visitor::SignedIn(valid.into()),
    })
}

/// The second-factor page, sending the browser on to `next` afterwards.
pub fn second_factor_url(next: &str) -> String {
    crate::reauth::with_next(SECOND_FACTOR_PATH, next)
}

/// The second-factor page, keeping where the browser was going (a page it can come back to).
fn to_second_factor(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|_| parts.method == axum::http::Method::GET)
        .unwrap_or("/");
    Redirect::to(&second_factor_url(next)).into_response()
}

/// The signed-in user and their session; a signed-out visitor is sent to the sign-in page.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user: User,
    pub session: Session,
}

impl From<ValidSession> for AuthUser {
    fn from(valid: ValidSession) -> Self {
        Self {
            user: valid.user,
            session: valid.session,
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match visitor(parts, state).await.map_err(|e| e.into_response())? {
            Visitor::SignedIn(user) => Ok(user),
            Visitor::AwaitsSecondFactor(_) => Err(to_second_factor(parts)),
            Visitor::SignedOut => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// A session that passed the password, whether or not it passed its second factor yet: only
/// for the pages that take the second factor. Signed-out visitors are sent to sign in.
pub struct FirstFactorUser(pub AuthUser);

impl FromRequestParts<AppState> for FirstFactorUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match visitor(parts, state).await.map_err(|e| e.into_response())? {
            Visitor::SignedIn(user) | Visitor::AwaitsSecondFactor(user) => Ok(Self(user)),
            Visitor::SignedOut => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// The signed-in user and session, if any. A session still awaiting its second factor is
/// sent to pass it.
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match visitor(parts, state).await.map_err(|e| e.into_response())? {
            Visitor::SignedIn(user) => Ok(MaybeUser(Some(user))),
            Visitor::AwaitsSecondFactor(_) => Err(to_second_factor(parts)),
            Visitor::SignedOut => Ok(MaybeUser(None)),
        }
    }
}

/// Only for visitors who are not signed in (sign-in and sign-up pages); a signed-in user is
/// sent home instead, and one halfway through signing in to the second factor.
pub struct SignedOut;

impl FromRequestParts<AppState> for SignedOut {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match visitor(parts, state).await.map_err(|e| e.into_response())? {
            Visitor::SignedOut => Ok(SignedOut),
            Visitor::AwaitsSecondFactor(_) => Err(Redirect::to(SECOND_FACTOR_PATH).into_response()),
            Visitor::SignedIn(_) => Err(Redirect::to("/").into_response()),
        }
    }
}

/// The cookie that carries a session token, for as long as the session lasts.
pub fn session_cookie(
    state: &AppState,
    token: &SessionToken,
    session: &Session,
) -> Cookie<'static> {
    let lasts = session.expires_at - state.table.now();
    SESSION.set(state, token.to_string(), lasts)
}

/// The cookies of a new sign-in: the session, and a device cookie when one was issued.
pub fn sign_in_cookies(
    state: &AppState,
    token: &SessionToken,
    session: &Session,
    device: Option<&DeviceToken>,
) -> CookieJar {
    let jar = CookieJar::new().add(session_cookie(state, token, session));
    match device {
        Some(device) => jar.add(device_cookie(state, device)),
        None => jar,
    }
}

/// The device cookie (`auth_core::device`) the browser keeps for this account.
pub fn device_cookie(state: &AppState, device: &DeviceToken) -> Cookie<'static> {
    DEVICE.set(state, device.to_string(), DEVICE_LIFETIME)
}

/// The browser's user agent, stored with a session so the user can tell their sessions apart.
pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(USER_AGENT).and_then(|v| v.to_str().ok())
}

/// A session for a new account, not written yet: its item, to write in the same transaction
/// as the account, and the cookie to set once it is written.
pub fn new_account_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
) -> Result<(TxItem, Cookie<'static>), AppError> {
    let policy = &state.config.sessions;
    let (token, session, write) = new_session(&state.table, policy, user_id, user_agent(headers))?;
    Ok((write, session_cookie(state, &token, &session)))
}

/// Starts a session for the user, committing `also` in the same write, and returns the
/// cookies to set.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
    also: Vec<TxItem>,
    device: Option<&DeviceToken>,
) -> Result<CookieJar, AppError> {
    let policy = &state.config.sessions;
    let (token, session) =
        create_session(&state.table, policy, user_id, user_agent(headers), also).await?;
    Ok(sign_in_cookies(state, &token, &session, device))
}

/// After a successful password check: a session (with the check's own writes) and a redirect.
pub async fn sign_in_and_redirect(
    state: &AppState,
    headers: &HeaderMap,
    verified: Verified,
    to: &str,
) -> PageResult {
    let jar = start_session(
        state,
        headers,
        &verified.user.id,
        verified.writes,
        verified.new_device.as_ref(),
    )
    .await?;
    Ok((jar, Redirect::to(to)).into_response())
}

/// Clears the session cookie and redirects to `to`; the caller has deleted the item.
pub fn clear_and_redirect(state: &AppState, to: &str) -> Response {
    let jar = CookieJar::new().add(SESSION.removal(state));
    (jar, Redirect::to(to)).into_response()
}

/// `POST /sign-out`, the same in every example: deletes this session's item and clears the
/// cookie. A form post, not a link, so another site cannot sign a user out with an image tag.
pub fn sign_out_router() -> Router<AppState> {
    Router::new().route("/sign-out", post(sign_out))
}

/// One conditional delete (the cookie's secret must match), and no validation read first.
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(token) = SESSION.read(&state, &headers) {
        invalidate_session_token(&state.table, &token).await?;
    }
    Ok(clear_and_redirect(&state, "/"))
}

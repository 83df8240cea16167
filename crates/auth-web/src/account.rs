//! Accounts: creating one with an email and password, accepting a new password (sign-up,
//! change, reset: the policy, then, when configured, the Have I Been Pwned check), and
//! deleting one.

use crate::cookie::{DEVICE, SESSION};
use crate::error::PageResult;
use crate::form_error::FormError;
use crate::reauth::FreshUser;
use crate::session::{device_cookie, new_account_session};
use crate::state::AppState;
use auth_core::device::new_device;
use auth_core::email::EmailAddress;
use auth_core::password::Password;
use auth_core::user::{User, delete_user, insert_user, new_user};
use auth_core::{Error, Result};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use axum_extra::extract::cookie::CookieJar;

/// A new account, signed in.
pub struct NewAccount {
    pub user: User,
    /// The session and device cookies to set.
    pub cookies: CookieJar,
}

/// Checks the input, hashes the password, and writes user, email claim, first session and
/// device in one transaction: the whole sign-up is one write. Every refusal (bad email, weak
/// password, email taken, a full hashing queue) is a message for the form, naming the field
/// (`email` or `password`) when it is about one.
pub async fn create_account(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    password: &str,
) -> Result<NewAccount, FormError> {
    let email = EmailAddress::parse(email).map_err(|e| FormError::from(e).on_field("email"))?;
    let password = new_password(state, password)
        .await
        .map_err(|e| FormError::from(e).on_field("password"))?;
    let hash = state.hasher.reserve()?.hash(&password).await?;
    let table = &state.table;
    let user = new_user(table, &email, Some(hash), false);
    let (session, session_cookie) = new_account_session(state, headers, &user.id)?;
    let (device, device_write) = new_device(table, &user.id, &email);
    insert_user(table, &user, vec![session, device_write])
        .await
        .map_err(|e| match e {
            Error::EmailTaken => FormError::from(e).on_field("email"),
            other => other.into(),
        })?;
    let cookies = CookieJar::new()
        .add(session_cookie)
        .add(device_cookie(state, &device));
    Ok(NewAccount { user, cookies })
}

/// A password that meets the policy and, with `CHECK_PWNED_PASSWORDS` on, is not in a known
/// breach. If that service cannot be reached the password is accepted: an outage there must
/// not stop sign-ups here.
pub async fn new_password(state: &AppState, input: &str) -> Result<Password> {
    let password = Password::parse(input)?;
    let Some(pwned) = &state.pwned else {
        return Ok(password);
    };
    match pwned.is_pwned(&password).await {
        Ok(true) => Err(Error::InvalidInput(
            "That password appears in a known data breach. Choose another one.".into(),
        )),
        Ok(false) => Ok(password),
        Err(e) => {
            tracing::warn!("Have I Been Pwned check failed, accepting the password: {e}");
            Ok(password)
        }
    }
}

/// The settings actions every example with a sessions list shares: signing sessions out
/// (`crate::active_sessions`) and deleting the account ([`delete_account_router`]).
pub fn account_settings_router() -> Router<AppState> {
    crate::active_sessions::active_sessions_router().merge(delete_account_router())
}

/// `POST /settings/delete-account`, the same in every example, after a fresh proof: the user
/// and every claim go in one transaction, then everything else of theirs
/// (`auth_core::user::delete_user`); this browser's cookies are cleared, and other browsers
/// are signed out on their next request.
pub fn delete_account_router() -> Router<AppState> {
    Router::new().route("/settings/delete-account", post(delete_account))
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn delete_account(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
) -> PageResult {
    delete_user(&state.table, &current.user.id).await?;
    let jar = CookieJar::new()
        .add(SESSION.removal(&state))
        .add(DEVICE.removal(&state));
    Ok((jar, Redirect::to("/?done=deleted")).into_response())
}

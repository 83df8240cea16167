//! Creating an account with an email and password, and accepting a new password (sign-up,
//! change, reset): the policy, then, when configured, the Have I Been Pwned check.

use crate::form_error::FormError;
use crate::session::{sign_in_cookies, user_agent};
use crate::state::AppState;
use auth_core::device::new_device;
use auth_core::email::EmailAddress;
use auth_core::password::Password;
use auth_core::session::new_session;
use auth_core::user::{User, insert_user, new_user};
use auth_core::{Error, Result};
use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;

/// A new account, signed in.
pub struct NewAccount {
    pub user: User,
    /// The session and device cookies to set.
    pub cookies: CookieJar,
}

/// Checks the input, hashes the password, and writes user, email claim, first session and
/// device in one transaction: the whole sign-up is one write. Every refusal (bad email, weak
/// password, email taken, a full hashing queue) is a message for the form.
pub async fn create_account(
    state: &AppState,
    headers: &HeaderMap,
    email: &str,
    password: &str,
) -> Result<NewAccount, FormError> {
    let email = EmailAddress::parse(email)?;
    let password = new_password(state, password).await?;
    let hash = state.hasher.reserve()?.hash(&password).await?;
    let table = &state.table;
    let user = new_user(table, &email, Some(hash), false);
    let (token, session, session_write) =
        new_session(table, &state.config.sessions, &user.id, user_agent(headers))?;
    let (device, device_write) = new_device(table, &user.id, &email);
    insert_user(table, &user, vec![session_write, device_write]).await?;
    let cookies = sign_in_cookies(state, &token, &session, Some(&device));
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

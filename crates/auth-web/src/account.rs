//! Creating an account with an email and password, and accepting a new password (sign-up,
//! change, reset): the policy, then, when configured, the Have I Been Pwned check.

use crate::state::AppState;
use crate::stop::Stop;
use auth_core::password::{Password, hash_password};
use auth_core::user::{EmailAddress, User, create_user};
use auth_core::{Error, Result};

/// Checks the input, hashes the password, and creates user + email claim in one transaction.
/// Every refusal (bad email, weak password, email taken) is a message for the form.
pub async fn create_account(state: &AppState, email: &str, password: &str) -> Result<User, Stop> {
    let email = EmailAddress::parse(email)?;
    let password = new_password(state, password).await?;
    let hash = hash_password(&password).await?;
    Ok(create_user(&state.table, &email, Some(hash)).await?)
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

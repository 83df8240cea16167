//! Checking an email and password at sign-in, the same way in every example.

use crate::password::{Password, verify_password};
use crate::rate_limit::LOGIN_THROTTLER;
use crate::user::{EmailAddress, User, get_user_by_email};
use crate::{Error, Result, Table};

/// The user whose email and password these are.
///
/// 1. The email must parse ([`Error::InvalidInput`], which a form can show).
/// 2. The login throttle for that email must not be running ([`Error::RateLimited`]).
/// 3. The password is verified against the stored hash — or a dummy hash when there is no such
///    account, so the answer and the time it takes are the same ([`Error::WrongCredentials`]).
/// 4. A failure is counted by the throttle; a success clears the count.
#[tracing::instrument(skip_all)]
pub async fn verify_credentials(table: &Table, email: &str, password: &str) -> Result<User> {
    let email = EmailAddress::parse(email)?;
    LOGIN_THROTTLER.check(table, email.as_str()).await?;
    let user = get_user_by_email(table, &email).await?;
    let matches = match Password::parse(password) {
        Ok(password) => {
            let hash = user.as_ref().and_then(|u| u.password_hash.as_ref());
            verify_password(hash, &password).await?
        }
        // No stored password breaks the policy, so this one cannot match.
        Err(_) => false,
    };
    match user.filter(|_| matches) {
        Some(user) => {
            LOGIN_THROTTLER.reset(table, email.as_str()).await?;
            Ok(user)
        }
        None => {
            LOGIN_THROTTLER
                .record_failure(table, email.as_str())
                .await?;
            Err(Error::WrongCredentials)
        }
    }
}

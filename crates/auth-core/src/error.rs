//! The one error type of this crate, shaped so a web layer can pick a status code.

use aws_sdk_dynamodb::error::SdkError;
use time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist (or has expired, which is the same).
    #[error("not found")]
    NotFound,
    /// Another account already owns this email address.
    #[error("That email is already registered.")]
    EmailTaken,
    /// This provider account already signs in to a user (this one or another).
    #[error("That account is already linked to a user of this app.")]
    AccountAlreadyLinked,
    /// This passkey or security key is registered already (here or on another account).
    #[error("This passkey is already registered.")]
    CredentialTaken,
    /// The change would leave the account with no way to sign in.
    #[error("This is your only way to sign in. Add another one first.")]
    LastSignInMethod,
    /// A second-factor code (an app's code, a recovery code) is not right, or was used
    /// already; deliberately the same answer for both.
    #[error("That code is not right, or it was used already.")]
    WrongCode,
    /// The email and password do not match an account; deliberately says no more than that.
    #[error("Wrong email or password.")]
    WrongCredentials,
    /// A concurrent change won; the caller may reload and retry.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The caller's input breaks a rule; the message is safe to show a user.
    #[error("{0}")]
    InvalidInput(String),
    /// An existing table's schema differs from the one this crate creates.
    #[error("existing table does not match the expected schema: {0}")]
    SchemaMismatch(String),
    /// Too many attempts; the caller may try again after `retry_after`.
    #[error("Too many attempts, try again in {}.", wait_text(*retry_after))]
    RateLimited { retry_after: Duration },
    /// A bounded resource (the password hashing queue) is full; nothing was done.
    #[error("busy, try again in {}", wait_text(*retry_after))]
    Busy { retry_after: Duration },
    /// A stored item could not be read back: our fault, never the client's.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// DynamoDB (or another backing service) failed or could not be reached.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn unavailable(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Unavailable(e.into())
    }

    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt(what.into())
    }
}

impl<E, R> From<SdkError<E, R>> for Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(e: SdkError<E, R>) -> Self {
        Self::unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
    }
}

impl From<serde_dynamo::Error> for Error {
    fn from(e: serde_dynamo::Error) -> Self {
        Self::corrupt(format!("malformed item: {e}"))
    }
}

/// "1 second", "30 seconds": a wait as a user reads it (never less than a second).
pub fn wait_text(wait: Duration) -> String {
    match wait.whole_seconds().max(1) {
        1 => "1 second".into(),
        n => format!("{n} seconds"),
    }
}

/// True when a DynamoDB call failed only because its condition expression was false.
pub(crate) fn is_condition_failed<E, R>(e: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

//! One-time codes by email, the same in every example that mails them: the mail, and what a
//! user is told about the code they typed. A flow mails the code *first* and writes its item
//! second, so a send that fails leaves the table as it was and an earlier code keeps working.

use crate::form_error::FormError;
use crate::mail::{Mail, MailError, Mailer};
use auth_core::email::EmailAddress;
use auth_core::one_time_code::{CODE_LIFETIME, CodeCheck, OneTimeCode};
use axum::http::StatusCode;

/// The form a code is typed into. A missing field arrives empty and is refused with a message.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
}

/// What a code is for; it decides the email's wording.
#[derive(Clone, Copy)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

/// Makes a new code and mails it to `to`; the code is returned only if the mail went out.
pub async fn mail_code(
    mailer: &dyn Mailer,
    to: &EmailAddress,
    purpose: Purpose,
) -> Result<OneTimeCode, MailError> {
    let code = OneTimeCode::generate();
    let (subject, intro) = match purpose {
        Purpose::VerifyEmail => (
            "Your verification code",
            "Enter this code to verify your email address:",
        ),
        Purpose::ResetPassword => (
            "Your password reset code",
            "Enter this code to choose a new password:",
        ),
    };
    let body = format!(
        "{intro}\n\n    {}\n\nThe code expires in {} minutes and works once.\n\
         If you did not ask for it, you can ignore this email.\n",
        code.display(),
        CODE_LIFETIME.whole_minutes()
    );
    let mail = Mail {
        to: to.as_str().to_owned(),
        subject: subject.to_owned(),
        body,
    };
    mailer.send(mail).await?;
    Ok(code)
}

/// What the user is told about a code that was not accepted.
pub fn accepted<T>(check: CodeCheck<T>) -> Result<T, FormError> {
    let message = match check {
        CodeCheck::Accepted(done) => return Ok(done),
        CodeCheck::Wrong { attempts_left: 0 } => {
            "That code is not right, and that was the last try. Send a new code.".to_owned()
        }
        CodeCheck::Wrong { attempts_left: 1 } => {
            "That code is not right. You have 1 more try.".to_owned()
        }
        CodeCheck::Wrong { attempts_left } => {
            format!("That code is not right. You have {attempts_left} more tries.")
        }
        CodeCheck::TooManyAttempts => {
            "Too many wrong tries: that code no longer works. Send a new code.".to_owned()
        }
        CodeCheck::Expired => {
            "That code has expired or was already used. Send a new code.".to_owned()
        }
    };
    Err(FormError::refuse(StatusCode::BAD_REQUEST, message))
}

/// A code as typed, or the message for something that cannot be one.
pub fn parse_code(input: &str) -> Result<OneTimeCode, FormError> {
    OneTimeCode::parse(input).ok_or_else(|| {
        FormError::refuse(
            StatusCode::BAD_REQUEST,
            "Enter the code from the email: 8 letters and digits.",
        )
    })
}

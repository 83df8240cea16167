//! Mailing email verification codes: limited per account and per client address, then the
//! mail, then the request item (`auth_web::code_mail` for the mail itself).

use crate::limits::{SEND_CODE_PER_IP, SEND_CODE_PER_USER};
use auth_core::email::EmailAddress;
use auth_core::email_verification::put_email_verification_request;
use auth_core::rate_limit::take_all;
use auth_web::AppState;
use auth_web::FormError;
use auth_web::client_ip::ClientIp;
use auth_web::code_mail::{Purpose, mail_code};
use auth_web::mail::Mailer;

/// Mails a verification code for `email` and stores the request (replacing an earlier one).
/// Limited per account and per client address, both taken in one transaction: a request
/// one limit refuses uses up nothing in the other.
pub async fn send_verification_code(
    state: &AppState,
    mailer: &dyn Mailer,
    user_id: &str,
    email: &EmailAddress,
    ip: ClientIp,
) -> Result<(), FormError> {
    let client = ip.key();
    let limits = [
        (&SEND_CODE_PER_USER, user_id),
        (&SEND_CODE_PER_IP, client.as_str()),
    ];
    take_all(&state.table, &limits).await?;
    let code = mail_code(mailer, email, Purpose::VerifyEmail).await?;
    put_email_verification_request(&state.table, user_id, email, &code).await?;
    Ok(())
}

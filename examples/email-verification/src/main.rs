//! `cargo run -p email-verification`: email verification and password reset on
//! http://localhost:3001. Mail is printed to the console unless `SMTP_URL` and `MAIL_FROM` are
//! set.

use auth_web::mail::{MailConfigError, mailer_from_env};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    auth_web::server::try_run("email-verification", 3001, |state| {
        Ok::<_, MailConfigError>(email_verification::routes(state, mailer_from_env()?))
    })
    .await
}

//! `cargo run -p email-verification`: email verification and password reset on
//! http://localhost:3001. Mail is printed to the log unless `SMTP_URL` and `MAIL_FROM` are set.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mailer = match auth_web::mail::mailer_from_env() {
        Ok(mailer) => mailer,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    auth_web::server::run("email-verification", 3001, |state| {
        email_verification::routes(state, mailer)
    })
    .await
}

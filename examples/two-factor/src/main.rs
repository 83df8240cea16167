//! `cargo run -p two-factor`: email and password with a second factor on
//! http://localhost:3004. Mail is printed to the console unless `SMTP_URL` and `MAIL_FROM` are
//! set. The TOTP keys are sealed with `ENCRYPTION_KEY` (required with `DYNAMODB_BACKEND=aws`;
//! on a local backend a key is generated into the data folder, with a warning).

use auth_web::{encryption_key, mail::mailer_from_env};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    auth_web::server::try_run("two-factor", 3004, |state| {
        let mailer = mailer_from_env().map_err(|e| e.to_string())?;
        let sealing = encryption_key::load(&state.config).map_err(|e| e.to_string())?;
        two_factor::routes(state, mailer, sealing).map_err(|e| e.to_string())
    })
    .await
}

//! `cargo run -p passkeys`: the passkeys example on http://localhost:3003.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    auth_web::server::try_run("passkeys", 3003, passkeys::routes).await
}

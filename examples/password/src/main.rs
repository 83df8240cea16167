//! `cargo run -p password`: the email + password example on http://localhost:3000.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    auth_web::server::run("password", 3000, password::routes).await
}

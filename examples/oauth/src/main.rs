//! `cargo run -p oauth`: sign in with GitHub, Google or any OpenID Connect provider on
//! http://localhost:3002. Providers are configured by environment variables (see the README).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    auth_web::server::try_run("oauth", 3002, |state| {
        Ok::<_, auth_web::config::ConfigError>(oauth::routes(
            state,
            oauth::Providers::from_env(state.origin())?,
        ))
    })
    .await
}

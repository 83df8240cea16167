//! Sign in with GitHub, Google and any OpenID Connect provider; link and unlink accounts,
//! delete the account; the sensitive ones after signing in again at a linked provider
//! (`/reauth`). See this example's README for the flow, the items written and the cookies set.

pub mod config;
pub mod provider;

mod callback;
mod flow_cookie;
mod reauth;
mod refusal;
mod settings;
mod sign_in;

pub use config::Providers;

use auth_web::AppState;
use auth_web::home::{HomePage, home_router};
use auth_web::session::sign_out_router;
use axum::{Extension, Router};
use std::sync::Arc;
use std::time::Duration;

/// What the OAuth handlers share: the providers and one HTTP client for talking to them.
#[derive(Clone)]
struct OAuth {
    providers: Arc<Providers>,
    http: reqwest::Client,
}

/// Every route of this example; `auth_web::server` adds the shared ones and the layers.
pub fn routes(_: &AppState, providers: Providers) -> Router<AppState> {
    let http = reqwest::Client::builder()
        // Following redirects from a provider's endpoints would open the app to SSRF.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the HTTP client builds");
    let oauth = OAuth {
        providers: Arc::new(providers),
        http,
    };
    Router::new()
        .merge(home_router(HomePage {
            title: "Sign in with OAuth",
            about: "This example signs people in with GitHub, Google or any OpenID Connect provider: no password is ever stored here.",
            settings_link: "Link or unlink accounts, see your sessions",
        }))
        .merge(sign_in::router())
        .merge(callback::router())
        .merge(settings::router())
        .merge(reauth::router())
        .merge(sign_out_router())
        .layer(Extension(oauth))
}

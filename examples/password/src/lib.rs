//! Email + password sign-in: sign up, sign in, sign out, change password, manage sessions.
//! See this example's README for the flow, the items written and the cookies set.

mod settings;
mod sign_in;

use auth_web::AppState;
use auth_web::home::{HomePage, home_router};
use auth_web::session::sign_out_router;
use auth_web::sign_up::sign_up_router;
use axum::Router;

/// Every route of this example; `auth_web::server` adds the shared ones and the layers.
pub fn routes(_: &AppState) -> Router<AppState> {
    Router::new()
        .merge(home_router(HomePage {
            title: "Email and password",
            about: "This example signs people in with an email address and a password, with every session stored in DynamoDB.",
            settings_link: "Change your password or see your sessions",
        }))
        .merge(sign_up_router())
        .merge(sign_in::router())
        .merge(sign_out_router())
        .merge(settings::router())
}

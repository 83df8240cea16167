//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session:
//! the shared page and check (`auth_web::sign_in::sign_in_router`: the attempt taken before
//! hashing, growing waits after wrong passwords, device cookies).
//!
//! A session is written either way. For a user with second factors it is signed in with the
//! password only (no `TwoFactorVerified`): `auth_web::session` lets it reach nothing but the
//! second-factor page, where the browser goes next (see `second_factor`).

use auth_web::AppState;
use auth_web::session::SECOND_FACTOR_PATH;
use auth_web::sign_in::{SignInPage, sign_in_router};
use axum::Router;

pub fn router() -> Router<AppState> {
    sign_in_router(SignInPage {
        next: |user| {
            if user.second_factors.any() {
                SECOND_FACTOR_PATH
            } else {
                "/"
            }
        },
        password_reset: true,
    })
}

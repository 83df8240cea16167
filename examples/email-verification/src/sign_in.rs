//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//! A user whose address is not verified yet lands on `/verify-email`, everyone else on `/`.
//!
//! The page and the check are the ones every example with passwords shares
//! (`auth_web::sign_in::sign_in_router`): the attempt is taken before any hashing, wrong
//! guesses make the next one wait longer (except from the owner's own browser, with its device
//! cookie), and unknown emails get the same answer and the same hashing work as wrong passwords.

use auth_web::AppState;
use auth_web::sign_in::{SignInPage, sign_in_router};
use axum::Router;

pub fn router() -> Router<AppState> {
    sign_in_router(SignInPage {
        next: |user| {
            if user.email_verified {
                "/"
            } else {
                "/verify-email"
            }
        },
        password_reset: true,
    })
}

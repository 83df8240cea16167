//! `GET /sign-in` shows the form; `POST /sign-in` checks the password and starts a session.
//!
//! The page and the check are shared by every example with passwords
//! (`auth_web::sign_in::sign_in_router`, `auth_core::credentials::verify_credentials`): the
//! attempt is taken before any hashing, so parallel guesses wait; wrong guesses make the next
//! one wait longer (per account: 1, 2, 4 … 300 seconds), except from the owner's own browser,
//! which has a device cookie; unknown emails get the same answer and the same hashing work as
//! wrong passwords, so the form does not reveal who has an account. This example sends every
//! user home afterwards.

use auth_web::AppState;
use auth_web::sign_in::{SignInPage, sign_in_router};
use axum::Router;

pub fn router() -> Router<AppState> {
    sign_in_router(SignInPage {
        next: |_| "/",
        password_reset: false,
    })
}

//! `GET /static/passkeys.js`, the one script of this example, and the page parts that go
//! with it. The strict Content-Security-Policy allows no inline script, so pages carry only
//! data attributes and this file does the rest.

use auth_web::view::{JAVASCRIPT, asset};
pub use auth_web::webauthn::script::NEEDS_JAVASCRIPT;
use auth_web::webauthn::script::support;
use auth_web::{AppState, SignedOut};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use leptos::prelude::*;

const SCRIPT: &str = include_str!("../static/passkeys.js");
const SCRIPT_PATH: &str = "/static/passkeys.js";

/// The script, and the shared module it imports (`/static/webauthn-json.js`).
pub fn router() -> Router<AppState> {
    asset(SCRIPT_PATH, JAVASCRIPT, SCRIPT).merge(auth_web::webauthn::script::router())
}

/// The page of a ceremony that needs no session (sign-in, sign-up): shown to signed-out
/// visitors (a signed-in one is sent home), and shown again saying why nothing happened when
/// its form is posted because the script did not run.
pub fn signed_out_page(
    render: fn(StatusCode, Option<String>) -> Response,
) -> MethodRouter<AppState> {
    get(move |_: SignedOut| async move { render(StatusCode::OK, None) })
        .post(move || async move { render(StatusCode::BAD_REQUEST, Some(NEEDS_JAVASCRIPT.into())) })
}

/// The shared messages for browsers without WebAuthn, the place for ceremony errors, and
/// this script.
pub fn passkey_support() -> impl IntoView {
    support(SCRIPT_PATH)
}

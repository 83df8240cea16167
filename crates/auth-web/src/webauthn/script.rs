//! `GET /static/webauthn.js`, the script that runs WebAuthn ceremonies from plain forms, and
//! the page parts that go with it. The strict Content-Security-Policy allows no inline
//! script, so pages carry only data attributes and this file does the rest.
//!
//! A form marked `data-webauthn="create"` (register a credential) or `data-webauthn="get"`
//! (use one), with `data-options` naming the options endpoint, has a hidden `credential`
//! field. Submitting it:
//! 1. POSTs the form's fields as JSON to `data-options`, which answers WebAuthn options (or
//!    `{"error": …}`);
//! 2. asks the browser's authenticator (`navigator.credentials.create` or `.get`);
//! 3. puts the answer, as JSON, in the `credential` field and submits the form to its
//!    `action` as an ordinary form post: the server answers with a page, as for any form.

use crate::form_error::FormError;
use crate::state::AppState;
use crate::view::{JAVASCRIPT, asset};
use axum::Router;
use axum::http::StatusCode;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

const SCRIPT: &str = include_str!("webauthn.js");
const SCRIPT_PATH: &str = "/static/webauthn.js";
/// The module both this script and the passkeys example's import: options and answers
/// between webauthn-rs's JSON and the browser's `ArrayBuffer`s.
const JSON_MODULE: &str = include_str!("webauthn-json.js");
const JSON_MODULE_PATH: &str = "/static/webauthn-json.js";

/// The routes serving the script and the module it imports.
pub fn router() -> Router<AppState> {
    asset(SCRIPT_PATH, JAVASCRIPT, SCRIPT).merge(asset(JSON_MODULE_PATH, JAVASCRIPT, JSON_MODULE))
}

/// Messages for browsers that cannot do WebAuthn, the place for ceremony errors, and this
/// script. The script reveals or fills them; with JavaScript off, `<noscript>` speaks.
pub fn webauthn_support() -> impl IntoView {
    support(SCRIPT_PATH)
}

/// [`webauthn_support`] with another script (the passkeys example's, which talks JSON to
/// its endpoints instead of posting forms): the same messages, marked `data-webauthn-…`.
pub fn support(script: &'static str) -> impl IntoView {
    view! {
        <noscript>
            <p class="alert">"Security keys and passkeys need JavaScript. Turn it on for this site to use them."</p>
        </noscript>
        <p class="alert" role="alert" data-webauthn-unsupported hidden>
            "This browser does not support security keys or passkeys (WebAuthn). Try a current "
            "version of Firefox, Chrome, Edge or Safari."
        </p>
        <p class="alert" role="alert" data-webauthn-error hidden></p>
        <script type="module" src=script></script>
    }
}

/// The authenticator's answer the script put in a form's `credential` field: empty when the
/// script did not run, and refused with a message when it does not parse.
pub fn read_answer<T: DeserializeOwned>(field: &str) -> Result<T, FormError> {
    let refuse = |message| FormError::refuse(StatusCode::BAD_REQUEST, message);
    if field.is_empty() {
        return Err(refuse(NEEDS_JAVASCRIPT));
    }
    serde_json::from_str(field)
        .map_err(|_| refuse("The browser sent an answer the app could not read. Please try again."))
}

/// What a form post without the script's answer gets told.
pub const NEEDS_JAVASCRIPT: &str = "Security keys and passkeys are used by the browser through JavaScript, which did not \
     run. Turn JavaScript on for this site and try again.";

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

use crate::state::AppState;
use crate::view::{JAVASCRIPT, asset};
use axum::Router;
use leptos::prelude::*;

const SCRIPT: &str = include_str!("webauthn.js");
const SCRIPT_PATH: &str = "/static/webauthn.js";

/// The route serving the script.
pub fn router() -> Router<AppState> {
    asset(SCRIPT_PATH, JAVASCRIPT, SCRIPT)
}

/// Messages for browsers that cannot do WebAuthn, the place for ceremony errors, and the
/// script. The script reveals or fills them; with JavaScript off, `<noscript>` speaks.
pub fn webauthn_support() -> impl IntoView {
    view! {
        <noscript>
            <p class="alert">"Security keys and passkeys need JavaScript. Turn it on for this site to use them."</p>
        </noscript>
        <p class="alert" role="alert" data-webauthn-unsupported hidden>
            "This browser does not support security keys or passkeys (WebAuthn). Try a current "
            "version of Firefox, Chrome, Edge or Safari."
        </p>
        <p class="alert" role="alert" data-webauthn-error hidden></p>
        <script type="module" src=SCRIPT_PATH></script>
    }
}

/// What a form post without the script's answer gets told.
pub const NEEDS_JAVASCRIPT: &str = "Security keys and passkeys are used by the browser through JavaScript, which did not \
     run. Turn JavaScript on for this site and try again.";

//! `GET /static/passkeys.js`, the one script of this example, and the page parts that go
//! with it. The strict Content-Security-Policy allows no inline script, so pages carry only
//! data attributes and this file does the rest.

use auth_web::AppState;
use auth_web::view::{JAVASCRIPT, asset};
use axum::Router;
use leptos::prelude::*;

const SCRIPT: &str = include_str!("../static/passkeys.js");
const SCRIPT_PATH: &str = "/static/passkeys.js";

pub fn router() -> Router<AppState> {
    asset(SCRIPT_PATH, JAVASCRIPT, SCRIPT)
}

/// Messages for browsers that cannot do passkeys, the place for ceremony errors, and the
/// script. The script reveals or fills them; with JavaScript off, `<noscript>` speaks.
pub fn passkey_support() -> impl IntoView {
    view! {
        <noscript>
            <p class="alert">"Passkeys need JavaScript. Turn it on for this site to continue."</p>
        </noscript>
        <p class="alert" role="alert" data-passkey-unsupported hidden>
            "This browser does not support passkeys (WebAuthn). Try a current version of "
            "Firefox, Chrome, Edge or Safari."
        </p>
        <p class="alert" role="alert" data-passkey-error hidden></p>
        <script type="module" src=SCRIPT_PATH></script>
    }
}

/// What a form post with JavaScript off gets: the page again, saying why nothing happened.
pub const NEEDS_JAVASCRIPT: &str = "Passkeys are created and used by the browser through JavaScript, which did not run. \
     Turn JavaScript on for this site and try again.";

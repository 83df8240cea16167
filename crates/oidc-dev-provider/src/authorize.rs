//! `GET /authorize` asks which email address to sign in as; `POST /authorize` sends the
//! browser back to the app with a code (or with `error=access_denied`).
//!
//! There is no login session to reuse, so the page is a fresh login every time: `prompt=login`
//! and `max_age` (OpenID Connect Core 3.1.2.1) are honoured by showing it, with a line saying
//! the app asked for it, and `prompt=none` is answered `error=login_required` at once. The
//! approval's time becomes the ID token's `auth_time`.

use super::page::{error_page, html};
use super::token::Grant;
use super::{DevState, lock};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;
use url::Url;

/// The authorization request, from the query string and again from the approval form.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: String,
    /// Space-separated: `login` (sign in again), `none` (show nothing), `consent`, ….
    prompt: String,
    /// Seconds since the last login that the client accepts, if it said.
    max_age: String,
    /// Only in the form: who to sign in as, and whether the user approved.
    email: String,
    decision: String,
}

impl AuthorizeRequest {
    /// The redirect URI, if the client and the URI are the registered ones and PKCE is S256.
    /// Anything else is shown as an error here: never redirect to an unchecked URI.
    fn check(&self, dev: &DevState) -> Result<Url, &'static str> {
        if self.client_id != dev.client_id {
            return Err("Unknown client_id.");
        }
        let redirect = Url::parse(&self.redirect_uri).map_err(|_| "Malformed redirect_uri.")?;
        if !dev.redirect_uris.contains(&redirect) {
            return Err("This redirect_uri is not registered.");
        }
        if self.code_challenge.is_empty() || self.code_challenge_method != "S256" {
            return Err("PKCE with S256 is required.");
        }
        if !self.max_age.is_empty() && self.max_age.parse::<u64>().is_err() {
            return Err("max_age must be a whole number of seconds.");
        }
        Ok(redirect)
    }

    fn prompts(&self, value: &str) -> bool {
        self.prompt.split(' ').any(|p| p == value)
    }

    /// The client wants a login made now, not an earlier one reused.
    fn asks_for_fresh_login(&self) -> bool {
        self.prompts("login") || !self.max_age.is_empty()
    }
}

pub(super) async fn show(
    State(dev): State<Arc<DevState>>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    let mut redirect = match request.check(&dev) {
        Ok(redirect) => redirect,
        Err(message) => return error_page(message),
    };
    if request.prompts("none") {
        // Nobody is ever signed in here already, so a login without a page cannot happen.
        redirect
            .query_pairs_mut()
            .append_pair("error", "login_required")
            .append_pair("state", &request.state);
        return Redirect::to(redirect.as_str()).into_response();
    }
    let again = request.asks_for_fresh_login().then(|| {
        view! { <p class="muted">"The app asked you to sign in again (prompt=login or max_age)."</p> }
    });
    let hidden = [
        ("client_id", request.client_id),
        ("redirect_uri", request.redirect_uri),
        ("state", request.state),
        ("nonce", request.nonce),
        ("code_challenge", request.code_challenge),
        ("code_challenge_method", request.code_challenge_method),
        ("prompt", request.prompt),
        ("max_age", request.max_age),
    ]
    .map(|(name, value)| view! { <input type="hidden" name=name value=value/> });
    let body = view! {
        <p>"Sign in as any email address. This provider exists only on this machine."</p>
        {again}
        <form method="post" action="/authorize">
            {hidden}
            <label>
                <span>"Email"</span>
                <input type="email" name="email" value="dev@example.com" required/>
            </label>
            <button type="submit" name="decision" value="approve">"Sign in"</button>
            <button type="submit" name="decision" value="deny" formnovalidate>"Cancel"</button>
        </form>
    };
    html(StatusCode::OK, body)
}

pub(super) async fn decide(
    State(dev): State<Arc<DevState>>,
    Form(request): Form<AuthorizeRequest>,
) -> Response {
    let mut redirect = match request.check(&dev) {
        Ok(redirect) => redirect,
        Err(message) => return error_page(message),
    };
    if request.decision != "approve" {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &request.state);
        return Redirect::to(redirect.as_str()).into_response();
    }
    let email = request.email.trim().to_lowercase();
    if email.is_empty() {
        return error_page("Enter an email address.");
    }
    let code = auth_core::random::random_secret();
    let mut auth_time = dev.now();
    if dev.quirks().old_auth_time {
        auth_time -= time::Duration::HOUR;
    }
    let grant = Grant::new(
        email,
        request.nonce,
        request.code_challenge,
        request.redirect_uri,
        auth_time,
    );
    {
        let mut codes = lock(&dev.codes);
        // Codes never exchanged are forgotten once expired, so the map stays small.
        codes.retain(|_, g| g.is_live());
        codes.insert(code.clone(), grant);
    }
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &request.state);
    Redirect::to(redirect.as_str()).into_response()
}

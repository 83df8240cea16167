//! `GET /authorize` asks which email address to sign in as; `POST /authorize` sends the
//! browser back to the app with a code (or with `error=access_denied`).

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
        Ok(redirect)
    }
}

pub(super) async fn show(
    State(dev): State<Arc<DevState>>,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    if let Err(message) = request.check(&dev) {
        return error_page(message);
    }
    let hidden = [
        ("client_id", request.client_id),
        ("redirect_uri", request.redirect_uri),
        ("state", request.state),
        ("nonce", request.nonce),
        ("code_challenge", request.code_challenge),
        ("code_challenge_method", request.code_challenge_method),
    ]
    .map(|(name, value)| view! { <input type="hidden" name=name value=value/> });
    let body = view! {
        <p>"Sign in as any email address. This provider exists only on this machine."</p>
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
    let grant = Grant::new(
        email,
        request.nonce,
        request.code_challenge,
        request.redirect_uri,
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

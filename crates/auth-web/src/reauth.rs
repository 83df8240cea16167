//! A fresh proof before sensitive actions ("sudo mode", as GitHub calls it): changing the
//! email address, adding or removing a way to sign in, signing out everywhere, deleting the
//! account. A stolen session alone must not be enough to take an account over.
//!
//! - [`FreshUser`] is a signed-in user whose session proved who they are within
//!   `REAUTH_WINDOW_SECS` (`AuthenticatedAt` on the session item, set at sign-in and by each
//!   proof; validation still reads it in its one round trip). Otherwise the request is
//!   answered with a redirect to `/reauth?next=<where the user was>`, the example's proof
//!   step, which sends the user back afterwards (to the form; what they typed is not kept).
//! - [`password_reauth_router`] is that step for the examples with passwords: the password,
//!   checked through the same throttle as a sign-in, then `AuthenticatedAt = now` written
//!   in one transaction with what the check itself writes.
//! - With two-factor authentication on, the password alone is no proof: the step writes
//!   `TwoFactorVerified = false` instead, which sends the session to the second-factor page
//!   ([`crate::session::SECOND_FACTOR_PATH`]) as at sign-in, and passing a factor there sets
//!   `AuthenticatedAt = now`. Until then the session can do nothing else.

use crate::error::PageResult;
use crate::form::Form;
use crate::form_error::FormError;
use crate::session::{AuthUser, second_factor_url};
use crate::sign_in::check_password;
use crate::state::AppState;
use crate::view::{Alert, Field, PostForm, field_error, page};
use auth_core::session::{is_fresh, record_proof, require_second_factor};
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;
use serde::Deserialize;

/// Where the proof step lives.
pub const REAUTH_PATH: &str = "/reauth";

/// A signed-in user who proved who they are recently enough for a sensitive action.
pub struct FreshUser(pub AuthUser);

impl FromRequestParts<AppState> for FreshUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let current = AuthUser::from_request_parts(parts, state).await?;
        let now = state.table.now();
        if is_fresh(&current.session, &state.config.sessions, now) {
            Ok(Self(current))
        } else {
            Err(Redirect::to(&proof_url(parts, state)).into_response())
        }
    }
}

/// `/reauth?next=…`, sending the user back to where they were: the page itself for a GET,
/// the page the form was on for a POST (its `Referer`, when it is this app's).
pub fn proof_url(parts: &Parts, state: &AppState) -> String {
    let back = if parts.method == Method::GET {
        parts.uri.path_and_query().map(|p| p.as_str().to_owned())
    } else {
        parts
            .headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .filter(|r| r.origin() == state.origin().origin())
            .map(|r| r[url::Position::BeforePath..].to_owned())
    };
    let next = back.unwrap_or_else(|| "/settings".into());
    with_next(REAUTH_PATH, &next)
}

/// `path?next=<next>`: a step that sends the browser on to `next` afterwards.
pub fn with_next(path: &str, next: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("{path}?{query}")
}

/// Where to go after the proof: `next` if it is a path of this app, never another site.
pub fn return_to(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local { next } else { "/settings" }
}

/// The `next` parameter of the proof step.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Next {
    pub next: String,
}

/// `GET` and `POST /reauth` for the examples with passwords.
pub fn password_reauth_router() -> Router<AppState> {
    Router::new().route(REAUTH_PATH, get(show).post(submit))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ProofForm {
    password: String,
    next: String,
}

async fn show(current: AuthUser, Query(next): Query<Next>) -> Response {
    render(&current, return_to(&next.next), StatusCode::OK, None, None)
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn submit(
    State(state): State<AppState>,
    current: AuthUser,
    headers: HeaderMap,
    Form(form): Form<ProofForm>,
) -> PageResult {
    let next = return_to(&form.next);
    match prove(&state, &current, &headers, &form.password).await {
        Ok(()) if current.user.second_factors.any() => {
            Ok(Redirect::to(&second_factor_url(next)).into_response())
        }
        Ok(()) => Ok(Redirect::to(next).into_response()),
        Err(e) => {
            let field = e.field();
            e.render(async |status, message| {
                Ok(render(&current, next, status, Some(message), field))
            })
            .await
        }
    }
}

/// The password, throttled like a sign-in; then the proof and the check's own writes, in one
/// (or, with second factors, the demand for one).
async fn prove(
    state: &AppState,
    current: &AuthUser,
    headers: &HeaderMap,
    password: &str,
) -> Result<(), FormError> {
    let verified = check_password(state, headers, &current.user, password)
        .await
        .map_err(|e| match e {
            auth_core::Error::WrongCredentials => {
                FormError::refuse(StatusCode::UNAUTHORIZED, "That password is not right.")
                    .on_field("password")
            }
            other => other.into(),
        })?;
    if current.user.second_factors.any() {
        require_second_factor(&state.table, &current.session, verified.writes).await?;
    } else {
        record_proof(&state.table, &current.session, verified.writes).await?;
    }
    Ok(())
}

fn render(
    current: &AuthUser,
    next: &str,
    status: StatusCode,
    error: Option<String>,
    error_field: Option<&'static str>,
) -> Response {
    let next = next.to_owned();
    let password_error = field_error("password", &error, error_field);
    let body = view! {
        <p>"For your security, confirm it is you before you continue."</p>
        <Alert message=error/>
        <PostForm action=REAUTH_PATH submit="Confirm">
            <input type="hidden" name="next" value=next/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"
                error=password_error/>
        </PostForm>
    };
    (status, page("Confirm it is you", Some(&current.user), body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::return_to;

    #[test]
    fn only_paths_of_this_app_are_returned_to() {
        assert_eq!(return_to("/settings?x=1"), "/settings?x=1");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "",
        ] {
            assert_eq!(return_to(elsewhere), "/settings", "{elsewhere:?}");
        }
    }
}

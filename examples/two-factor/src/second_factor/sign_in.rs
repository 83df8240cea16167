//! `/two-factor`: the second factor after the password, at sign-in and at a fresh proof.
//!
//! 1. `GET /two-factor?next=…` (a session that awaits its second factor; any other is sent on
//!    to `next`): the forms for the user's factors, and a way to sign out.
//! 2. `POST /two-factor/options`: a WebAuthn challenge (JSON), for a security key or passkey.
//! 3. `POST /two-factor`: the factor is checked, then the session's `TwoFactorVerified` and
//!    `AuthenticatedAt = now` are written in one transaction with the factor's own write
//!    (`auth_core::session::pass_second_factor`). The browser goes on to `next`; after a
//!    recovery code, to settings, which say how many codes are left.

use super::{Checker, FactorForm, OptionsRequest, factor_forms};
use auth_core::session::{awaits_second_factor, pass_second_factor};
use auth_web::PageResult;
use auth_web::json::{ApiError, ApiResult, JsonBody};
use auth_web::reauth::{Next, return_to};
use auth_web::session::{FirstFactorUser, SECOND_FACTOR_PATH};
use auth_web::view::{PostButton, page};
use auth_web::{AppState, AuthUser, Form};
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::*;

/// Ceremonies started here finish only here.
const PURPOSE: &str = "sign-in-second-factor";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SECOND_FACTOR_PATH, get(show).post(submit))
        .route("/two-factor/options", post(options))
}

async fn show(FirstFactorUser(current): FirstFactorUser, Query(next): Query<Next>) -> Response {
    let next = return_to_or_home(&next.next);
    if !awaits_second_factor(&current.user, &current.session) {
        return Redirect::to(next).into_response();
    }
    render(&current, next, StatusCode::OK, None)
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn submit(
    checker: Checker,
    FirstFactorUser(current): FirstFactorUser,
    Form(form): Form<FactorForm>,
) -> PageResult {
    let next = return_to_or_home(&form.next);
    if !awaits_second_factor(&current.user, &current.session) {
        return Ok(Redirect::to(next).into_response());
    }
    let passed = async {
        let proof = checker.check(PURPOSE, &current.user.id, &form).await?;
        let table = &checker.state().table;
        pass_second_factor(table, &current.session, proof.write).await?;
        Ok::<_, auth_web::FormError>(proof.jar)
    };
    match passed.await {
        Ok(jar) if form.uses_recovery_code() && next == "/" => {
            Ok((jar, Redirect::to("/settings?done=recovery-code")).into_response())
        }
        Ok(jar) => Ok((jar, Redirect::to(next)).into_response()),
        Err(e) => {
            e.render(async |status, message| Ok(render(&current, next, status, Some(message))))
                .await
        }
    }
}

async fn options(
    checker: Checker,
    FirstFactorUser(me): FirstFactorUser,
    JsonBody(request): JsonBody<OptionsRequest>,
) -> ApiResult {
    if !awaits_second_factor(&me.user, &me.session) {
        let passed = "This session has passed its second factor already.";
        return Err(ApiError::refused(passed));
    }
    checker.options(PURPOSE, &me.user.id, &request).await
}

/// `next` when it is a page of this app, else the home page.
fn return_to_or_home(next: &str) -> &str {
    if next.is_empty() {
        "/"
    } else {
        return_to(next)
    }
}

fn render(current: &AuthUser, next: &str, status: StatusCode, error: Option<String>) -> Response {
    let body = view! {
        <p>"Your password was right. Now confirm it is you with one of your second factors."</p>
        {factor_forms(current.user.second_factors, SECOND_FACTOR_PATH, next, error)}
        <p class="muted">"Not you, or not now? "<PostButton action="/sign-out" label="Sign out"/></p>
    };
    (status, page("Two-factor authentication", None, body)).into_response()
}

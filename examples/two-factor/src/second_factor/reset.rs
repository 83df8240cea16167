//! `/reset-password/two-factor`: a password reset for a user with second factors passes one
//! between the emailed code and the new password. A reset must never get around 2FA.
//!
//! 1. Every request reads the reset session the reset cookie names
//!    (`auth_web::password_reset::reset_at`): no valid one, start again; code not
//!    entered yet, back to it; no factor needed (or passed), on to the new password.
//! 2. `GET`: the forms for the user's factors (their user item is read for the summary).
//! 3. `POST /reset-password/two-factor/options`: a WebAuthn challenge (JSON).
//! 4. `POST`: the factor is checked, then `SecondFactorPassed` is written on the reset session
//!    in one transaction with the factor's own write
//!    (`auth_core::password_reset::pass_second_factor`). The new password's transaction
//!    checks that flag again (`consume_password_reset_session`).

use super::{Checker, FactorForm, OptionsRequest, factor_forms};
use auth_core::password_reset::{PasswordResetSession, pass_second_factor};
use auth_core::second_factor::SecondFactors;
use auth_core::user::get_user;
use auth_web::PageResult;
use auth_web::json::{ApiError, ApiResult, JsonBody};
use auth_web::password_reset::{SECOND_FACTOR_STEP, reset_at};
use auth_web::view::page;
use auth_web::{AppError, AppState, Form, FormError};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::*;

/// Ceremonies started here finish only here.
const PURPOSE: &str = "reset-second-factor";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SECOND_FACTOR_STEP, get(show).post(submit))
        .route("/reset-password/two-factor/options", post(options))
}

async fn show(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let reset = match reset_at(&state, &headers, SECOND_FACTOR_STEP).await? {
        Ok(reset) => reset,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let factors = factors_of(&state, &reset).await?;
    Ok(render(factors, StatusCode::OK, None))
}

#[tracing::instrument(skip_all)]
async fn submit(checker: Checker, Form(form): Form<FactorForm>) -> PageResult {
    let state = checker.state();
    let reset = match reset_at(state, &checker.webauthn.headers, SECOND_FACTOR_STEP).await? {
        Ok(reset) => reset,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let passed = async {
        let proof = checker.check(PURPOSE, &reset.user_id, &form).await?;
        pass_second_factor(&state.table, &reset, proof.write).await?;
        Ok::<_, FormError>(proof.jar)
    };
    match passed.await {
        Ok(jar) => Ok((jar, Redirect::to("/reset-password")).into_response()),
        Err(e) => {
            let factors = factors_of(state, &reset).await?;
            e.render(async |status, message| Ok(render(factors, status, Some(message))))
                .await
        }
    }
}

async fn options(checker: Checker, JsonBody(request): JsonBody<OptionsRequest>) -> ApiResult {
    let Ok(reset) = reset_at(
        checker.state(),
        &checker.webauthn.headers,
        SECOND_FACTOR_STEP,
    )
    .await?
    else {
        let elsewhere = "This password reset is not waiting for a second factor. Reload the page.";
        return Err(ApiError::refused(elsewhere));
    };
    checker.options(PURPOSE, &reset.user_id, &request).await
}

/// Step 2: the factors the user has now, from their user item.
async fn factors_of(
    state: &AppState,
    reset: &PasswordResetSession,
) -> Result<SecondFactors, AppError> {
    let user = get_user(&state.table, &reset.user_id).await?;
    Ok(user.map(|u| u.second_factors).unwrap_or_default())
}

fn render(factors: SecondFactors, status: StatusCode, error: Option<String>) -> Response {
    let body = view! {
        <p>"Your account has two-factor authentication on, so a reset needs your second factor "
           "too. Then you can choose a new password."</p>
        {factor_forms(factors, SECOND_FACTOR_STEP, "", error)}
    };
    (status, page("Confirm it is you", None, body)).into_response()
}

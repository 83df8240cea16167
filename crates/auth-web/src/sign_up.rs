//! The sign-up page of the email-and-password examples: `GET /sign-up` shows the form;
//! `POST /sign-up` creates the account and signs it in, with the user item, the email claim,
//! the first session and the device in one transaction ([`crate::account::create_account`]).
//! An example that does more after it (mailing a code) has its own handler and uses
//! [`sign_up_page`] for the form.

use crate::account::create_account;
use crate::error::PageResult;
use crate::form::Form;
use crate::session::SignedOut;
use crate::sign_in::EmailPasswordForm;
use crate::state::AppState;
use crate::view::{EmailPasswordFields, Purpose, page};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;

/// `/sign-up`, for an example whose account is ready once created.
pub fn sign_up_router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

async fn show(_: SignedOut) -> Response {
    sign_up_page(StatusCode::OK, "", None, None, "")
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> PageResult {
    match create_account(&state, &headers, &form.email, &form.password).await {
        Ok(account) => Ok((account.cookies, Redirect::to("/")).into_response()),
        Err(e) => {
            let field = e.field();
            e.render(async |status, message| {
                Ok(sign_up_page(status, &form.email, Some(message), field, ""))
            })
            .await
        }
    }
}

/// The form, with `note` (what happens next, if anything) before the link to sign in; a
/// refusal about the email or the password (`error_field`) marks that field.
pub fn sign_up_page(
    status: StatusCode,
    email: &str,
    error: Option<String>,
    error_field: Option<&'static str>,
    note: &'static str,
) -> Response {
    let body = view! {
        <EmailPasswordFields purpose=Purpose::SignUp email=email.to_owned() error=error
            error_field=error_field/>
        <p class="muted">{note}"Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

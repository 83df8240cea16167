//! `GET /sign-up` shows the form; `POST /sign-up` creates the account and signs it in: user
//! item, email claim, first session and device in one transaction.

use auth_web::account::create_account;
use auth_web::sign_in::EmailPasswordForm;
use auth_web::view::{SignUpForm, page};
use auth_web::{AppError, AppState, Form, SignedOut};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-up", get(show).post(submit))
}

async fn show(_: SignedOut) -> Response {
    render(StatusCode::OK, "", None, None)
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<EmailPasswordForm>,
) -> Result<Response, AppError> {
    match create_account(&state, &headers, &form.email, &form.password).await {
        Ok(account) => Ok((account.cookies, Redirect::to("/")).into_response()),
        Err(e) => {
            let field = e.field();
            e.render(async |status, message| Ok(render(status, &form.email, Some(message), field)))
                .await
        }
    }
}

/// The form; a refusal about the email or the password (`error_field`) marks that field.
fn render(
    status: StatusCode,
    email: &str,
    error: Option<String>,
    error_field: Option<&'static str>,
) -> Response {
    let body = view! {
        <SignUpForm email=email.to_owned() error=error error_field=error_field/>
        <p class="muted">"Already have an account? "<a href="/sign-in">"Sign in"</a></p>
    };
    (status, page("Create an account", None, body)).into_response()
}

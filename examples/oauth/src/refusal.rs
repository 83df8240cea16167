//! The page for a sign-in that was refused: what happened, in words, and the way back.

use crate::provider::ProviderError;
use auth_web::view::page;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// A refusal page; `detail` is the technical reason, shown small for those who want it.
pub fn refused(
    status: StatusCode,
    title: &str,
    message: String,
    detail: Option<String>,
) -> Response {
    tracing::info!(%status, title, detail = detail.as_deref().unwrap_or(""), "sign-in refused");
    let body = view! {
        <p class="alert" role="alert">{message}</p>
        {detail.map(|d| view! { <p class="muted">"Details: "{d}</p> })}
        <p><a href="/sign-in">"Back to sign in"</a></p>
    };
    (status, page(title, None, body)).into_response()
}

/// A provider failure as a page: 502 when the provider is unreachable or makes no sense,
/// 400 when it refused or its ID token failed verification.
pub fn provider_failed(e: ProviderError) -> Response {
    let (status, title, message) = match &e {
        ProviderError::Unreachable(name, _) | ProviderError::BadResponse(name, _) => (
            StatusCode::BAD_GATEWAY,
            "Provider unavailable",
            format!(
                "{name} could not be reached or gave an answer this app cannot use. Try again in a moment."
            ),
        ),
        ProviderError::Refused(name, _) => (
            StatusCode::BAD_REQUEST,
            "Sign-in refused",
            format!(
                "{name} did not accept this sign-in (the code may have expired or been used already). Start again."
            ),
        ),
        ProviderError::InvalidIdToken(name, _) => (
            StatusCode::BAD_REQUEST,
            "Sign-in could not be verified",
            format!(
                "The identity {name} sent failed verification, so nobody was signed in. Start again."
            ),
        ),
    };
    refused(status, title, message, Some(e.to_string()))
}

//! The page for a sign-in that was refused: what happened, in words, and the way back. Protocol
//! codes and technical reasons go to the log and into a `<details>` element, never into the
//! main message.

use crate::provider::ProviderError;
use auth_web::view::page;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// A refusal page; `detail` is the technical reason, folded away for those who want it.
pub fn refused(
    status: StatusCode,
    title: &str,
    message: String,
    detail: Option<String>,
) -> Response {
    tracing::info!(%status, title, detail = detail.as_deref().unwrap_or(""), "sign-in refused");
    let body = view! {
        <p class="alert" role="alert">{message}</p>
        {detail.map(|d| view! {
            <details><summary>"Technical details"</summary><p class="muted">{d}</p></details>
        })}
        <p><a href="/sign-in">"Back to sign in"</a></p>
    };
    (status, page(title, None, body)).into_response()
}

/// The provider sent the browser back with `error` instead of a code (RFC 6749, section
/// 4.1.2.1): usually the user said no; the code itself only goes into the details.
pub fn provider_error(name: &str, error: &str, description: Option<&str>) -> Response {
    let (status, title, message) = match error {
        "access_denied" => (
            StatusCode::BAD_REQUEST,
            "Sign-in cancelled",
            format!("You cancelled the sign-in at {name}. Nobody was signed in."),
        ),
        "server_error" | "temporarily_unavailable" => (
            StatusCode::BAD_GATEWAY,
            "Provider unavailable",
            format!("{name} had a problem and could not sign you in. Try again in a moment."),
        ),
        // invalid_request, unauthorized_client, invalid_scope …: the app's registration there
        // and its configuration here disagree; nothing the user can fix.
        _ => (
            StatusCode::BAD_REQUEST,
            "Sign-in refused",
            format!(
                "{name} refused to start the sign-in, which usually means this app is not set \
                 up there the way it is configured here."
            ),
        ),
    };
    let detail = match description {
        Some(description) => format!("{name} answered {error}: {description}"),
        None => format!("{name} answered {error}"),
    };
    refused(status, title, message, Some(detail))
}

/// A provider failure as a page: 502 when the provider is unreachable or makes no sense,
/// 400 when it refused or the identity it sent failed verification.
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
        ProviderError::Unverified(name, _) => (
            StatusCode::BAD_REQUEST,
            "Sign-in could not be verified",
            format!(
                "The identity {name} sent failed verification, so nobody was signed in. Start again."
            ),
        ),
    };
    refused(status, title, message, Some(e.to_string()))
}

//! `GET /userinfo` (OpenID Connect Core 5.3): the claims about whoever an access token issued
//! here was for, as JSON. Any other token gets a 401 with a `WWW-Authenticate` challenge
//! (RFC 6750, section 3): UserInfo answers only to tokens this provider issued and remembers.

use super::{DevState, lock};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

pub(super) async fn claims(State(dev): State<Arc<DevState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return challenge("Bearer");
    };
    let email = lock(&dev.access_tokens)
        .get(token)
        .filter(|grant| grant.is_live())
        .map(|grant| grant.email.clone());
    let Some(email) = email else {
        return challenge(r#"Bearer error="invalid_token""#);
    };
    let quirks = dev.quirks();
    let subject = if quirks.userinfo_subject_mismatch {
        "someone-else@example.com".to_owned()
    } else {
        email.clone()
    };
    Json(json!({
        "sub": subject,
        "email": email,
        "email_verified": !quirks.unverified_email,
    }))
    .into_response()
}

fn challenge(value: &'static str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, value)],
    )
        .into_response()
}

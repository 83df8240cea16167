//! CSRF defence: a request that can change state must come from the app's own origin.
//!
//! Browsers send `Origin` on every cross-site (and most same-site) non-GET request, and
//! `Sec-Fetch-Site` on all of them; neither can be set by a page on another site. SameSite=Lax
//! cookies are a second line. See the OWASP CSRF cheat sheet, "Verifying origin".

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses (403) any non-GET/HEAD/OPTIONS request not proven to come from the app's origin.
pub async fn csrf_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe
        || is_same_origin(
            request.headers(),
            &state.origin().origin().ascii_serialization(),
        )
    {
        next.run(request).await
    } else {
        AppError::Forbidden("cross-origin request").into_response()
    }
}

fn is_same_origin(headers: &HeaderMap, origin: &str) -> bool {
    match headers.get("origin") {
        Some(value) => value.as_bytes() == origin.as_bytes(),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"same-origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::is_same_origin;
    use axum::http::HeaderMap;

    const APP: &str = "http://localhost:3000";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn the_apps_own_origin_passes() {
        assert!(is_same_origin(&headers(&[("origin", APP)]), APP));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            APP
        ));
    }

    #[test]
    fn other_origins_and_missing_headers_fail() {
        assert!(!is_same_origin(
            &headers(&[("origin", "http://evil.example")]),
            APP
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), APP));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://localhost:3000.evil.example")]),
            APP
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            APP
        ));
        assert!(!is_same_origin(&headers(&[]), APP));
        // An Origin header decides, even when Sec-Fetch-Site claims otherwise.
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "http://evil.example"),
                ("sec-fetch-site", "same-origin")
            ]),
            APP
        ));
    }
}

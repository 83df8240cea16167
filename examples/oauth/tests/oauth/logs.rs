//! What the log keeps of a sign-in: the request lines name paths, never the secrets a callback
//! carries in its query (the authorization code, and the state that binds it to the browser).

use crate::helpers::*;
use auth_testing::location;
use auth_testing::log::capture;
use reqwest::StatusCode;
use url::Url;

/// The `code` and `state` of a callback URL, decoded and as they appear in the raw query.
fn secrets(callback: &str) -> Vec<String> {
    let url = Url::parse(callback).unwrap();
    let mut secrets = Vec::new();
    for name in ["code", "state"] {
        let decoded = url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("{name} in {callback}"));
        let raw = url
            .query()
            .unwrap()
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_owned();
        assert!(decoded.len() >= 16, "{name} is a real secret: {decoded:?}");
        secrets.extend([decoded, raw]);
    }
    secrets
}

#[tokio::test]
async fn the_request_log_of_a_callback_names_its_path_but_not_the_code_or_state() {
    let (log, _guard) = capture();
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    let response = visit(&browser, &callback).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/", "the code was used: signed in");
    // The same callback again, refused (its flow is used up): refusals log their reasons.
    browser.post("/sign-out", &[]).await;
    let replayed = visit(&browser, &callback).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);

    let text = log.text();
    let callback_lines = text
        .lines()
        .filter(|l| l.contains("path=/sign-in/google/callback"))
        .filter(|l| l.contains("finished processing request"))
        .count();
    assert_eq!(callback_lines, 2, "one request line per callback:\n{text}");
    for secret in secrets(&callback) {
        assert!(!text.contains(&secret), "{secret:?} is in the log:\n{text}");
    }
}

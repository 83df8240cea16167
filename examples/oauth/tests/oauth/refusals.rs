//! Every way a sign-in can go wrong ends on a clear page, with nothing written.

use crate::github::{self, ada};
use crate::helpers::*;
use auth_testing::location;
use oauth::Providers;
use oidc_dev_provider::Quirks;
use reqwest::StatusCode;
use time::Duration;

/// Runs a Google sign-in against a provider with `quirks` and returns the page.
async fn google_with(quirks: Quirks) -> (Harness, StatusCode, String) {
    let h = spawn().await;
    h.dev.set_quirks(quirks);
    let response = oidc_flow(&h.app.browser(), "/sign-in/google", "grace@example.com").await;
    let (status, page) = status_and_text(response).await;
    (h, status, page)
}

async fn assert_id_token_refused(quirks: Quirks, reason: &str) {
    let (h, status, page) = google_with(quirks).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Sign-in could not be verified"), "{page}");
    assert!(page.to_lowercase().contains(reason), "{reason} in {page}");
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn an_id_token_with_the_wrong_nonce_is_refused() {
    assert_id_token_refused(
        Quirks {
            wrong_nonce: true,
            ..Quirks::default()
        },
        "nonce",
    )
    .await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    assert_id_token_refused(
        Quirks {
            expired_id_token: true,
            ..Quirks::default()
        },
        "expired",
    )
    .await;
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    assert_id_token_refused(
        Quirks {
            wrong_audience: true,
            ..Quirks::default()
        },
        "audience",
    )
    .await;
}

#[tokio::test]
async fn an_id_token_with_a_bad_signature_is_refused() {
    assert_id_token_refused(
        Quirks {
            bad_signature: true,
            ..Quirks::default()
        },
        "signature",
    )
    .await;
}

#[tokio::test]
async fn an_unverified_oidc_email_cannot_sign_up() {
    let (h, status, page) = google_with(Quirks {
        unverified_email: true,
        ..Quirks::default()
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("No verified email address"));
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn a_userinfo_answer_about_another_subject_is_refused() {
    let h = spawn().await;
    h.dev.set_quirks(Quirks {
        email_only_in_userinfo: true,
        userinfo_subject_mismatch: true,
        ..Quirks::default()
    });
    let before = stored_keys(&h.app).await;
    let browser = h.app.browser();
    let response = oidc_flow(&browser, "/sign-in/google", "grace@example.com").await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("Sign-in could not be verified"), "{page}");
    assert!(details(&page).contains("UserInfo"), "{page}");
    assert_eq!(stored_keys(&h.app).await, before);
    assert!(!is_signed_in_as(&browser, "grace@example.com").await);
}

#[tokio::test]
async fn an_email_that_userinfo_says_is_unverified_cannot_sign_up() {
    let (h, status, page) = google_with(Quirks {
        email_only_in_userinfo: true,
        unverified_email: true,
        ..Quirks::default()
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("No verified email address"), "{page}");
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn no_email_in_the_id_token_and_no_userinfo_endpoint_cannot_sign_up() {
    let (h, status, page) = google_with(Quirks {
        email_only_in_userinfo: true,
        no_userinfo_endpoint: true,
        ..Quirks::default()
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("No verified email address"), "{page}");
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn a_token_endpoint_error_is_refused() {
    let (h, status, page) = google_with(Quirks {
        token_error: true,
        ..Quirks::default()
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("did not accept this sign-in"), "{page}");
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn github_answering_the_token_request_with_an_error_is_refused() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    h.github.fail_token_requests();
    let (status, page) =
        status_and_text(github_flow(&h.app.browser(), "/sign-in/github").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("GitHub did not accept this sign-in"),
        "{page}"
    );
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn cancelling_at_the_provider_says_so_in_words() {
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "deny").await;
    let (status, page) = status_and_text(visit(&browser, &callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        alert(&page).contains("You cancelled the sign-in at Google."),
        "{page}"
    );
    assert!(!alert(&page).contains("access_denied"), "{page}");
    assert!(details(&page).contains("access_denied"), "{page}");
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn other_provider_errors_are_explained_in_words() {
    let h = spawn().await;
    let browser = h.app.browser();
    for (error, expected_status, words) in [
        (
            "temporarily_unavailable",
            StatusCode::BAD_GATEWAY,
            "Google had a problem and could not sign you in",
        ),
        (
            "invalid_scope",
            StatusCode::BAD_REQUEST,
            "Google refused to start the sign-in",
        ),
    ] {
        let start = browser.get("/sign-in/google").await;
        let state = query_value(location(&start), "state");
        let mut callback = callback_url(h.app.state.origin(), "google");
        callback
            .query_pairs_mut()
            .append_pair("error", error)
            .append_pair("state", &state);
        let (status, page) = status_and_text(visit(&browser, callback.as_str()).await).await;
        assert_eq!(status, expected_status, "{page}");
        assert!(alert(&page).contains(words), "{page}");
        assert!(!alert(&page).contains(error), "{page}");
        assert!(details(&page).contains(error), "{page}");
    }
    assert!(nothing_written(&h.app).await);
}

/// The main message of a refusal page.
fn alert(page: &str) -> &str {
    let from = page.find(r#"role="alert""#).unwrap_or(page.len());
    between(&page[from..], ">", "</p>")
}

/// The folded technical details of a refusal page.
fn details(page: &str) -> &str {
    between(page, "<details>", "</details>")
}

fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).map_or(page.len(), |i| i + start.len());
    let to = page[from..].find(end).map_or(page.len(), |i| from + i);
    &page[from..to]
}

/// One query parameter of a URL, e.g. the `state` the app sent to a provider.
fn query_value(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_callback_without_the_flow_cookie_is_refused() {
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    let stranger = h.app.browser();
    let (status, page) = status_and_text(visit(&stranger, &callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not started in this browser"));
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn a_callback_with_a_wrong_or_missing_state_is_refused() {
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    let mut url = url::Url::parse(&callback).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    url.query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "forged");
    let (status, page) = status_and_text(visit(&browser, url.as_str()).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("the state does not match"));

    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    let mut url = url::Url::parse(&callback).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    url.query_pairs_mut().clear().append_pair("code", &code);
    let (status, _) = status_and_text(visit(&browser, url.as_str()).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn a_replayed_callback_or_code_is_refused() {
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    assert_eq!(location(&visit(&browser, &callback).await), "/");
    browser.post("/sign-out", &[]).await;
    let before = stored_keys(&h.app).await;

    // The same callback again: the flow cookie was used up.
    let (status, page) = status_and_text(visit(&browser, &callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("finished already"));

    // The old code inside a fresh flow: the provider refuses it.
    let fresh =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    let old = url::Url::parse(&callback).unwrap();
    let old_code = old
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let mut replay = url::Url::parse(&fresh).unwrap();
    let state = replay
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    replay
        .query_pairs_mut()
        .clear()
        .append_pair("code", &old_code)
        .append_pair("state", &state);
    let (status, page) = status_and_text(visit(&browser, replay.as_str()).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("did not accept this sign-in"), "{page}");
    assert_eq!(stored_keys(&h.app).await, before, "no new session");
    assert!(!is_signed_in_as(&browser, "grace@example.com").await);
}

#[tokio::test]
async fn a_flow_older_than_ten_minutes_is_refused() {
    let h = spawn().await;
    let browser = h.app.browser();
    let callback =
        oidc_redirect_back(&browser, "/sign-in/google", "grace@example.com", "approve").await;
    h.app.clock().advance(Duration::minutes(11));
    let (status, page) = status_and_text(visit(&browser, &callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("longer than ten minutes"));
    assert!(nothing_written(&h.app).await);
}

/// An address where nothing listens: a provider that is down.
fn dead_address() -> url::Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap()
}

#[tokio::test]
async fn an_oidc_provider_that_is_down_gives_a_clear_page() {
    let dead = dead_address();
    let google = oauth::provider::Provider {
        slug: "google".into(),
        name: "Google".into(),
        client_id: "id".into(),
        client_secret: "secret".into(),
        endpoints: oauth::provider::Endpoints::Oidc {
            issuer: dead.as_str().trim_end_matches('/').into(),
        },
    };
    let app = spawn_with(Providers::new(vec![google])).await;
    let (status, page) = status_and_text(app.browser().get("/sign-in/google").await).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(page.contains("Google could not be reached"), "{page}");
    assert!(nothing_written(&app).await);
}

#[tokio::test]
async fn github_being_down_at_the_token_exchange_gives_a_clear_page() {
    let app = spawn_with(Providers::new(vec![github::provider_at(dead_address())])).await;
    let browser = app.browser();
    let start = browser.get("/sign-in/github").await;
    let authorize = url::Url::parse(location(&start)).unwrap();
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut callback = callback_url(app.state.origin(), "github");
    callback
        .query_pairs_mut()
        .append_pair("code", "some-code")
        .append_pair("state", &state);
    let (status, page) = status_and_text(visit(&browser, callback.as_str()).await).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(page.contains("GitHub could not be reached"), "{page}");
    assert!(nothing_written(&app).await);
}

use crate::helpers::*;
use auth_testing::TestApp;
use auth_web::rate_limit::POSTS_PER_CLIENT;
use auth_web::server::MAX_FORM_BYTES;
use reqwest::StatusCode;

#[tokio::test]
async fn an_oversized_form_is_refused_with_413() {
    let app = spawn().await;
    let huge = "a".repeat(MAX_FORM_BYTES + 1);
    let response = app.browser().sign_in(&huge, PASSWORD).await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("more data than the app accepts"));
}

#[tokio::test]
async fn a_malformed_form_body_is_a_400_page() {
    let app = spawn().await;
    let browser = app.browser();
    let origin = browser.base.origin().ascii_serialization();
    let response = browser
        .client
        .post(browser.url("/sign-in"))
        .header("origin", origin)
        .header("content-type", "application/json")
        .body("{\"email\":1}")
        .send()
        .await
        .unwrap();
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("The form could not be read."));
}

/// Seconds until the current one-minute window of the per-client limit ends.
fn rest_of_the_minute(app: &TestApp) -> i64 {
    60 - app.clock().now().unix_timestamp().rem_euclid(60)
}

#[tokio::test]
async fn one_address_posting_too_fast_is_answered_429_until_the_minute_ends() {
    let app = spawn().await;
    let browser = app.browser();
    for _ in 0..POSTS_PER_CLIENT.max {
        let response = browser.sign_up("not-an-email", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = browser.sign_up("not-an-email", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = rest_of_the_minute(&app);
    assert_eq!(response.headers()["retry-after"], wait.to_string().as_str());
    let page = response.text().await.unwrap();
    assert!(page.contains("Too many attempts, try again in"), "{page}");

    app.clock().advance(time::Duration::seconds(wait));
    let response = browser.sign_up("not-an-email", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "a new minute");
}

#[tokio::test]
async fn sign_ins_count_toward_the_same_limit_per_address() {
    let app = spawn().await;
    let browser = app.browser();
    for n in 0..POSTS_PER_CLIENT.max {
        let email = format!("nobody{n}@example.com");
        let response = browser.sign_in(&email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = browser.sign_in("nobody-else@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

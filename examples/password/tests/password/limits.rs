use crate::helpers::*;
use auth_web::rate_limit::POSTS_PER_IP;
use auth_web::server::MAX_FORM_BYTES;
use reqwest::StatusCode;

#[tokio::test]
async fn an_oversized_form_is_refused_with_413() {
    let app = spawn().await;
    let huge = "a".repeat(MAX_FORM_BYTES + 1);
    let response = sign_in(&app.browser(), &huge, PASSWORD).await;
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

#[tokio::test]
async fn one_address_posting_too_fast_is_answered_429_with_a_retry_time() {
    let app = spawn().await;
    let browser = app.browser();
    for _ in 0..POSTS_PER_IP.capacity {
        let response = sign_in(&browser, "not-an-email", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = sign_in(&browser, "not-an-email", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("try again in 1 second")
    );
}

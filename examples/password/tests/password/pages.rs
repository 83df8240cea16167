use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn().await;
    let browser = app.browser();
    for path in ["/", "/sign-in", "/no-such-page"] {
        let response = browser.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = spawn().await;
    let (status, page) = status_and_text(app.browser().get("/nope").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Page not found"));
}

#[tokio::test]
async fn pages_work_without_javascript_and_use_the_apps_own_stylesheet() {
    let app = spawn().await;
    let browser = app.browser();
    let page = browser.get("/sign-up").await.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<form method=\"post\" action=\"/sign-up\""));
    assert!(!page.contains("<script"));
    assert!(page.contains("href=\"/static/style.css\""));
    let css = browser.get("/static/style.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn what_users_type_is_escaped_when_shown() {
    let app = spawn().await;
    let response = app
        .browser()
        .sign_up("<b>ada</b>@example.com", PASSWORD)
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not an address");
    assert!(
        page.contains("value=\"&lt;b&gt;ada&lt;/b&gt;@example.com\""),
        "the form shows it again, escaped: {page}"
    );
    assert!(!page.contains("<b>ada</b>"));
}

#[tokio::test]
async fn when_dynamodb_is_gone_users_get_a_503_page_and_health_says_so() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    assert_eq!(browser.get("/healthz").await.status(), StatusCode::OK);
    auth_testing::delete_table(app.table()).await.unwrap();
    let (status, page) = status_and_text(browser.get("/").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("cannot reach its database"));
    assert_eq!(
        browser.get("/healthz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let (status, _) =
        status_and_text(app.browser().sign_in("ada@example.com", PASSWORD).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

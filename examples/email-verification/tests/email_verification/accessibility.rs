//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_testing::assert_accessible`).

use crate::helpers::*;
use auth_testing::{Browser, checked_page, location, primary_actions};

async fn check_get(browser: &Browser, path: &str) -> String {
    checked_page(path, browser.get(path).await).await
}

#[tokio::test]
async fn signed_out_pages_are_accessible() {
    let example = spawn().await;
    let browser = example.browser();
    for path in [
        "/",
        "/sign-in",
        "/sign-up",
        "/forgot-password",
        "/no-such-page",
    ] {
        check_get(&browser, path).await;
    }
    let wrong = browser.sign_in("nobody@example.com", PASSWORD).await;
    checked_page("POST /sign-in", wrong).await;
    let short = browser.sign_up("ada@example.com", "short").await;
    checked_page("POST /sign-up", short).await;
}

#[tokio::test]
async fn the_verification_pages_are_accessible_with_and_without_an_error() {
    let example = spawn().await;
    let (browser, _code) = signed_up(&example, "ada@example.com").await;
    let page = check_get(&browser, "/verify-email").await;
    assert_eq!(
        primary_actions(&page),
        ["Verify"],
        "a new code and another address are secondary: {page}"
    );
    let page = checked_page("POST /verify-email", enter_code(&browser, "WRONGONE").await).await;
    assert!(page.contains(r#"role="alert""#), "{page}");
}

#[tokio::test]
async fn signed_in_pages_are_accessible() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    for path in ["/", "/settings"] {
        check_get(&browser, path).await;
    }
    let taken = browser
        .post("/settings/email", &[("email", "ada@example.com")])
        .await;
    checked_page("POST /settings/email", taken).await;
}

#[tokio::test]
async fn the_reset_pages_are_accessible() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let (browser, code) = reset_started(&example, "ada@example.com").await;
    check_get(&browser, "/reset-password/verify-email").await;
    checked_page(
        "POST /reset-password/verify-email",
        enter_reset_code(&browser, "WRONGONE").await,
    )
    .await;
    let response = enter_reset_code(&browser, &code).await;
    let next = location(&response).to_owned();
    check_get(&browser, &next).await;
    let short = browser.post(&next, &[("password", "short")]).await;
    checked_page("POST the new password", short).await;
}

//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_web::testing::assert_accessible`).

use crate::helpers::*;
use auth_web::testing::{Browser, assert_accessible, location, primary_actions};
use reqwest::Response;

/// Checks the page a response carries (any status: error pages are pages too).
async fn check(path: &str, response: Response) -> String {
    let (status, page) = status_and_text(response).await;
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{path}: {status} is not a page: {page}"
    );
    assert_accessible(&page);
    let primary = primary_actions(&page);
    assert!(
        primary.len() <= 1,
        "{path}: more than one main action: {primary:?}"
    );
    page
}

async fn check_get(browser: &Browser, path: &str) -> String {
    check(path, browser.get(path).await).await
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
    let wrong = sign_in(&browser, "nobody@example.com", PASSWORD).await;
    check("POST /sign-in", wrong).await;
    let short = sign_up(&browser, "ada@example.com", "short").await;
    check("POST /sign-up", short).await;
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
    let page = check("POST /verify-email", enter_code(&browser, "WRONGONE").await).await;
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
    check("POST /settings/email", taken).await;
}

#[tokio::test]
async fn the_reset_pages_are_accessible() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let (browser, code) = reset_started(&example, "ada@example.com").await;
    check_get(&browser, "/reset-password/verify-email").await;
    check(
        "POST /reset-password/verify-email",
        enter_reset_code(&browser, "WRONGONE").await,
    )
    .await;
    let response = enter_reset_code(&browser, &code).await;
    let next = location(&response).to_owned();
    check_get(&browser, &next).await;
    let short = browser.post(&next, &[("password", "short")]).await;
    check("POST the new password", short).await;
}

//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_web::testing::assert_accessible`).

use crate::github::ada;
use crate::helpers::*;
use auth_web::testing::{assert_accessible, primary_actions};
use oauth::Providers;
use oidc_dev_provider::Quirks;
use reqwest::Response;

/// Checks the page a response carries (any status: refusals are pages too).
async fn check(what: &str, response: Response) -> String {
    let (status, page) = status_and_text(response).await;
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{what}: {status} is not a page: {page}"
    );
    assert_accessible(&page);
    let primary = primary_actions(&page);
    assert!(
        primary.len() <= 1,
        "{what}: more than one main action: {primary:?}"
    );
    page
}

#[tokio::test]
async fn signed_out_pages_are_accessible() {
    let h = spawn().await;
    let browser = h.app.browser();
    for path in ["/", "/sign-in", "/sign-up", "/no-such-page"] {
        check(path, browser.get(path).await).await;
    }
    let unconfigured = spawn_with(Providers::default()).await;
    let browser = unconfigured.browser();
    for path in ["/sign-in", "/sign-up"] {
        check(path, browser.get(path).await).await;
    }
}

#[tokio::test]
async fn a_refused_sign_in_is_an_accessible_page() {
    let h = spawn().await;
    h.dev.set_quirks(Quirks {
        wrong_nonce: true,
        ..Quirks::default()
    });
    let response = oidc_flow(&h.app.browser(), "/sign-in/google", "grace@example.com").await;
    check("a refused sign-in", response).await;
}

#[tokio::test]
async fn signed_in_pages_are_accessible() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    for path in ["/", "/settings", "/settings?done=linked"] {
        check(path, browser.get(path).await).await;
    }
    let refused = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    check("unlinking the only account", refused).await;
}

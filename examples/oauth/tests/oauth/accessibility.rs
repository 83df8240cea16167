//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_testing::assert_accessible`).

use crate::github::ada;
use crate::helpers::*;
use auth_testing::checked_page;
use oauth::Providers;
use oidc_dev_provider::Quirks;

#[tokio::test]
async fn signed_out_pages_are_accessible() {
    let h = spawn().await;
    let browser = h.app.browser();
    for path in ["/", "/sign-in", "/sign-up", "/no-such-page"] {
        checked_page(path, browser.get(path).await).await;
    }
    let unconfigured = spawn_with(Providers::default()).await;
    let browser = unconfigured.browser();
    for path in ["/sign-in", "/sign-up"] {
        checked_page(path, browser.get(path).await).await;
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
    checked_page("a refused sign-in", response).await;
}

#[tokio::test]
async fn signed_in_pages_are_accessible() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    for path in ["/", "/settings", "/settings?done=linked"] {
        checked_page(path, browser.get(path).await).await;
    }
    let refused = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    checked_page("unlinking the only account", refused).await;
}

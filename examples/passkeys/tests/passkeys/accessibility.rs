//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_testing::assert_accessible`). The browser test (`browser`)
//! adds axe-core's checks in Chromium, colours and widths included.

use crate::helpers::{Device, app, sign_up};
use auth_testing::{Browser, checked_page};

async fn check_get(browser: &Browser, path: &str) -> String {
    checked_page(path, browser.get(path).await).await
}

#[tokio::test]
async fn signed_out_pages_are_accessible() {
    let app = app().await;
    let browser = app.browser();
    for path in ["/", "/sign-in", "/sign-up", "/no-such-page"] {
        check_get(&browser, path).await;
    }
    for path in ["/sign-in", "/sign-up"] {
        let page = checked_page(
            path,
            browser.post(path, &[("email", "ada@example.com")]).await,
        )
        .await;
        assert!(page.contains("Turn JavaScript on"), "{page}");
    }
    // The sign-in page's email field is optional, and says so in a hint read with it.
    let sign_in = check_get(&browser, "/sign-in").await;
    assert!(
        sign_in.contains(r#"<span>Email</span>"#)
            && sign_in.contains(r#"aria-describedby="username-hint""#),
        "{sign_in}"
    );
}

#[tokio::test]
async fn signed_in_pages_are_accessible() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    assert_eq!(
        sign_up(&browser, &mut device, "ada@example.com")
            .await
            .status(),
        200
    );
    for path in ["/", "/settings", "/settings?done=added"] {
        check_get(&browser, path).await;
    }
    let settings = check_get(&browser, "/settings").await;
    for label in ["Name", "Added", "Last used"] {
        assert!(
            settings.contains(&format!(r#"<td data-label="{label}">"#)),
            "the passkeys table labels its cells for a phone: {settings}"
        );
    }
    assert!(
        settings.contains(r#"<span class="visually-hidden">Actions</span>"#),
        "{settings}"
    );
    let without_javascript = browser
        .post("/settings/passkeys/add", &[("name", "Phone")])
        .await;
    checked_page("adding a passkey without JavaScript", without_javascript).await;
}

//! Every page of the example, in its main states, passes the accessibility check that runs
//! without a browser (`auth_testing::assert_accessible`).

use crate::helpers::*;
use auth_testing::{Browser, assert_accessible, primary_actions};
use reqwest::StatusCode;
use time::Duration;

/// Checks a page, and that it has one main action at most (`ButtonKind::Primary`).
fn check(what: &str, page: &str) {
    assert_accessible(page);
    let primary = primary_actions(page);
    assert!(
        primary.len() <= 1,
        "{what}: more than one main action: {primary:?}"
    );
}

/// The page at `path`, checked; returns its HTML.
async fn check_get(browser: &Browser, path: &str) -> String {
    let (status, page) = status_and_text(browser.get(path).await).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::NOT_FOUND,
        "{path}: {status}"
    );
    check(path, &page);
    page
}

/// The page a form post answers with (a refusal shows the form again), checked.
async fn check_post(browser: &Browser, path: &str, form: &[(&str, &str)]) -> String {
    let (status, page) = status_and_text(browser.post(path, form).await).await;
    assert!(status.is_client_error(), "{path}: {status} {page}");
    check(path, &page);
    page
}

#[tokio::test]
async fn signed_out_pages_are_accessible() {
    let app = spawn().await;
    let browser = app.browser();
    for path in ["/", "/sign-in", "/sign-up", "/no-such-page"] {
        check_get(&browser, path).await;
    }
}

#[tokio::test]
async fn forms_with_an_error_are_accessible_and_say_so() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    let page = check_post(
        &browser,
        "/sign-up",
        &[("email", "ada"), ("password", PASSWORD)],
    )
    .await;
    assert!(page.contains(r#"role="alert""#), "{page}");
    assert!(
        page.contains(r#"<script defer src="/static/focus-error.js"></script>"#),
        "a page with an error loads the focus script: {page}"
    );
    check_post(
        &browser,
        "/sign-up",
        &[("email", "grace@example.com"), ("password", "short")],
    )
    .await;
    check_post(
        &browser,
        "/sign-in",
        &[("email", "ada@example.com"), ("password", "wrong one")],
    )
    .await;
}

#[tokio::test]
async fn signed_in_pages_are_accessible() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada.lovelace.countess@analytical-engine.example").await;
    for path in [
        "/",
        "/settings",
        "/settings?done=revoked",
        "/reauth?next=%2Fsettings",
    ] {
        check_get(&browser, path).await;
    }
    let page = check_post(
        &browser,
        "/settings/password",
        &[
            ("current_password", "not it"),
            ("new_password", "a new passphrase"),
        ],
    )
    .await;
    assert!(
        page.contains("Your current password is not right."),
        "{page}"
    );
    app.clock().advance(Duration::SECOND);
    check_post(
        &browser,
        "/reauth",
        &[("password", "not it"), ("next", "/settings")],
    )
    .await;
}

#[tokio::test]
async fn the_header_keeps_a_long_email_whole_in_its_title() {
    let app = spawn().await;
    let email = "ada.lovelace.countess@analytical-engine.example";
    let browser = signed_up(&app, email).await;
    let page = check_get(&browser, "/").await;
    assert!(
        page.contains(&format!(
            r#"<span title="{email}" class="who">{email}</span>"#
        )),
        "{page}"
    );
}

#[tokio::test]
async fn the_sessions_table_names_devices_and_labels_its_cells() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    app.clock().advance(Duration::minutes(2));
    let page = check_get(&browser, "/settings").await;
    // The test client's user agent names no browser, but its system.
    assert!(page.contains("Unknown browser on Linux"), "{page}");
    assert!(page.contains(r#"<td data-label="Device">"#), "{page}");
    assert!(
        page.contains(r#"<span class="visually-hidden">Actions</span>"#),
        "{page}"
    );
    // Relative to the app's clock, which the test moved; the exact time in the element.
    assert!(page.contains(">2 minutes ago</time>"), "{page}");
    assert!(page.contains("<time datetime=\""), "{page}");
}

//! A refusal about one field marks that field (`aria-invalid`, and `aria-describedby` naming
//! the message shown under it) while the alert at the top stays; one that must not say which
//! field was wrong marks none.

use crate::helpers::*;
use auth_testing::{Browser, invalid_field_message};
use reqwest::StatusCode;
use time::Duration;

async fn page_of(browser: &Browser, path: &str, form: &[(&str, &str)]) -> String {
    let (status, page) = status_and_text(browser.post(path, form).await).await;
    assert!(status.is_client_error(), "{path}: {status} {page}");
    assert!(page.contains(r#"role="alert""#), "the alert stays: {page}");
    page
}

#[tokio::test]
async fn a_weak_password_at_sign_up_marks_the_password_field() {
    let app = spawn().await;
    let form = [("email", "ada@example.com"), ("password", "short")];
    let page = page_of(&app.browser(), "/sign-up", &form).await;
    assert_eq!(
        invalid_field_message(&page, "password").as_deref(),
        Some("Use at least 8 characters for your password."),
        "{page}"
    );
    assert_eq!(invalid_field_message(&page, "email"), None, "{page}");
}

#[tokio::test]
async fn a_bad_or_taken_email_at_sign_up_marks_the_email_field() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    for (email, message) in [
        ("ada", "Enter a valid email address."),
        ("ada@example.com", "That email is already registered."),
    ] {
        let form = [("email", email), ("password", PASSWORD)];
        let page = page_of(&browser, "/sign-up", &form).await;
        assert_eq!(
            invalid_field_message(&page, "email").as_deref(),
            Some(message)
        );
        assert_eq!(invalid_field_message(&page, "password"), None, "{page}");
    }
}

#[tokio::test]
async fn sign_in_marks_an_email_that_is_not_one_but_never_says_which_was_wrong() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    let form = [("email", "ada"), ("password", PASSWORD)];
    let page = page_of(&browser, "/sign-in", &form).await;
    assert_eq!(
        invalid_field_message(&page, "email").as_deref(),
        Some("Enter a valid email address.")
    );
    let form = [
        ("email", "ada@example.com"),
        ("password", "not the password"),
    ];
    let page = page_of(&browser, "/sign-in", &form).await;
    assert!(page.contains("Wrong email or password."), "{page}");
    assert!(!page.contains("aria-invalid"), "no field is marked: {page}");
}

#[tokio::test]
async fn changing_the_password_marks_the_current_or_the_new_one() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let form = [
        ("current_password", "not it"),
        ("new_password", "a new passphrase"),
    ];
    let page = page_of(&browser, "/settings/password", &form).await;
    assert_eq!(
        invalid_field_message(&page, "current_password").as_deref(),
        Some("Your current password is not right.")
    );
    assert_eq!(invalid_field_message(&page, "new_password"), None, "{page}");

    // The wrong guess made the next check wait a second.
    app.clock().advance(Duration::seconds(1));
    let form = [("current_password", PASSWORD), ("new_password", "short")];
    let page = page_of(&browser, "/settings/password", &form).await;
    assert_eq!(
        invalid_field_message(&page, "new_password").as_deref(),
        Some("Use at least 8 characters for your password.")
    );
    assert_eq!(
        invalid_field_message(&page, "current_password"),
        None,
        "{page}"
    );
}

#[tokio::test]
async fn a_wrong_password_on_the_proof_page_marks_it() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let form = [("password", "not it"), ("next", "/settings")];
    let (status, page) = status_and_text(browser.post("/reauth", &form).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        invalid_field_message(&page, "password").as_deref(),
        Some("That password is not right.")
    );
}

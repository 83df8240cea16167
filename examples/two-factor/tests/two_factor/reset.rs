//! A password reset with two-factor authentication on demands the second factor.

use crate::helpers::*;
use auth_testing::{Browser, location};
use reqwest::StatusCode;

/// Forgot password, and the emailed code entered: the browser mid-reset.
async fn reset_to_second_factor(example: &Example, email: &str) -> Browser {
    let browser = example.browser();
    let response = browser.post("/forgot-password", &[("email", email)]).await;
    assert_eq!(location(&response), "/reset-password/verify-email");
    let code = example.mail.code_for(email).await;
    let response = browser
        .post("/reset-password/verify-email", &[("code", &code)])
        .await;
    assert_eq!(location(&response), "/reset-password/two-factor");
    browser
}

async fn new_password(browser: &Browser) -> reqwest::Response {
    browser
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await
}

#[tokio::test]
async fn a_reset_asks_for_the_second_factor_before_the_new_password() {
    let example = spawn().await;
    let (_, app, _) = with_totp(&example, "ada@example.com").await;
    let browser = reset_to_second_factor(&example, "ada@example.com").await;

    // Neither the page nor the form of the new password is reachable yet.
    let response = browser.get("/reset-password").await;
    assert_eq!(location(&response), "/reset-password/two-factor");
    assert_eq!(
        location(&new_password(&browser).await),
        "/reset-password/two-factor"
    );
    let page = browser
        .get("/reset-password/two-factor")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Authenticator app") && page.contains("recovery code"),
        "{page}"
    );

    let wrong = browser
        .post(
            "/reset-password/two-factor",
            &[("method", "totp"), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    next_step(&example);
    let response = browser
        .post(
            "/reset-password/two-factor",
            &[("method", "totp"), ("code", &app.code(&example))],
        )
        .await;
    assert_eq!(location(&response), "/reset-password");
    let response = new_password(&browser).await;
    assert_eq!(location(&response), "/?done=reset");
    let page = browser.get("/?done=reset").await.text().await.unwrap();
    assert!(page.contains("Your password was changed."), "{page}");
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com"),
        "the reset passed both factors, so its session is fully signed in"
    );

    let fresh = example.browser();
    let response = fresh.sign_in("ada@example.com", NEW_PASSWORD).await;
    assert_eq!(
        location(&response),
        "/two-factor",
        "2FA stays on after a reset"
    );
}

#[tokio::test]
async fn a_recovery_code_passes_the_reset_and_works_only_once() {
    let example = spawn().await;
    let (_, _, codes) = with_totp(&example, "ada@example.com").await;
    let browser = reset_to_second_factor(&example, "ada@example.com").await;
    let form = [("method", "recovery-code"), ("code", codes[0].as_str())];
    let response = browser.post("/reset-password/two-factor", &form).await;
    assert_eq!(location(&response), "/reset-password");
    assert_eq!(location(&new_password(&browser).await), "/?done=reset");
    let notice = example.mail.next_mail().await;
    assert_eq!(notice.subject(), "Your password was changed");

    let again = reset_to_second_factor(&example, "ada@example.com").await;
    let response = again.post("/reset-password/two-factor", &form).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        location(&new_password(&again).await),
        "/reset-password/two-factor"
    );
}

#[tokio::test]
async fn a_reset_without_two_factor_goes_straight_to_the_new_password() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    sign_out(&browser).await;
    let response = browser
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    assert_eq!(location(&response), "/reset-password/verify-email");
    let code = example.mail.code_for("ada@example.com").await;
    let response = browser
        .post("/reset-password/verify-email", &[("code", &code)])
        .await;
    assert_eq!(location(&response), "/reset-password");
    assert_eq!(
        location(&browser.get("/reset-password/two-factor").await),
        "/reset-password",
        "no factor step for an account without one"
    );
    assert_eq!(location(&new_password(&browser).await), "/?done=reset");
}

#[tokio::test]
async fn the_factor_step_needs_the_reset_cookie_and_the_emailed_code_first() {
    let example = spawn().await;
    with_totp(&example, "ada@example.com").await;
    let stranger = example.browser();
    let (status, page) = status_and_text(stranger.get("/reset-password/two-factor").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Please start again"), "{page}");
    let browser = example.browser();
    browser
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    example.mail.next_mail().await;
    let response = browser.get("/reset-password/two-factor").await;
    assert_eq!(location(&response), "/reset-password/verify-email");
    let response = browser
        .post(
            "/reset-password/two-factor",
            &[("method", "totp"), ("code", "123456")],
        )
        .await;
    assert_eq!(location(&response), "/reset-password/verify-email");
}

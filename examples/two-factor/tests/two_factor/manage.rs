//! Managing factors needs a fresh proof, which with 2FA on is the password and then a
//! second factor; removing the last factor turns 2FA off.

use crate::helpers::*;
use auth_core::session::SessionPolicy;
use auth_testing::{Browser, location};
use reqwest::StatusCode;
use time::Duration;

/// A signed-in browser with the authenticator app on, and the test's app.
async fn signed_in_with_totp(example: &Example) -> (Browser, App, Vec<String>) {
    let (browser, app, codes) = with_totp(example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    next_step(example);
    assert_eq!(
        location(&pass(&browser, "totp", &app.code(example)).await),
        "/"
    );
    (browser, app, codes)
}

fn let_the_proof_go_stale(example: &Example) {
    example
        .clock()
        .advance(SessionPolicy::default().reauth_window + Duration::SECOND);
}

#[tokio::test]
async fn turning_two_factor_off_needs_the_password_and_then_a_second_factor() {
    let example = spawn().await;
    let (browser, app, _) = signed_in_with_totp(&example).await;
    let_the_proof_go_stale(&example);
    let response = browser.post("/settings/two-factor/off", &[]).await;
    assert_eq!(location(&response), "/reauth?next=%2Fsettings");
    let response = browser
        .post(
            "/reauth",
            &[("password", PASSWORD), ("next", "/settings/two-factor")],
        )
        .await;
    assert_eq!(
        location(&response),
        "/two-factor?next=%2Fsettings%2Ftwo-factor",
        "the password alone is no proof with 2FA on"
    );
    let response = browser.post("/settings/two-factor/off", &[]).await;
    assert!(
        location(&response).starts_with("/two-factor"),
        "still not proved"
    );
    assert_eq!(location(&browser.get("/").await), "/two-factor?next=%2F");

    next_step(&example);
    let code = app.code(&example);
    let response = browser
        .post(
            "/two-factor",
            &[
                ("method", "totp"),
                ("code", &code),
                ("next", "/settings/two-factor"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings/two-factor");
    let response = browser.post("/settings/two-factor/off", &[]).await;
    assert_eq!(location(&response), "/settings?done=two-factor-off");
    let page = browser
        .get("/settings?done=two-factor-off")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Two-factor authentication is <strong>off</strong>"),
        "{page}"
    );
    let left: Vec<_> = items(&example)
        .await
        .iter()
        .map(|i| s(i, "SK").to_owned())
        .filter(|sk| sk == "TOTP" || sk == "RECOVERY")
        .collect();
    assert!(left.is_empty(), "{left:?}");

    sign_out(&browser).await;
    assert_eq!(
        location(&browser.sign_in("ada@example.com", PASSWORD).await),
        "/"
    );
}

#[tokio::test]
async fn a_wrong_password_at_the_proof_changes_nothing() {
    let example = spawn().await;
    let (browser, _, _) = signed_in_with_totp(&example).await;
    let_the_proof_go_stale(&example);
    let response = browser
        .post(
            "/reauth",
            &[("password", "not my password"), ("next", "/settings")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        browser.get("/").await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn removing_the_app_when_it_is_the_last_factor_turns_two_factor_off() {
    let example = spawn().await;
    let (browser, _, _) = signed_in_with_totp(&example).await;
    let page = browser
        .get("/settings/two-factor")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("An authenticator app is set up."), "{page}");
    assert!(page.contains("10 of 10 left."), "{page}");
    let response = browser.post("/settings/two-factor/totp/remove", &[]).await;
    assert_eq!(location(&response), "/settings/two-factor?done=removed");
    let page = browser
        .get("/settings/two-factor?done=removed")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Two-factor authentication is off."), "{page}");
    sign_out(&browser).await;
    assert_eq!(
        location(&browser.sign_in("ada@example.com", PASSWORD).await),
        "/"
    );
    let left: Vec<_> = items(&example)
        .await
        .iter()
        .map(|i| s(i, "SK").to_owned())
        .filter(|sk| sk == "TOTP" || sk == "RECOVERY")
        .collect();
    assert!(
        left.is_empty(),
        "the recovery codes went with the last factor: {left:?}"
    );
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones_and_are_shown_once() {
    let example = spawn().await;
    let (browser, _, old) = signed_in_with_totp(&example).await;
    let response = browser
        .post("/settings/two-factor/recovery-codes", &[])
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::OK);
    let new = recovery_codes_on(&page);
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    sign_out(&browser).await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        pass(&browser, "recovery-code", &old[1]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(&pass(&browser, "recovery-code", &new[1]).await),
        "/settings?done=recovery-code"
    );
}

#[tokio::test]
async fn a_second_app_cannot_be_set_up_over_the_first() {
    let example = spawn().await;
    let (browser, _, _) = signed_in_with_totp(&example).await;
    assert_eq!(
        location(&browser.get("/settings/two-factor/totp").await),
        "/settings/two-factor"
    );
    // A setup form from before, posted now: refused, and the stored key is unchanged.
    let other = App::from_shown_key("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    let (status, page) = status_and_text(
        browser
            .post(
                "/settings/two-factor/totp",
                &[
                    ("key", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
                    ("code", &other.code(&example)),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("An authenticator app is set up already."),
        "{page}"
    );
}

//! Recovery codes: each works once, even when raced, and the user is told how many are left.

use crate::helpers::*;
use auth_testing::location;
use reqwest::StatusCode;

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_settings_say_how_many_are_left() {
    let example = spawn().await;
    let (browser, _, codes) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let typed = codes[2].to_uppercase().replace('-', " ");
    let response = pass(&browser, "recovery-code", &typed).await;
    assert_eq!(location(&response), "/settings?done=recovery-code");
    let page = browser
        .get("/settings?done=recovery-code")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("You signed in with a recovery code"),
        "{page}"
    );
    assert!(page.contains("You have 9 recovery codes left."), "{page}");

    sign_out(&browser).await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let (status, page) = status_and_text(pass(&browser, "recovery-code", &codes[2]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "never twice");
    assert!(
        page.contains("That code is not right, or it was used already."),
        "{page}"
    );
    assert_eq!(signed_in_as(&browser).await, None);
    assert_eq!(
        location(&pass(&browser, "recovery-code", &codes[3]).await),
        "/settings?done=recovery-code"
    );
}

#[tokio::test]
async fn ten_browsers_using_one_code_at_once_let_exactly_one_in() {
    let example = spawn().await;
    let (_, _, codes) = with_totp(&example, "ada@example.com").await;
    let mut browsers = Vec::new();
    for _ in 0..10 {
        let browser = example.browser();
        let response = browser.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(location(&response), "/two-factor");
        browsers.push(browser);
    }
    let code = codes[0].as_str();
    let uses = browsers.iter().map(|b| pass(b, "recovery-code", code));
    let responses = futures::future::join_all(uses).await;
    let statuses: Vec<StatusCode> = responses.iter().map(|r| r.status()).collect();
    let passed = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(passed, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let mut signed_in = 0;
    for browser in &browsers {
        signed_in += usize::from(signed_in_as(browser).await.is_some());
    }
    assert_eq!(signed_in, 1);
}

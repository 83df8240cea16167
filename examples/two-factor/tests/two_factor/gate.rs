//! A session that passed the password but not its second factor reaches nothing else.

use crate::helpers::*;
use auth_testing::location;
use reqwest::StatusCode;

#[tokio::test]
async fn a_session_awaiting_its_second_factor_reaches_only_the_factor_page_and_sign_out() {
    let example = spawn().await;
    let (browser, _, _) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let before = items(&example).await.len();
    for path in [
        "/",
        "/settings",
        "/settings/two-factor",
        "/settings/two-factor/totp",
        "/reauth",
        "/forgot-password",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            location(&response).starts_with("/two-factor"),
            "{path}: {}",
            location(&response)
        );
    }
    for path in ["/sign-in", "/sign-up"] {
        assert_eq!(location(&browser.get(path).await), "/two-factor", "{path}");
    }
    for path in [
        "/settings/delete-account",
        "/settings/sessions/revoke-all",
        "/settings/two-factor/off",
        "/settings/two-factor/recovery-codes",
        "/settings/two-factor/totp/remove",
        "/reauth",
    ] {
        let response = browser.post(path, &[("password", PASSWORD)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/two-factor?next=%2F", "{path}");
    }
    let response = post_json(
        &browser,
        "/settings/two-factor/keys/options",
        &serde_json::json!({"kind": "security-key", "name": "Key"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(items(&example).await.len(), before, "nothing was written");
    let page = browser.get("/two-factor").await.text().await.unwrap();
    assert!(
        !page.contains("ada@example.com"),
        "the header shows no one signed in"
    );

    sign_out(&browser).await;
    assert_eq!(location(&browser.get("/settings").await), "/sign-in");
    assert_eq!(location(&browser.get("/two-factor").await), "/sign-in");
}

#[tokio::test]
async fn after_the_second_factor_the_page_it_was_going_to_opens() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let response = browser.get("/settings/two-factor").await;
    assert_eq!(
        location(&response),
        "/two-factor?next=%2Fsettings%2Ftwo-factor"
    );
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
    assert_eq!(
        browser.get("/settings/two-factor").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        location(&browser.get("/two-factor").await),
        "/",
        "passed already"
    );
}

#[tokio::test]
async fn turning_two_factor_on_holds_back_the_accounts_other_sessions() {
    let example = spawn().await;
    let laptop = signed_up(&example, "ada@example.com").await;
    let phone = example.browser();
    assert_eq!(
        location(&phone.sign_in("ada@example.com", PASSWORD).await),
        "/"
    );
    let (app, _) = set_up_totp(&example, &laptop).await;
    assert_eq!(
        signed_in_as(&laptop).await.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        location(&phone.get("/settings").await),
        "/two-factor?next=%2Fsettings"
    );
    next_step(&example);
    assert_eq!(
        location(&pass(&phone, "totp", &app.code(&example)).await),
        "/"
    );
}

//! Bad input gets a clear answer, never a panic, and a user's mistake never a 500.

use crate::helpers::*;
use auth_testing::location;
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::StatusCode;

#[tokio::test]
async fn malformed_codes_are_refused_with_a_message_and_cost_no_attempt() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let attempts = auth_core::totp::ATTEMPTS.max;
    for code in [
        "",
        "12345",
        "1234567",
        "12345a",
        "abcdef",
        "１２３４５６",
        "12 34 56 7",
    ] {
        let (status, page) = status_and_text(pass(&browser, "totp", code).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code:?}");
        assert!(page.contains("Enter the 6-digit code"), "{code:?}: {page}");
    }
    for code in [
        "",
        "abcd-efgh",
        "abcd-efgh-jkmn-pqrs",
        "0000-1111-0000",
        "<script>",
    ] {
        let (status, page) = status_and_text(pass(&browser, "recovery-code", code).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code:?}");
        assert!(
            page.contains("Enter one of your recovery codes"),
            "{code:?}: {page}"
        );
        assert!(!page.contains("<script>"), "input is never echoed raw");
    }
    for method in ["", "sms", "TOTP"] {
        let response = browser
            .post("/two-factor", &[("method", method), ("code", "123456")])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{method:?}");
    }
    for credential in ["", "not json", "{}", "{\"id\": 5}"] {
        let (status, page) = status_and_text(
            browser
                .post(
                    "/two-factor",
                    &[("method", "security-key"), ("credential", credential)],
                )
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{credential:?}: {page}");
    }
    // None of that took a place: every attempt is still there for the right code.
    next_step(&example);
    for _ in 1..attempts {
        assert_eq!(
            pass(&browser, "totp", "000000").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        location(&pass(&browser, "totp", &app.code(&example)).await),
        "/"
    );
}

#[tokio::test]
async fn a_tampered_setup_form_and_bad_webauthn_requests_are_refused_clearly() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    for key in ["", "not base32!", "AAAA", "JBSWY3DPEHPK3PXP"] {
        let response = browser
            .post(
                "/settings/two-factor/totp",
                &[("key", key), ("code", "123456")],
            )
            .await;
        let (status, page) = status_and_text(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}");
        assert!(page.contains("Start the setup again"), "{page}");
    }
    let setup = setup_page(&browser).await;
    for code in ["", "1234567", "abcdef"] {
        let response = browser
            .post(
                "/settings/two-factor/totp",
                &[("key", setup.hidden_key.as_str()), ("code", code)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{code:?}");
    }
    for (body, message) in [
        (
            serde_json::json!({"kind": "fax", "name": "x"}),
            "Choose a security key or a passkey.",
        ),
        (
            serde_json::json!({"kind": "passkey", "name": " "}),
            "Give the passkey a name",
        ),
    ] {
        let response = post_json(&browser, "/settings/two-factor/keys/options", &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let answer: serde_json::Value = response.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains(message),
            "{answer}"
        );
    }
    let response = browser
        .client
        .post(browser.url("/settings/two-factor/keys/options"))
        .header("origin", browser.base.origin().ascii_serialization())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, page) = status_and_text(
        browser
            .post("/settings/two-factor/keys", &[("credential", "")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("JavaScript"), "{page}");
    let (status, page) = status_and_text(
        browser
            .post(
                "/settings/two-factor/keys",
                &[("credential", "{\"id\":\"x\"}")],
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
}

#[tokio::test]
async fn a_tampered_key_in_the_table_is_a_clear_error_and_lets_no_one_in() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    let mut item = items(&example)
        .await
        .into_iter()
        .find(|i| s(i, "SK") == "TOTP")
        .unwrap();
    let Some(AttributeValue::B(sealed)) = item.get("Key") else {
        panic!("a binary Key")
    };
    let mut bytes = sealed.as_ref().to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    item.insert("Key".into(), AttributeValue::B(bytes.into()));
    example
        .table()
        .client()
        .put_item()
        .table_name(example.table().name())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();

    browser.sign_in("ada@example.com", PASSWORD).await;
    next_step(&example);
    let (status, page) = status_and_text(pass(&browser, "totp", &app.code(&example)).await).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "our fault, not the user's"
    );
    assert!(
        page.contains("The app hit an unexpected error. It has been logged."),
        "{page}"
    );
    assert_eq!(signed_in_as(&browser).await, None);
    assert!(
        !session_item(&example, &browser)
            .await
            .contains_key("TwoFactorVerified"),
        "the session did not pass"
    );
    // The app keeps serving: other ways in still work.
    assert_eq!(browser.get("/two-factor").await.status(), StatusCode::OK);
}

//! An authenticator app from setup to sign-in, and the codes it refuses.

use crate::helpers::*;
use crate::qr;
use auth_testing::{location, start_windows};
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn the_setup_page_shows_a_qr_code_of_the_otpauth_uri_and_the_key_to_type() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let setup = setup_page(&browser).await;
    assert!(
        !setup.page.contains("<script"),
        "no JavaScript on the setup page"
    );
    let uri = qr::decode(&setup.page);
    let parsed = reqwest::Url::parse(&uri).unwrap();
    assert_eq!(parsed.scheme(), "otpauth");
    assert_eq!(parsed.host_str(), Some("totp"));
    assert_eq!(parsed.path(), "/Auth%20examples:ada%40example.com");
    let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(query["issuer"], "Auth examples");
    assert_eq!(query["secret"], setup.shown_key.replace(' ', ""));
    assert_eq!(
        (query["digits"].as_str(), query["period"].as_str()),
        ("6", "30")
    );
    assert_eq!(setup.hidden_key, query["secret"]);
    // totp-rs reads the same URI as an app would, and agrees with the typed key.
    let from_uri = totp_rs::Totp::from_url(&uri).unwrap();
    assert_eq!(from_uri.issuer(), Some("Auth examples"));
    assert_eq!(from_uri.account_name(), "ada@example.com");
    let typed = App::from_shown_key(&setup.shown_key);
    let now = example.clock().now().unix_timestamp() as u64;
    assert_eq!(from_uri.generate(now).to_string(), typed.code(&example));
    assert_ne!(
        setup_page(&browser).await.shown_key,
        setup.shown_key,
        "a new key each time"
    );
}

#[tokio::test]
async fn setup_completes_only_with_a_valid_code_and_shows_ten_recovery_codes_once() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let setup = setup_page(&browser).await;
    let app = App::from_shown_key(&setup.shown_key);
    let wrong = browser
        .post(
            "/settings/two-factor/totp",
            &[("key", &setup.hidden_key), ("code", "000000")],
        )
        .await;
    let (status, page) = status_and_text(wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("That code is not right"), "{page}");
    assert!(
        page.contains(&setup.shown_key),
        "the same key, to try again"
    );
    assert!(items(&example).await.iter().all(|i| s(i, "SK") != "TOTP"));

    let response = browser
        .post(
            "/settings/two-factor/totp",
            &[("key", &setup.hidden_key), ("code", &app.code(&example))],
        )
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::OK);
    let codes = recovery_codes_on(&page);
    assert_eq!(codes.len(), 10, "{page}");
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 14 && c.matches('-').count() == 2)
    );
    let stored = format!("{:?}", items(&example).await);
    assert!(
        codes.iter().all(|c| !stored.contains(&c.replace('-', ""))),
        "hashes only"
    );
    assert!(!stored.contains(&setup.hidden_key), "the key is sealed");
    let settings = browser.get("/settings").await.text().await.unwrap();
    assert!(
        settings.contains("You have 10 recovery codes left."),
        "{settings}"
    );
    assert!(!settings.contains(&codes[0]), "shown once");
}

#[tokio::test]
async fn sign_in_asks_for_the_code_after_the_password_and_a_code_works_once() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    assert_eq!(signed_in_as(&browser).await, None);
    let response = browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(location(&response), "/two-factor");
    let page = browser.get("/two-factor").await.text().await.unwrap();
    assert!(
        page.contains("Authenticator app") && page.contains("recovery code"),
        "{page}"
    );
    assert!(
        !page.contains("Use a security key"),
        "only the factors the user has"
    );

    // The setup code's step was used up by the setup itself.
    let response = pass(&browser, "totp", &app.code(&example)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    next_step(&example);
    let code = app.code(&example);
    let response = pass(&browser, "totp", &code).await;
    assert_eq!(location(&response), "/");
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );
    let session = session_item(&example, &browser).await;
    assert_eq!(
        session.get("TwoFactorVerified"),
        Some(&aws_sdk_dynamodb::types::AttributeValue::Bool(true))
    );

    // The same code, in the same step, from another browser: refused.
    let other = example.browser();
    other.sign_in("ada@example.com", PASSWORD).await;
    let (status, page) = status_and_text(pass(&other, "totp", &code).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("That code is not right, or it was used already."),
        "{page}"
    );
    assert_eq!(signed_in_as(&other).await, None);
}

#[tokio::test]
async fn a_code_used_on_one_instance_is_refused_by_another() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    let other_instance = example.another_instance(routes_of(&example)).await;
    next_step(&example);
    let code = app.code(&example);
    browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(location(&pass(&browser, "totp", &code).await), "/");

    let other = example.browser();
    other.sign_in("ada@example.com", PASSWORD).await;
    let form = [("method", "totp"), ("code", code.as_str()), ("next", "/")];
    let response = other.post_at(&other_instance, "/two-factor", &form).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(signed_in_as(&other).await, None);
    // A code of the next step works there.
    next_step(&example);
    let code = app.code(&example);
    let form = [("method", "totp"), ("code", code.as_str()), ("next", "/")];
    let response = other.post_at(&other_instance, "/two-factor", &form).await;
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn codes_one_step_off_are_accepted_and_two_steps_off_refused() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    example.clock().advance(Duration::minutes(2));
    let late = app.code_at(&example, Duration::seconds(-60));
    assert_eq!(
        pass(&browser, "totp", &late).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let early = app.code_at(&example, Duration::seconds(60));
    assert_eq!(
        pass(&browser, "totp", &early).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let slow_phone = app.code_at(&example, Duration::seconds(-30));
    assert_eq!(location(&pass(&browser, "totp", &slow_phone).await), "/");
}

#[tokio::test]
async fn too_many_wrong_codes_make_the_account_wait_even_with_the_right_one() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    // From the start of a window, so that the step moved below stays inside it.
    start_windows(example.clock(), &[auth_core::totp::ATTEMPTS.window]);
    browser.sign_in("ada@example.com", PASSWORD).await;
    next_step(&example);
    for _ in 0..auth_core::totp::ATTEMPTS.max {
        let response = pass(&browser, "totp", "123456").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = pass(&browser, "totp", &app.code(&example)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Too many attempts, try again in"), "{page}");
    // Per user: another browser of the same account waits too.
    let other = example.browser();
    other.sign_in("ada@example.com", PASSWORD).await;
    let response = pass(&other, "totp", &app.code(&example)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    example.clock().advance(auth_core::totp::ATTEMPTS.window);
    assert_eq!(
        location(&pass(&browser, "totp", &app.code(&example)).await),
        "/"
    );
}

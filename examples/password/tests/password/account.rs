use crate::helpers::*;
use auth_testing::location;
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn signing_up_signs_the_user_in() {
    let app = spawn().await;
    let browser = app.browser();
    let response = browser.sign_up("Ada@Example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
}

#[tokio::test]
async fn a_user_signs_up_out_and_in_again_then_changes_password_and_other_sessions_end() {
    let app = spawn().await;
    let laptop = signed_up(&app, "ada@example.com").await;

    let response = laptop.post("/sign-out", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(!is_signed_in_as(&laptop, "ada@example.com").await);

    assert_eq!(
        laptop.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let phone = app.browser();
    assert_eq!(
        phone.sign_in("ADA@example.com ", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(is_signed_in_as(&phone, "ada@example.com").await);

    let response = laptop
        .post(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings?done=password");
    let page = laptop
        .get("/settings?done=password")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your password was changed"));

    assert!(
        is_signed_in_as(&laptop, "ada@example.com").await,
        "this browser stays signed in"
    );
    assert!(
        !is_signed_in_as(&phone, "ada@example.com").await,
        "the other session was signed out"
    );
    assert_eq!(location(&phone.get("/settings").await), "/sign-in");

    let fresh = app.browser();
    assert_eq!(
        fresh.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.clock().advance(Duration::seconds(1));
    let response = fresh
        .sign_in("ada@example.com", "a brand new passphrase")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let response = browser
        .post(
            "/settings/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Your current password is not right."));
    let response = browser
        .post(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the wrong guess is throttled"
    );
    app.clock().advance(Duration::seconds(1));
    let response = browser
        .post(
            "/settings/password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("at least 8 characters"));
    assert_eq!(
        app.browser()
            .sign_in("ada@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_email_already_registered_is_refused_with_a_clear_message() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let (status, page) =
        status_and_text(app.browser().sign_up("ADA@example.com", PASSWORD).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("That email is already registered."));
    assert!(
        page.contains("value=\"ADA@example.com\""),
        "the form keeps what was typed"
    );
}

#[tokio::test]
async fn sign_up_explains_what_is_wrong_with_the_input() {
    let app = spawn().await;
    let browser = app.browser();
    let cases = [
        ("not-an-email", PASSWORD, "Enter a valid email address."),
        ("ada@example.com", "short", "Use at least 8 characters"),
        ("ada@example.com", "          ", "can't be only spaces"),
    ];
    for (email, password, message) in cases {
        let (status, page) = status_and_text(browser.sign_up(email, password).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains(message), "{message:?} not in {page}");
    }
    let (status, page) = status_and_text(
        browser
            .post("/sign-up", &[("email", "ada@example.com")])
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a missing field is the user's mistake, not a 500"
    );
    assert!(page.contains("Use at least 8 characters"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    let (wrong_status, wrong_page) =
        status_and_text(browser.sign_in("ada@example.com", "wrong password").await).await;
    let (unknown_status, unknown_page) =
        status_and_text(browser.sign_in("nobody@example.com", PASSWORD).await).await;
    assert_eq!(
        (wrong_status, unknown_status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert!(wrong_page.contains("Wrong email or password."));
    assert!(unknown_page.contains("Wrong email or password."));
    assert!(browser.cookie("session").is_none());
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_a_retry_time() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    assert_eq!(
        browser
            .sign_in("ada@example.com", "wrong 1 password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let response = browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.headers()["retry-after"], "1");
    let (status, page) = status_and_text(response).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        page.contains("Too many attempts, try again in 1 second."),
        "{page}"
    );

    app.clock().advance(Duration::seconds(1));
    assert_eq!(
        browser
            .sign_in("ada@example.com", "wrong 2 password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let page = browser
        .sign_in("ada@example.com", PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("try again in 2 seconds."), "{page}");

    app.clock().advance(Duration::seconds(2));
    assert_eq!(
        browser.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let user = user_item(&app, "ada@example.com").await;
    for attribute in ["LoginAttempts", "LoginWaitUntil", "LoginAttemptAt"] {
        assert!(
            !user.contains_key(attribute),
            "a success clears the throttle: {attribute} is still there"
        );
    }
}

use crate::helpers::*;
use auth_core::random::random_secret;
use auth_testing::location;
use reqwest::StatusCode;
use time::Duration;

async fn reset_items(example: &Example, email: &str) -> usize {
    let user = user(example.table(), email).await.unwrap();
    example
        .table()
        .client()
        .query()
        .table_name(example.table().name())
        .consistent_read(true)
        .key_condition_expression("PK = :pk AND begins_with(SK, :sk)")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{}", user.id)),
        )
        .expression_attribute_values(
            ":sk",
            aws_sdk_dynamodb::types::AttributeValue::S("PASSWORD_RESET#".into()),
        )
        .send()
        .await
        .unwrap()
        .count() as usize
}

#[tokio::test]
async fn a_forgotten_password_is_reset_and_every_earlier_session_is_dead() {
    let example = spawn().await;
    let laptop = verified(&example, "ada@example.com").await;
    let phone = example.browser();
    assert_eq!(
        location(&phone.sign_in("ada@example.com", PASSWORD).await),
        "/"
    );

    let (browser, code) = reset_started(&example, "ada@example.com").await;
    assert_eq!(
        location(&browser.get("/reset-password").await),
        "/reset-password/verify-email",
        "no new password before the code"
    );
    let page = browser
        .get("/reset-password/verify-email")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("We sent a code to <strong>ada@example.com</strong>"));
    let response = enter_reset_code(&browser, &code).await;
    assert_eq!(location(&response), "/reset-password");
    let response = browser
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(location(&response), "/?done=reset");
    assert!(
        set_cookie(&response, "password_reset")
            .unwrap()
            .contains("Max-Age=0")
    );
    let page = browser.get("/?done=reset").await.text().await.unwrap();
    assert!(page.contains("Your password was changed."));
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
    let notice = example.mail.next_mail().await;
    assert_eq!(notice.to, ["ada@example.com"]);
    assert_eq!(notice.subject(), "Your password was changed");

    for earlier in [&laptop, &phone] {
        assert!(!is_signed_in_as(earlier, "ada@example.com").await);
        assert_eq!(location(&earlier.get("/settings").await), "/sign-in");
    }
    assert_eq!(reset_items(&example, "ada@example.com").await, 0);
    assert_eq!(
        example
            .browser()
            .sign_in("ada@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    example.clock().advance(Duration::seconds(1));
    assert_eq!(
        location(
            &example
                .browser()
                .sign_in("ada@example.com", NEW_PASSWORD)
                .await
        ),
        "/"
    );

    let (status, page) = status_and_text(
        browser
            .post("/reset-password", &[("password", "yet another passphrase")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the reset was used up");
    assert!(page.contains("Please start again."));
}

#[tokio::test]
async fn a_reset_also_verifies_the_address_it_was_mailed_to() {
    let example = spawn().await;
    signed_up(&example, "ada@example.com").await;
    let (browser, code) = reset_started(&example, "ada@example.com").await;
    enter_reset_code(&browser, &code).await;
    assert!(
        user(example.table(), "ada@example.com")
            .await
            .unwrap()
            .email_verified
    );
}

#[tokio::test]
async fn the_reset_code_is_useless_in_another_browser_and_with_a_forged_cookie() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let (owner, code) = reset_started(&example, "ada@example.com").await;
    let before = snapshot(example.table()).await;

    let elsewhere = example.browser();
    let (status, page) = status_and_text(enter_reset_code(&elsewhere, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("started in another browser"), "{page}");

    let real = owner.cookie("password_reset").unwrap();
    let (ids, _) = real.rsplit_once('.').unwrap();
    let forged = example.browser();
    forged.set_cookie("password_reset", &format!("{ids}.{}", random_secret()));
    let response = enter_reset_code(&forged, &code).await;
    assert!(
        set_cookie(&response, "password_reset")
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Please start again."));
    let response = forged
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    assert_eq!(snapshot(example.table()).await, before, "nothing changed");
    assert_eq!(
        location(&enter_reset_code(&owner, &code).await),
        "/reset-password",
        "the owner's browser still can"
    );
}

#[tokio::test]
async fn reset_codes_are_refused_when_wrong_expired_or_too_often_wrong() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let (browser, code) = reset_started(&example, "ada@example.com").await;
    let wrong = if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    };
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_reset_code(&browser, wrong).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("You have 4 more tries."), "{page}");
    for _ in 0..4 {
        enter_reset_code(&browser, wrong).await;
    }
    let page = enter_reset_code(&browser, &code)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Too many wrong tries"), "{page}");
    assert_eq!(snapshot(example.table()).await, before);

    example.clock().advance(Duration::minutes(10));
    let (browser, code) = reset_started(&example, "ada@example.com").await;
    example.clock().advance(Duration::minutes(10));
    let (status, page) = status_and_text(enter_reset_code(&browser, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("Please start again."),
        "an expired reset: {page}"
    );
}

#[tokio::test]
async fn a_new_reset_ends_the_earlier_one() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let (first, first_code) = reset_started(&example, "ada@example.com").await;
    let (_second, _) = reset_started(&example, "ada@example.com").await;
    assert_eq!(reset_items(&example, "ada@example.com").await, 1);
    let (status, _) = status_and_text(enter_reset_code(&first, &first_code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unknown_address_is_told_so_and_forgot_password_is_limited_per_address() {
    let example = spawn().await;
    let browser = example.browser();
    let (status, page) = status_and_text(forgot(&browser, "nobody@example.com").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("There is no account with that email address."));
    assert!(browser.cookie("password_reset").is_none());

    for _ in 0..2 {
        forgot(&browser, "nobody@example.com").await;
    }
    let response = forgot(&browser, "NOBODY@example.com").await;
    assert_eq!(
        response.headers()["retry-after"],
        "1800",
        "3 per 30 minutes"
    );
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("try again in 1800 seconds"), "{page}");
}

#[tokio::test]
async fn a_reset_code_that_cannot_be_mailed_starts_no_reset() {
    let example = spawn().await;
    let browser = example.browser();
    browser.sign_up("ada@reject.example", PASSWORD).await;
    let other = example.browser();
    let (status, page) = status_and_text(forgot(&other, "ada@reject.example").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("We could not send the email."));
    assert!(other.cookie("password_reset").is_none());
    assert_eq!(reset_items(&example, "ada@reject.example").await, 0);
}

#[tokio::test]
async fn forgot_password_is_limited_per_client_address() {
    let example = spawn().await;
    let browser = example.browser();
    for n in 0..10 {
        let response = forgot(&browser, &format!("nobody{n}@example.com")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let response = forgot(&browser, "someone@example.com").await;
    assert_eq!(
        response.headers()["retry-after"],
        "600",
        "10 per 10 minutes"
    );
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

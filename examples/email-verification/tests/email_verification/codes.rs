use crate::helpers::*;
use auth_core::one_time_code::MAX_ATTEMPTS;
use auth_testing::{invalid_field_message, location};
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn a_wrong_code_is_refused_with_the_tries_left_and_only_the_count_changes() {
    let example = spawn().await;
    let (browser, code) = signed_up(&example, "ada@example.com").await;
    let wrong = if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    };
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&browser, wrong).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("That code is not right. You have 4 more tries."),
        "{page}"
    );
    assert_eq!(
        invalid_field_message(&page, "code").as_deref(),
        Some("That code is not right. You have 4 more tries."),
        "the code field is marked: {page}"
    );
    assert_eq!(snapshot(example.table()).await, before);
    let user = user(example.table(), "ada@example.com").await.unwrap();
    let request = verification_request(example.table(), &user.id)
        .await
        .unwrap();
    assert_eq!(number(&request, "Attempts"), 1);

    let (status, page) = status_and_text(enter_code(&browser, "12345").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("8 letters and digits"));
    assert!(invalid_field_message(&page, "code").is_some(), "{page}");
}

#[tokio::test]
async fn an_expired_code_is_refused_even_while_its_item_still_exists() {
    let example = spawn().await;
    let (browser, code) = signed_up(&example, "ada@example.com").await;
    example.clock().advance(Duration::minutes(10));
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&browser, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("That code has expired or was already used."),
        "{page}"
    );
    assert_eq!(snapshot(example.table()).await, before);
    assert!(
        !user(example.table(), "ada@example.com")
            .await
            .unwrap()
            .email_verified
    );
}

#[tokio::test]
async fn a_code_works_only_once() {
    let example = spawn().await;
    let (browser, code) = signed_up(&example, "ada@example.com").await;
    assert_eq!(
        location(&enter_code(&browser, &code).await),
        "/?done=verified"
    );
    let (status, page) = status_and_text(enter_code(&browser, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already used"), "{page}");

    browser
        .post("/settings/email", &[("email", "ada@new.example")])
        .await;
    example.mail.code_for("ada@new.example").await;
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&browser, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("That code is not right."), "{page}");
    assert_eq!(snapshot(example.table()).await, before);
}

#[tokio::test]
async fn too_many_wrong_codes_void_the_request_even_for_the_right_code() {
    let example = spawn().await;
    let (browser, code) = signed_up(&example, "ada@example.com").await;
    let wrong = if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    };
    for left in (0..MAX_ATTEMPTS).rev() {
        let page = enter_code(&browser, wrong).await.text().await.unwrap();
        let expected = match left {
            0 => "That code is not right, and that was the last try.".to_owned(),
            1 => "That code is not right. You have 1 more try.".to_owned(),
            _ => format!("That code is not right. You have {left} more tries."),
        };
        assert!(page.contains(&expected), "{left} left: {page}");
    }
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&browser, &code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Too many wrong tries"), "{page}");
    assert_eq!(snapshot(example.table()).await, before);
    assert!(
        !user(example.table(), "ada@example.com")
            .await
            .unwrap()
            .email_verified
    );

    browser.post("/verify-email/resend", &[]).await;
    let fresh = example.mail.code_for("ada@example.com").await;
    assert_eq!(
        location(&enter_code(&browser, &fresh).await),
        "/?done=verified",
        "a new code starts over"
    );
}

#[tokio::test]
async fn the_code_of_another_user_is_refused() {
    let example = spawn().await;
    let (ada, _) = signed_up(&example, "ada@example.com").await;
    let (_grace, graces_code) = signed_up(&example, "grace@example.com").await;
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&ada, &graces_code).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("That code is not right."));
    assert_eq!(snapshot(example.table()).await, before);
    for email in ["ada@example.com", "grace@example.com"] {
        assert!(!user(example.table(), email).await.unwrap().email_verified);
    }
}

#[tokio::test]
async fn sending_codes_is_limited_per_account_until_the_window_ends() {
    let example = spawn().await;
    let (browser, _) = signed_up(&example, "ada@example.com").await;
    example.clock().advance(Duration::minutes(5));
    for _ in 0..2 {
        let response = browser.post("/verify-email/resend", &[]).await;
        assert_eq!(location(&response), "/verify-email?sent=1");
        example.mail.code_for("ada@example.com").await;
    }
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(
        response.headers()["retry-after"],
        "600",
        "3 codes per 15 minutes; 5 of them are gone"
    );
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("try again in 600 seconds"), "{page}");

    example.clock().advance(Duration::seconds(599));
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(response.headers()["retry-after"], "1");
    example.clock().advance(Duration::seconds(1));
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(location(&response), "/verify-email?sent=1", "a new window");
}

#[tokio::test]
async fn sending_codes_is_limited_per_client_address_across_accounts() {
    let example = spawn().await;
    let mut browsers = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let email = format!("{name}@example.com");
        browsers.push((signed_up(&example, &email).await.0, email));
    }
    // Four codes so far; two more for each of three accounts make the address's ten.
    for (browser, email) in &browsers[..3] {
        for _ in 0..2 {
            let response = browser.post("/verify-email/resend", &[]).await;
            assert_eq!(location(&response), "/verify-email?sent=1");
            example.mail.code_for(email).await;
        }
    }
    let (browser, _) = &browsers[3];
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(
        response.headers()["retry-after"],
        "600",
        "the address's 10 minutes, not the account's 15: its own limit is not used up"
    );
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    example.clock().advance(Duration::minutes(10));
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(location(&response), "/verify-email?sent=1");
}

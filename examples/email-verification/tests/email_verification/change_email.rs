use crate::helpers::*;
use auth_testing::{invalid_field_message, location};
use reqwest::StatusCode;

fn claim(email: &str) -> String {
    format!("EMAIL#{email}")
}

async fn claim_owner(example: &Example, email: &str) -> Option<String> {
    let item = get(example.table(), &claim(email), &claim(email)).await?;
    match item.get("UserId") {
        Some(aws_sdk_dynamodb::types::AttributeValue::S(id)) => Some(id.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn the_account_moves_to_a_new_address_only_once_it_is_verified() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    let ada = user(example.table(), "ada@example.com").await.unwrap();

    let response = browser
        .post("/settings/email", &[("email", "Ada@New.example")])
        .await;
    assert_eq!(location(&response), "/verify-email");
    let code = example.mail.code_for("ada@new.example").await;
    let page = browser.get("/settings").await.text().await.unwrap();
    assert!(
        page.contains("A code was sent to ada@new.example"),
        "{page}"
    );
    assert!(
        is_signed_in_as(&browser, "ada@example.com").await,
        "nothing changes before the code is entered"
    );
    assert_eq!(claim_owner(&example, "ada@new.example").await, None);

    assert_eq!(
        location(&enter_code(&browser, &code).await),
        "/?done=verified"
    );
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
    assert!(is_signed_in_as(&browser, "ada@new.example").await);
    assert_eq!(claim_owner(&example, "ada@new.example").await, Some(ada.id));
    assert_eq!(
        claim_owner(&example, "ada@example.com").await,
        None,
        "the old address is free"
    );
    let notice = example.mail.next_mail().await;
    assert_eq!(
        notice.to,
        ["ada@example.com"],
        "the old address hears of it"
    );
    assert_eq!(notice.subject(), "Your email address was changed");
    let text = notice.text();
    assert!(text.contains("a•••a@n•••w.example"), "{text}");
    assert!(
        !text.contains("ada@new.example"),
        "the new address is masked"
    );

    assert_eq!(
        example
            .browser()
            .sign_in("ada@new.example", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    signed_up(&example, "ada@example.com").await;
}

#[tokio::test]
async fn an_address_that_belongs_to_another_account_is_refused() {
    let example = spawn().await;
    verified(&example, "grace@example.com").await;
    let browser = verified(&example, "ada@example.com").await;
    let before = snapshot(example.table()).await;
    let response = browser
        .post("/settings/email", &[("email", "grace@example.com")])
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        invalid_field_message(&page, "email").as_deref(),
        Some("That address belongs to another account."),
        "the field is marked and the alert stays: {page}"
    );
    assert!(page.contains(r#"role="alert""#), "{page}");
    assert_eq!(snapshot(example.table()).await, before);

    let (status, page) = status_and_text(
        browser
            .post("/settings/email", &[("email", "ada@example.com")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        invalid_field_message(&page, "email").as_deref(),
        Some("That is already your address.")
    );
}

#[tokio::test]
async fn an_address_someone_else_claimed_meanwhile_is_refused_and_nothing_changes() {
    let example = spawn().await;
    let ada = verified(&example, "ada@example.com").await;
    ada.post("/settings/email", &[("email", "shared@example.com")])
        .await;
    let code = example.mail.code_for("shared@example.com").await;

    verified(&example, "shared@example.com").await;
    let before = snapshot(example.table()).await;
    let (status, page) = status_and_text(enter_code(&ada, &code).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("That address now belongs to another account."),
        "{page}"
    );
    assert_eq!(
        invalid_field_message(&page, "code"),
        None,
        "the code was right: {page}"
    );
    assert_eq!(snapshot(example.table()).await, before);
    assert!(is_signed_in_as(&ada, "ada@example.com").await);
    let owner = user(example.table(), "shared@example.com").await.unwrap();
    assert_eq!(
        claim_owner(&example, "shared@example.com").await,
        Some(owner.id)
    );
}

#[tokio::test]
async fn changing_the_address_on_an_old_session_needs_the_password_first() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    example.clock().advance(
        auth_core::session::SessionPolicy::default().reauth_window + time::Duration::SECOND,
    );
    let before = snapshot(example.table()).await;
    let response = browser
        .post("/settings/email", &[("email", "ada@new.example")])
        .await;
    assert!(
        location(&response).starts_with("/reauth"),
        "{}",
        location(&response)
    );
    assert!(
        example.mail.nothing_sent().await,
        "no code mailed before the proof"
    );
    assert_eq!(snapshot(example.table()).await, before);
    browser
        .post("/reauth", &[("password", PASSWORD), ("next", "/settings")])
        .await;
    let response = browser
        .post("/settings/email", &[("email", "ada@new.example")])
        .await;
    assert_eq!(location(&response), "/verify-email");
}

#[tokio::test]
async fn a_notice_that_cannot_be_delivered_does_not_undo_the_change() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    browser
        .post("/settings/email", &[("email", "ada@new.example")])
        .await;
    let code = example.mail.code_for("ada@new.example").await;
    example.mail.go_down();
    assert_eq!(
        location(&enter_code(&browser, &code).await),
        "/?done=verified"
    );
    assert!(is_signed_in_as(&browser, "ada@new.example").await);
}

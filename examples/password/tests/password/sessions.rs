use crate::helpers::*;
use auth_testing::location;
use reqwest::StatusCode;

#[tokio::test]
async fn settings_list_active_sessions_and_one_can_be_revoked() {
    let app = spawn().await;
    let laptop = signed_up(&app, "ada@example.com").await;
    let phone = app.browser();
    phone.sign_in("ada@example.com", PASSWORD).await;

    let page = laptop.get("/settings").await.text().await.unwrap();
    assert_eq!(
        page.matches(r#"<td data-label="Device">"#).count(),
        2,
        "two sessions listed: {page}"
    );
    assert!(page.contains("(this browser)"));

    let phone_session = phone
        .cookie("session")
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let response = laptop
        .post(
            "/settings/sessions/revoke",
            &[("session_id", &phone_session)],
        )
        .await;
    assert_eq!(location(&response), "/settings?done=revoked");
    assert!(!is_signed_in_as(&phone, "ada@example.com").await);
    assert!(is_signed_in_as(&laptop, "ada@example.com").await);
}

#[tokio::test]
async fn revoking_a_session_of_another_user_does_nothing() {
    let app = spawn().await;
    let ada = signed_up(&app, "ada@example.com").await;
    let grace = signed_up(&app, "grace@example.com").await;
    let grace_session = grace
        .cookie("session")
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    ada.post(
        "/settings/sessions/revoke",
        &[("session_id", &grace_session)],
    )
    .await;
    assert!(is_signed_in_as(&grace, "grace@example.com").await);
    let response = ada
        .post("/settings/sessions/revoke", &[("session_id", "../../etc")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let app = spawn().await;
    let laptop = signed_up(&app, "ada@example.com").await;
    let phone = app.browser();
    phone.sign_in("ada@example.com", PASSWORD).await;
    let response = laptop.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), "/");
    assert!(!is_signed_in_as(&laptop, "ada@example.com").await);
    assert!(!is_signed_in_as(&phone, "ada@example.com").await);
}

#[tokio::test]
async fn settings_need_a_signed_in_user() {
    let app = spawn().await;
    let response = app.browser().get("/settings").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn a_signed_in_user_is_sent_home_from_the_sign_in_and_sign_up_pages() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    for page in ["/sign-in", "/sign-up"] {
        let response = browser.get(page).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location(&response), "/", "{page}");
    }
    assert_eq!(app.browser().get("/sign-in").await.status(), StatusCode::OK);
}

//! Sensitive actions need a fresh proof; deleting the account removes everything.

use crate::helpers::*;
use auth_core::session::SessionPolicy;
use auth_testing::{location, scan_all};
use reqwest::StatusCode;
use time::Duration;

/// Moves the clock past the re-authentication window.
fn let_the_proof_go_stale(app: &auth_testing::TestApp) {
    app.clock()
        .advance(SessionPolicy::default().reauth_window + Duration::SECOND);
}

#[tokio::test]
async fn an_old_session_is_asked_for_its_password_before_signing_out_everywhere() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let_the_proof_go_stale(&app);
    let response = browser.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), "/reauth?next=%2Fsettings");
    assert!(
        is_signed_in_as(&browser, "ada@example.com").await,
        "nothing happened yet"
    );
    let page = browser
        .get("/reauth?next=%2Fsettings")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Confirm it is you"), "{page}");

    let wrong = browser
        .post(
            "/reauth",
            &[("password", "not my password"), ("next", "/settings")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    app.clock().advance(Duration::SECOND);
    let proved = browser
        .post("/reauth", &[("password", PASSWORD), ("next", "/settings")])
        .await;
    assert_eq!(location(&proved), "/settings", "back where the user was");
    let response = browser.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), "/");
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
}

#[tokio::test]
async fn the_proof_step_only_returns_to_this_apps_own_pages() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let proved = browser
        .post(
            "/reauth",
            &[("password", PASSWORD), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&proved), "/settings");
}

#[tokio::test]
async fn another_accounts_password_is_no_proof() {
    let app = spawn().await;
    signed_up(&app, "bob@example.com").await;
    let browser = signed_up(&app, "ada@example.com").await;
    let_the_proof_go_stale(&app);
    let response = browser
        .post(
            "/reauth",
            &[("password", "bobs password!"), ("next", "/settings")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = browser.post("/settings/delete-account", &[]).await;
    assert!(
        location(&response).starts_with("/reauth"),
        "still not proved"
    );
}

#[tokio::test]
async fn deleting_the_account_after_a_proof_removes_every_item_and_frees_the_email() {
    let app = spawn().await;
    let phone = signed_up(&app, "ada@example.com").await;
    let laptop = app.browser();
    laptop.sign_in("ada@example.com", PASSWORD).await;
    let_the_proof_go_stale(&app);
    let response = laptop.post("/settings/delete-account", &[]).await;
    assert!(location(&response).starts_with("/reauth"));
    laptop
        .post("/reauth", &[("password", PASSWORD), ("next", "/settings")])
        .await;
    let response = laptop.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), "/?done=deleted");
    let page = laptop.get("/?done=deleted").await.text().await.unwrap();
    assert!(page.contains("Your account was deleted."));

    let left: Vec<_> = scan_all(app.table())
        .await
        .into_iter()
        .filter(|i| !matches!(i.get("PK"), Some(aws_sdk_dynamodb::types::AttributeValue::S(pk)) if pk.starts_with("RATE#")))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(
        !is_signed_in_as(&phone, "ada@example.com").await,
        "other browsers are signed out"
    );
    signed_up(&app, "ada@example.com").await;
}

//! What each action costs in DynamoDB calls: a deterministic count, not a timing. A change
//! that adds a call to an action fails here (see the README's cost table).

use crate::helpers::*;
use auth_testing::ops;
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn a_signed_in_page_view_is_one_call() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    assert_eq!(app.last_cost(), (ops(&["BatchGetItem"]), 1));
}

#[tokio::test]
async fn a_signed_out_page_view_and_the_stylesheet_cost_nothing() {
    let app = spawn().await;
    let browser = app.browser();
    browser.get("/").await;
    assert_eq!(app.last_cost(), (vec![], 0));
    browser.get("/static/style.css").await;
    assert_eq!(app.last_cost(), (vec![], 0));
}

#[tokio::test]
async fn sign_up_is_two_calls_the_client_limit_and_one_transaction() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    assert_eq!(
        app.last_cost(),
        (ops(&["UpdateItem", "TransactWriteItems"]), 2)
    );
}

#[tokio::test]
async fn sign_in_is_four_calls_in_three_round_trips() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;
    let stranger = app.browser();
    let response = stranger.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The client limit beside the email claim; the attempt taken (and the user read) on the
    // user item; the session written with the cleared attempt and a new device.
    let expected = ops(&["UpdateItem", "GetItem", "UpdateItem", "TransactWriteItems"]);
    assert_eq!(app.last_cost(), (expected, 3));
}

#[tokio::test]
async fn sign_in_from_a_known_device_is_four_calls_too() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;
    let response = browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The client limit beside the device's user; the attempt taken on the device item.
    let expected = ops(&["UpdateItem", "GetItem", "UpdateItem", "TransactWriteItems"]);
    assert_eq!(app.last_cost(), (expected, 3));
}

#[tokio::test]
async fn a_wrong_password_is_four_calls() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let response = app
        .browser()
        .sign_in("ada@example.com", "a wrong password")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let expected = ops(&["UpdateItem", "GetItem", "UpdateItem", "UpdateItem"]);
    assert_eq!(app.last_cost(), (expected.clone(), 3));
    app.clock().advance(Duration::seconds(1));
    let response = app.browser().sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.last_cost(),
        (expected, 3),
        "an unknown email costs the same"
    );
}

#[tokio::test]
async fn sign_out_is_two_calls_and_reads_nothing() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;
    assert_eq!(app.last_cost(), (ops(&["UpdateItem", "DeleteItem"]), 2));
}

#[tokio::test]
async fn the_settings_page_is_two_calls() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    browser.get("/settings").await;
    assert_eq!(app.last_cost(), (ops(&["BatchGetItem", "Query"]), 2));
}

//! What each action costs in DynamoDB calls: a deterministic count, not a timing. A change
//! that adds a call to an action fails here (see the README's table).

use crate::helpers::{
    Device, app, let_the_proof_go_stale, post_json, reauth, sign_in, sign_up, start,
};
use auth_testing::{location, ops};
use serde_json::json;

#[tokio::test]
async fn sign_up_finish_is_three_calls() {
    let app = app().await;
    let browser = app.browser();
    let response = sign_up(&browser, &mut Device::at(&app.base), "ada@example.com").await;
    assert_eq!(response.status(), 200);
    // The client limit; the ceremony taken; user, email claim, passkey, credential claim and
    // session in one transaction.
    let expected = ops(&["UpdateItem", "DeleteItem", "TransactWriteItems"]);
    assert_eq!(app.last_cost(), (expected, 3));
}

#[tokio::test]
async fn sign_in_finish_is_five_calls_in_four_round_trips() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    sign_up(&browser, &mut device, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;
    assert_eq!(sign_in(&browser, &mut device).await.status(), 200);
    // The client limit; the ceremony taken beside the credential's claim; the passkey under
    // its user; the session and the passkey's use in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "DeleteItem",
        "GetItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(app.last_cost(), (expected, 4));
}

#[tokio::test]
async fn a_proof_is_five_calls_in_four_round_trips() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    sign_up(&browser, &mut device, "ada@example.com").await;
    let_the_proof_go_stale(&app);
    assert_eq!(reauth(&browser, &mut device).await.status(), 200);
    // The client limit; the session; the ceremony taken beside the passkey; the proof and the
    // passkey's use in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "DeleteItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(app.last_cost(), (expected, 4));
}

#[tokio::test]
async fn adding_a_passkey_and_managing_them() {
    let app = app().await;
    let browser = app.browser();
    let mut laptop = Device::at(&app.base);
    sign_up(&browser, &mut laptop, "ada@example.com").await;
    let mut phone = Device::at(&app.base);

    let (_, answer) = start(
        &browser,
        &mut phone,
        "/settings/passkeys/options",
        json!({ "name": "Phone" }),
    )
    .await;
    // The client limit, the session, the ceremony start limit, the passkeys to exclude, the
    // ceremony stored.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "UpdateItem",
        "Query",
        "PutItem",
    ]);
    assert_eq!(app.last_cost(), (expected, 5));
    let added = post_json(&browser, "/settings/passkeys/finish", &answer).await;
    assert_eq!(added.status(), 200);
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "DeleteItem",
        "TransactWriteItems",
    ]);
    assert_eq!(app.last_cost(), (expected, 4));

    let id = phone.credential_id();
    let renamed = browser
        .post(
            "/settings/passkeys/rename",
            &[("credential_id", &id), ("name", "Old phone")],
        )
        .await;
    assert_eq!(location(&renamed), "/settings?done=renamed");
    let expected = ops(&["UpdateItem", "BatchGetItem", "UpdateItem"]);
    assert_eq!(app.last_cost(), (expected, 3));

    let deleted = browser
        .post("/settings/passkeys/delete", &[("credential_id", &id)])
        .await;
    assert_eq!(location(&deleted), "/settings?done=deleted");
    // The passkeys listed, then the passkey, its claim and a check on another in one write.
    let expected = ops(&["UpdateItem", "BatchGetItem", "Query", "TransactWriteItems"]);
    assert_eq!(app.last_cost(), (expected, 4));

    // A stale session is refused after reading it, before anything else.
    let_the_proof_go_stale(&app);
    let refused = browser
        .post("/settings/passkeys/delete", &[("credential_id", &id)])
        .await;
    assert!(location(&refused).starts_with("/reauth"));
    assert_eq!(app.last_cost(), (ops(&["UpdateItem", "BatchGetItem"]), 2));
    let body = json!({ "name": "Tablet" });
    let refused = post_json(&browser, "/settings/passkeys/options", &body).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.last_cost(), (ops(&["UpdateItem", "BatchGetItem"]), 2));
}

#[tokio::test]
async fn deleting_the_account_is_five_calls() {
    let app = app().await;
    let browser = app.browser();
    sign_up(&browser, &mut Device::at(&app.base), "ada@example.com").await;
    let response = browser.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), "/?done=deleted");
    // The client limit; the session; the user's partition read; the user and every claim in
    // one transaction; then the rest (passkey, session) in one batch.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "Query",
        "TransactWriteItems",
        "BatchWriteItem",
    ]);
    assert_eq!(app.last_cost(), (expected, 5));
}

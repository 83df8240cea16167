//! What each action costs in DynamoDB calls: a deterministic count, not a timing. The README's
//! cost table is these numbers.

use crate::helpers::*;
use crate::security_keys::{Key, add_factor, assertion, use_factor};
use auth_testing::{location, ops};
use reqwest::StatusCode;

#[tokio::test]
async fn the_password_step_costs_what_a_sign_in_costs_and_the_factor_page_one_read() {
    let example = spawn().await;
    let (browser, _, _) = with_totp(&example, "ada@example.com").await;
    let stranger = example.browser();
    assert_eq!(
        location(&stranger.sign_in("ada@example.com", PASSWORD).await),
        "/two-factor"
    );
    let expected = ops(&["UpdateItem", "GetItem", "UpdateItem", "TransactWriteItems"]);
    assert_eq!(example.last_cost(), (expected, 3));
    assert_eq!(stranger.get("/two-factor").await.status(), StatusCode::OK);
    assert_eq!(example.last_cost(), (ops(&["BatchGetItem"]), 1));
    drop(browser);
}

#[tokio::test]
async fn an_app_code_is_five_calls_in_four_round_trips() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    next_step(&example);
    assert_eq!(
        location(&pass(&browser, "totp", &app.code(&example)).await),
        "/"
    );
    // The client limit; the session; the attempt taken beside the TOTP item; the step and
    // the session's mark in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "UpdateItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
}

#[tokio::test]
async fn a_recovery_code_is_three_calls_and_reads_no_code() {
    let example = spawn().await;
    let (browser, _, codes) = with_totp(&example, "ada@example.com").await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    pass(&browser, "recovery-code", &codes[0]).await;
    let expected = ops(&["UpdateItem", "BatchGetItem", "TransactWriteItems"]);
    assert_eq!(example.last_cost(), (expected, 3));
}

#[tokio::test]
async fn a_security_key_is_two_requests() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let mut key = Key::new(&example);
    add_factor(&browser, &mut key, "security-key", "Blue key").await;
    sign_out(&browser).await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let signed = assertion(&browser, &mut key, "security-key").await;
    // Options: the client limit, the session, the user's factors, the ceremony stored.
    let options = ops(&["UpdateItem", "BatchGetItem", "Query", "PutItem"]);
    let calls = example.last_calls();
    drop(calls);
    assert_eq!(
        location(&use_factor(&browser, "security-key", &signed).await),
        "/"
    );
    // Finish: the client limit, the session, the ceremony taken, the factor read, then its
    // counter and the session's mark in one transaction.
    let finish = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "DeleteItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (finish, 5));
    drop(options);
}

#[tokio::test]
async fn setting_up_an_app_is_one_transaction() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let setup = setup_page(&browser).await;
    assert_eq!(
        example.last_cost(),
        (ops(&["BatchGetItem"]), 1),
        "showing a key reads nothing else"
    );
    let app = App::from_shown_key(&setup.shown_key);
    browser
        .post(
            "/settings/two-factor/totp",
            &[("key", &setup.hidden_key), ("code", &app.code(&example))],
        )
        .await;
    // User summary, TOTP item, recovery codes and the session's mark: one TransactWriteItems.
    let expected = ops(&["UpdateItem", "BatchGetItem", "TransactWriteItems"]);
    assert_eq!(example.last_cost(), (expected, 3));
}

#[tokio::test]
async fn the_settings_pages_cost() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    browser.get("/settings").await;
    assert_eq!(example.last_cost(), (ops(&["BatchGetItem", "Query"]), 2));
    set_up_totp(&example, &browser).await;
    browser.get("/settings").await;
    assert_eq!(
        example.last_cost(),
        (ops(&["BatchGetItem", "GetItem", "Query"]), 2)
    );
    browser.get("/settings/two-factor").await;
    assert_eq!(
        example.last_cost(),
        (ops(&["BatchGetItem", "Query", "GetItem"]), 2)
    );
}

#[tokio::test]
async fn the_reset_steps_cost() {
    let example = spawn().await;
    let (browser, app, _) = with_totp(&example, "ada@example.com").await;
    browser
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    let code = example.mail.code_for("ada@example.com").await;
    browser
        .post("/reset-password/verify-email", &[("code", &code)])
        .await;
    browser.get("/reset-password/two-factor").await;
    // The reset session, then the user's factors.
    assert_eq!(example.last_cost(), (ops(&["GetItem", "GetItem"]), 2));
    next_step(&example);
    let code = app.code(&example);
    let form = [("method", "totp"), ("code", code.as_str())];
    let response = browser.post("/reset-password/two-factor", &form).await;
    assert_eq!(location(&response), "/reset-password");
    // The client limit; the reset session; the attempt beside the TOTP item; the step and
    // the reset's mark in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "GetItem",
        "UpdateItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
    let response = browser
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(location(&response), "/?done=reset");
    // The reset ended and the hash stored in one transaction; the account's sessions and
    // resets looked up (none left here to delete, else a BatchWriteItem per 25); the new
    // session.
    let expected = ops(&[
        "UpdateItem",
        "GetItem",
        "TransactWriteItems",
        "Query",
        "Query",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 6));
}

#[tokio::test]
async fn removing_factors_costs() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let mut key = Key::new(&example);
    add_factor(&browser, &mut key, "security-key", "Blue key").await;
    // The client limit, the session, the ceremony taken, then the factor, its claim, the
    // user's summary, the first recovery codes and the session's mark in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "DeleteItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
    set_up_totp(&example, &browser).await;
    let id = items(&example)
        .await
        .iter()
        .find(|i| s(i, "SK").starts_with("SECOND_FACTOR#"))
        .map(|i| s(i, "SK").trim_start_matches("SECOND_FACTOR#").to_owned())
        .unwrap();
    browser
        .post(
            "/settings/two-factor/keys/remove",
            &[("credential_id", id.as_str())],
        )
        .await;
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
    let response = browser.post("/settings/two-factor/off", &[]).await;
    assert_eq!(location(&response), "/settings?done=two-factor-off");
    let expected = ops(&["UpdateItem", "BatchGetItem", "Query", "TransactWriteItems"]);
    assert_eq!(example.last_cost(), (expected, 4));
}

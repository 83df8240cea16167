//! What each action costs in DynamoDB calls: a deterministic count, not a timing. A change
//! that adds a call to an action fails here (see the README's table).

use crate::github::ada;
use crate::helpers::*;
use auth_core::session::SessionPolicy;
use auth_testing::{location, ops};
use time::Duration;

#[tokio::test]
async fn the_callbacks_sign_in_is_one_read_and_one_write_and_its_sign_up_one_transaction() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    assert_eq!(
        location(&github_flow(&browser, "/sign-in/github").await),
        "/"
    );
    // No account claim yet; then user, email claim, account claim, link and session in one.
    assert_eq!(
        h.app.last_cost(),
        (ops(&["GetItem", "TransactWriteItems"]), 2)
    );

    browser.post("/sign-out", &[]).await;
    assert_eq!(
        location(&github_flow(&browser, "/sign-in/github").await),
        "/"
    );
    // The account claim names the user; the session.
    assert_eq!(h.app.last_cost(), (ops(&["GetItem", "PutItem"]), 2));
}

#[tokio::test]
async fn linking_unlinking_and_proving() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;

    let linked = oidc_flow(&browser, "/settings/link/oidc", "ada.keycloak@example.com").await;
    assert_eq!(location(&linked), "/settings?done=linked");
    // The session; the user checked, the account claim and the link in one transaction.
    let expected = ops(&["BatchGetItem", "TransactWriteItems"]);
    assert_eq!(h.app.last_cost(), (expected, 2));

    h.app
        .clock()
        .advance(SessionPolicy::default().reauth_window + Duration::SECOND);
    let refused = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    assert!(location(&refused).starts_with("/reauth"));
    // The client limit and the session, which is too old: nothing else.
    let expected = ops(&["UpdateItem", "BatchGetItem"]);
    assert_eq!(h.app.last_cost(), (expected, 2));

    let proved = oidc_flow(
        &browser,
        "/reauth/oidc?next=%2Fsettings",
        "ada.keycloak@example.com",
    )
    .await;
    assert_eq!(location(&proved), "/settings");
    // The session; the account claim names this user; `AuthenticatedAt` written.
    let expected = ops(&["BatchGetItem", "GetItem", "UpdateItem"]);
    assert_eq!(h.app.last_cost(), (expected, 3));

    let unlinked = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    assert_eq!(location(&unlinked), "/settings?done=unlinked");
    // The client limit; the session; the accounts listed; claim and link deleted with a check
    // on the other account, in one transaction.
    let expected = ops(&["UpdateItem", "BatchGetItem", "Query", "TransactWriteItems"]);
    assert_eq!(h.app.last_cost(), (expected, 4));
}

#[tokio::test]
async fn deleting_the_account_is_five_calls() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    let response = browser.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), "/?done=deleted");
    // The client limit; the session; the user's partition; the user and every claim (email,
    // account) in one transaction; the rest (link, session) in one batch.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "Query",
        "TransactWriteItems",
        "BatchWriteItem",
    ]);
    assert_eq!(h.app.last_cost(), (expected, 5));
}

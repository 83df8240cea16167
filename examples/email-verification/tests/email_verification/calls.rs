//! What each action costs in DynamoDB calls: a deterministic count, not a timing. A change
//! that adds a call to an action fails here (see the README's cost table). Mail is sent
//! between the calls, and costs none.

use crate::helpers::*;
use auth_testing::{location, ops};

/// A code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    }
}

#[tokio::test]
async fn sign_up_with_its_code_is_four_calls() {
    let example = spawn().await;
    signed_up(&example, "ada@example.com").await;
    // The client limit; user, email claim, session and device in one transaction; the two
    // sending limits in one; the mail; the verification request.
    let expected = ops(&[
        "UpdateItem",
        "TransactWriteItems",
        "TransactWriteItems",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
}

#[tokio::test]
async fn a_code_right_or_wrong_and_a_new_one() {
    let example = spawn().await;
    let (browser, code) = signed_up(&example, "ada@example.com").await;

    enter_code(&browser, other_than(&code)).await;
    // The client limit; the session; the request read, the wrong try counted; the request
    // read again for the page.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "UpdateItem",
        "GetItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 5));

    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(location(&response), "/verify-email?sent=1");
    // The client limit; the session; the request (where to send); the sending limits; the
    // mail; the new request.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "TransactWriteItems",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 5));

    let code = example.mail.code_for("ada@example.com").await;
    let response = enter_code(&browser, &code).await;
    assert_eq!(location(&response), "/?done=verified");
    // The client limit; the session; the request; the user verified and the request deleted
    // in one transaction.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
}

#[tokio::test]
async fn changing_the_address_is_five_calls_and_its_code_four() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    let response = browser
        .post("/settings/email", &[("email", "ada@new.example")])
        .await;
    assert_eq!(location(&response), "/verify-email");
    // The client limit; the session; the new address's claim (taken?); the sending limits;
    // the mail; the request.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "TransactWriteItems",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 5));

    let code = example.mail.code_for("ada@new.example").await;
    let response = enter_code(&browser, &code).await;
    assert_eq!(location(&response), "/?done=verified");
    // As for the first code; the transaction moves the claims too. The notice to the old
    // address is mail only.
    let expected = ops(&[
        "UpdateItem",
        "BatchGetItem",
        "GetItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 4));
}

#[tokio::test]
async fn a_password_reset_is_six_calls_then_four_or_five_then_seven() {
    let example = spawn().await;
    verified(&example, "ada@example.com").await;
    let browser = example.browser();
    let response = forgot(&browser, "ada@example.com").await;
    assert_eq!(location(&response), "/reset-password/verify-email");
    // The client limit; the address's and the client's limits in one transaction; the email
    // claim, then the user; the earlier reset sessions (none to delete); the mail; the reset
    // session.
    let expected = ops(&[
        "UpdateItem",
        "TransactWriteItems",
        "GetItem",
        "GetItem",
        "Query",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 6));
    let code = example.mail.code_for("ada@example.com").await;

    enter_reset_code(&browser, other_than(&code)).await;
    // The client limit; the reset session (the cookie), read again by the check; the wrong try
    // counted.
    let expected = ops(&["UpdateItem", "GetItem", "GetItem", "UpdateItem"]);
    assert_eq!(example.last_cost(), (expected, 4));

    let response = enter_reset_code(&browser, &code).await;
    assert_eq!(location(&response), "/reset-password");
    // The same reads; the reset session verified; the user's address verified too.
    let expected = ops(&[
        "UpdateItem",
        "GetItem",
        "GetItem",
        "UpdateItem",
        "TransactWriteItems",
    ]);
    assert_eq!(example.last_cost(), (expected, 5));

    let response = browser
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(location(&response), "/?done=reset");
    // The client limit; the reset session; (hashing;) the reset session deleted and the hash
    // stored in one transaction; the user's sessions listed and deleted; the other reset
    // sessions listed (none); this browser's new session. The notice is mail only.
    let expected = ops(&[
        "UpdateItem",
        "GetItem",
        "TransactWriteItems",
        "Query",
        "BatchWriteItem",
        "Query",
        "PutItem",
    ]);
    assert_eq!(example.last_cost(), (expected, 7));
}

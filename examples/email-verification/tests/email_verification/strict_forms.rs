//! A field that is not valid UTF-8 is refused before any handler reads it. A lenient decoder
//! would turn `%FF%FE` into `\u{FFFD}\u{FFFD}`, and so would it `%FE%FF`: two different
//! passwords would become one.

use crate::helpers::*;
use auth_testing::location;

const NOT_UTF8: &str = "email=kate%40example.com&password=%FF%FE";

#[tokio::test]
async fn a_password_that_is_not_utf8_is_refused_at_sign_up_and_nothing_is_written() {
    let example = spawn().await;
    let browser = example.browser();
    let before = snapshot(example.table()).await;
    assert_refused_as_not_utf8(post_raw(&browser, "/sign-up", NOT_UTF8).await).await;
    assert_eq!(snapshot(example.table()).await, before);
    assert!(user(example.table(), "kate@example.com").await.is_none());
    assert!(browser.cookie("session").is_none());
    assert!(example.mail.nothing_sent().await);
}

#[tokio::test]
async fn a_password_that_is_not_utf8_is_refused_at_sign_in_and_takes_no_attempt() {
    let example = spawn().await;
    verified(&example, "kate@example.com").await;
    let browser = example.browser();
    let before = snapshot(example.table()).await;
    assert_refused_as_not_utf8(post_raw(&browser, "/sign-in", NOT_UTF8).await).await;
    assert_eq!(snapshot(example.table()).await, before);
    assert!(browser.cookie("session").is_none());
    assert_eq!(
        location(&browser.sign_in("kate@example.com", PASSWORD).await),
        "/",
        "no wait was set: the right password works at once"
    );
}

#[tokio::test]
async fn a_new_password_that_is_not_utf8_is_refused_and_the_reset_is_not_used_up() {
    let example = spawn().await;
    verified(&example, "kate@example.com").await;
    let (browser, code) = reset_started(&example, "kate@example.com").await;
    assert_eq!(
        location(&enter_reset_code(&browser, &code).await),
        "/reset-password"
    );
    let before = snapshot(example.table()).await;
    assert_refused_as_not_utf8(post_raw(&browser, "/reset-password", "password=%FF%FE").await)
        .await;
    assert_eq!(snapshot(example.table()).await, before);
    let response = browser
        .post("/reset-password", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(location(&response), "/?done=reset");
}

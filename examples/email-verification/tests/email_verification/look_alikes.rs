//! Addresses that look like a registered one. `ｋａｔｅ@example.com` in fullwidth letters is
//! `kate@example.com` once canonical: the same claim, so it is refused as taken. A Cyrillic
//! `а` among Latin letters, a zero-width space or a right-to-left override would make a
//! different address that looks the same: refused with a message saying why.

use crate::helpers::*;
use reqwest::StatusCode;

const KATE: &str = "kate@example.com";
const FULLWIDTH_KATE: &str = "ｋａｔｅ@example.com";

/// Each look-alike of `kate@example.com`, and what the user is told.
const LOOK_ALIKES: [(&str, &str); 3] = [
    (
        "k\u{0430}te@example.com",
        "That address mixes letters from different alphabets.",
    ),
    (
        "ka\u{200b}te@example.com",
        "That address contains invisible characters.",
    ),
    (
        "\u{202e}etak@example.com",
        "That address contains invisible characters.",
    ),
];

#[tokio::test]
async fn a_fullwidth_address_is_the_same_claim_and_is_refused_at_sign_up_as_registered() {
    let example = spawn().await;
    verified(&example, KATE).await;
    let before = snapshot(example.table()).await;
    let browser = example.browser();
    let response = browser.sign_up(FULLWIDTH_KATE, PASSWORD).await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("That email is already registered."), "{page}");
    assert_eq!(snapshot(example.table()).await, before);
    assert!(browser.cookie("session").is_none());
    assert!(example.mail.nothing_sent().await);
}

#[tokio::test]
async fn look_alike_addresses_are_refused_at_sign_up_with_a_clear_message() {
    let example = spawn().await;
    verified(&example, KATE).await;
    let before = snapshot(example.table()).await;
    for (address, message) in LOOK_ALIKES {
        let browser = example.browser();
        let (status, page) = status_and_text(browser.sign_up(address, PASSWORD).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{address:?}");
        assert!(page.contains(message), "{address:?}: {page}");
        assert!(browser.cookie("session").is_none(), "{address:?}");
    }
    assert_eq!(snapshot(example.table()).await, before);
    assert!(example.mail.nothing_sent().await);
}

#[tokio::test]
async fn a_fullwidth_address_is_refused_on_change_email_as_the_one_it_looks_like() {
    let example = spawn().await;
    let kate = verified(&example, KATE).await;
    let ada = verified(&example, "ada@example.com").await;
    let before = snapshot(example.table()).await;

    let response = ada
        .post("/settings/email", &[("email", FULLWIDTH_KATE)])
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("That address belongs to another account."),
        "{page}"
    );

    let response = kate
        .post("/settings/email", &[("email", FULLWIDTH_KATE)])
        .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("That is already your address."), "{page}");

    assert_eq!(snapshot(example.table()).await, before);
    assert!(example.mail.nothing_sent().await);
}

#[tokio::test]
async fn look_alike_addresses_are_refused_on_change_email_with_a_clear_message() {
    let example = spawn().await;
    verified(&example, KATE).await;
    let ada = verified(&example, "ada@example.com").await;
    let before = snapshot(example.table()).await;
    for (address, message) in LOOK_ALIKES {
        let response = ada.post("/settings/email", &[("email", address)]).await;
        let (status, page) = status_and_text(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{address:?}");
        assert!(page.contains(message), "{address:?}: {page}");
    }
    assert_eq!(snapshot(example.table()).await, before);
    assert!(example.mail.nothing_sent().await);
    assert!(is_signed_in_as(&ada, "ada@example.com").await);
}

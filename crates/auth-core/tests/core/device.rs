//! Device cookies: a browser that signed in to an account before keeps its own login throttle
//! for that account, so a stranger's wrong guesses do not lock the owner out.

use crate::helpers::{
    PASSWORD, create_user, email, get, hasher, n, retry_after, s, scan_all, sign_in, start_session,
};
use auth_core::device::{DEVICE_LIFETIME, DeviceToken};
use auth_core::email_verification::{Verified, put_email_verification_request, verify_email_code};
use auth_core::hasher::Hasher;
use auth_core::one_time_code::{CodeCheck, OneTimeCode};
use auth_core::random::random_secret;
use auth_core::{Error, Table};
use auth_testing::test_table;
use time::Duration;

const WRONG: &str = "wrong horse battery";

/// Signs in with the right password from a browser without a device cookie, commits the
/// writes, and returns the device cookie the browser gets.
async fn known_device(table: &Table, hasher: &Hasher, address: &str) -> String {
    let verified = sign_in(table, hasher, address, PASSWORD, None)
        .await
        .unwrap();
    let device = verified
        .new_device
        .clone()
        .expect("a new browser gets a device");
    start_session(table, verified).await;
    device.to_string()
}

/// A stranger's wrong guess: now the account's own attempts wait.
async fn attack(table: &Table, hasher: &Hasher, address: &str) {
    let guess = sign_in(table, hasher, address, WRONG, None).await;
    assert!(matches!(guess, Err(Error::WrongCredentials)), "{guess:?}");
    let owner_without_device = sign_in(table, hasher, address, PASSWORD, None).await;
    assert_eq!(retry_after(owner_without_device), 1);
}

#[tokio::test]
async fn a_sign_in_stores_a_device_keyed_by_a_hash_of_its_secret() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    let device = known_device(&table, &hasher, "ada@example.com").await;
    let (user_id, secret) = device.split_once('.').unwrap();
    assert_eq!(user_id, ada.id);
    let devices: Vec<_> = scan_all(&table)
        .await
        .into_iter()
        .filter(|i| s(i, "SK").starts_with("DEVICE#"))
        .collect();
    assert_eq!(devices.len(), 1);
    let item = &devices[0];
    assert_eq!(s(item, "PK"), format!("USER#{}", ada.id));
    assert_eq!(s(item, "Email"), "ada@example.com");
    assert_eq!(
        n(item, "ExpiresAt"),
        (table.now() + DEVICE_LIFETIME).unix_timestamp()
    );
    assert!(
        !format!("{item:?}").contains(secret),
        "only a hash of the secret is stored"
    );
}

#[tokio::test]
async fn the_owner_with_a_device_cookie_signs_in_while_a_stranger_makes_the_account_wait() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    let device = known_device(&table, &hasher, "ada@example.com").await;
    attack(&table, &hasher, "ada@example.com").await;

    let verified = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(&device))
        .await
        .expect("the owner's browser is not locked out");
    assert_eq!(verified.user.id, ada.id);
    assert!(
        verified.new_device.is_none(),
        "the browser keeps its device"
    );
    start_session(&table, verified).await;

    let stranger = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None).await;
    assert_eq!(retry_after(stranger), 1, "the account still waits");
    let pk = format!("USER#{}", ada.id);
    let user = get(&table, &pk, &pk).await.unwrap();
    assert_eq!(n(&user, "LoginAttempts"), 1);
}

#[tokio::test]
async fn wrong_passwords_from_a_known_device_make_only_that_device_wait() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    let device = known_device(&table, &hasher, "ada@example.com").await;
    let typo = sign_in(&table, &hasher, "ada@example.com", WRONG, Some(&device)).await;
    assert!(matches!(typo, Err(Error::WrongCredentials)), "{typo:?}");
    let again = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(&device)).await;
    assert_eq!(retry_after(again), 1);
    sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .expect("the account's own attempts are free");
}

#[tokio::test]
async fn another_accounts_device_cookie_does_not_bypass_the_wait() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    create_user(&table, "grace@example.com").await;
    let graces = known_device(&table, &hasher, "grace@example.com").await;
    attack(&table, &hasher, "ada@example.com").await;
    let result = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(&graces)).await;
    assert_eq!(retry_after(result), 1);
}

#[tokio::test]
async fn a_forged_or_malformed_device_cookie_does_not_bypass_the_wait() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    known_device(&table, &hasher, "ada@example.com").await;
    attack(&table, &hasher, "ada@example.com").await;
    let forged = format!("{}.{}", ada.id, random_secret());
    assert!(DeviceToken::parse(&forged).is_some(), "well-formed");
    for cookie in [forged.as_str(), "garbage", ""] {
        let result = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(cookie)).await;
        assert_eq!(retry_after(result), 1, "{cookie:?}");
    }
}

#[tokio::test]
async fn a_device_cookie_presented_for_another_email_does_not_bypass_the_wait() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    create_user(&table, "grace@example.com").await;
    let adas = known_device(&table, &hasher, "ada@example.com").await;
    attack(&table, &hasher, "grace@example.com").await;
    let result = sign_in(&table, &hasher, "grace@example.com", PASSWORD, Some(&adas)).await;
    assert_eq!(retry_after(result), 1, "Ada's device is not Grace's");

    // Ada moves to a new address: the device was for the old one.
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &ada.id, &email("ada@new.example"), &code)
        .await
        .unwrap();
    let check = verify_email_code(&table, &ada, &code).await.unwrap();
    assert_eq!(
        check,
        CodeCheck::Accepted(Verified::MovedTo(email("ada@new.example")))
    );
    attack(&table, &hasher, "ada@new.example").await;
    let result = sign_in(&table, &hasher, "ada@new.example", PASSWORD, Some(&adas)).await;
    assert_eq!(retry_after(result), 1, "a device for the old address");
}

#[tokio::test]
async fn an_expired_device_cookie_does_not_bypass_the_wait() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    let device = known_device(&table, &hasher, "ada@example.com").await;
    table.clock().advance(DEVICE_LIFETIME);
    attack(&table, &hasher, "ada@example.com").await;
    let result = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(&device)).await;
    assert_eq!(retry_after(result), 1);
    table.clock().advance(Duration::seconds(1));
    let verified = sign_in(&table, &hasher, "ada@example.com", PASSWORD, Some(&device))
        .await
        .unwrap();
    assert!(
        verified.new_device.is_some(),
        "signing in again gives the browser a new device"
    );
}

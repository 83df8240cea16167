use crate::helpers::{app_code, create_user, enable_totp, get, n, reload, session_of};
use auth_core::encryption::EncryptionKey;
use auth_core::session::{pass_second_factor, validate_session_token};
use auth_core::totp::{ATTEMPTS, TotpCode, check_code, remove};
use auth_core::{Error, Table};
use auth_testing::{start_windows, test_table};
use aws_sdk_dynamodb::types::AttributeValue;
use time::Duration;

fn code(table: &Table, key: &auth_core::totp::TotpKey, offset: Duration) -> TotpCode {
    TotpCode::parse(&app_code(key, table.now() + offset)).unwrap()
}

#[tokio::test]
async fn enabling_stores_the_key_sealed_with_the_step_used_and_the_summary() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let (key, codes) = enable_totp(&table, &sealing, &user, &session).await;
    assert_eq!(
        codes.map(|c| c.len()),
        Some(10),
        "the first factor brings codes"
    );

    let pk = format!("USER#{}", user.id);
    let item = get(&table, &pk, "TOTP").await.unwrap();
    let Some(AttributeValue::B(sealed)) = item.get("Key") else {
        panic!("Key is binary: {item:?}")
    };
    let raw = data_of(&key);
    assert!(
        !sealed.as_ref().windows(raw.len()).any(|w| w == raw),
        "sealed"
    );
    assert_eq!(n(&item, "LastStep"), table.now().unix_timestamp() / 30);
    assert!(reload(&table, &user).await.second_factors.totp);
    assert!(get(&table, &pk, "RECOVERY").await.is_some());
    let user_item = get(&table, &pk, &pk).await.unwrap();
    assert_eq!(user_item.get("Totp"), Some(&AttributeValue::Bool(true)));
}

/// The raw key bytes, from its base32 form.
fn data_of(key: &auth_core::totp::TotpKey) -> Vec<u8> {
    totp_rs::Secret::try_from_base32(key.base32())
        .unwrap()
        .as_ref()
        .to_vec()
}

#[tokio::test]
async fn a_code_is_accepted_once_and_only_a_later_step_after_it() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let (key, _) = enable_totp(&table, &sealing, &user, &session).await;
    let user = reload(&table, &user).await;
    let other = session_of(&table, &user).await;

    // The setup code's step is used up; the next step's code works, once.
    let setup = code(&table, &key, Duration::ZERO);
    let refused = check_code(&table, &sealing, &user.id, &setup).await;
    assert!(matches!(refused, Err(Error::WrongCode)), "{refused:?}");
    table.clock().advance(Duration::seconds(30));
    let next = code(&table, &key, Duration::ZERO);
    let proof = check_code(&table, &sealing, &user.id, &next).await.unwrap();
    pass_second_factor(&table, &other, proof).await.unwrap();
    let again = check_code(&table, &sealing, &user.id, &next).await;
    assert!(matches!(again, Err(Error::WrongCode)), "{again:?}");
    // A step before the last accepted one is refused even inside the window.
    let earlier = code(&table, &key, Duration::seconds(-30));
    assert!(matches!(
        check_code(&table, &sealing, &user.id, &earlier).await,
        Err(Error::WrongCode)
    ));
    assert!(matches!(
        check_code(
            &table,
            &sealing,
            &user.id,
            &TotpCode::parse("000000").unwrap()
        )
        .await,
        Err(Error::WrongCode)
    ));
}

#[tokio::test]
async fn of_two_checks_that_read_the_same_step_only_one_commits() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let (key, _) = enable_totp(&table, &sealing, &user, &session).await;
    let (one, two) = (
        session_of(&table, &user).await,
        session_of(&table, &user).await,
    );
    table.clock().advance(Duration::seconds(30));
    let next = code(&table, &key, Duration::ZERO);
    // Both checks read LastStep before either writes: the race is decided by the condition.
    let first = check_code(&table, &sealing, &user.id, &next).await.unwrap();
    let second = check_code(&table, &sealing, &user.id, &next).await.unwrap();
    let (a, b) = tokio::join!(
        pass_second_factor(&table, &one, first),
        pass_second_factor(&table, &two, second)
    );
    assert!(a.is_ok() != b.is_ok(), "exactly one: {a:?} {b:?}");
    assert!(matches!(a.err().or(b.err()), Some(Error::WrongCode)));
}

#[tokio::test]
async fn every_attempt_takes_a_place_and_the_sixth_in_a_window_waits() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let (key, _) = enable_totp(&table, &sealing, &user, &session).await;
    // From the start of a window, so that the 30 seconds below stay inside it.
    start_windows(table.clock(), &[ATTEMPTS.window]);
    let wrong = TotpCode::parse("000000").unwrap();
    for _ in 0..ATTEMPTS.max {
        let refused = check_code(&table, &sealing, &user.id, &wrong).await;
        assert!(matches!(refused, Err(Error::WrongCode)), "{refused:?}");
    }
    table.clock().advance(Duration::seconds(30));
    let right = code(&table, &key, Duration::ZERO);
    let limited = check_code(&table, &sealing, &user.id, &right).await;
    assert!(
        matches!(limited, Err(Error::RateLimited { .. })),
        "{limited:?}"
    );
    table.clock().advance(ATTEMPTS.window);
    let right = code(&table, &key, Duration::ZERO);
    assert!(check_code(&table, &sealing, &user.id, &right).await.is_ok());
}

#[tokio::test]
async fn a_tampered_or_foreign_sealed_key_is_corrupt_never_a_panic() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let (key, _) = enable_totp(&table, &sealing, &user, &session).await;
    table.clock().advance(Duration::seconds(30));
    let right = code(&table, &key, Duration::ZERO);
    let other_key = EncryptionKey::generate();
    let refused = check_code(&table, &other_key, &user.id, &right).await;
    assert!(matches!(refused, Err(Error::Corrupt(_))), "{refused:?}");

    let pk = format!("USER#{}", user.id);
    let mut item = get(&table, &pk, "TOTP").await.unwrap();
    let Some(AttributeValue::B(sealed)) = item.get("Key") else {
        panic!()
    };
    let mut bytes = sealed.as_ref().to_vec();
    bytes[20] ^= 0x55;
    item.insert("Key".into(), AttributeValue::B(bytes.into()));
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let refused = check_code(&table, &sealing, &user.id, &right).await;
    assert!(matches!(refused, Err(Error::Corrupt(_))), "{refused:?}");
}

#[tokio::test]
async fn removing_the_last_factor_turns_two_factor_off_and_clears_the_codes() {
    let table = test_table().await;
    let sealing = EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) =
        auth_core::session::create_session(&table, &Default::default(), &user.id, None, vec![])
            .await
            .unwrap();
    enable_totp(&table, &sealing, &user, &session).await;
    let valid = validate_session_token(&table, &Default::default(), &token.to_string())
        .await
        .unwrap()
        .unwrap();
    assert!(valid.session.two_factor_verified, "setting up passed it");
    remove(&table, &valid.user).await.unwrap();
    let pk = format!("USER#{}", user.id);
    assert!(get(&table, &pk, "TOTP").await.is_none());
    assert!(get(&table, &pk, "RECOVERY").await.is_none());
    assert!(!reload(&table, &user).await.second_factors.any());
    assert!(matches!(
        remove(&table, &valid.user).await,
        Err(Error::NotFound)
    ));
}

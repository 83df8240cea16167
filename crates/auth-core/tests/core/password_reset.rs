use crate::helpers::{create_user, get, hash, n, s};
use auth_core::Error;
use auth_core::one_time_code::{CODE_LIFETIME, CodeCheck, OneTimeCode};
use auth_core::password_reset::{
    consume_password_reset_session, create_password_reset_session, pass_second_factor,
    validate_password_reset_token, verify_password_reset_code,
};
use auth_core::random::random_secret;
use auth_core::user::get_user;
use auth_testing::test_table;

#[tokio::test]
async fn a_reset_session_is_stored_with_hashes_index_keys_and_expiry() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    let (token, session) = create_password_reset_session(&table, &user, &code)
        .await
        .unwrap();
    let sk = format!("PASSWORD_RESET#{}", session.id);
    let item = get(&table, &format!("USER#{}", user.id), &sk)
        .await
        .unwrap();
    assert_eq!(s(&item, "GSIPK"), sk);
    assert_eq!(s(&item, "GSISK"), sk);
    assert_eq!(s(&item, "Email"), "ada@example.com");
    assert_eq!(
        n(&item, "ExpiresAt"),
        (table.now() + CODE_LIFETIME).unix_timestamp()
    );
    assert!(item["CodeHash"].is_b() && item["SecretHash"].is_b());
    let secret = token.to_string().rsplit('.').next().unwrap().to_owned();
    assert!(!format!("{item:?}").contains(&secret));
    assert_eq!(
        validate_password_reset_token(&table, &token.to_string())
            .await
            .unwrap(),
        Some(session)
    );
}

#[tokio::test]
async fn forged_unknown_and_expired_tokens_do_not_validate() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_password_reset_session(&table, &user, &OneTimeCode::generate())
        .await
        .unwrap();
    let forged = format!("{}.{}.{}", user.id, session.id, random_secret());
    for bad in ["", "garbage", forged.as_str()] {
        assert_eq!(
            validate_password_reset_token(&table, bad).await.unwrap(),
            None
        );
    }
    table.clock().advance(CODE_LIFETIME);
    assert_eq!(
        validate_password_reset_token(&table, &token.to_string())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn the_right_code_verifies_the_session_which_then_sets_one_password() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    let (_, session) = create_password_reset_session(&table, &user, &code)
        .await
        .unwrap();
    let new_hash = hash("a brand new passphrase").await;
    let err = consume_password_reset_session(&table, &session, &new_hash)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "not before the code");
    assert_eq!(
        verify_password_reset_code(&table, &session, &code)
            .await
            .unwrap(),
        CodeCheck::Accepted(())
    );
    assert!(
        get_user(&table, &user.id)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
    consume_password_reset_session(&table, &session, &new_hash)
        .await
        .unwrap();
    let stored = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_eq!(
        stored.password_hash,
        Some(new_hash.clone()),
        "set in the same write"
    );
    let err = consume_password_reset_session(&table, &session, &new_hash)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "only once");
}

#[tokio::test]
async fn a_new_reset_session_ends_the_earlier_ones() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (first, _) = create_password_reset_session(&table, &user, &OneTimeCode::generate())
        .await
        .unwrap();
    create_password_reset_session(&table, &user, &OneTimeCode::generate())
        .await
        .unwrap();
    assert_eq!(
        validate_password_reset_token(&table, &first.to_string())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn with_two_factor_on_a_reset_sets_no_password_before_a_second_factor() {
    let table = test_table().await;
    let sealing = auth_core::encryption::EncryptionKey::generate();
    let user = create_user(&table, "ada@example.com").await;
    let session = crate::helpers::session_of(&table, &user).await;
    let (_, codes) = crate::helpers::enable_totp(&table, &sealing, &user, &session).await;
    let user = crate::helpers::reload(&table, &user).await;
    let code = OneTimeCode::generate();
    let (token, reset) = create_password_reset_session(&table, &user, &code)
        .await
        .unwrap();
    assert!(reset.awaits_second_factor());
    verify_password_reset_code(&table, &reset, &code)
        .await
        .unwrap();
    let reset = validate_password_reset_token(&table, &token.to_string())
        .await
        .unwrap()
        .unwrap();
    let new_hash = hash("a brand new passphrase").await;
    let refused = consume_password_reset_session(&table, &reset, &new_hash).await;
    assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
    // The app cannot claim a passed factor the item does not record.
    let forged = auth_core::password_reset::PasswordResetSession {
        second_factor_passed: true,
        ..reset.clone()
    };
    let refused = consume_password_reset_session(&table, &forged, &new_hash).await;
    assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");

    let recovery = auth_core::recovery_codes::use_code(&table, &user.id, &codes.unwrap()[0]);
    pass_second_factor(&table, &reset, recovery).await.unwrap();
    let reset = validate_password_reset_token(&table, &token.to_string())
        .await
        .unwrap()
        .unwrap();
    assert!(reset.second_factor_passed && !reset.awaits_second_factor());
    consume_password_reset_session(&table, &reset, &new_hash)
        .await
        .unwrap();
    let stored = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, Some(new_hash));
}

#[tokio::test]
async fn two_factor_turned_on_during_a_reset_is_not_bypassed() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    let (token, reset) = create_password_reset_session(&table, &user, &code)
        .await
        .unwrap();
    assert!(!reset.second_factor_required);
    verify_password_reset_code(&table, &reset, &code)
        .await
        .unwrap();
    let session = crate::helpers::session_of(&table, &user).await;
    let sealing = auth_core::encryption::EncryptionKey::generate();
    crate::helpers::enable_totp(&table, &sealing, &user, &session).await;
    let reset = validate_password_reset_token(&table, &token.to_string())
        .await
        .unwrap()
        .unwrap();
    let new_hash = hash("a brand new passphrase").await;
    let refused = consume_password_reset_session(&table, &reset, &new_hash).await;
    assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
    let stored = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_ne!(stored.password_hash, Some(new_hash));
}

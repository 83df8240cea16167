use crate::helpers::{create_user, get, n, s};
use auth_core::Error;
use auth_core::one_time_code::{CODE_LIFETIME, CodeCheck, OneTimeCode};
use auth_core::password_reset::{
    consume_password_reset_session, create_password_reset_session, validate_password_reset_token,
    verify_password_reset_code,
};
use auth_core::random::random_secret;
use auth_core::user::get_user;
use auth_web::testing::test_table;

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
    let err = consume_password_reset_session(&table, &session)
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
    consume_password_reset_session(&table, &session)
        .await
        .unwrap();
    let err = consume_password_reset_session(&table, &session)
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

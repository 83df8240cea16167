use crate::helpers::{create_user, enable_totp, get, reload, session_of};
use auth_core::encryption::EncryptionKey;
use auth_core::recovery_codes::{RecoveryCode, regenerate, remaining, use_code};
use auth_core::session::pass_second_factor;
use auth_core::{Error, Table};
use auth_testing::test_table;
use aws_sdk_dynamodb::types::AttributeValue;

/// A user with the authenticator app on, and their recovery codes.
async fn user_with_codes(table: &Table) -> (auth_core::user::User, Vec<RecoveryCode>) {
    let user = create_user(table, "ada@example.com").await;
    let session = session_of(table, &user).await;
    let (_, codes) = enable_totp(table, &EncryptionKey::generate(), &user, &session).await;
    (reload(table, &user).await, codes.unwrap())
}

#[tokio::test]
async fn ten_codes_are_stored_as_a_set_of_sha256_hashes_only() {
    let table = test_table().await;
    let (user, codes) = user_with_codes(&table).await;
    let item = get(&table, &format!("USER#{}", user.id), "RECOVERY")
        .await
        .unwrap();
    let Some(AttributeValue::Bs(hashes)) = item.get("Hashes") else {
        panic!("Hashes is a binary set: {item:?}")
    };
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| h.as_ref().len() == 32));
    let stored = format!("{item:?}");
    for code in &codes {
        let shown = code.display();
        assert!(!stored.contains(&shown) && !stored.contains(&shown.replace('-', "")));
    }
    assert_eq!(remaining(&table, &user.id).await.unwrap(), 10);
}

#[tokio::test]
async fn a_code_works_once_and_the_rest_keep_working() {
    let table = test_table().await;
    let (user, codes) = user_with_codes(&table).await;
    let session = session_of(&table, &user).await;
    pass_second_factor(&table, &session, use_code(&table, &user.id, &codes[0]))
        .await
        .unwrap();
    assert_eq!(remaining(&table, &user.id).await.unwrap(), 9);
    let again = pass_second_factor(&table, &session, use_code(&table, &user.id, &codes[0])).await;
    assert!(matches!(again, Err(Error::WrongCode)), "{again:?}");
    let never = RecoveryCode::parse("abcd-efgh-jkmn").unwrap();
    let wrong = pass_second_factor(&table, &session, use_code(&table, &user.id, &never)).await;
    assert!(matches!(wrong, Err(Error::WrongCode)), "{wrong:?}");
    for code in &codes[1..] {
        pass_second_factor(&table, &session, use_code(&table, &user.id, code))
            .await
            .unwrap();
    }
    assert_eq!(remaining(&table, &user.id).await.unwrap(), 0);
    assert!(
        reload(&table, &user).await.second_factors.any(),
        "2FA stays on"
    );
}

#[tokio::test]
async fn ten_parallel_uses_of_one_code_succeed_exactly_once() {
    let table = test_table().await;
    let (user, codes) = user_with_codes(&table).await;
    let mut sessions = Vec::new();
    for _ in 0..10 {
        sessions.push(session_of(&table, &user).await);
    }
    let uses = sessions
        .iter()
        .map(|session| pass_second_factor(&table, session, use_code(&table, &user.id, &codes[3])));
    let results = futures::future::join_all(uses).await;
    let passed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(passed, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(()) | Err(Error::WrongCode))),
        "{results:?}"
    );
    assert_eq!(remaining(&table, &user.id).await.unwrap(), 9);
}

#[tokio::test]
async fn regenerating_replaces_every_code_and_needs_two_factor_on() {
    let table = test_table().await;
    let (user, old) = user_with_codes(&table).await;
    let new = regenerate(&table, &user.id).await.unwrap();
    assert_eq!(new.len(), 10);
    let session = session_of(&table, &user).await;
    let refused = pass_second_factor(&table, &session, use_code(&table, &user.id, &old[0])).await;
    assert!(matches!(refused, Err(Error::WrongCode)));
    pass_second_factor(&table, &session, use_code(&table, &user.id, &new[0]))
        .await
        .unwrap();

    let other = create_user(&table, "bob@example.com").await;
    assert!(matches!(
        regenerate(&table, &other.id).await,
        Err(Error::NotFound)
    ));
    assert!(
        get(&table, &format!("USER#{}", other.id), "RECOVERY")
            .await
            .is_none()
    );
}

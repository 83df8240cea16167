use crate::helpers::{email, get, new_user, s, scan_all};
use auth_core::Error;
use auth_core::password::{Password, hash_password};
use auth_core::session::{create_session, validate_session_token};
use auth_core::user::{
    CLAIM_PK, create_user, delete_user, get_user, get_user_by_email, mark_email_verified,
    set_password_hash,
};
use auth_web::testing::test_table;
use aws_sdk_dynamodb::types::AttributeValue;

#[tokio::test]
async fn a_created_user_is_found_by_id_and_by_normalized_email() {
    let table = test_table().await;
    let user = new_user(&table, "Ada@Example.com").await;
    assert_eq!(user.email, "ada@example.com");
    assert!(!user.email_verified);
    assert_eq!(
        get_user(&table, &user.id).await.unwrap(),
        Some(user.clone())
    );
    let by_email = get_user_by_email(&table, &email("  ADA@example.COM"))
        .await
        .unwrap();
    assert_eq!(by_email, Some(user.clone()));
    let claim = get(&table, "EMAIL#ada@example.com", "EMAIL#ada@example.com")
        .await
        .unwrap();
    assert_eq!(s(&claim, "UserId"), user.id);
}

#[tokio::test]
async fn unknown_users_and_malformed_ids_are_none() {
    let table = test_table().await;
    assert_eq!(get_user(&table, "nosuchuser").await.unwrap(), None);
    assert_eq!(
        get_user(&table, &auth_core::random::random_id())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        get_user_by_email(&table, &email("nobody@example.com"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_taken_email_is_a_typed_error_and_writes_nothing() {
    let table = test_table().await;
    new_user(&table, "ada@example.com").await;
    let err = create_user(&table, &email("ADA@example.com"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
    assert_eq!(scan_all(&table).await.len(), 2, "one user and one claim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_concurrent_sign_ups_with_one_email_exactly_one_succeeds() {
    let table = test_table().await;
    let attempts = (0..20).map(|_| {
        let table = table.table.clone();
        tokio::spawn(async move { create_user(&table, &email("race@example.com"), None).await })
    });
    let results = futures::future::join_all(attempts).await;
    let (ok, taken): (Vec<_>, Vec<_>) = results
        .into_iter()
        .map(|r| r.unwrap())
        .partition(Result::is_ok);
    assert_eq!(ok.len(), 1);
    assert!(
        taken.iter().all(|r| matches!(r, Err(Error::EmailTaken))),
        "{taken:?}"
    );
    let items = scan_all(&table).await;
    let users = items
        .iter()
        .filter(|i| s(i, "PK").starts_with("USER#"))
        .count();
    let claims = items
        .iter()
        .filter(|i| s(i, "PK").starts_with("EMAIL#"))
        .count();
    assert_eq!((users, claims), (1, 1));
    let winner = ok.into_iter().next().unwrap().unwrap();
    let claim = get(&table, "EMAIL#race@example.com", "EMAIL#race@example.com")
        .await
        .unwrap();
    assert_eq!(s(&claim, "UserId"), winner.id);
}

#[tokio::test]
async fn password_hash_and_verified_flag_are_updated_in_place() {
    let table = test_table().await;
    let user = new_user(&table, "ada@example.com").await;
    let hash = hash_password(&Password::parse("a new passphrase").unwrap())
        .await
        .unwrap();
    set_password_hash(&table, &user.id, &hash).await.unwrap();
    mark_email_verified(&table, &user.id).await.unwrap();
    let stored = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, Some(hash));
    assert!(stored.email_verified);
}

#[tokio::test]
async fn updating_an_unknown_user_is_not_found_and_creates_nothing() {
    let table = test_table().await;
    let id = auth_core::random::random_id();
    let hash = hash_password(&Password::parse("a new passphrase").unwrap())
        .await
        .unwrap();
    assert!(matches!(
        set_password_hash(&table, &id, &hash).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        mark_email_verified(&table, &id).await,
        Err(Error::NotFound)
    ));
    assert!(scan_all(&table).await.is_empty());
}

#[tokio::test]
async fn deleting_a_user_removes_its_claim_and_sessions_and_frees_the_email() {
    let table = test_table().await;
    let user = new_user(&table, "ada@example.com").await;
    let other = new_user(&table, "grace@example.com").await;
    let (token, _) = create_session(&table, &user.id, None).await.unwrap();
    create_session(&table, &other.id, None).await.unwrap();
    delete_user(&table, &user.id).await.unwrap();
    assert!(
        validate_session_token(&table, &token.to_string())
            .await
            .unwrap()
            .is_none()
    );
    let left: Vec<String> = scan_all(&table)
        .await
        .iter()
        .map(|i| s(i, "PK").to_owned())
        .collect();
    assert!(
        left.iter()
            .all(|pk| !pk.contains(&user.id) && pk != "EMAIL#ada@example.com"),
        "{left:?}"
    );
    assert_eq!(
        left.len(),
        3,
        "the other user, its claim and its session remain"
    );
    new_user(&table, "ada@example.com").await;
    assert!(matches!(
        delete_user(&table, &user.id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn deleting_a_user_also_deletes_claims_its_items_point_to() {
    let table = test_table().await;
    let user = new_user(&table, "ada@example.com").await;
    let claim = "OAUTH#github#42";
    for (pk, sk, extra) in [
        (format!("USER#{}", user.id), claim.to_owned(), Some(claim)),
        (claim.to_owned(), claim.to_owned(), None),
    ] {
        let mut put = table
            .client()
            .put_item()
            .table_name(table.name())
            .item("PK", AttributeValue::S(pk))
            .item("SK", AttributeValue::S(sk));
        if let Some(c) = extra {
            put = put.item(CLAIM_PK, AttributeValue::S(c.into()));
        }
        put.send().await.unwrap();
    }
    delete_user(&table, &user.id).await.unwrap();
    assert!(scan_all(&table).await.is_empty());
}

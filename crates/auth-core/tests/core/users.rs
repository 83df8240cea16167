use crate::helpers::{create_user, email, get, hash, s, scan_all};
use auth_core::Error;
use auth_core::session::{SessionPolicy, new_session};
use auth_core::user::{get_user, get_user_by_email, insert_user, new_user, set_password_hash};
use auth_testing::test_table;

#[tokio::test]
async fn a_created_user_is_found_by_id_and_by_normalized_email() {
    let table = test_table().await;
    let user = create_user(&table, "Ada@Example.com").await;
    assert_eq!(user.email.as_str(), "ada@example.com");
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
async fn a_new_user_is_written_with_its_claim_and_what_came_with_it() {
    let table = test_table().await;
    let user = new_user(&table, &email("ada@example.com"), None, true);
    let (_, session, write) =
        new_session(&table, &SessionPolicy::default(), &user.id, None).unwrap();
    insert_user(&table, &user, vec![write]).await.unwrap();
    assert_eq!(
        get_user(&table, &user.id).await.unwrap(),
        Some(user.clone())
    );
    let session_item = get(
        &table,
        &format!("USER#{}", user.id),
        &format!("SESSION#{}", session.id),
    )
    .await;
    assert!(session_item.is_some());
    assert_eq!(scan_all(&table).await.len(), 3);
}

#[tokio::test]
async fn a_taken_email_is_a_typed_error_and_writes_nothing() {
    let table = test_table().await;
    create_user(&table, "ada@example.com").await;
    let user = new_user(&table, &email("ADA@example.com"), None, false);
    let (_, _, session) = new_session(&table, &SessionPolicy::default(), &user.id, None).unwrap();
    let err = insert_user(&table, &user, vec![session]).await.unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
    assert_eq!(scan_all(&table).await.len(), 2, "one user and one claim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_concurrent_sign_ups_with_one_email_exactly_one_succeeds() {
    let table = test_table().await;
    let attempts = (0..20).map(|_| {
        let table = table.table.clone();
        tokio::spawn(async move {
            let user = new_user(&table, &email("race@example.com"), None, false);
            insert_user(&table, &user, vec![]).await.map(|()| user)
        })
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
async fn a_password_hash_is_replaced_in_place() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let hash = hash("a new passphrase").await;
    set_password_hash(&table, &user.id, &hash).await.unwrap();
    let stored = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, Some(hash));
    assert_eq!(
        scan_all(&table).await.len(),
        2,
        "still one user and one claim"
    );
}

#[tokio::test]
async fn updating_an_unknown_user_is_not_found_and_creates_nothing() {
    let table = test_table().await;
    let id = auth_core::random::random_id();
    let hash = hash("a new passphrase").await;
    assert!(matches!(
        set_password_hash(&table, &id, &hash).await,
        Err(Error::NotFound)
    ));
    assert!(scan_all(&table).await.is_empty());
}

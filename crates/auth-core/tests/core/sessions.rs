use crate::helpers::{create_user, get, n, s, scan_all};
use auth_core::Table;
use auth_core::random::random_secret;
use auth_core::session::{
    Session, SessionPolicy, SessionToken, ValidSession, find_session, invalidate_session,
    invalidate_session_token, invalidate_user_sessions, list_user_sessions,
};
use auth_testing::test_table;
use aws_sdk_dynamodb::types::AttributeValue;
use sha2::{Digest, Sha256};
use time::Duration;

/// A session for the user under the default policy, written on its own.
async fn create_session(table: &Table, user_id: &str, ua: Option<&str>) -> (SessionToken, Session) {
    let policy = SessionPolicy::default();
    auth_core::session::create_session(table, &policy, user_id, ua, vec![])
        .await
        .unwrap()
}

/// The session a cookie value names, validated under the default policy.
async fn validate_session_token(table: &Table, token: &str) -> Option<ValidSession> {
    let policy = SessionPolicy::default();
    auth_core::session::validate_session_token(table, &policy, token)
        .await
        .unwrap()
}

fn inactivity_timeout() -> Duration {
    SessionPolicy::default().inactivity_timeout
}

#[tokio::test]
async fn a_new_session_validates_and_stores_only_a_hash_of_its_secret() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &user.id, Some("Firefox")).await;
    let valid = validate_session_token(&table, &token.to_string())
        .await
        .unwrap();
    assert_eq!(valid.user, user);
    assert_eq!(valid.session, session);
    assert!(!valid.refreshed);

    let item = get(
        &table,
        &format!("USER#{}", user.id),
        &format!("SESSION#{}", session.id),
    )
    .await
    .unwrap();
    let secret = token.to_string().rsplit('.').next().unwrap().to_owned();
    let Some(AttributeValue::B(hash)) = item.get("SecretHash") else {
        panic!("no binary hash")
    };
    assert_eq!(hash.as_ref(), Sha256::digest(secret.as_bytes()).as_slice());
    assert!(
        !format!("{item:?}").contains(&secret),
        "the secret itself is not stored"
    );
    assert_eq!(s(&item, "GSIPK"), format!("SESSION#{}", session.id));
    assert_eq!(s(&item, "GSISK"), format!("SESSION#{}", session.id));
    assert_eq!(
        n(&item, "ExpiresAt"),
        (table.now() + inactivity_timeout()).unix_timestamp()
    );
    assert_eq!(s(&item, "UserAgent"), "Firefox");
    assert_eq!(n(&item, "AuthenticatedAt"), table.now().unix_timestamp());
}

#[tokio::test]
async fn a_tampered_secret_or_malformed_token_is_signed_out() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, _) = create_session(&table, &user.id, None).await;
    let token = token.to_string();
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let other_user = create_user(&table, "grace@example.com").await;
    let swapped_user = token.replacen(&user.id, &other_user.id, 1);
    for bad in [
        tampered.as_str(),
        swapped_user.as_str(),
        "",
        "garbage",
        "a.b.c",
        &token[..token.len() - 1],
        &format!("{token}.x"),
        &"x".repeat(4096),
    ] {
        assert!(
            validate_session_token(&table, bad).await.is_none(),
            "{bad:?} validated"
        );
    }
}

#[tokio::test]
async fn an_expired_session_that_still_exists_never_validates() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &user.id, None).await;
    table.clock().advance(inactivity_timeout());
    assert!(
        validate_session_token(&table, &token.to_string())
            .await
            .is_none()
    );
    let key = (
        format!("USER#{}", user.id),
        format!("SESSION#{}", session.id),
    );
    assert!(
        get(&table, &key.0, &key.1).await.is_some(),
        "TTL has not removed it, yet it is refused"
    );
    assert!(
        list_user_sessions(&table, &SessionPolicy::default(), &user.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        find_session(&table, &SessionPolicy::default(), &session.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn expiry_is_pushed_forward_only_after_an_hour() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &user.id, None).await;
    let (pk, sk) = (
        format!("USER#{}", user.id),
        format!("SESSION#{}", session.id),
    );
    let created_expiry = n(&get(&table, &pk, &sk).await.unwrap(), "ExpiresAt");

    table.clock().advance(Duration::minutes(59));
    let valid = validate_session_token(&table, &token.to_string())
        .await
        .unwrap();
    assert!(!valid.refreshed);
    assert_eq!(
        n(&get(&table, &pk, &sk).await.unwrap(), "ExpiresAt"),
        created_expiry
    );

    table.clock().advance(Duration::minutes(1));
    let valid = validate_session_token(&table, &token.to_string())
        .await
        .unwrap();
    assert!(valid.refreshed);
    let expected = (table.now() + inactivity_timeout()).unix_timestamp();
    assert_eq!(valid.session.expires_at.unix_timestamp(), expected);
    assert_eq!(
        n(&get(&table, &pk, &sk).await.unwrap(), "ExpiresAt"),
        expected
    );
    assert_eq!(
        n(&get(&table, &pk, &sk).await.unwrap(), "LastVerifiedAt"),
        table.now().unix_timestamp()
    );
}

#[tokio::test]
async fn a_session_in_use_outlives_the_inactivity_timeout() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, _) = create_session(&table, &user.id, None).await;
    for _ in 0..3 {
        table.clock().advance(Duration::days(6));
        assert!(
            validate_session_token(&table, &token.to_string())
                .await
                .is_some()
        );
    }
}

#[tokio::test]
async fn invalidating_one_session_leaves_the_others() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (first, s1) = create_session(&table, &user.id, None).await;
    let (second, _) = create_session(&table, &user.id, None).await;
    invalidate_session(&table, &user.id, &s1.id).await.unwrap();
    assert!(
        validate_session_token(&table, &first.to_string())
            .await
            .is_none()
    );
    assert!(
        validate_session_token(&table, &second.to_string())
            .await
            .is_some()
    );
}

#[tokio::test]
async fn invalidating_all_sessions_works_across_more_than_25_and_spares_other_users() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let other = create_user(&table, "grace@example.com").await;
    let mut tokens = Vec::new();
    for _ in 0..60 {
        tokens.push(create_session(&table, &user.id, None).await.0);
    }
    let (other_token, _) = create_session(&table, &other.id, None).await;
    let (kept, kept_session) = create_session(&table, &user.id, None).await;

    let deleted = invalidate_user_sessions(&table, &user.id, Some(&kept_session.id))
        .await
        .unwrap();
    assert_eq!(deleted, 60);
    for token in &tokens {
        assert!(
            validate_session_token(&table, &token.to_string())
                .await
                .is_none()
        );
    }
    assert!(
        validate_session_token(&table, &kept.to_string())
            .await
            .is_some()
    );
    assert!(
        validate_session_token(&table, &other_token.to_string())
            .await
            .is_some()
    );

    assert_eq!(
        invalidate_user_sessions(&table, &user.id, None)
            .await
            .unwrap(),
        1
    );
    let sessions = scan_all(&table)
        .await
        .into_iter()
        .filter(|i| s(i, "SK").starts_with("SESSION#"))
        .count();
    assert_eq!(sessions, 1, "only the other user's session is left");
}

#[tokio::test]
async fn listing_sessions_shows_live_ones_most_recently_used_first() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (_, old) = create_session(&table, &user.id, Some("old")).await;
    table.clock().advance(Duration::days(5));
    let (_, newer) = create_session(&table, &user.id, Some("newer")).await;
    let listed = list_user_sessions(&table, &SessionPolicy::default(), &user.id)
        .await
        .unwrap();
    assert_eq!(listed, [newer.clone(), old]);
    table.clock().advance(Duration::days(6));
    assert_eq!(
        list_user_sessions(&table, &SessionPolicy::default(), &user.id)
            .await
            .unwrap(),
        [newer]
    );
}

#[tokio::test]
async fn find_session_reads_through_the_index() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (_, session) = create_session(&table, &user.id, None).await;
    assert_eq!(
        find_session(&table, &SessionPolicy::default(), &session.id)
            .await
            .unwrap(),
        Some(session)
    );
    assert_eq!(
        find_session(
            &table,
            &SessionPolicy::default(),
            &auth_core::random::random_id()
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(
        find_session(&table, &SessionPolicy::default(), "not an id")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn signing_out_by_cookie_deletes_the_session_only_with_its_secret() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &user.id, None).await;
    let (pk, sk) = (
        format!("USER#{}", user.id),
        format!("SESSION#{}", session.id),
    );
    let forged = format!("{}.{}.{}", user.id, session.id, random_secret());
    for bad in [forged.as_str(), "", "garbage"] {
        invalidate_session_token(&table, bad).await.unwrap();
    }
    assert!(
        get(&table, &pk, &sk).await.is_some(),
        "a cookie with another secret signs nobody out"
    );

    invalidate_session_token(&table, &token.to_string())
        .await
        .unwrap();
    assert!(get(&table, &pk, &sk).await.is_none());
    assert!(
        validate_session_token(&table, &token.to_string())
            .await
            .is_none()
    );
    invalidate_session_token(&table, &token.to_string())
        .await
        .expect("signing out twice is not an error");
}

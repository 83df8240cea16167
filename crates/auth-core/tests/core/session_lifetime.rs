//! How long a session lives: the inactivity timeout slides, the maximum lifetime does not, and
//! a proof of identity is fresh only for the reauthentication window.

use crate::helpers::{create_user, get, n};
use auth_core::session::{SessionPolicy, create_session, is_fresh, validate_session_token};
use auth_testing::test_table;
use time::Duration;

#[tokio::test]
async fn the_maximum_lifetime_caps_the_expiry_and_ends_a_session_in_use() {
    let table = test_table().await;
    let policy = SessionPolicy::default();
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &policy, &user.id, None, vec![])
        .await
        .unwrap();
    let token = token.to_string();
    let ends_at = session.created_at + policy.max_lifetime;
    let key = (
        format!("USER#{}", user.id),
        format!("SESSION#{}", session.id),
    );

    // Used every six days: each use pushes the expiry to now + the inactivity timeout...
    for _ in 0..3 {
        table.clock().advance(Duration::days(6));
        let valid = validate_session_token(&table, &policy, &token)
            .await
            .unwrap()
            .unwrap();
        assert!(valid.refreshed);
        assert_eq!(
            valid.session.expires_at,
            table.now() + policy.inactivity_timeout
        );
    }
    // ...until that would pass the maximum lifetime: then the expiry stops there.
    table.clock().advance(Duration::days(6));
    let valid = validate_session_token(&table, &policy, &token)
        .await
        .unwrap()
        .unwrap();
    assert!(valid.refreshed);
    assert_eq!(valid.session.expires_at, ends_at);
    let stored = get(&table, &key.0, &key.1).await.unwrap();
    assert_eq!(n(&stored, "ExpiresAt"), ends_at.unix_timestamp());

    table
        .clock()
        .advance(ends_at - table.now() - Duration::SECOND);
    assert!(
        validate_session_token(&table, &policy, &token)
            .await
            .unwrap()
            .is_some(),
        "a second before the end"
    );
    table.clock().advance(Duration::SECOND);
    assert!(
        validate_session_token(&table, &policy, &token)
            .await
            .unwrap()
            .is_none(),
        "used a second ago, yet over"
    );
}

#[tokio::test]
async fn a_shorter_maximum_lifetime_ends_sessions_created_under_a_longer_one() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let (token, _) = create_session(&table, &SessionPolicy::default(), &user.id, None, vec![])
        .await
        .unwrap();
    let token = token.to_string();
    let shorter = SessionPolicy {
        max_lifetime: Duration::days(1),
        ..SessionPolicy::default()
    };
    table.clock().advance(Duration::days(1));
    let under_shorter = validate_session_token(&table, &shorter, &token)
        .await
        .unwrap();
    assert!(under_shorter.is_none(), "its stored expiry is days away");
    let under_default = validate_session_token(&table, &SessionPolicy::default(), &token)
        .await
        .unwrap();
    assert!(under_default.is_some());
}

#[tokio::test]
async fn a_new_session_expires_at_the_maximum_lifetime_when_that_comes_first() {
    let table = test_table().await;
    let policy = SessionPolicy {
        inactivity_timeout: Duration::days(10),
        max_lifetime: Duration::days(2),
        ..SessionPolicy::default()
    };
    let user = create_user(&table, "ada@example.com").await;
    let (_, session) = create_session(&table, &policy, &user.id, None, vec![])
        .await
        .unwrap();
    assert_eq!(session.expires_at, table.now() + Duration::days(2));
    let stored = get(
        &table,
        &format!("USER#{}", user.id),
        &format!("SESSION#{}", session.id),
    )
    .await
    .unwrap();
    assert_eq!(
        n(&stored, "ExpiresAt"),
        (table.now() + Duration::days(2)).unix_timestamp()
    );
}

#[tokio::test]
async fn a_sign_in_is_fresh_for_the_reauthentication_window_and_refreshes_do_not_renew_it() {
    let table = test_table().await;
    let policy = SessionPolicy::default();
    let user = create_user(&table, "ada@example.com").await;
    let (token, session) = create_session(&table, &policy, &user.id, None, vec![])
        .await
        .unwrap();
    assert_eq!(session.authenticated_at, table.now());
    let window_end = table.now() + policy.reauth_window;
    assert!(is_fresh(&session, &policy, window_end));
    assert!(!is_fresh(&session, &policy, window_end + Duration::SECOND));

    table.clock().advance(Duration::hours(1));
    let valid = validate_session_token(&table, &policy, &token.to_string())
        .await
        .unwrap()
        .unwrap();
    assert!(valid.refreshed);
    assert_eq!(valid.session.authenticated_at, session.authenticated_at);
    assert!(!is_fresh(&valid.session, &policy, table.now()));
}

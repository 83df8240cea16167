//! The login throttle through `verify_credentials`: an attempt is taken before the password is
//! hashed, and each wrong password makes the next attempt for that email wait longer.

use crate::helpers::{
    PASSWORD, create_user, get, hasher, n, retry_after, sign_in, snapshot, start_session,
};
use auth_core::credentials::{Credentials, verify_credentials};
use auth_core::rate_limit::RateLimit;
use auth_core::throttle::{FORGET_AFTER, LEASE};
use auth_core::{Error, Table};
use auth_testing::test_table;
use time::Duration;

const WRONG: &str = "wrong horse battery";

/// The user item of this user.
async fn user_item(table: &Table, user_id: &str) -> crate::helpers::Item {
    let pk = format!("USER#{user_id}");
    get(table, &pk, &pk).await.unwrap()
}

/// A second handle on the same table, with a client of its own: another app instance.
fn other_instance(table: &Table) -> Table {
    let client = aws_sdk_dynamodb::Client::from_conf(table.client().config().clone());
    Table::new(client, table.name()).with_clock(table.clock().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_ten_parallel_wrong_guesses_on_two_instances_one_is_checked_and_nine_wait() {
    let table = test_table().await;
    let ada = create_user(&table, "ada@example.com").await;
    let instances = [table.table.clone(), other_instance(&table)];
    let hashers = [hasher(), hasher()];
    let guesses = (0..10).map(|i| {
        let (table, hasher) = (instances[i % 2].clone(), hashers[i % 2].clone());
        tokio::spawn(async move {
            sign_in(&table, &hasher, "ada@example.com", WRONG, None)
                .await
                .map(|_| ())
        })
    });
    let results: Vec<_> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let wrong = results
        .iter()
        .filter(|r| matches!(r, Err(Error::WrongCredentials)))
        .count();
    let waiting = results
        .iter()
        .filter(|r| matches!(r, Err(Error::RateLimited { .. })))
        .count();
    assert_eq!((wrong, waiting), (1, 9), "{results:?}");
    let item = user_item(&table, &ada.id).await;
    assert_eq!(n(&item, "LoginAttempts"), 1, "one wrong password counted");

    table.clock().advance(Duration::seconds(1));
    let verified = sign_in(&table, &hashers[1], "ada@example.com", PASSWORD, None)
        .await
        .expect("after the wait the right password signs in");
    assert_eq!(verified.user.id, ada.id);
    let item = user_item(&table, &ada.id).await;
    assert_eq!(
        n(&item, "LoginWaitUntil"),
        (table.now() + LEASE).unix_timestamp(),
        "the attempt holds its lease until the caller commits"
    );
    start_session(&table, verified).await;
    let item = user_item(&table, &ada.id).await;
    for cleared in ["LoginAttempts", "LoginWaitUntil", "LoginAttemptAt"] {
        assert!(!item.contains_key(cleared), "{cleared} is still set");
    }
}

#[tokio::test]
async fn each_wrong_password_makes_the_next_attempt_wait_longer() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    create_user(&table, "grace@example.com").await;
    for (failures, wait) in [1, 2, 4, 8, 16, 30, 60, 180, 300, 300]
        .into_iter()
        .enumerate()
    {
        let result = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
        assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
        let item = user_item(&table, &ada.id).await;
        assert_eq!(n(&item, "LoginAttempts"), failures as i64 + 1);
        assert_eq!(
            n(&item, "LoginWaitUntil"),
            (table.now() + Duration::seconds(wait)).unix_timestamp()
        );
        let right = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None).await;
        assert_eq!(retry_after(right), wait, "even the right password waits");
        table.clock().advance(Duration::seconds(wait - 1));
        let right = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None).await;
        assert_eq!(retry_after(right), 1);
        table.clock().advance(Duration::seconds(1));
    }
    let grace = sign_in(&table, &hasher, "grace@example.com", PASSWORD, None).await;
    assert!(grace.is_ok(), "another account is not affected: {grace:?}");
}

#[tokio::test]
async fn a_successful_sign_in_starts_the_count_over() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    for wait in [1, 2, 4] {
        let result = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
        assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
        table.clock().advance(Duration::seconds(wait));
    }
    let verified = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .unwrap();
    start_session(&table, verified).await;
    let result = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
    assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
    let again = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
    assert_eq!(retry_after(again), 1, "the first failure again");
}

#[tokio::test]
async fn an_address_with_no_account_is_throttled_like_one_with_an_account() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    let before = snapshot(&table).await;
    for address in ["ada@example.com", "nobody@example.com"] {
        for wait in [1, 2, 4] {
            let result = sign_in(&table, &hasher, address, WRONG, None).await;
            assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
            let again = sign_in(&table, &hasher, address, WRONG, None).await;
            assert_eq!(retry_after(again), wait, "{address}");
            table.clock().advance(Duration::seconds(wait));
        }
    }
    let pk = "RATE#login#nobody@example.com";
    let item = get(&table, pk, pk).await.unwrap();
    assert_eq!(n(&item, "LoginAttempts"), 3);
    let after = snapshot(&table).await;
    assert_eq!(
        after.len(),
        before.len() + 1,
        "no user or claim for nobody, only the throttle's item"
    );

    let same_address = sign_in(&table, &hasher, " NOBODY@Example.com", WRONG, None).await;
    assert!(
        matches!(same_address, Err(Error::WrongCredentials)),
        "{same_address:?}"
    );
    let item = get(&table, pk, pk).await.unwrap();
    assert_eq!(
        n(&item, "LoginAttempts"),
        4,
        "counted on the canonical address"
    );
}

#[tokio::test]
async fn a_day_after_the_last_attempt_the_count_starts_over() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "ada@example.com").await;
    let addresses = ["ada@example.com", "nobody@example.com"];
    for wait in [1, 2, 4] {
        for address in addresses {
            let result = sign_in(&table, &hasher, address, WRONG, None).await;
            assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
        }
        table.clock().advance(Duration::seconds(wait));
    }
    // The last attempts were 4 s ago; 23:59:59 after them the count is kept...
    table.clock().advance(FORGET_AFTER - Duration::seconds(5));
    let result = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
    assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
    let again = sign_in(&table, &hasher, "ada@example.com", WRONG, None).await;
    assert_eq!(retry_after(again), 8, "the fourth wrong password in a row");
    // ...and a day after the last attempt it starts over.
    table.clock().advance(FORGET_AFTER);
    for address in addresses {
        let result = sign_in(&table, &hasher, address, WRONG, None).await;
        assert!(matches!(result, Err(Error::WrongCredentials)), "{result:?}");
        let again = sign_in(&table, &hasher, address, WRONG, None).await;
        assert_eq!(retry_after(again), 1, "{address}: the first failure again");
    }
}

#[tokio::test]
async fn a_client_over_its_own_limit_takes_no_attempt_from_the_account() {
    let table = test_table().await;
    let hasher = hasher();
    let ada = create_user(&table, "ada@example.com").await;
    let per_client = RateLimit::new("posts", 1, Duration::minutes(1));
    let attempt = |password| Credentials {
        email: "ada@example.com",
        password,
        device: None,
        per_client: Some((&per_client, "203.0.113.7")),
    };
    // At the start of a window, so that the client's wait is told apart from the account's.
    let into_window = table.now().unix_timestamp().rem_euclid(60);
    table.clock().advance(Duration::seconds(60 - into_window));
    let first = verify_credentials(&table, &hasher, attempt(WRONG)).await;
    assert!(matches!(first, Err(Error::WrongCredentials)), "{first:?}");
    table.clock().advance(Duration::seconds(1));
    let second = verify_credentials(&table, &hasher, attempt(PASSWORD)).await;
    assert_eq!(
        retry_after(second),
        59,
        "the client waits for the window's end"
    );
    let item = user_item(&table, &ada.id).await;
    assert_eq!(n(&item, "LoginAttempts"), 1);
    assert!(
        n(&item, "LoginWaitUntil") <= table.now().unix_timestamp(),
        "the refused client took no lease"
    );
    sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .expect("the account itself is free");
}

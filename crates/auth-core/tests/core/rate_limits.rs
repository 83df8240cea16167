use crate::helpers::{get, n};
use auth_core::Error;
use auth_core::rate_limit::{LOGIN_THROTTLER, TokenBucket};
use auth_web::testing::test_table;
use time::Duration;

const BUCKET: TokenBucket = TokenBucket {
    policy: "test",
    capacity: 3,
    refill_every: Duration::seconds(10),
};

fn retry_after(result: Result<(), Error>) -> i64 {
    match result {
        Err(Error::RateLimited { retry_after }) => retry_after.whole_seconds(),
        other => panic!("expected a rate limit, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bucket_allows_its_capacity_then_refills_one_token_per_interval() {
    let table = test_table().await;
    for _ in 0..3 {
        BUCKET.consume(&table, "1.2.3.4").await.unwrap();
    }
    assert_eq!(retry_after(BUCKET.consume(&table, "1.2.3.4").await), 10);
    BUCKET
        .consume(&table, "5.6.7.8")
        .await
        .expect("another key has its own bucket");

    table.clock().advance(Duration::seconds(4));
    assert_eq!(retry_after(BUCKET.consume(&table, "1.2.3.4").await), 6);
    table.clock().advance(Duration::seconds(6));
    BUCKET
        .consume(&table, "1.2.3.4")
        .await
        .expect("one token came back");
    assert_eq!(retry_after(BUCKET.consume(&table, "1.2.3.4").await), 10);

    let item = get(&table, "RATE#test#1.2.3.4", "RATE#test#1.2.3.4")
        .await
        .unwrap();
    assert_eq!(n(&item, "Tokens"), 0);
    assert_eq!(
        n(&item, "ExpiresAt"),
        table.now().unix_timestamp() + 30,
        "expires once full again"
    );
}

#[tokio::test]
async fn a_bucket_past_its_expiry_counts_as_full() {
    let table = test_table().await;
    for _ in 0..3 {
        BUCKET.consume(&table, "k").await.unwrap();
    }
    table.clock().advance(Duration::seconds(30));
    for _ in 0..3 {
        BUCKET.consume(&table, "k").await.unwrap();
    }
    assert!(BUCKET.consume(&table, "k").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_never_take_more_than_the_capacity() {
    let table = test_table().await;
    let bucket = TokenBucket {
        capacity: 5,
        ..BUCKET
    };
    let attempts = (0..12).map(|_| {
        let table = table.table.clone();
        tokio::spawn(async move { bucket.consume(&table, "shared").await })
    });
    let results = futures::future::join_all(attempts).await;
    let allowed = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(Error::RateLimited { .. }))))
        .count();
    assert_eq!((allowed, limited), (5, 7));
}

#[tokio::test]
async fn the_login_throttler_waits_longer_after_each_failure_up_to_five_minutes() {
    let table = test_table().await;
    LOGIN_THROTTLER
        .check(&table, "ada@example.com")
        .await
        .expect("no failures yet");
    for expected in [1, 2, 4, 8, 16, 30, 60, 180, 300, 300] {
        LOGIN_THROTTLER
            .record_failure(&table, "ada@example.com")
            .await
            .unwrap();
        assert_eq!(
            retry_after(LOGIN_THROTTLER.check(&table, "ada@example.com").await),
            expected
        );
        LOGIN_THROTTLER
            .check(&table, "grace@example.com")
            .await
            .expect("other keys are free");
        table.clock().advance(Duration::seconds(expected));
        LOGIN_THROTTLER
            .check(&table, "ada@example.com")
            .await
            .expect("the wait is over");
    }
}

#[tokio::test]
async fn the_login_throttler_forgets_after_a_success_or_a_quiet_day() {
    let table = test_table().await;
    for _ in 0..3 {
        LOGIN_THROTTLER.record_failure(&table, "ada").await.unwrap();
    }
    LOGIN_THROTTLER.reset(&table, "ada").await.unwrap();
    LOGIN_THROTTLER.record_failure(&table, "ada").await.unwrap();
    assert_eq!(retry_after(LOGIN_THROTTLER.check(&table, "ada").await), 1);

    for _ in 0..3 {
        LOGIN_THROTTLER
            .record_failure(&table, "grace")
            .await
            .unwrap();
    }
    table.clock().advance(Duration::days(1));
    LOGIN_THROTTLER
        .record_failure(&table, "grace")
        .await
        .unwrap();
    assert_eq!(
        retry_after(LOGIN_THROTTLER.check(&table, "grace").await),
        1,
        "counting starts over"
    );
}

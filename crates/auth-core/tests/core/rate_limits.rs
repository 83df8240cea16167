//! Fixed-window rate limits: `max` places per key in each window, one conditional write each.

use crate::helpers::{get, n, retry_after};
use auth_core::Error;
use auth_core::rate_limit::RateLimit;
use auth_testing::test_table;
use time::{Duration, OffsetDateTime};

const LIMIT: RateLimit = RateLimit::new("test", 3, Duration::minutes(1));

/// The window `now` falls in: its number and when it ends (windows start at multiples of
/// their length since the epoch).
fn window(limit: &RateLimit, now: OffsetDateTime) -> (i64, OffsetDateTime) {
    let length = limit.window.whole_seconds();
    let index = now.unix_timestamp().div_euclid(length);
    let ends_at = OffsetDateTime::from_unix_timestamp((index + 1) * length).unwrap();
    (index, ends_at)
}

#[tokio::test]
async fn a_key_gets_max_places_per_window_and_then_waits_for_the_next_window() {
    let table = test_table().await;
    let (index, ends_at) = window(&LIMIT, table.now());
    for _ in 0..3 {
        LIMIT.take(&table, "1.2.3.4").await.unwrap();
    }
    let wait = (ends_at - table.now()).whole_seconds();
    assert_eq!(retry_after(LIMIT.take(&table, "1.2.3.4").await), wait);
    LIMIT
        .take(&table, "5.6.7.8")
        .await
        .expect("another key has its own count");

    let pk = format!("RATE#test#1.2.3.4#{index}");
    let item = get(&table, &pk, &pk).await.unwrap();
    assert_eq!(n(&item, "Hits"), 3, "refused takes are not counted");
    assert_eq!(n(&item, "ExpiresAt"), ends_at.unix_timestamp());

    table
        .clock()
        .advance(ends_at - table.now() - Duration::SECOND);
    assert_eq!(retry_after(LIMIT.take(&table, "1.2.3.4").await), 1);
    table.clock().advance(Duration::SECOND);
    for _ in 0..3 {
        LIMIT
            .take(&table, "1.2.3.4")
            .await
            .expect("a new window starts fresh");
    }
    assert_eq!(
        retry_after(LIMIT.take(&table, "1.2.3.4").await),
        LIMIT.window.whole_seconds()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_parallel_takes_exactly_max_succeed_and_the_rest_wait_for_the_window_end() {
    let table = test_table().await;
    let limit = RateLimit { max: 5, ..LIMIT };
    let take_all = |count: usize| {
        let takes = (0..count).map(|_| {
            let table = table.table.clone();
            tokio::spawn(async move { limit.take(&table, "shared").await })
        });
        futures::future::join_all(takes)
    };

    let (_, ends_at) = window(&limit, table.now());
    let wait = (ends_at - table.now()).whole_seconds();
    let results: Vec<_> = take_all(15).await.into_iter().map(Result::unwrap).collect();
    let allowed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(allowed, 5, "{results:?}");
    for refused in results.into_iter().filter(Result::is_err) {
        assert_eq!(retry_after(refused), wait);
    }

    table.clock().advance(ends_at - table.now());
    let results = take_all(15).await;
    let allowed = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(Error::RateLimited { .. }))))
        .count();
    assert_eq!((allowed, limited), (5, 10), "the next window starts fresh");
}

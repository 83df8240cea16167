//! The bounded hashing queue as sign-in sees it: when it is full, the answer comes at once and
//! nothing is read or written.

use crate::helpers::{PASSWORD, create_user, sign_in, snapshot};
use auth_core::Error;
use auth_core::hasher::{Hasher, QUEUE_PER_WORKER, Slot};
use auth_testing::test_table;

#[tokio::test]
async fn a_full_hashing_queue_refuses_sign_in_at_once_and_writes_nothing() {
    let table = test_table().await;
    create_user(&table, "ada@example.com").await;
    let hasher = Hasher::new(1);
    let held: Vec<Slot> = (0..1 + QUEUE_PER_WORKER)
        .map(|_| hasher.reserve().unwrap())
        .collect();
    let before = snapshot(&table).await;
    for (address, password) in [
        ("ada@example.com", PASSWORD),
        ("ada@example.com", "wrong horse battery"),
        ("nobody@example.com", PASSWORD),
    ] {
        let result = sign_in(&table, &hasher, address, password, None).await;
        match result {
            Err(Error::Busy { retry_after }) => assert!(retry_after.is_positive()),
            other => panic!("{address}: expected Busy, got {other:?}"),
        }
    }
    assert_eq!(snapshot(&table).await, before);

    drop(held);
    sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .expect("places free again");
}

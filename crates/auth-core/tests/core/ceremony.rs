use crate::helpers::scan_all;
use auth_core::ceremony::{CEREMONY_TIMEOUT, start_ceremony, take_ceremony};
use auth_testing::test_table;

#[tokio::test]
async fn a_ceremony_is_taken_once_with_what_was_stored() {
    let table = test_table().await;
    let token = start_ceremony(&table, "sign-in", Some("user"), "state".into())
        .await
        .unwrap();
    let items = scan_all(&table).await;
    assert_eq!(items.len(), 1);
    let pk = crate::helpers::s(&items[0], "PK");
    assert!(pk.starts_with("CEREMONY#"));
    assert!(
        !pk.contains(&token),
        "only a hash of the browser's token is stored"
    );

    let ceremony = take_ceremony(&table, &token).await.unwrap().unwrap();
    assert_eq!(ceremony.purpose, "sign-in");
    assert_eq!(ceremony.user_id.as_deref(), Some("user"));
    assert_eq!(ceremony.state, "state");
    assert_eq!(ceremony.expires_at, table.now() + CEREMONY_TIMEOUT);
    assert!(scan_all(&table).await.is_empty(), "taking deletes it");
    assert_eq!(take_ceremony(&table, &token).await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_ceremony_is_gone_even_before_ttl_deletes_it() {
    let table = test_table().await;
    let token = start_ceremony(&table, "sign-in", None, "state".into())
        .await
        .unwrap();
    table.clock().advance(CEREMONY_TIMEOUT);
    assert_eq!(take_ceremony(&table, &token).await.unwrap(), None);
}

#[tokio::test]
async fn unknown_and_malformed_tokens_find_nothing() {
    let table = test_table().await;
    start_ceremony(&table, "sign-in", None, "state".into())
        .await
        .unwrap();
    for token in ["", "nope", &"a".repeat(5000)] {
        assert_eq!(take_ceremony(&table, token).await.unwrap(), None);
    }
    assert_eq!(scan_all(&table).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_ten_concurrent_takes_of_one_ceremony_exactly_one_gets_it() {
    let table = test_table().await;
    let token = start_ceremony(&table, "sign-in", None, "state".into())
        .await
        .unwrap();
    let takes = (0..10).map(|_| {
        let (table, token) = (table.table.clone(), token.clone());
        tokio::spawn(async move { take_ceremony(&table, &token).await.unwrap() })
    });
    let results = futures::future::join_all(takes).await;
    let won = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Some(_))))
        .count();
    assert_eq!(won, 1);
}

use auth_core::table::{EXPIRES_AT, GSI, GSIPK, GSISK, PK, SK};
use auth_core::{Error, Table};
use auth_testing::{delete_table, test_table};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ProjectionType,
    ScalarAttributeType, TimeToLiveStatus,
};

#[tokio::test]
async fn ensure_table_creates_the_seed_schema_with_ttl() {
    let table = test_table().await;
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys: Vec<_> = described
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect();
    assert_eq!(
        keys,
        [
            (PK.to_owned(), KeyType::Hash),
            (SK.to_owned(), KeyType::Range)
        ]
    );
    let index = &described.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some(GSI));
    let index_keys: Vec<_> = index
        .key_schema()
        .iter()
        .map(|k| k.attribute_name())
        .collect();
    assert_eq!(index_keys, [GSIPK, GSISK]);
    assert_eq!(
        index.projection().unwrap().projection_type(),
        Some(&ProjectionType::All)
    );
    let ttl = table
        .client()
        .describe_time_to_live()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some(EXPIRES_AT));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn ensure_table_accepts_an_existing_good_table_with_ttl_on() {
    let table = test_table().await;
    table.ensure_table().await.expect("second call succeeds");
    table.ensure_table().await.expect("third call succeeds");
}

/// Creates a table under another name with the given key attribute, next to the test table.
async fn wrong_table(table: &Table, hash_key: &str, name: &str) -> Table {
    table
        .client()
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(hash_key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(hash_key)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    Table::new(table.client().clone(), name)
}

#[tokio::test]
async fn ensure_table_refuses_a_table_with_other_keys_and_names_the_difference() {
    let table = test_table().await;
    let name = format!("{}-wrong-keys", table.name());
    let wrong = wrong_table(&table, "id", &name).await;
    let err = wrong.ensure_table().await.unwrap_err();
    delete_table(&wrong).await.unwrap();
    let Error::SchemaMismatch(message) = err else {
        panic!("unexpected error {err:?}")
    };
    assert!(message.contains("key schema"), "{message}");
    assert!(message.contains("\"id\""), "{message}");
}

#[tokio::test]
async fn ensure_table_refuses_a_table_without_the_index() {
    let table = test_table().await;
    let name = format!("{}-no-index", table.name());
    let client = table.client();
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(
            [PK, SK]
                .map(|a| {
                    AttributeDefinition::builder()
                        .attribute_name(a)
                        .attribute_type(ScalarAttributeType::S)
                        .build()
                        .unwrap()
                })
                .to_vec(),
        ))
        .set_key_schema(Some(
            [(PK, KeyType::Hash), (SK, KeyType::Range)]
                .map(|(a, k)| {
                    KeySchemaElement::builder()
                        .attribute_name(a)
                        .key_type(k)
                        .build()
                        .unwrap()
                })
                .to_vec(),
        ))
        .send()
        .await
        .unwrap();
    let wrong = Table::new(client.clone(), name.as_str());
    let err = wrong.ensure_table().await.unwrap_err();
    delete_table(&wrong).await.unwrap();
    let Error::SchemaMismatch(message) = err else {
        panic!("unexpected error {err:?}")
    };
    assert!(message.contains("index \"GSI\" is missing"), "{message}");
}

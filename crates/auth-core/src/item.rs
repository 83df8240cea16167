//! Key formats and the few multi-item operations that several modules share.

use crate::table::{PK, SK};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub(crate) fn email_pk(email: &str) -> String {
    format!("EMAIL#{email}")
}

pub(crate) fn session_sk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

/// The primary key of an item, ready for GetItem, DeleteItem or UpdateItem.
pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk.into())),
        (SK.to_owned(), AttributeValue::S(sk.into())),
    ])
}

/// The primary key attributes of a full item.
pub(crate) fn key_of(item: &Item) -> Item {
    item.iter()
        .filter(|(name, _)| *name == PK || *name == SK)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

/// A number attribute holding epoch seconds, the unit of `ExpiresAt`.
pub(crate) fn epoch(t: OffsetDateTime) -> AttributeValue {
    AttributeValue::N(t.unix_timestamp().to_string())
}

/// Every item of one partition whose sort key starts with `prefix`, read consistently.
pub(crate) async fn query_partition(table: &Table, pk: &str, prefix: &str) -> Result<Vec<Item>> {
    let pages = table
        .client()
        .query()
        .table_name(table.name())
        .consistent_read(true)
        .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#sk", SK)
        .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
        .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    pages
        .into_iter()
        .map(|item| item.map_err(Error::from))
        .collect()
}

/// Deletes items by key in `BatchWriteItem` chunks of 25, retrying what DynamoDB leaves unprocessed.
pub(crate) async fn batch_delete(table: &Table, keys: Vec<Item>) -> Result<()> {
    for chunk in keys.chunks(25) {
        let mut pending: Vec<WriteRequest> = chunk
            .iter()
            .map(|k| {
                let delete = DeleteRequest::builder().set_key(Some(k.clone())).build();
                WriteRequest::builder()
                    .delete_request(delete.expect("key is set"))
                    .build()
            })
            .collect();
        let mut delay = Duration::from_millis(25);
        for attempt in 0.. {
            let out = table
                .client()
                .batch_write_item()
                .request_items(table.name(), pending)
                .send()
                .await?;
            pending = out
                .unprocessed_items
                .and_then(|mut m| m.remove(table.name()))
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
            if attempt == 8 {
                return Err(Error::unavailable(
                    "BatchWriteItem kept leaving items unprocessed",
                ));
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    Ok(())
}

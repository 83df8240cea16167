//! Key formats and the few multi-item operations that several modules share.

use crate::error::is_condition_failed;
use crate::table::{PK, SK};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, ReturnValue, ReturnValuesOnConditionCheckFailure, WriteRequest,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub(crate) fn email_pk(email: &crate::email::EmailAddress) -> String {
    format!("EMAIL#{email}")
}

pub(crate) fn session_sk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

/// The user's partition item of something that holds a claim elsewhere (a credential, an
/// OAuth account): `ClaimPK` names the claim, so deleting the user deletes the claim too.
#[derive(Serialize, Deserialize)]
pub(crate) struct ClaimedItem<T> {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "ClaimPK")]
    pub claim_pk: String,
    #[serde(flatten)]
    pub value: T,
}

/// The keys of an item that the index `GSI` also finds by its sort key alone (tooling only:
/// the request path never reads the index). Flattened into the item.
#[derive(Serialize, Deserialize)]
pub(crate) struct IndexedKeys {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSIPK")]
    pub gsipk: String,
    #[serde(rename = "GSISK")]
    pub gsisk: String,
}

impl IndexedKeys {
    pub fn new(pk: String, sk: String) -> Self {
        Self {
            gsipk: sk.clone(),
            gsisk: sk.clone(),
            pk,
            sk,
        }
    }
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

/// The item with this key, read consistently (every read that decides something is).
pub(crate) async fn get(
    table: &Table,
    pk: impl Into<String>,
    sk: impl Into<String>,
) -> Result<Option<Item>> {
    let out = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(key(pk, sk)))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item)
}

/// Writes an item whole, with no condition: it replaces any item with the same key.
pub(crate) async fn put(table: &Table, item: &impl Serialize) -> Result<()> {
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(serde_dynamo::to_item(item)?))
        .send()
        .await?;
    Ok(())
}

/// Sends an update built for a transaction (`types::Update`) on its own, as `UpdateItem`:
/// whatever is written alone or inside a transaction is built once.
pub(crate) fn send_update(
    table: &Table,
    update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> UpdateItemFluentBuilder {
    let update = update.build().expect("table, key and expression are set");
    table
        .client()
        .update_item()
        .table_name(update.table_name)
        .set_key(Some(update.key))
        .update_expression(update.update_expression)
        .set_condition_expression(update.condition_expression)
        .set_expression_attribute_names(update.expression_attribute_names)
        .set_expression_attribute_values(update.expression_attribute_values)
}

/// What a conditional `UpdateItem` did.
pub(crate) enum Updated {
    /// Written; the item as it was before (`ALL_OLD`), `None` if it did not exist.
    Done(Option<Item>),
    /// The condition was false; the item as it is, `None` if it does not exist.
    Refused(Option<Item>),
}

/// Sends a conditional update asking for the old item either way: on success to learn what
/// was there, on a failed condition to learn why, without a second read.
pub(crate) async fn update_if(update: UpdateItemFluentBuilder) -> Result<Updated> {
    let result = update
        .return_values(ReturnValue::AllOld)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Updated::Done(out.attributes)),
        Err(e) if is_condition_failed(&e) => {
            let old = match e.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(c) => c.item,
                _ => None,
            };
            Ok(Updated::Refused(old))
        }
        Err(e) => Err(e.into()),
    }
}

/// A number attribute of an item, if it has one that parses.
pub(crate) fn number(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

/// A string attribute of an item, if it has one.
pub(crate) fn string<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
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

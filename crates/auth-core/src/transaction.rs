//! `TransactWriteItems`, the tool for everything that must be unique: the guarded items and
//! what they guard are written together or not at all.

use crate::table::PK;
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// A put that fails if an item with this key already exists: a claim.
pub(crate) fn put_new(table: &Table, item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}

/// A transaction item that only checks: the item exists (and `and`, if given, holds).
pub(crate) fn check_exists(
    table: &Table,
    pk: String,
    sk: String,
    and: Option<&str>,
) -> TransactWriteItem {
    let condition = match and {
        Some(and) => format!("attribute_exists(#pk) AND {and}"),
        None => "attribute_exists(#pk)".into(),
    };
    let check = ConditionCheck::builder()
        .table_name(table.name())
        .set_key(Some(crate::item::key(pk, sk)))
        .condition_expression(condition)
        .expression_attribute_names("#pk", PK)
        .build()
        .expect("table, key and condition are set");
    TransactWriteItem::builder().condition_check(check).build()
}

/// Runs a transaction, retrying DynamoDB's transaction conflicts (another transaction on the
/// same items was in flight). When the condition of `items[i]` fails, returns
/// `on_condition_failed(i)`.
pub(crate) async fn transact(
    table: &Table,
    items: Vec<TransactWriteItem>,
    on_condition_failed: impl Fn(usize) -> Error,
) -> Result<()> {
    let mut delay = Duration::from_millis(10);
    for attempt in 0.. {
        let result = table
            .client()
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let Err(e) = result else { return Ok(()) };
        let codes = cancellation_codes(&e);
        if let Some(index) = codes.iter().position(|c| c == "ConditionalCheckFailed") {
            return Err(on_condition_failed(index));
        }
        let conflicted = codes.iter().any(|c| c == "TransactionConflict");
        if !conflicted || attempt == 6 {
            return Err(e.into());
        }
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
    unreachable!("the loop returns")
}

/// One code per item of a cancelled transaction ("None" for the items that were fine).
fn cancellation_codes(e: &SdkError<TransactWriteItemsError, impl std::fmt::Debug>) -> Vec<String> {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => c
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None").to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

//! `TransactWriteItems`, the tool for everything that must be unique or decided together: the
//! items are written together or not at all.
//!
//! Each [`TxItem`] carries what its failed condition means, so a caller never decodes the
//! position of a failed item: a taken email claim says [`Error::EmailTaken`], a missing user
//! [`Error::NotFound`], and so on.

use crate::item::{self, Item};
use crate::table::PK;
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use std::time::Duration;

/// One write of a transaction and the meaning of its failed condition. Other modules hand
/// these out (a cleared throttle, a new device) for a caller to commit with its own writes.
#[derive(Debug)]
pub struct TxItem {
    pub(crate) write: TransactWriteItem,
    on_failed: OnFailed,
}

/// What a failed condition on an item means.
#[derive(Debug)]
enum OnFailed {
    /// A refusal the caller passes on.
    Error(Error),
    /// The item changed since the caller read it: read it again and decide again.
    ReadAgain,
}

/// How a transaction with a [`TxItem::read_again`] item ended.
pub(crate) enum Outcome {
    Written,
    /// A condition on the item as it was read failed: it changed meanwhile.
    ReadAgain,
}

impl TxItem {
    pub(crate) fn new(write: TransactWriteItem, on_failed: Error) -> Self {
        Self {
            write,
            on_failed: OnFailed::Error(on_failed),
        }
    }

    /// An item conditioned on what the caller read; its failure means "read again".
    pub(crate) fn read_again(write: TransactWriteItem) -> Self {
        Self {
            write,
            on_failed: OnFailed::ReadAgain,
        }
    }
}

/// A put that fails if an item with this key already exists: a claim.
pub(crate) fn put_new(table: &Table, item: Item, taken: Error) -> TxItem {
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .expect("table and item are set");
    TxItem::new(TransactWriteItem::builder().put(put).build(), taken)
}

/// A put with no condition (a session, a device): it only rides along with the others.
pub(crate) fn put(table: &Table, item: Item) -> TxItem {
    let put = Put::builder()
        .table_name(table.name())
        .set_item(Some(item))
        .build()
        .expect("table and item are set");
    let write = TransactWriteItem::builder().put(put).build();
    TxItem::new(write, Error::Conflict("an unconditional put failed"))
}

/// A transaction item that only checks: the item exists (and `and`, if given, holds).
pub(crate) fn check_exists(
    table: &Table,
    pk: String,
    sk: String,
    and: Option<&str>,
    missing: Error,
) -> TxItem {
    let condition = match and {
        Some(and) => format!("attribute_exists(#pk) AND {and}"),
        None => "attribute_exists(#pk)".into(),
    };
    let check = ConditionCheck::builder()
        .table_name(table.name())
        .set_key(Some(item::key(pk, sk)))
        .condition_expression(condition)
        .expression_attribute_names("#pk", PK)
        .build()
        .expect("table, key and condition are set");
    TxItem::new(
        TransactWriteItem::builder().condition_check(check).build(),
        missing,
    )
}

/// A delete that fails unless the item exists and, when `owner` is given, names that user in
/// `UserId` (a claim is only ever deleted by the user who holds it).
pub(crate) fn delete_existing(
    table: &Table,
    pk: String,
    sk: String,
    owner: Option<&str>,
    missing: Error,
) -> TxItem {
    let delete = Delete::builder()
        .table_name(table.name())
        .set_key(Some(item::key(pk, sk)))
        .expression_attribute_names("#pk", PK);
    let delete = match owner {
        Some(owner) => delete
            .condition_expression("attribute_exists(#pk) AND UserId = :uid")
            .expression_attribute_values(":uid", AttributeValue::S(owner.to_owned())),
        None => delete.condition_expression("attribute_exists(#pk)"),
    };
    let delete = delete.build().expect("table and key are set");
    TxItem::new(TransactWriteItem::builder().delete(delete).build(), missing)
}

/// A delete with no condition (an item that goes with others, if it is there at all).
pub(crate) fn delete(table: &Table, pk: String, sk: String) -> TxItem {
    let delete = Delete::builder()
        .table_name(table.name())
        .set_key(Some(item::key(pk, sk)))
        .build()
        .expect("table and key are set");
    let write = TransactWriteItem::builder().delete(delete).build();
    TxItem::new(write, Error::Conflict("an unconditional delete failed"))
}

/// An update as a transaction item; the caller builds its key and expressions.
pub(crate) fn update(update: UpdateBuilder, on_failed: Error) -> TxItem {
    let update: Update = update.build().expect("table, key and expression are set");
    TxItem::new(
        TransactWriteItem::builder().update(update).build(),
        on_failed,
    )
}

/// Runs a transaction; a failed condition becomes that item's error (the first in the list,
/// when several failed).
pub(crate) async fn transact(table: &Table, items: Vec<TxItem>) -> Result<()> {
    match transact_or_read_again(table, items).await? {
        Outcome::Written => Ok(()),
        Outcome::ReadAgain => Err(Error::Conflict("an item changed meanwhile")),
    }
}

/// Runs a transaction, retrying DynamoDB's transaction conflicts (another transaction on the
/// same items was in flight). A failed condition on a [`TxItem::read_again`] item is
/// [`Outcome::ReadAgain`]; on any other item, its error.
pub(crate) async fn transact_or_read_again(table: &Table, items: Vec<TxItem>) -> Result<Outcome> {
    let writes: Vec<TransactWriteItem> = items.iter().map(|i| i.write.clone()).collect();
    let mut delay = Duration::from_millis(10);
    for attempt in 0.. {
        let result = table
            .client()
            .transact_write_items()
            .set_transact_items(Some(writes.clone()))
            .send()
            .await;
        let Err(e) = result else {
            return Ok(Outcome::Written);
        };
        let reasons = cancellation_reasons(&e);
        let failed = reasons
            .iter()
            .position(|r| r.code() == Some("ConditionalCheckFailed"));
        if let Some(index) = failed {
            let item = items.into_iter().nth(index).expect("one reason per item");
            return match item.on_failed {
                OnFailed::Error(e) => Err(e),
                OnFailed::ReadAgain => Ok(Outcome::ReadAgain),
            };
        }
        let conflicted = reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"));
        if !conflicted || attempt == 6 {
            return Err(e.into());
        }
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
    unreachable!("the loop returns")
}

/// One reason per item of a cancelled transaction ("None" for the items that were fine).
fn cancellation_reasons(
    e: &SdkError<TransactWriteItemsError, impl std::fmt::Debug>,
) -> Vec<CancellationReason> {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
            c.cancellation_reasons().to_vec()
        }
        _ => Vec::new(),
    }
}

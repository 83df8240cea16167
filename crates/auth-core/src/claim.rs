//! Claim items: `<KIND>#<value>` as both keys, holding the id of the user who owns the value.
//!
//! Written with `attribute_not_exists(PK)` in the same transaction as what it guards, a claim
//! is how DynamoDB keeps something unique (an email address, an OAuth identity, a passkey's
//! credential id): of two racing writers exactly one succeeds. Read consistently, it maps the
//! value to its user without an index.

use crate::item::{self, ClaimedItem, Item, user_pk};
use crate::transaction::{TxItem, delete_existing, put_new};
use crate::{Error, Result, Table};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ClaimItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "UserId")]
    user_id: String,
}

/// Puts the claim on `key` for `user_id`, only if nobody holds it: otherwise `taken`.
pub(crate) fn put_claim(table: &Table, key: &str, user_id: &str, taken: Error) -> Result<TxItem> {
    let item: Item = serde_dynamo::to_item(ClaimItem {
        pk: key.to_owned(),
        sk: key.to_owned(),
        user_id: user_id.to_owned(),
    })?;
    Ok(put_new(table, item, taken))
}

/// The id of the user who holds the claim on `key`, read consistently.
pub(crate) async fn claim_owner(table: &Table, key: &str) -> Result<Option<String>> {
    let claim = item::get(table, key, key).await?;
    Ok(claim
        .map(serde_dynamo::from_item::<_, ClaimItem>)
        .transpose()?
        .map(|c| c.user_id))
}

/// An item in `user_id`'s partition (at `sk`) holding `value` and the claim on `claim_key`
/// that it names: both written only if absent, so of two racing owners exactly one gets them.
pub(crate) fn put_claimed<T: Serialize>(
    table: &Table,
    user_id: &str,
    sk: String,
    claim_key: &str,
    value: T,
    taken: impl Fn() -> Error,
) -> Result<[TxItem; 2]> {
    let item = serde_dynamo::to_item(ClaimedItem {
        pk: user_pk(user_id),
        sk,
        claim_pk: claim_key.to_owned(),
        value,
    })?;
    Ok([
        put_new(table, item, taken()),
        put_claim(table, claim_key, user_id, taken())?,
    ])
}

/// Deletes what [`put_claimed`] wrote: the item, and the claim only while `user_id` holds it;
/// either missing fails with `missing`.
pub(crate) fn delete_claimed(
    table: &Table,
    user_id: &str,
    sk: String,
    claim_key: &str,
    missing: impl Fn() -> Error,
) -> [TxItem; 2] {
    [
        delete_existing(table, user_pk(user_id), sk, None, missing()),
        delete_existing(
            table,
            claim_key.to_owned(),
            claim_key.to_owned(),
            Some(user_id),
            missing(),
        ),
    ]
}

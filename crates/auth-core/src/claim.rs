//! Claim items: `<KIND>#<value>` as both keys, holding the id of the user who owns the value.
//!
//! Written with `attribute_not_exists(PK)` in the same transaction as what it guards, a claim
//! is how DynamoDB keeps something unique (an email address, an OAuth identity, a passkey's
//! credential id): of two racing writers exactly one succeeds. Read consistently, it maps the
//! value to its user without an index.

use crate::item::{self, Item};
use crate::transaction::{TxItem, put_new};
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

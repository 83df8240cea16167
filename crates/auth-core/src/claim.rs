//! Claim items: `<KIND>#<value>` as both keys, holding the id of the user who owns the value.
//!
//! Written with `attribute_not_exists(PK)` in the same transaction as what it guards, a claim
//! is how DynamoDB keeps something unique (an email address, an OAuth identity, a passkey's
//! credential id): of two racing writers exactly one succeeds. Read consistently, it maps the
//! value to its user without an index.

use crate::item::{self, Item};
use crate::{Result, Table};
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

/// The claim item on `key` for `user_id`, to put with `transaction::put_new`.
pub(crate) fn claim_item(key: &str, user_id: &str) -> Result<Item> {
    Ok(serde_dynamo::to_item(ClaimItem {
        pk: key.to_owned(),
        sk: key.to_owned(),
        user_id: user_id.to_owned(),
    })?)
}

/// The id of the user who holds the claim on `key`, read consistently.
pub(crate) async fn claim_owner(table: &Table, key: &str) -> Result<Option<String>> {
    let out = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(item::key(key, key)))
        .consistent_read(true)
        .send()
        .await?;
    let Some(claim) = out.item else {
        return Ok(None);
    };
    Ok(Some(
        serde_dynamo::from_item::<_, ClaimItem>(claim)?.user_id,
    ))
}

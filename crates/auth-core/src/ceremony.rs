//! WebAuthn ceremony state kept in DynamoDB: a ceremony is started by one request and finished
//! by the next, possibly on another app instance, and each one can be finished exactly once.
//!
//! 1. [`start_ceremony`] draws a random token for the browser's cookie and stores
//!    `CEREMONY#<id>` with the (opaque, serialized) state and `ExpiresAt` = now +
//!    [`CEREMONY_TIMEOUT`]. The id is SHA-256 of the token, so reading the table is not enough
//!    to finish someone else's ceremony.
//! 2. [`take_ceremony`] deletes the item with the condition `attribute_exists(PK)` and
//!    `ReturnValues=ALL_OLD`: of two requests carrying one token, exactly one gets the state
//!    back (a replayed challenge finds nothing). Only then is `ExpiresAt` checked, because
//!    DynamoDB's TTL deletes late.
//!
//! The state is a string this crate never looks into, so it stays independent of the WebAuthn
//! library an app uses.

use crate::error::is_condition_failed;
use crate::item;
use crate::random::{hash_secret, random_secret};
use crate::table::PK;
use crate::{Result, Table};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How long a browser has between asking for options and answering them.
pub const CEREMONY_TIMEOUT: Duration = Duration::minutes(5);

/// A started ceremony, as the app stored it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ceremony {
    /// What the ceremony is for (such as "sign-up" or "sign-in"); checked when it is finished,
    /// so the state of one kind of ceremony can never finish another.
    pub purpose: String,
    /// The signed-in user who started it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// What the app keeps to finish it, serialized by the app: the WebAuthn library's state,
    /// and whatever else it needs (the email of a sign-up, the name of a new passkey).
    pub state: String,
    #[serde(with = "time::serde::timestamp")]
    pub expires_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct CeremonyItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    ceremony: Ceremony,
}

/// The partition key for a browser's token: `CEREMONY#<base64url(SHA-256(token))>`.
fn ceremony_pk(token: &str) -> String {
    format!("CEREMONY#{}", URL_SAFE_NO_PAD.encode(hash_secret(token)))
}

/// Stores a new ceremony and returns the token for the browser's cookie.
#[tracing::instrument(skip(table, state))]
pub async fn start_ceremony(
    table: &Table,
    purpose: &str,
    user_id: Option<&str>,
    state: String,
) -> Result<String> {
    let token = random_secret();
    let pk = ceremony_pk(&token);
    let item = CeremonyItem {
        sk: pk.clone(),
        pk,
        ceremony: Ceremony {
            purpose: purpose.to_owned(),
            user_id: user_id.map(str::to_owned),
            state,
            expires_at: table.now() + CEREMONY_TIMEOUT,
        },
    };
    item::put(table, &item).await?;
    Ok(token)
}

/// Removes the ceremony and returns it, if it exists and has not expired. Single use: a second
/// call with the same token (or a concurrent one) gets `None`.
#[tracing::instrument(skip_all)]
pub async fn take_ceremony(table: &Table, token: &str) -> Result<Option<Ceremony>> {
    let result = table
        .client()
        .delete_item()
        .table_name(table.name())
        .set_key(Some(item::key(ceremony_pk(token), ceremony_pk(token))))
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
        .send()
        .await;
    let old = match result {
        Ok(out) => out.attributes,
        Err(e) if is_condition_failed(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(old) = old else { return Ok(None) };
    let ceremony = serde_dynamo::from_item::<_, CeremonyItem>(old)?.ceremony;
    Ok((ceremony.expires_at > table.now()).then_some(ceremony))
}

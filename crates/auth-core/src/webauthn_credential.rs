//! What passkeys ([`crate::passkey`]) and security-key second factors
//! ([`crate::second_factor`]) store alike: a WebAuthn credential under its user,
//! `USER#<uid>` / `<prefix><credential id>`, claimed by `CREDENTIAL#<credential id>` so that
//! a credential is registered once, whatever for. Each caller names its own sort key; the
//! reads and writes below are the same for both.

use crate::item::{self, Item, user_pk};
use crate::random::is_base64url;
use crate::table::PK;
use crate::transaction::{self, TxItem};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Longest credential id accepted, in base64url characters: it is part of a sort key, which
/// DynamoDB caps at 1024 bytes. Real authenticators use 16 to 64 bytes.
const MAX_CREDENTIAL_ID: usize = 1000;
/// Longest credential name, in characters.
const MAX_NAME: usize = 60;

/// A credential as stored under its user, whatever it is for: a passkey
/// ([`crate::passkey::Passkey`]) or a second factor
/// ([`crate::second_factor::WebauthnFactor`]) adds what is its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoredCredential {
    pub user_id: String,
    /// The credential id, base64url without padding.
    pub credential_id: String,
    /// The user's label for it ("Laptop", "Blue key").
    pub name: String,
    /// The credential as the WebAuthn library serialized it.
    pub credential: String,
    #[serde(with = "time::serde::timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::timestamp::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl StoredCredential {
    /// A credential registered now, by a finished ceremony (the name already checked). An id
    /// that cannot be a key is refused before anything is written.
    pub(crate) fn new(
        table: &Table,
        user_id: &str,
        credential_id: String,
        name: String,
        credential: String,
    ) -> Result<Self> {
        if !is_valid_credential_id(&credential_id) {
            return Err(Error::InvalidInput(
                "The credential id is not usable.".into(),
            ));
        }
        Ok(Self {
            user_id: user_id.to_owned(),
            credential_id,
            name,
            credential,
            created_at: table.now(),
            last_used_at: None,
        })
    }
}

/// Field access through a passkey or a factor reaches its [`StoredCredential`].
macro_rules! deref_to_stored {
    ($type:ty) => {
        impl std::ops::Deref for $type {
            type Target = StoredCredential;

            fn deref(&self) -> &StoredCredential {
                &self.stored
            }
        }
    };
}
pub(crate) use deref_to_stored;

/// The claim on a credential id.
pub(crate) fn credential_pk(credential_id: &str) -> String {
    format!("CREDENTIAL#{credential_id}")
}

/// True for a base64url string short enough to be a key; checks untrusted input before lookups.
pub(crate) fn is_valid_credential_id(id: &str) -> bool {
    (1..=MAX_CREDENTIAL_ID).contains(&id.len()) && is_base64url(id)
}

/// A credential's name from a form (`what` says what is named, for the message): trimmed,
/// 1 to 60 characters, no control characters.
pub(crate) fn parse_name(input: &str, what: &str) -> Result<String> {
    let name = input.trim();
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME || name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "Give the {what} a name of 1 to {MAX_NAME} characters."
        )));
    }
    Ok(name.to_owned())
}

/// The user's credential item with sort key `sk`, read consistently; `None` for an unknown
/// or malformed id (or another user's credential).
pub(crate) async fn get(
    table: &Table,
    user_id: &str,
    credential_id: &str,
    sk: impl Fn(&str) -> String,
) -> Result<Option<Item>> {
    if !is_valid_credential_id(credential_id) {
        return Ok(None);
    }
    item::get(table, user_pk(user_id), sk(credential_id)).await
}

/// Gives an existing credential item a new name (already parsed); a missing one is
/// [`Error::NotFound`].
pub(crate) async fn rename(table: &Table, user_id: &str, sk: String, name: String) -> Result<()> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), sk)))
        .update_expression("SET #name = :name")
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#name", "Name")
        .expression_attribute_values(":name", AttributeValue::S(name))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if crate::error::is_condition_failed(&e) => Err(Error::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// A use of a credential as a transaction item, to commit in one write with what the use
/// gives (a session, a proof, a passed second factor): the credential as the library updated
/// it (signature counter, backup state) and `LastUsedAt`. A credential deleted meanwhile
/// fails the transaction with [`Error::NotFound`], so a deleted one never proves anything.
pub(crate) fn record_use(table: &Table, user_id: &str, sk: String, credential: String) -> TxItem {
    let update = Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), sk)))
        .update_expression("SET #credential = :credential, #used = :now")
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#credential", "Credential")
        .expression_attribute_names("#used", "LastUsedAt")
        .expression_attribute_values(":credential", AttributeValue::S(credential))
        .expression_attribute_values(":now", item::epoch(table.now()));
    transaction::update(update, Error::NotFound)
}

//! Recovery codes: the way in when the second factor is lost (a phone, a key). Ten codes,
//! each good once, shown when two-factor authentication is turned on and never again.
//!
//! - A code is 12 symbols of the unambiguous 32-symbol alphabet (60 bits), shown as
//!   `abcd-efgh-jkmn`. That is too many to guess even without a limit, so a code is stored as
//!   SHA-256 alone: unlike a password, it needs no slow hash.
//! - The ten hashes are one binary set, `Hashes`, on `USER#<uid>` / `RECOVERY` (with
//!   `CreatedAt`). It is written with the user's first second factor and deleted with the last
//!   (see [`crate::second_factor`]); [`regenerate`] replaces it.
//! - Using a code ([`use_code`]) is ONE conditional update: `DELETE Hashes :h` if
//!   `contains(Hashes, :h)`. DynamoDB applies the condition and the removal atomically, so of
//!   any number of requests with one code, on any instance, exactly one succeeds. It is a
//!   transaction item, committed with what the code proves.

use crate::item::{self, Item, user_pk};
use crate::random::{hash_secret, random_string, typed_code};
use crate::table::{PK, SK};
use crate::transaction::{self, TxItem};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use std::collections::HashMap;

/// Codes in a set.
pub const COUNT: usize = 10;
/// Symbols in a code: 12 × 5 bits = 60 bits.
const LEN: usize = 12;
pub(crate) const SORT_KEY: &str = "RECOVERY";

/// One recovery code. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    fn generate() -> Self {
        Self(random_string(LEN))
    }

    /// A code as typed: case, spaces and dashes do not matter. `None` for anything that
    /// cannot be a code; it is refused without a write.
    pub fn parse(input: &str) -> Option<Self> {
        typed_code(input, LEN).map(Self)
    }

    /// The code as the user is shown it: `abcd-efgh-jkmn`.
    pub fn display(&self) -> String {
        let (a, rest) = self.0.split_at(4);
        let (b, c) = rest.split_at(4);
        format!("{a}-{b}-{c}")
    }

    /// SHA-256 of the code: the only form that is stored.
    fn hash(&self) -> Blob {
        Blob::new(hash_secret(&self.0).to_vec())
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

/// A new set of codes, and the item of their hashes.
fn new_set(table: &Table, user_id: &str) -> (Vec<RecoveryCode>, Item) {
    let codes: Vec<RecoveryCode> = (0..COUNT).map(|_| RecoveryCode::generate()).collect();
    let hashes = codes.iter().map(RecoveryCode::hash).collect();
    let item = HashMap::from([
        (PK.to_owned(), AttributeValue::S(user_pk(user_id))),
        (SK.to_owned(), AttributeValue::S(SORT_KEY.to_owned())),
        ("Hashes".to_owned(), AttributeValue::Bs(hashes)),
        ("CreatedAt".to_owned(), item::epoch(table.now())),
    ]);
    (codes, item)
}

/// The first set, written with the user's first second factor.
pub(crate) fn first_set(table: &Table, user_id: &str) -> (Vec<RecoveryCode>, TxItem) {
    let (codes, item) = new_set(table, user_id);
    (codes, transaction::put(table, item))
}

/// Replaces the user's codes with a new set and returns it, to show once. Only while
/// two-factor authentication is on (a set exists): otherwise [`Error::NotFound`].
#[tracing::instrument(skip(table))]
pub async fn regenerate(table: &Table, user_id: &str) -> Result<Vec<RecoveryCode>> {
    let (codes, item) = new_set(table, user_id);
    let result = table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .send()
        .await;
    match result {
        Ok(_) => Ok(codes),
        Err(e) if crate::error::is_condition_failed(&e) => Err(Error::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Burns one code: the write to commit with what it proves. A code that is not in the set
/// (wrong, or used already) fails it with [`Error::WrongCode`].
pub fn use_code(table: &Table, user_id: &str, code: &RecoveryCode) -> TxItem {
    let update = Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), SORT_KEY)))
        .update_expression("DELETE Hashes :set")
        .condition_expression("contains(Hashes, :hash)")
        .expression_attribute_values(":set", AttributeValue::Bs(vec![code.hash()]))
        .expression_attribute_values(":hash", AttributeValue::B(code.hash()));
    transaction::update(update, Error::WrongCode)
}

/// How many unused codes the user has (0 with two-factor authentication off). DynamoDB
/// removes a set attribute when its last element goes, so no `Hashes` is none left.
pub async fn remaining(table: &Table, user_id: &str) -> Result<usize> {
    let stored = item::get(table, user_pk(user_id), SORT_KEY).await?;
    Ok(match stored.as_ref().and_then(|i| i.get("Hashes")) {
        Some(AttributeValue::Bs(hashes)) => hashes.len(),
        _ => 0,
    })
}

/// Deletes the set, with the user's last second factor.
pub(crate) fn delete(table: &Table, user_id: &str) -> TxItem {
    transaction::delete(table, user_pk(user_id), SORT_KEY.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_60_bits_are_shown_in_groups_and_parse_back() {
        let code = RecoveryCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 14);
        assert_eq!(shown.matches('-').count(), 2);
        assert_eq!(
            RecoveryCode::parse(&shown.to_uppercase()),
            Some(code.clone())
        );
        assert_eq!(
            RecoveryCode::parse(&format!(" {} ", shown.replace('-', " "))),
            Some(code.clone())
        );
        for bad in [
            "",
            "abcd-efgh",
            "abcd-efgh-jkmn-p",
            "0000-0000-0000",
            "abcd-efgh-jkm!",
        ] {
            assert_eq!(RecoveryCode::parse(bad), None, "{bad:?}");
        }
        assert!(!format!("{code:?}").contains(&code.0));
    }
}

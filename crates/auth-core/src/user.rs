//! Users and the email claim items that keep every email address on at most one account.
//!
//! A user is `USER#<id>` / `USER#<id>`. Its canonical email ([`EmailAddress`]) is claimed by a
//! second item, `EMAIL#<email>`, written in the same transaction with `attribute_not_exists(PK)`:
//! of two racing sign-ups with one address, exactly one transaction succeeds.

use crate::claim::{claim_owner, put_claim};
use crate::email::EmailAddress;
use crate::error::is_condition_failed;
use crate::item::{self, Item, email_pk, user_pk};
use crate::password::PasswordHash;
use crate::random::{is_valid_id, random_id};
use crate::second_factor::SecondFactors;
use crate::table::PK;
use crate::transaction::{Outcome, TxItem, delete_existing, transact, transact_or_read_again};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A user as the rest of the code sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    pub id: String,
    pub email: EmailAddress,
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<PasswordHash>,
    #[serde(with = "time::serde::timestamp")]
    pub created_at: OffsetDateTime,
    /// Which second factors the user has (`Totp`, `SecurityKeys`, `Passkeys`): none, and
    /// absent from the item, in the examples without two-factor authentication.
    #[serde(flatten)]
    pub second_factors: SecondFactors,
}

/// The stored form: the user plus its keys.
#[derive(Serialize, Deserialize)]
struct UserItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    user: User,
}

fn user_item(user: &User) -> Result<Item> {
    let pk = user_pk(&user.id);
    Ok(serde_dynamo::to_item(UserItem {
        sk: pk.clone(),
        pk,
        user: user.clone(),
    })?)
}

pub(crate) fn user_from_item(item: Item) -> Result<User> {
    Ok(serde_dynamo::from_item::<_, UserItem>(item)?.user)
}

/// A user not written yet: a fresh random id, created now.
pub fn new_user(
    table: &Table,
    email: &EmailAddress,
    password_hash: Option<PasswordHash>,
    email_verified: bool,
) -> User {
    User {
        id: random_id(),
        email: email.clone(),
        email_verified,
        password_hash,
        created_at: table.now(),
        second_factors: SecondFactors::default(),
    }
}

/// Writes `user` and claims its email, with `also` (a first session, an OAuth account, a first
/// passkey, built with the new user's id) in the same transaction: all of them, or none. A
/// taken email is [`Error::EmailTaken`].
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn insert_user(table: &Table, user: &User, also: Vec<TxItem>) -> Result<()> {
    let user_item = crate::transaction::put_new(
        table,
        user_item(user)?,
        Error::Conflict("user id collision"),
    );
    let claim = put_claim(table, &email_pk(&user.email), &user.id, Error::EmailTaken)?;
    let mut items = vec![user_item, claim];
    items.extend(also);
    transact(table, items).await
}

/// The user with this id, read consistently; `None` for an unknown or malformed id.
pub async fn get_user(table: &Table, user_id: &str) -> Result<Option<User>> {
    if !is_valid_id(user_id) {
        return Ok(None);
    }
    let pk = user_pk(user_id);
    item::get(table, pk.clone(), pk)
        .await?
        .map(user_from_item)
        .transpose()
}

/// The id of the user who owns this email address, from its claim item.
pub(crate) async fn find_user_id_by_email(
    table: &Table,
    email: &EmailAddress,
) -> Result<Option<String>> {
    claim_owner(table, &email_pk(email)).await
}

/// The user who owns this email address, found through its claim item.
pub async fn get_user_by_email(table: &Table, email: &EmailAddress) -> Result<Option<User>> {
    match find_user_id_by_email(table, email).await? {
        Some(user_id) => get_user(table, &user_id).await,
        None => Ok(None),
    }
}

/// Replaces a user's password hash; the user must exist.
#[tracing::instrument(skip(table, hash))]
pub async fn set_password_hash(table: &Table, user_id: &str, hash: &PasswordHash) -> Result<()> {
    let update = password_hash_update(table, user_id, hash, "attribute_exists(#pk)");
    let result = item::send_update(table, update).send().await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_condition_failed(&e) => Err(Error::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The write that stores a user's new password hash, if `condition` holds on the user item
/// (`#pk` names the partition key).
pub(crate) fn password_hash_update(
    table: &Table,
    user_id: &str,
    hash: &PasswordHash,
    condition: impl Into<String>,
) -> UpdateBuilder {
    Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .update_expression("SET PasswordHash = :hash")
        .condition_expression(condition)
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":hash", AttributeValue::S(hash.as_str().to_owned()))
}

/// An item in a user's partition that mirrors a claim elsewhere (an OAuth account, a passkey's
/// credential id) names the claim's key here, so deleting the user deletes the claim too.
pub const CLAIM_PK: &str = "ClaimPK";

/// At most this many items fit in one `TransactWriteItems`.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// Deletes a user and everything that is theirs.
///
/// 1. One consistent `Query` reads the user's partition: the user item, and every item that
///    names a claim in [`CLAIM_PK`].
/// 2. One `TransactWriteItems` deletes the user item and every claim (the email, provider
///    accounts, credential ids), each claim only if it still names this user. No crash can
///    leave a claim pointing to a user who is gone, and the freed values can be claimed again
///    at once.
/// 3. The rest of the partition (sessions, devices, pending requests, links, passkeys) goes in
///    `BatchWriteItem`s: without the user item none of it validates any more, so it needs no
///    atomicity. Other browsers are signed out on their next request.
#[tracing::instrument(skip(table))]
pub async fn delete_user(table: &Table, user_id: &str) -> Result<()> {
    let pk = user_pk(user_id);
    let partition = item::query_partition(table, &pk, "").await?;
    let user = partition
        .iter()
        .find(|i| item::string(i, crate::table::SK) == Some(pk.as_str()))
        .cloned()
        .map(user_from_item)
        .transpose()?
        .ok_or(Error::NotFound)?;
    let mut claims = vec![email_pk(&user.email)];
    claims.extend(
        partition
            .iter()
            .filter_map(|i| item::string(i, CLAIM_PK).map(str::to_owned)),
    );
    if claims.len() + 1 > MAX_TRANSACTION_ITEMS {
        return Err(Error::Conflict(
            "too many linked credentials to delete in one transaction",
        ));
    }
    let gone = || Error::Conflict("the account changed while it was being deleted");
    let mut items = vec![delete_existing(table, pk.clone(), pk.clone(), None, gone())];
    items.extend(
        claims
            .into_iter()
            .map(|c| delete_existing(table, c.clone(), c, Some(user_id), gone())),
    );
    transact(table, items).await?;
    let rest = partition
        .iter()
        .filter(|i| item::string(i, crate::table::SK) != Some(pk.as_str()))
        .map(item::key_of)
        .collect();
    item::batch_delete(table, rest).await
}

/// Moves a user to a new address in one transaction with `also`: the old claim is deleted
/// (only if it is still this user's), the new one is put (only if the address is free: else
/// [`Error::EmailTaken`]), and the user item gets the new `Email`, verified (only if it still
/// has the old one).
pub(crate) async fn change_email_with(
    table: &Table,
    user: &User,
    new_email: &EmailAddress,
    also: Vec<TxItem>,
) -> Result<Outcome> {
    let changed = || Error::Conflict("the user's email changed");
    let old_claim = email_pk(&user.email);
    let mut items = vec![
        delete_existing(
            table,
            old_claim.clone(),
            old_claim,
            Some(&user.id),
            changed(),
        ),
        put_claim(table, &email_pk(new_email), &user.id, Error::EmailTaken)?,
        verified_email_update(table, &user.id, &user.email, Some(new_email)),
    ];
    items.extend(also);
    transact_or_read_again(table, items).await
}

/// Sets `EmailVerified` on the user, provided its address is still `email`, in one
/// transaction with `also`.
pub(crate) async fn mark_email_verified_with(
    table: &Table,
    user_id: &str,
    email: &EmailAddress,
    also: Vec<TxItem>,
) -> Result<Outcome> {
    let mut items = vec![verified_email_update(table, user_id, email, None)];
    items.extend(also);
    transact_or_read_again(table, items).await
}

/// An update of the user item, conditioned on its `Email` being `current`: sets
/// `EmailVerified`, and `Email = new` when given.
fn verified_email_update(
    table: &Table,
    user_id: &str,
    current: &EmailAddress,
    new: Option<&EmailAddress>,
) -> TxItem {
    let set = match new {
        Some(_) => "SET EmailVerified = :true, Email = :new",
        None => "SET EmailVerified = :true",
    };
    let mut update = Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .update_expression(set)
        .condition_expression("Email = :current")
        .expression_attribute_values(":current", AttributeValue::S(current.to_string()))
        .expression_attribute_values(":true", AttributeValue::Bool(true));
    if let Some(new) = new {
        update = update.expression_attribute_values(":new", AttributeValue::S(new.to_string()));
    }
    crate::transaction::update(update, Error::Conflict("the user's email changed"))
}

//! Users and the email claim items that keep every email address on at most one account.
//!
//! A user is `USER#<id>` / `USER#<id>`. Its normalized email is claimed by a second item,
//! `EMAIL#<email>`, written in the same transaction with `attribute_not_exists(PK)`: of two
//! racing sign-ups with one address, exactly one transaction succeeds.

use crate::claim::{claim_item, claim_owner};
use crate::error::is_condition_failed;
use crate::item::{self, Item, email_pk, user_pk};
use crate::password::PasswordHash;
use crate::random::{is_valid_id, random_id};
use crate::table::PK;
use crate::transaction::{put_new, transact};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An email address, trimmed and lowercased, checked once at the edge.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain.tld` of at most 254 characters, with no spaces or control characters.
    pub fn parse(input: &str) -> Result<Self> {
        let email = input.trim().to_lowercase();
        let invalid = || Error::InvalidInput("Enter a valid email address.".into());
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user as the rest of the code sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<PasswordHash>,
    #[serde(with = "time::serde::timestamp")]
    pub created_at: OffsetDateTime,
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

pub(crate) fn user_item(user: &User) -> Result<Item> {
    let pk = user_pk(&user.id);
    Ok(serde_dynamo::to_item(UserItem {
        sk: pk.clone(),
        pk,
        user: user.clone(),
    })?)
}

/// Creates a user and claims its email in one transaction; a taken email is [`Error::EmailTaken`].
#[tracing::instrument(skip(table, password_hash))]
pub async fn create_user(
    table: &Table,
    email: &EmailAddress,
    password_hash: Option<PasswordHash>,
) -> Result<User> {
    let user = new_user(table, email, password_hash, false);
    insert_user(table, &user, Vec::new(), |_| {
        Error::Conflict("no extra items")
    })
    .await?;
    Ok(user)
}

/// A user not written yet: a fresh random id, created now.
pub(crate) fn new_user(
    table: &Table,
    email: &EmailAddress,
    password_hash: Option<PasswordHash>,
    email_verified: bool,
) -> User {
    User {
        id: random_id(),
        email: email.as_str().to_owned(),
        email_verified,
        password_hash,
        created_at: table.now(),
    }
}

/// Writes `user` and claims its email, with `extra` items (an OAuth account, a first passkey,
/// built with the new user's id) in the same transaction: all of them, or none. A taken email
/// is [`Error::EmailTaken`]; a failed condition on `extra[i]` becomes `on_extra_failed(i)`.
pub(crate) async fn insert_user(
    table: &Table,
    user: &User,
    extra: Vec<TransactWriteItem>,
    on_extra_failed: impl Fn(usize) -> Error,
) -> Result<()> {
    let mut items = vec![
        put_new(table, user_item(user)?),
        put_new(table, claim_item(&email_pk(&user.email), &user.id)?),
    ];
    items.extend(extra);
    transact(table, items, |index| match index {
        0 => Error::Conflict("user id collision"),
        1 => Error::EmailTaken,
        i => on_extra_failed(i - 2),
    })
    .await
}

/// The user with this id, read consistently; `None` for an unknown or malformed id.
pub async fn get_user(table: &Table, user_id: &str) -> Result<Option<User>> {
    if !is_valid_id(user_id) {
        return Ok(None);
    }
    let out = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .consistent_read(true)
        .send()
        .await?;
    out.item.map(user_from_item).transpose()
}

pub(crate) fn user_from_item(item: Item) -> Result<User> {
    Ok(serde_dynamo::from_item::<_, UserItem>(item)?.user)
}

/// The user who owns this email address, found through its claim item.
pub async fn get_user_by_email(table: &Table, email: &EmailAddress) -> Result<Option<User>> {
    match claim_owner(table, &email_pk(email.as_str())).await? {
        Some(user_id) => get_user(table, &user_id).await,
        None => Ok(None),
    }
}

/// Replaces a user's password hash; the user must exist.
#[tracing::instrument(skip(table, hash))]
pub async fn set_password_hash(table: &Table, user_id: &str, hash: &PasswordHash) -> Result<()> {
    update_user(
        table,
        user_id,
        "SET PasswordHash = :v",
        AttributeValue::S(hash.as_str().to_owned()),
    )
    .await
}

/// Records that the user proved they receive mail at their address.
#[tracing::instrument(skip(table))]
pub async fn mark_email_verified(table: &Table, user_id: &str) -> Result<()> {
    update_user(
        table,
        user_id,
        "SET EmailVerified = :v",
        AttributeValue::Bool(true),
    )
    .await
}

async fn update_user(table: &Table, user_id: &str, set: &str, value: AttributeValue) -> Result<()> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .update_expression(set)
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":v", value)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_condition_failed(&e) => Err(Error::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a user and its email claim in one transaction, then every other item in the
/// user's partition (sessions and the like) and the claims they name in [`CLAIM_PK`].
/// Sessions die at once: validation needs the user item.
#[tracing::instrument(skip(table))]
pub async fn delete_user(table: &Table, user_id: &str) -> Result<()> {
    let Some(user) = get_user(table, user_id).await? else {
        return Err(Error::NotFound);
    };
    let claim = email_pk(&user.email);
    let delete_user = Delete::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .build()
        .expect("table and key are set");
    let delete_claim = Delete::builder()
        .table_name(table.name())
        .set_key(Some(item::key(claim.clone(), claim)))
        .condition_expression("UserId = :uid")
        .expression_attribute_values(":uid", AttributeValue::S(user_id.to_owned()))
        .build()
        .expect("table and key are set");
    let items = vec![
        TransactWriteItem::builder().delete(delete_user).build(),
        TransactWriteItem::builder().delete(delete_claim).build(),
    ];
    transact(table, items, |_| Error::Conflict("the email claim changed")).await?;
    let rest = item::query_partition(table, &user_pk(user_id), "").await?;
    let claims = rest.iter().filter_map(|i| match i.get(CLAIM_PK) {
        Some(AttributeValue::S(claim)) => Some(item::key(claim.clone(), claim.clone())),
        _ => None,
    });
    let keys = rest.iter().map(item::key_of).chain(claims).collect();
    item::batch_delete(table, keys).await
}

/// An item in a user's partition that mirrors a claim elsewhere (an OAuth account, a passkey's
/// credential id) names the claim's key here, so deleting the user deletes the claim too.
pub const CLAIM_PK: &str = "ClaimPK";

/// Moves a user to a new address in one transaction: the old claim is deleted (only if it is
/// still this user's), the new one is put (only if the address is free: else
/// [`Error::EmailTaken`]), and the user item gets the new `Email`, verified (only if it still
/// has the old one). A failed condition on `extra[i]` becomes `on_extra_failed(i)`.
pub(crate) async fn change_email_with(
    table: &Table,
    user: &User,
    new_email: &EmailAddress,
    extra: Vec<TransactWriteItem>,
    on_extra_failed: impl Fn(usize) -> Error,
) -> Result<()> {
    let old_claim = email_pk(&user.email);
    let delete_old_claim = Delete::builder()
        .table_name(table.name())
        .set_key(Some(item::key(old_claim.clone(), old_claim)))
        .condition_expression("UserId = :uid")
        .expression_attribute_values(":uid", AttributeValue::S(user.id.clone()))
        .build()
        .expect("table and key are set");
    let mut items = vec![
        TransactWriteItem::builder()
            .delete(delete_old_claim)
            .build(),
        put_new(table, claim_item(&email_pk(new_email.as_str()), &user.id)?),
        verified_email_update(table, &user.id, &user.email, Some(new_email.as_str())),
    ];
    items.extend(extra);
    transact(table, items, |index| match index {
        1 => Error::EmailTaken,
        0 | 2 => Error::Conflict("the user's email changed"),
        i => on_extra_failed(i - 3),
    })
    .await
}

/// Sets `EmailVerified` on the user, provided its address is still `email`, in one
/// transaction with `extra`. A failed condition on `extra[i]` becomes `on_extra_failed(i)`.
pub(crate) async fn mark_email_verified_with(
    table: &Table,
    user_id: &str,
    email: &str,
    extra: Vec<TransactWriteItem>,
    on_extra_failed: impl Fn(usize) -> Error,
) -> Result<()> {
    let mut items = vec![verified_email_update(table, user_id, email, None)];
    items.extend(extra);
    transact(table, items, |index| match index {
        0 => Error::Conflict("the user's email changed"),
        i => on_extra_failed(i - 1),
    })
    .await
}

/// An update of the user item, conditioned on its `Email` being `current`: sets
/// `EmailVerified`, and `Email = new` when given.
fn verified_email_update(
    table: &Table,
    user_id: &str,
    current: &str,
    new: Option<&str>,
) -> TransactWriteItem {
    let set = match new {
        Some(_) => "SET EmailVerified = :true, Email = :new",
        None => "SET EmailVerified = :true",
    };
    let mut update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
        .update_expression(set)
        .condition_expression("Email = :current")
        .expression_attribute_values(":current", AttributeValue::S(current.to_owned()))
        .expression_attribute_values(":true", AttributeValue::Bool(true));
    if let Some(new) = new {
        update = update.expression_attribute_values(":new", AttributeValue::S(new.to_owned()));
    }
    let update = update.build().expect("table, key and expression are set");
    TransactWriteItem::builder().update(update).build()
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        let email = EmailAddress::parse("  Ada@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "ada@.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }
}

//! OAuth accounts: which identity at which provider (a GitHub user, a Google account, a subject
//! at any OpenID Connect issuer) signs in as which user.
//!
//! Two items per linked account, always written and deleted together in one transaction:
//! - the claim `OAUTH#<provider>#<subject>` / same, with `UserId`: the uniqueness guard
//!   (`attribute_not_exists(PK)`) and the lookup a sign-in does with one `GetItem`;
//! - the link `USER#<uid>` / `OAUTH#<provider>#<subject>`, with the provider, subject, a label
//!   and `ClaimPK`: listing a user's accounts is a `Query` on the user's own partition, and
//!   deleting the user finds the claim through `ClaimPK`.
//!
//! A user never loses the last way to sign in: unlinking conditions, in the same transaction,
//! on another link (or the password hash) still being there, so two racing unlinks cannot
//! both win.

use crate::claim::{claim_owner, delete_claimed, put_claimed};
use crate::item::{self, ClaimedItem, user_pk};
use crate::transaction::{TxItem, check_exists, transact};
use crate::user::{User, insert_user};
use crate::{Error, Result, Table};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who someone is at a provider, as the provider reported it after a verified sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OAuthIdentity {
    /// The provider's short name in this app: `github`, `google`, `oidc`, `dev`.
    pub provider: String,
    /// The provider's stable id for the person (GitHub's numeric id, OIDC's `sub`).
    pub subject: String,
    /// What the user recognizes the account by (a login, an email address); display only.
    pub label: String,
}

/// A linked account as stored under the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OAuthAccount {
    #[serde(flatten)]
    pub identity: OAuthIdentity,
    #[serde(with = "time::serde::timestamp")]
    pub linked_at: OffsetDateTime,
}

/// The link item in the user's partition: the account, naming its claim.
type Link = ClaimedItem<OAuthAccount>;

const KEY_PREFIX: &str = "OAUTH#";

/// `OAUTH#<provider>#<subject>`, after checking both parts so the key is unambiguous.
fn account_key(provider: &str, subject: &str) -> Result<String> {
    let provider_ok = !provider.is_empty()
        && provider.len() <= 32
        && provider
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let subject_ok =
        !subject.is_empty() && subject.len() <= 255 && !subject.chars().any(char::is_control);
    if !provider_ok || !subject_ok {
        return Err(Error::InvalidInput(
            "The provider sent an account id this app cannot use.".into(),
        ));
    }
    Ok(format!("{KEY_PREFIX}{provider}#{subject}"))
}

/// The two items that link `identity` to `user_id`, each written only if absent.
fn link_items(table: &Table, user_id: &str, identity: &OAuthIdentity) -> Result<[TxItem; 2]> {
    let key = account_key(&identity.provider, &identity.subject)?;
    let account = OAuthAccount {
        identity: identity.clone(),
        linked_at: table.now(),
    };
    let [link, claim] = put_claimed(table, user_id, key.clone(), &key, account, || {
        Error::AccountAlreadyLinked
    })?;
    Ok([claim, link])
}

/// The id of the user this provider identity signs in as, from its claim: one consistent
/// read. A claim is deleted in the same transaction as its user, so the user exists.
pub async fn find_user_id_by_oauth_account(
    table: &Table,
    provider: &str,
    subject: &str,
) -> Result<Option<String>> {
    claim_owner(table, &account_key(provider, subject)?).await
}

/// Writes `user` (made with `user::new_user`, its email verified: the provider checked it),
/// its email claim, and the link to `identity`, with `also` (the first session), all in one
/// transaction. The email belongs to another account: [`Error::EmailTaken`]; the identity is
/// linked already: [`Error::AccountAlreadyLinked`].
#[tracing::instrument(skip(table, also))]
pub async fn create_user_with_oauth_account(
    table: &Table,
    user: &User,
    identity: &OAuthIdentity,
    also: Vec<TxItem>,
) -> Result<()> {
    let mut items: Vec<TxItem> = link_items(table, &user.id, identity)?.into();
    items.extend(also);
    insert_user(table, user, items).await
}

/// Links `identity` to an existing user: claim and link in one transaction, conditioned on the
/// user still existing. Linked to anyone already (this user included):
/// [`Error::AccountAlreadyLinked`].
#[tracing::instrument(skip(table))]
pub async fn link_oauth_account(
    table: &Table,
    user_id: &str,
    identity: &OAuthIdentity,
) -> Result<()> {
    let [claim, link] = link_items(table, user_id, identity)?;
    let user_pk = user_pk(user_id);
    let items = vec![
        check_exists(table, user_pk.clone(), user_pk, None, Error::NotFound),
        claim,
        link,
    ];
    transact(table, items).await
}

/// The accounts linked to a user, oldest first, from one `Query` on the user's partition.
pub async fn list_oauth_accounts(table: &Table, user_id: &str) -> Result<Vec<OAuthAccount>> {
    let mut accounts = item::query_partition(table, &user_pk(user_id), KEY_PREFIX)
        .await?
        .into_iter()
        .map(|i| Ok(serde_dynamo::from_item::<_, Link>(i)?.value))
        .collect::<Result<Vec<_>>>()?;
    accounts.sort_by_key(|a| a.linked_at);
    Ok(accounts)
}

/// Unlinks one of the user's accounts, unless it is their last way to sign in (no password
/// and no other account): then [`Error::LastSignInMethod`].
#[tracing::instrument(skip(table, user), fields(user = %user.id))]
pub async fn unlink_oauth_account(
    table: &Table,
    user: &User,
    provider: &str,
    subject: &str,
) -> Result<()> {
    let key = account_key(provider, subject)?;
    let accounts = list_oauth_accounts(table, &user.id).await?;
    let is_this =
        |a: &OAuthAccount| a.identity.provider == provider && a.identity.subject == subject;
    if !accounts.iter().any(is_this) {
        return Err(Error::NotFound);
    }
    let other = accounts.iter().find(|a| !is_this(a));
    let uid = user_pk(&user.id);
    let keep = match (other, &user.password_hash) {
        (Some(other), _) => {
            let other_key = account_key(&other.identity.provider, &other.identity.subject)?;
            check_exists(table, uid.clone(), other_key, None, Error::LastSignInMethod)
        }
        (None, Some(_)) => check_exists(
            table,
            uid.clone(),
            uid.clone(),
            Some("attribute_exists(PasswordHash)"),
            Error::LastSignInMethod,
        ),
        (None, None) => return Err(Error::LastSignInMethod),
    };
    let [link, claim] = delete_claimed(table, &user.id, key.clone(), &key, || Error::NotFound);
    let items = vec![claim, link, keep];
    transact(table, items).await
}

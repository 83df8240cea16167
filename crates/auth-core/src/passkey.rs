//! Passkeys: the public-key credentials a user signs in with, stored under the user.
//!
//! A passkey is `USER#<uid>` / `PASSKEY#<credential id>`, and its credential id is claimed by a
//! second item, `CREDENTIAL#<credential id>` (with `UserId`), written in the same transaction
//! with `attribute_not_exists(PK)`. The claim does two jobs:
//! - a credential registered once can never be added again, to this or another account;
//! - a sign-in that presents only a credential id (a discoverable credential) finds its user
//!   with one consistent `GetItem`, never through the eventually consistent index.
//!
//! The credential itself (public key, counter, backup state) is a string serialized by the
//! app's WebAuthn library; this crate stores it and never looks inside.

use crate::claim::{claim_owner, delete_claimed, put_claimed};
use crate::item::{self, ClaimedItem, Item, user_pk};
use crate::transaction::{TxItem, check_exists, transact};
use crate::user::{User, insert_user};
use crate::webauthn_credential::{
    self, StoredCredential, credential_pk, deref_to_stored, is_valid_credential_id, parse_name,
};
use crate::{Error, Result, Table};
use serde::{Deserialize, Serialize};

/// A passkey as the rest of the code sees it: the stored credential (its fields read through
/// it) and the user handle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Passkey {
    #[serde(flatten)]
    pub stored: StoredCredential,
    /// The WebAuthn user handle this credential was created with; the same for all of a
    /// user's passkeys, and checked against the one an authenticator returns.
    pub user_handle: String,
}

deref_to_stored!(Passkey);

/// What a finished registration ceremony yields; the user it belongs to comes separately.
#[derive(Clone, Debug)]
pub struct NewPasskey {
    pub credential_id: String,
    pub name: String,
    pub user_handle: String,
    pub credential: String,
}

fn passkey_sk(credential_id: &str) -> String {
    format!("PASSKEY#{credential_id}")
}

/// A passkey name from a form: trimmed, 1 to 60 characters, no control characters.
pub fn parse_passkey_name(input: &str) -> Result<String> {
    parse_name(input, "passkey")
}

/// The passkey item and its credential claim, both as claims (`attribute_not_exists`).
fn passkey_puts(table: &Table, passkey: &Passkey) -> Result<[TxItem; 2]> {
    put_claimed(
        table,
        &passkey.user_id,
        passkey_sk(&passkey.credential_id),
        &credential_pk(&passkey.credential_id),
        passkey,
        || Error::CredentialTaken,
    )
}

fn build_passkey(table: &Table, user_id: &str, new: NewPasskey) -> Result<Passkey> {
    let name = parse_passkey_name(&new.name)?;
    let stored = StoredCredential::new(table, user_id, new.credential_id, name, new.credential)?;
    Ok(Passkey {
        stored,
        user_handle: new.user_handle,
    })
}

/// Writes `user` (made with `user::new_user`, with no password), its email claim, its first
/// passkey and the credential claim, with `also` (the first session), all in one transaction.
/// A taken email is [`Error::EmailTaken`], a registered credential [`Error::CredentialTaken`].
#[tracing::instrument(skip(table, new, also))]
pub async fn create_user_with_passkey(
    table: &Table,
    user: &User,
    new: NewPasskey,
    also: Vec<TxItem>,
) -> Result<Passkey> {
    let passkey = build_passkey(table, &user.id, new)?;
    let mut items: Vec<TxItem> = passkey_puts(table, &passkey)?.into();
    items.extend(also);
    insert_user(table, user, items).await?;
    Ok(passkey)
}

/// Adds a passkey to an existing user; a credential registered before is refused.
#[tracing::instrument(skip(table, new))]
pub async fn add_passkey(table: &Table, user_id: &str, new: NewPasskey) -> Result<Passkey> {
    let passkey = build_passkey(table, user_id, new)?;
    let mut items = vec![check_exists(
        table,
        user_pk(user_id),
        user_pk(user_id),
        None,
        Error::NotFound,
    )];
    items.extend(passkey_puts(table, &passkey)?);
    transact(table, items).await?;
    Ok(passkey)
}

/// Every passkey of a user, oldest first, read consistently.
pub async fn list_passkeys(table: &Table, user_id: &str) -> Result<Vec<Passkey>> {
    let items = item::query_partition(table, &user_pk(user_id), "PASSKEY#").await?;
    let mut passkeys = items
        .into_iter()
        .map(passkey_from_item)
        .collect::<Result<Vec<_>>>()?;
    passkeys.sort_by_key(|p| p.created_at);
    Ok(passkeys)
}

fn passkey_from_item(item: Item) -> Result<Passkey> {
    Ok(serde_dynamo::from_item::<_, ClaimedItem<Passkey>>(item)?.value)
}

/// The passkey with this credential id, whoever owns it: the claim, then the passkey, both
/// read consistently. `None` for an unknown or malformed id.
pub async fn find_passkey(table: &Table, credential_id: &str) -> Result<Option<Passkey>> {
    match credential_owner(table, credential_id).await? {
        Some(user_id) => get_passkey(table, &user_id, credential_id).await,
        None => Ok(None),
    }
}

/// The id of the user who registered this credential, from its claim: one consistent
/// `GetItem`. `None` for an unknown or malformed id. The first half of [`find_passkey`], for a
/// caller that runs it alongside another call (a sign-in takes its ceremony meanwhile).
pub async fn credential_owner(table: &Table, credential_id: &str) -> Result<Option<String>> {
    if !is_valid_credential_id(credential_id) {
        return Ok(None);
    }
    claim_owner(table, &credential_pk(credential_id)).await
}

/// The user's passkey with this credential id, read consistently; the second half of
/// [`find_passkey`].
pub async fn get_passkey(
    table: &Table,
    user_id: &str,
    credential_id: &str,
) -> Result<Option<Passkey>> {
    webauthn_credential::get(table, user_id, credential_id, passkey_sk)
        .await?
        .map(passkey_from_item)
        .transpose()
}

/// A use of a passkey (a sign-in, a fresh proof) as a transaction item, to commit in one write
/// with what the use gives (the session, the proof): the credential as the library updated it
/// (signature counter, backup state) and `LastUsedAt`. A passkey deleted meanwhile fails the
/// transaction with [`Error::NotFound`], so a deleted passkey never starts a session.
pub fn mark_passkey_used(
    table: &Table,
    user_id: &str,
    credential_id: &str,
    credential: String,
) -> TxItem {
    webauthn_credential::record_use(table, user_id, passkey_sk(credential_id), credential)
}

/// Gives a passkey a new name.
#[tracing::instrument(skip(table))]
pub async fn rename_passkey(
    table: &Table,
    user_id: &str,
    credential_id: &str,
    name: &str,
) -> Result<()> {
    let name = parse_passkey_name(name)?;
    if !is_valid_credential_id(credential_id) {
        return Err(Error::NotFound);
    }
    webauthn_credential::rename(table, user_id, passkey_sk(credential_id), name).await
}

/// Deletes a passkey and its credential claim, but never a user's last passkey: the
/// transaction also checks that another of the user's passkeys still exists, so two
/// concurrent deletions cannot remove the last two.
#[tracing::instrument(skip(table))]
pub async fn delete_passkey(table: &Table, user_id: &str, credential_id: &str) -> Result<()> {
    let passkeys = list_passkeys(table, user_id).await?;
    if !passkeys.iter().any(|p| p.credential_id == credential_id) {
        return Err(Error::NotFound);
    }
    let Some(other) = passkeys.iter().find(|p| p.credential_id != credential_id) else {
        return Err(Error::LastSignInMethod);
    };
    let changed = || Error::Conflict("the passkeys changed meanwhile");
    let [passkey, claim] = delete_claimed(
        table,
        user_id,
        passkey_sk(credential_id),
        &credential_pk(credential_id),
        changed,
    );
    let items = vec![
        passkey,
        claim,
        check_exists(
            table,
            user_pk(user_id),
            passkey_sk(&other.credential_id),
            None,
            Error::LastSignInMethod,
        ),
    ];
    transact(table, items).await
}

//! Second factors: what a user proves after the password, and the summary on the user item
//! that says which ones they have.
//!
//! - The summary ([`SecondFactors`]: `Totp`, `SecurityKeys`, `Passkeys` on the user item) is
//!   read with the user when a session is validated, so one round trip tells whether the
//!   session still has to pass a second factor. It is changed only by [`change_factors`]: in
//!   one transaction with the factor items, and only if it is still what was read (else the
//!   user is read again and the change decided again). So the summary never disagrees with the
//!   items, and two concurrent removals cannot both miss that they removed the last factor.
//! - With the first factor, the transaction also writes a set of recovery codes
//!   ([`crate::recovery_codes`]), returned to be shown once; with the last one, it deletes them.
//! - Security keys and passkeys used as a second factor are `USER#<uid>` /
//!   `SECOND_FACTOR#<credential id>` (`Kind`, `Name`, `Credential` as the WebAuthn library
//!   serialized it, `ClaimPK`). Their credential id is claimed by `CREDENTIAL#<credential id>`
//!   in the same transaction, exactly as passkeys are ([`crate::passkey`]): a credential is
//!   registered once, across all accounts and both uses, and deleting the user deletes the
//!   claim.
//! - TOTP is the other kind of factor ([`crate::totp`]).

use crate::claim::{delete_claimed, put_claimed};
use crate::item::{self, ClaimedItem, Item, user_pk};
use crate::one_time_code::MAX_RACES;
use crate::recovery_codes::{self, RecoveryCode};
use crate::session::{Session, mark_second_factor_passed};
use crate::table::PK;
use crate::transaction::{self, Outcome, TxItem};
use crate::user::{User, get_user};
use crate::webauthn_credential::{
    self, StoredCredential, credential_pk, deref_to_stored, is_valid_credential_id, parse_name,
};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

const SK_PREFIX: &str = "SECOND_FACTOR#";
/// Security keys and passkeys a user may register as second factors. Turning two-factor
/// authentication off deletes each with its claim in one transaction (at most 100 items).
pub const MAX_WEBAUTHN_FACTORS: u32 = 20;

/// Which second factors a user has, as the user item records them. All off (and absent from
/// the item) for the users of examples without second factors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecondFactors {
    /// An authenticator app (TOTP).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub totp: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub security_keys: u32,
    /// Passkeys registered as a second factor (not as a way to sign in alone).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passkeys: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl SecondFactors {
    /// True when two-factor authentication is on: at least one factor.
    pub fn any(&self) -> bool {
        self.totp || self.webauthn() > 0
    }

    /// Security keys and passkeys together.
    pub fn webauthn(&self) -> u32 {
        self.security_keys + self.passkeys
    }

    /// The update of the user item from `self` (as read) to `new`, only if it is still `self`:
    /// each attribute is compared with what was read (absent means off), and set, or removed
    /// when off.
    fn update(&self, table: &Table, user_id: &str, new: &Self) -> TxItem {
        let attributes = [
            (
                "Totp",
                self.totp.then_some(AttributeValue::Bool(true)),
                new.totp.then_some(AttributeValue::Bool(true)),
            ),
            (
                "SecurityKeys",
                count(self.security_keys),
                count(new.security_keys),
            ),
            ("Passkeys", count(self.passkeys), count(new.passkeys)),
        ];
        let mut update = Update::builder()
            .table_name(table.name())
            .set_key(Some(item::key(user_pk(user_id), user_pk(user_id))))
            .expression_attribute_names("#pk", PK);
        let (mut conditions, mut set, mut remove) =
            (vec!["attribute_exists(#pk)".to_owned()], vec![], vec![]);
        for (name, seen, now) in attributes {
            match seen {
                Some(value) => {
                    conditions.push(format!("{name} = :seen{name}"));
                    update = update.expression_attribute_values(format!(":seen{name}"), value);
                }
                None => conditions.push(format!("attribute_not_exists({name})")),
            }
            match now {
                Some(value) => {
                    set.push(format!("{name} = :new{name}"));
                    update = update.expression_attribute_values(format!(":new{name}"), value);
                }
                None => remove.push(name),
            }
        }
        let mut expression = String::new();
        if !set.is_empty() {
            expression.push_str(&format!("SET {} ", set.join(", ")));
        }
        if !remove.is_empty() {
            expression.push_str(&format!("REMOVE {}", remove.join(", ")));
        }
        let update = update
            .update_expression(expression.trim_end())
            .condition_expression(conditions.join(" AND "));
        let update = update.build().expect("table, key and expression are set");
        TxItem::read_again(TransactWriteItem::builder().update(update).build())
    }
}

fn count(n: u32) -> Option<AttributeValue> {
    (n > 0).then(|| AttributeValue::N(n.to_string()))
}

/// The condition on a user item that it records no second factor.
pub(crate) const NO_SECOND_FACTOR: &str = "attribute_not_exists(Totp) AND attribute_not_exists(SecurityKeys) AND attribute_not_exists(Passkeys)";

/// A change of a user's factors, decided from the summary as read: the summary afterwards,
/// and the writes that go with it.
pub(crate) struct Change {
    pub factors: SecondFactors,
    pub items: Vec<TxItem>,
}

/// Commits a change of the user's second factors (see the module docs): `plan` decides it
/// from the summary as read (and may refuse); the summary's update, the plan's items and the
/// recovery codes (written with the first factor, deleted with the last) go in one
/// transaction. Returns the new recovery codes, to show once, when the first factor came.
pub(crate) async fn change_factors(
    table: &Table,
    user: &User,
    mut plan: impl FnMut(&SecondFactors) -> Result<Change>,
) -> Result<Option<Vec<RecoveryCode>>> {
    let mut seen = user.second_factors;
    for _ in 0..MAX_RACES {
        let change = plan(&seen)?;
        let mut items = vec![seen.update(table, &user.id, &change.factors)];
        items.extend(change.items);
        let mut codes = None;
        if !seen.any() && change.factors.any() {
            let (first, write) = recovery_codes::first_set(table, &user.id);
            codes = Some(first);
            items.push(write);
        } else if seen.any() && !change.factors.any() {
            items.push(recovery_codes::delete(table, &user.id));
        }
        match transaction::transact_or_read_again(table, items).await? {
            Outcome::Written => return Ok(codes),
            Outcome::ReadAgain => {
                let current = get_user(table, &user.id).await?.ok_or(Error::NotFound)?;
                seen = current.second_factors;
            }
        }
    }
    Err(Error::Conflict("the second factors kept changing"))
}

/// The kind of a WebAuthn second factor; the WebAuthn library runs different ceremonies for
/// each (a security key may skip user verification, a passkey may not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactorKind {
    SecurityKey,
    Passkey,
}

impl FactorKind {
    /// How a user reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::SecurityKey => "security key",
            Self::Passkey => "passkey",
        }
    }

    /// The kind a form names (`security-key`, `passkey`), if any.
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "security-key" => Some(Self::SecurityKey),
            "passkey" => Some(Self::Passkey),
            _ => None,
        }
    }

    /// The form value, the inverse of [`FactorKind::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecurityKey => "security-key",
            Self::Passkey => "passkey",
        }
    }

    /// A name for a factor of this kind, from a form: trimmed, 1 to 60 characters.
    pub fn parse_name(self, input: &str) -> Result<String> {
        parse_name(input, self.label())
    }

    fn counted(self, factors: &mut SecondFactors) -> &mut u32 {
        match self {
            Self::SecurityKey => &mut factors.security_keys,
            Self::Passkey => &mut factors.passkeys,
        }
    }
}

/// A security key or passkey registered as a second factor: the stored credential (its fields
/// read through it) and its kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebauthnFactor {
    #[serde(flatten)]
    pub stored: StoredCredential,
    pub kind: FactorKind,
}

deref_to_stored!(WebauthnFactor);

/// What a finished registration ceremony yields.
#[derive(Clone, Debug)]
pub struct NewWebauthnFactor {
    pub credential_id: String,
    pub kind: FactorKind,
    pub name: String,
    pub credential: String,
}

fn factor_sk(credential_id: &str) -> String {
    format!("{SK_PREFIX}{credential_id}")
}

fn factor_from_item(item: Item) -> Result<WebauthnFactor> {
    Ok(serde_dynamo::from_item::<_, ClaimedItem<WebauthnFactor>>(item)?.value)
}

/// Registers a security key or passkey as a second factor of `user`; `session` (which just
/// ran the ceremony) passes its second factor with it. Returns the recovery codes to show
/// once, when this is the first factor. A credential registered anywhere already is
/// [`Error::CredentialTaken`].
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add_webauthn_factor(
    table: &Table,
    user: &User,
    session: &Session,
    new: NewWebauthnFactor,
) -> Result<Option<Vec<RecoveryCode>>> {
    let name = new.kind.parse_name(&new.name)?;
    let stored = StoredCredential::new(table, &user.id, new.credential_id, name, new.credential)?;
    let factor = WebauthnFactor {
        stored,
        kind: new.kind,
    };
    change_factors(table, user, |seen| {
        if seen.webauthn() >= MAX_WEBAUTHN_FACTORS {
            return Err(Error::InvalidInput(format!(
                "You have {MAX_WEBAUTHN_FACTORS} security keys and passkeys already. Remove one first."
            )));
        }
        let mut factors = *seen;
        *factor.kind.counted(&mut factors) += 1;
        let [item, claim] = put_claimed(
            table,
            &user.id,
            factor_sk(&factor.credential_id),
            &credential_pk(&factor.credential_id),
            &factor,
            || Error::CredentialTaken,
        )?;
        Ok(Change {
            factors,
            items: vec![item, claim, mark_second_factor_passed(table, session)],
        })
    })
    .await
}

/// The user's security keys and passkeys, oldest first, read consistently.
pub async fn list_webauthn_factors(table: &Table, user_id: &str) -> Result<Vec<WebauthnFactor>> {
    let items = item::query_partition(table, &user_pk(user_id), SK_PREFIX).await?;
    let mut factors = items
        .into_iter()
        .map(factor_from_item)
        .collect::<Result<Vec<_>>>()?;
    factors.sort_by_key(|f| f.created_at);
    Ok(factors)
}

/// One of the user's security keys or passkeys, by credential id, read consistently; `None`
/// for an unknown or malformed id (or another user's credential).
pub async fn get_webauthn_factor(
    table: &Table,
    user_id: &str,
    credential_id: &str,
) -> Result<Option<WebauthnFactor>> {
    webauthn_credential::get(table, user_id, credential_id, factor_sk)
        .await?
        .map(factor_from_item)
        .transpose()
}

/// Gives a security key or passkey a new name.
#[tracing::instrument(skip(table))]
pub async fn rename_webauthn_factor(
    table: &Table,
    user_id: &str,
    credential_id: &str,
    name: &str,
) -> Result<()> {
    let name = parse_name(name, "security key or passkey")?;
    if !is_valid_credential_id(credential_id) {
        return Err(Error::NotFound);
    }
    webauthn_credential::rename(table, user_id, factor_sk(credential_id), name).await
}

/// Removes a security key or passkey and its credential claim; when it was the last second
/// factor, two-factor authentication is off and the recovery codes go too.
#[tracing::instrument(skip(table, user), fields(user = %user.id))]
pub async fn remove_webauthn_factor(table: &Table, user: &User, credential_id: &str) -> Result<()> {
    let kind = get_webauthn_factor(table, &user.id, credential_id)
        .await?
        .ok_or(Error::NotFound)?
        .kind;
    let claim = credential_pk(credential_id);
    let gone = || Error::NotFound;
    change_factors(table, user, |seen| {
        let mut factors = *seen;
        let counted = kind.counted(&mut factors);
        *counted = counted.checked_sub(1).ok_or_else(gone)?;
        Ok(Change {
            factors,
            items: delete_claimed(table, &user.id, factor_sk(credential_id), &claim, gone).into(),
        })
    })
    .await
    .map(|_| ())
}

/// After a successful ceremony: the write storing the credential as the library updated it
/// (its signature counter) and when it was used, to commit with what it proves. A factor
/// removed meanwhile fails it with [`Error::NotFound`].
pub fn record_use(table: &Table, user_id: &str, credential_id: &str, credential: String) -> TxItem {
    webauthn_credential::record_use(table, user_id, factor_sk(credential_id), credential)
}

/// Turns two-factor authentication off: every factor (with its claim), the app's key and the
/// recovery codes go, in one transaction with the cleared summary.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn turn_off(table: &Table, user: &User) -> Result<()> {
    let factors = list_webauthn_factors(table, &user.id).await?;
    let changed = || Error::Conflict("the second factors changed meanwhile");
    change_factors(table, user, |seen| {
        if !seen.any() {
            return Err(Error::NotFound);
        }
        if seen.webauthn() as usize != factors.len() {
            return Err(changed());
        }
        let mut items = Vec::new();
        for factor in &factors {
            items.extend(delete_claimed(
                table,
                &user.id,
                factor_sk(&factor.credential_id),
                &credential_pk(&factor.credential_id),
                changed,
            ));
        }
        if seen.totp {
            items.push(crate::totp::delete(table, &user.id));
        }
        Ok(Change {
            factors: SecondFactors::default(),
            items,
        })
    })
    .await
    .map(|_| ())
}

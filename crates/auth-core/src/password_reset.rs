//! Password reset sessions: "forgot password" gets a short-lived session of its own, kept
//! apart from sign-in sessions, that can do exactly one thing: set a new password once the
//! emailed code has been entered.
//!
//! 1. After the code is mailed, [`create_password_reset_session`] deletes the user's earlier
//!    reset sessions and writes `USER#<uid>` / `PASSWORD_RESET#<id>` (and
//!    `GSIPK = GSISK = PASSWORD_RESET#<id>`, for tooling): the address, SHA-256 of the code
//!    and of the cookie secret, `Attempts`, `EmailVerified = false` and `ExpiresAt` (now +
//!    [`CODE_LIFETIME`]). The browser gets the token `<uid>.<id>.<secret>`.
//! 2. [`validate_password_reset_token`] reads that item by its primary key with a consistent
//!    read (the user id in the token makes the index unnecessary), treats it as gone past
//!    `ExpiresAt`, and compares the secret's hash in constant time.
//! 3. [`verify_password_reset_code`] checks the code as email verification does (expiry,
//!    [`MAX_ATTEMPTS`](crate::one_time_code::MAX_ATTEMPTS), constant time). The right code
//!    sets `EmailVerified`, conditioned on the attempt count read, so a code works once.
//! 4. Two-factor authentication: a reset must never get around it. The item records at
//!    creation whether the user has second factors (`SecondFactorRequired`); the app then
//!    asks for one, and [`pass_second_factor`] sets `SecondFactorPassed` in one transaction
//!    with the factor's own write.
//! 5. [`consume_password_reset_session`] deletes the item and stores the new password hash in
//!    one transaction: the delete only if `EmailVerified`, not expired, and the second factor
//!    passed (or not required); the user update, when no second factor passed, only if the
//!    user has none now (2FA may have been turned on since the reset began). One reset
//!    session sets one password, and only as the rules say.

use crate::email::EmailAddress;
use crate::item::{self, IndexedKeys, Item, user_pk};
use crate::one_time_code::{
    CODE_LIFETIME, CodeCheck, Judgement, MAX_RACES, OneTimeCode, StoredCode, count_wrong_attempt,
};
use crate::password::PasswordHash;
use crate::second_factor::NO_SECOND_FACTOR;
use crate::table::{EXPIRES_AT, PK};
use crate::token::UserToken;
use crate::transaction::{self, Outcome, TxItem};
use crate::user::{User, mark_email_verified_with, password_hash_update};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

const SK_PREFIX: &str = "PASSWORD_RESET#";

/// The cookie value `<user id>.<reset id>.<secret>`.
pub type PasswordResetToken = UserToken;

/// A reset session as the rest of the code sees it (no hashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordResetSession {
    pub id: String,
    pub user_id: String,
    pub email: EmailAddress,
    /// True once the emailed code was entered: only then may a new password be set.
    pub email_verified: bool,
    /// The user had second factors when the reset began: one must be passed too.
    pub second_factor_required: bool,
    /// A second factor was passed in this reset.
    pub second_factor_passed: bool,
    pub expires_at: OffsetDateTime,
}

impl PasswordResetSession {
    /// True when the reset still waits for a second factor.
    pub fn awaits_second_factor(&self) -> bool {
        self.second_factor_required && !self.second_factor_passed
    }
}

/// The stored form. The index keys let tooling find a reset session by id alone.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResetItem {
    #[serde(flatten)]
    keys: IndexedKeys,
    id: String,
    user_id: String,
    email: EmailAddress,
    #[serde(with = "serde_bytes")]
    code_hash: Vec<u8>,
    #[serde(with = "serde_bytes")]
    secret_hash: Vec<u8>,
    attempts: i64,
    email_verified: bool,
    #[serde(default)]
    second_factor_required: bool,
    #[serde(default)]
    second_factor_passed: bool,
    #[serde(with = "time::serde::timestamp")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    expires_at: OffsetDateTime,
}

impl ResetItem {
    fn public(&self) -> PasswordResetSession {
        PasswordResetSession {
            id: self.id.clone(),
            user_id: self.user_id.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            second_factor_required: self.second_factor_required,
            second_factor_passed: self.second_factor_passed,
            expires_at: self.expires_at,
        }
    }
}

fn reset_key(user_id: &str, reset_id: &str) -> Item {
    item::key(user_pk(user_id), format!("{SK_PREFIX}{reset_id}"))
}

/// Starts a reset session for `user` with the code that was just mailed to their address,
/// ending any earlier one. Returns the token for the cookie.
#[tracing::instrument(skip(table, user, code), fields(user = %user.id))]
pub async fn create_password_reset_session(
    table: &Table,
    user: &User,
    code: &OneTimeCode,
) -> Result<(PasswordResetToken, PasswordResetSession)> {
    invalidate_user_password_reset_sessions(table, &user.id).await?;
    let now = table.now();
    let token = PasswordResetToken::generate(&user.id);
    let sk = format!("{SK_PREFIX}{}", token.id);
    let item = ResetItem {
        keys: IndexedKeys::new(user_pk(&user.id), sk),
        id: token.id.clone(),
        user_id: user.id.clone(),
        email: user.email.clone(),
        code_hash: code.hash().to_vec(),
        secret_hash: token.secret_hash().to_vec(),
        attempts: 0,
        email_verified: false,
        second_factor_required: user.second_factors.any(),
        second_factor_passed: false,
        created_at: now,
        expires_at: now + CODE_LIFETIME,
    };
    item::put(table, &item).await?;
    Ok((token, item.public()))
}

/// Checks a token from a cookie. `None` means no reset in progress: malformed, unknown,
/// expired, used, or a secret that does not match.
#[tracing::instrument(skip_all)]
pub async fn validate_password_reset_token(
    table: &Table,
    token: &str,
) -> Result<Option<PasswordResetSession>> {
    let Some(token) = PasswordResetToken::parse(token) else {
        return Ok(None);
    };
    let Some(stored) = read_reset(table, &token.user_id, &token.id).await? else {
        return Ok(None);
    };
    let valid = token.matches(&stored.secret_hash) && stored.expires_at > table.now();
    Ok(valid.then(|| stored.public()))
}

async fn read_reset(table: &Table, user_id: &str, reset_id: &str) -> Result<Option<ResetItem>> {
    let found = item::get(table, user_pk(user_id), format!("{SK_PREFIX}{reset_id}")).await?;
    Ok(found.map(serde_dynamo::from_item).transpose()?)
}

/// Checks the emailed code for a validated reset session. The right code marks the session
/// (and the user's address, if it is still the same one) as verified.
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn verify_password_reset_code(
    table: &Table,
    session: &PasswordResetSession,
    code: &OneTimeCode,
) -> Result<CodeCheck> {
    for _ in 0..MAX_RACES {
        let Some(stored) = read_reset(table, &session.user_id, &session.id).await? else {
            return Ok(CodeCheck::Expired);
        };
        if stored.email_verified {
            return Ok(CodeCheck::Accepted(()));
        }
        let code_state = StoredCode {
            code_hash: &stored.code_hash,
            attempts: stored.attempts,
            expires_at: stored.expires_at,
        };
        let key = reset_key(&session.user_id, &session.id);
        let (outcome, check) = match code_state.judge(code, table.now()) {
            Judgement::Settled(check) => return Ok(CodeCheck::refusal(check)),
            Judgement::Wrong => count_wrong_attempt(table, key, &code_state).await?,
            Judgement::Right => (accept(table, key, &stored).await?, CodeCheck::Accepted(())),
        };
        if let Outcome::Written = outcome {
            return Ok(check);
        }
    }
    Err(Error::Conflict("the reset session kept changing"))
}

/// Sets `EmailVerified` on the reset session if its attempt count is still the one read.
async fn accept(table: &Table, key: Item, stored: &ResetItem) -> Result<Outcome> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(key))
        .update_expression("SET EmailVerified = :true")
        .condition_expression("attribute_exists(#pk) AND Attempts = :seen")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":seen", AttributeValue::N(stored.attempts.to_string()))
        .send()
        .await;
    match result {
        Ok(_) => {}
        Err(e) if crate::error::is_condition_failed(&e) => return Ok(Outcome::ReadAgain),
        Err(e) => return Err(e.into()),
    }
    // The code proves the mailbox too; if the user moved to another address meanwhile,
    // that address stays as it was.
    match mark_email_verified_with(table, &stored.user_id, &stored.email, vec![]).await {
        Ok(_) | Err(Error::Conflict(_)) => Ok(Outcome::Written),
        Err(e) => Err(e),
    }
}

/// Step 4: the reset passed a second factor. Commits `SecondFactorPassed` (only on a live
/// reset whose email code was entered) with `proof`, the factor's own write.
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn pass_second_factor(
    table: &Table,
    session: &PasswordResetSession,
    proof: TxItem,
) -> Result<()> {
    let update = Update::builder()
        .table_name(table.name())
        .set_key(Some(reset_key(&session.user_id, &session.id)))
        .update_expression("SET SecondFactorPassed = :true")
        .condition_expression("EmailVerified = :true AND #exp > :now")
        .expression_attribute_names("#exp", EXPIRES_AT)
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":now", item::epoch(table.now()));
    let mark = transaction::update(update, Error::NotFound);
    transaction::transact(table, vec![mark, proof]).await
}

/// Step 5: ends a verified reset session and stores the new password hash, in one
/// transaction. [`Error::NotFound`] when the session may not set a password (any more): used,
/// expired, its code never entered, or a second factor required and not passed (including one
/// the user turned on since the reset began).
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn consume_password_reset_session(
    table: &Table,
    session: &PasswordResetSession,
    hash: &PasswordHash,
) -> Result<()> {
    let gate = "(SecondFactorPassed = :true OR SecondFactorRequired = :false \
                OR attribute_not_exists(SecondFactorRequired))";
    let delete = Delete::builder()
        .table_name(table.name())
        .set_key(Some(reset_key(&session.user_id, &session.id)))
        .condition_expression(format!("EmailVerified = :true AND #exp > :now AND {gate}"))
        .expression_attribute_names("#exp", EXPIRES_AT)
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":false", AttributeValue::Bool(false))
        .expression_attribute_values(":now", item::epoch(table.now()))
        .build()
        .expect("table and key are set");
    let user_condition = if session.second_factor_passed {
        "attribute_exists(#pk)".to_owned()
    } else {
        format!("attribute_exists(#pk) AND {NO_SECOND_FACTOR}")
    };
    let password = password_hash_update(table, &session.user_id, hash, user_condition);
    let items = vec![
        TxItem::new(
            TransactWriteItem::builder().delete(delete).build(),
            Error::NotFound,
        ),
        transaction::update(password, Error::NotFound),
    ];
    transaction::transact(table, items).await
}

/// Deletes every reset session of the user; returns how many there were.
#[tracing::instrument(skip(table))]
pub async fn invalidate_user_password_reset_sessions(
    table: &Table,
    user_id: &str,
) -> Result<usize> {
    let items = item::query_partition(table, &user_pk(user_id), SK_PREFIX).await?;
    let keys: Vec<Item> = items.iter().map(item::key_of).collect();
    let count = keys.len();
    item::batch_delete(table, keys).await?;
    Ok(count)
}

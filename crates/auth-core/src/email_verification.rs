//! Email verification requests: a one-time code ([`crate::one_time_code`]) mailed to an
//! address proves that the user receives mail there.
//!
//! 1. The app makes a code with [`OneTimeCode::generate`] and mails it *first*. Only once the
//!    mail is out does [`put_email_verification_request`] store `USER#<uid>` /
//!    `EMAIL_VERIFICATION`: the address, SHA-256 of the code, `Attempts = 0` and `ExpiresAt`
//!    (now + [`CODE_LIFETIME`]), replacing any earlier request. A failed send changes nothing.
//! 2. [`verify_email_code`] reads the request consistently and judges the code (expiry,
//!    attempts, constant-time comparison); a wrong one is counted.
//! 3. The right code deletes the request (conditioned on the count read: single use) in one
//!    transaction with the user's change: `EmailVerified` for the address the user has, or
//!    moving the email claim (old claim out, new claim in, user updated) for a new address.

use crate::email::EmailAddress;
use crate::item::{self, Item};
use crate::one_time_code::{
    CODE_LIFETIME, CodeCheck, Judgement, MAX_ATTEMPTS, MAX_RACES, OneTimeCode, StoredCode, consume,
    count_wrong_attempt,
};
use crate::transaction::Outcome;
use crate::user::{User, change_email_with, mark_email_verified_with};
use crate::{Error, Result, Table};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

const SK: &str = "EMAIL_VERIFICATION";

/// A pending request, as the rest of the code sees it (no code hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailVerificationRequest {
    pub user_id: String,
    pub email: EmailAddress,
    pub expires_at: OffsetDateTime,
}

/// The stored form.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RequestItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    email: EmailAddress,
    #[serde(with = "serde_bytes")]
    code_hash: Vec<u8>,
    attempts: i64,
    #[serde(with = "time::serde::timestamp")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    expires_at: OffsetDateTime,
}

fn request_key(user_id: &str) -> Item {
    item::key(item::user_pk(user_id), SK)
}

/// Stores a request for `email` with the code that was just mailed, replacing any earlier one.
#[tracing::instrument(skip(table, code))]
pub async fn put_email_verification_request(
    table: &Table,
    user_id: &str,
    email: &EmailAddress,
    code: &OneTimeCode,
) -> Result<EmailVerificationRequest> {
    let now = table.now();
    let item = RequestItem {
        pk: item::user_pk(user_id),
        sk: SK.to_owned(),
        email: email.clone(),
        code_hash: code.hash().to_vec(),
        attempts: 0,
        created_at: now,
        expires_at: now + CODE_LIFETIME,
    };
    item::put(table, &item).await?;
    Ok(public(item, user_id))
}

/// The user's pending request, if there is one that has not expired or been used up.
pub async fn get_email_verification_request(
    table: &Table,
    user_id: &str,
) -> Result<Option<EmailVerificationRequest>> {
    let now = table.now();
    Ok(read_request(table, user_id)
        .await?
        .filter(|r| r.expires_at > now && r.attempts < MAX_ATTEMPTS)
        .map(|r| public(r, user_id)))
}

fn public(item: RequestItem, user_id: &str) -> EmailVerificationRequest {
    EmailVerificationRequest {
        user_id: user_id.to_owned(),
        email: item.email,
        expires_at: item.expires_at,
    }
}

async fn read_request(table: &Table, user_id: &str) -> Result<Option<RequestItem>> {
    let found = item::get(table, item::user_pk(user_id), SK).await?;
    Ok(found.map(serde_dynamo::from_item).transpose()?)
}

/// What a right code did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// The user's own address is verified now.
    Address,
    /// The account moved to this new address (and the old one is free).
    MovedTo(EmailAddress),
}

/// Checks `code` against the user's request; on success verifies the address (or moves the
/// user to it). An address someone else claimed meanwhile is [`Error::EmailTaken`], and then
/// nothing is written.
#[tracing::instrument(skip(table, user, code), fields(user = %user.id))]
pub async fn verify_email_code(
    table: &Table,
    user: &User,
    code: &OneTimeCode,
) -> Result<CodeCheck<Verified>> {
    for _ in 0..MAX_RACES {
        let Some(request) = read_request(table, &user.id).await? else {
            return Ok(CodeCheck::Expired);
        };
        let stored = StoredCode {
            code_hash: &request.code_hash,
            attempts: request.attempts,
            expires_at: request.expires_at,
        };
        let (outcome, check) = match stored.judge(code, table.now()) {
            Judgement::Settled(check) => return Ok(CodeCheck::refusal(check)),
            Judgement::Wrong => count_wrong_attempt(table, request_key(&user.id), &stored).await?,
            Judgement::Right => accept(table, user, &request).await?,
        };
        if let Outcome::Written = outcome {
            return Ok(check);
        }
    }
    Err(Error::Conflict("the code request kept changing"))
}

/// Deletes the request and applies what it proves, in one transaction.
async fn accept(
    table: &Table,
    user: &User,
    request: &RequestItem,
) -> Result<(Outcome, CodeCheck<Verified>)> {
    let consume = consume(table, request_key(&user.id), request.attempts);
    if request.email == user.email {
        let outcome = mark_email_verified_with(table, &user.id, &user.email, vec![consume]).await?;
        Ok((outcome, CodeCheck::Accepted(Verified::Address)))
    } else {
        let outcome = change_email_with(table, user, &request.email, vec![consume]).await?;
        Ok((
            outcome,
            CodeCheck::Accepted(Verified::MovedTo(request.email.clone())),
        ))
    }
}

//! Email verification requests: a one-time code mailed to an address proves that the user
//! receives mail there. The same codes serve password resets ([`crate::password_reset`]).
//!
//! 1. The app makes a code with [`OneTimeCode::generate`] and mails it *first*. Only once the
//!    mail is out does [`put_email_verification_request`] store `USER#<uid>` /
//!    `EMAIL_VERIFICATION`: the address, SHA-256 of the code, `Attempts = 0` and `ExpiresAt`
//!    (now + [`CODE_LIFETIME`]), replacing any earlier request. A failed send changes nothing.
//! 2. [`verify_email_code`] reads the request consistently. Past `ExpiresAt`, or after
//!    [`MAX_ATTEMPTS`] wrong codes, it is gone whatever DynamoDB's TTL has done so far.
//! 3. The code's hash is compared in constant time. A wrong code is counted with an
//!    `UpdateItem` conditioned on the count just read, so racing guesses are each counted.
//! 4. The right code deletes the request (conditioned on that same count: single use) in one
//!    transaction with the user's change: `EmailVerified` for the address the user has, or
//!    moving the email claim (old claim out, new claim in, user updated) for a new address.

use crate::item::{self, Item};
use crate::random::{constant_time_eq, hash_secret, random_string};
use crate::table::{EXPIRES_AT, PK};
use crate::user::{EmailAddress, User, change_email_with, mark_email_verified_with};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Symbols in a code: 8 from a 32-symbol alphabet, 40 bits. With [`MAX_ATTEMPTS`] guesses per
/// code the odds of guessing one are 5 in 2^40.
pub const CODE_LEN: usize = 8;
/// A code is good for this long after it is sent.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong codes accepted for one request before it is void.
pub const MAX_ATTEMPTS: i64 = 5;
/// How often a check re-reads after losing a race with a concurrent check.
pub(crate) const MAX_RACES: usize = 8;
const SK: &str = "EMAIL_VERIFICATION";
/// The failed condition that means "the request changed since it was read": read again.
pub(crate) const REQUEST_CHANGED: &str = "the code request changed while it was checked";

/// A one-time code: lowercase in storage, shown in capitals, typed in either.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// A new random code from the OS CSPRNG, in the unambiguous alphabet of [`random_string`].
    pub fn generate() -> Self {
        Self(random_string(CODE_LEN))
    }

    /// A code as a user typed it: case, spaces and dashes do not matter. `None` if it cannot
    /// be a code at all (then it is not counted as an attempt).
    pub fn parse(input: &str) -> Option<Self> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let shaped = code.len() == CODE_LEN && code.bytes().all(|b| b.is_ascii_alphanumeric());
        shaped.then_some(Self(code))
    }

    /// The code as it is written in an email.
    pub fn display(&self) -> String {
        self.0.to_ascii_uppercase()
    }

    /// SHA-256 of the code: the only form that is stored.
    pub(crate) fn hash(&self) -> [u8; 32] {
        hash_secret(&self.0)
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

/// What a code check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code was right; it has been used up.
    Accepted,
    /// The code was wrong; this many more tries are allowed.
    Wrong { attempts_left: i64 },
    /// Too many wrong codes: the request is void, a new code must be sent.
    TooManyAttempts,
    /// No request: never made, expired, or already used.
    Expired,
}

/// A pending request, as the rest of the code sees it (no code hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailVerificationRequest {
    pub user_id: String,
    pub email: String,
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
    email: String,
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
        email: email.as_str().to_owned(),
        code_hash: code.hash().to_vec(),
        attempts: 0,
        created_at: now,
        expires_at: now + CODE_LIFETIME,
    };
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(serde_dynamo::to_item(&item)?))
        .send()
        .await?;
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
    let out = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(request_key(user_id)))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item.map(serde_dynamo::from_item).transpose()?)
}

/// Checks `code` against the user's request; on success verifies the address (or moves the
/// user to it). An address someone else claimed meanwhile is [`Error::EmailTaken`], and then
/// nothing is written.
#[tracing::instrument(skip(table, user, code), fields(user = %user.id))]
pub async fn verify_email_code(
    table: &Table,
    user: &User,
    code: &OneTimeCode,
) -> Result<CodeCheck> {
    for _ in 0..MAX_RACES {
        let Some(request) = read_request(table, &user.id).await? else {
            return Ok(CodeCheck::Expired);
        };
        let stored = StoredCode {
            code_hash: &request.code_hash,
            attempts: request.attempts,
            expires_at: request.expires_at,
        };
        let result = match stored.judge(code, table.now()) {
            Judgement::Settled(check) => return Ok(check),
            Judgement::Wrong => count_wrong_attempt(table, request_key(&user.id), &stored).await,
            Judgement::Right => accept(table, user, &request).await,
        };
        match result {
            Err(Error::Conflict(REQUEST_CHANGED)) => continue,
            other => return other,
        }
    }
    Err(Error::Conflict("the code request kept changing"))
}

/// Deletes the request and applies what it proves, in one transaction.
async fn accept(table: &Table, user: &User, request: &RequestItem) -> Result<CodeCheck> {
    let consume = consume_item(table, request_key(&user.id), request.attempts);
    let on_consume_failed = |_| Error::Conflict(REQUEST_CHANGED);
    if request.email == user.email {
        mark_email_verified_with(
            table,
            &user.id,
            &user.email,
            vec![consume],
            on_consume_failed,
        )
        .await?;
    } else {
        let new = EmailAddress::parse(&request.email)?;
        change_email_with(table, user, &new, vec![consume], on_consume_failed).await?;
    }
    Ok(CodeCheck::Accepted)
}

/// The stored half of a code check: what email verification and password reset share.
pub(crate) struct StoredCode<'a> {
    pub code_hash: &'a [u8],
    pub attempts: i64,
    pub expires_at: OffsetDateTime,
}

pub(crate) enum Judgement {
    /// The answer is known without writing anything.
    Settled(CodeCheck),
    Wrong,
    Right,
}

impl StoredCode<'_> {
    /// Expiry first, then the attempt count, then the hash, compared in constant time.
    pub(crate) fn judge(&self, code: &OneTimeCode, now: OffsetDateTime) -> Judgement {
        if self.expires_at <= now {
            Judgement::Settled(CodeCheck::Expired)
        } else if self.attempts >= MAX_ATTEMPTS {
            Judgement::Settled(CodeCheck::TooManyAttempts)
        } else if constant_time_eq(self.code_hash, &code.hash()) {
            Judgement::Right
        } else {
            Judgement::Wrong
        }
    }
}

/// Adds one wrong attempt, if the count is still the one read; otherwise [`REQUEST_CHANGED`].
pub(crate) async fn count_wrong_attempt(
    table: &Table,
    key: Item,
    stored: &StoredCode<'_>,
) -> Result<CodeCheck> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(key))
        .update_expression("SET Attempts = :next")
        .condition_expression("attribute_exists(#pk) AND Attempts = :seen")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":seen", AttributeValue::N(stored.attempts.to_string()))
        .expression_attribute_values(
            ":next",
            AttributeValue::N((stored.attempts + 1).to_string()),
        )
        .send()
        .await;
    match result {
        Ok(_) => Ok(CodeCheck::Wrong {
            attempts_left: MAX_ATTEMPTS - stored.attempts - 1,
        }),
        Err(e) if crate::error::is_condition_failed(&e) => Err(Error::Conflict(REQUEST_CHANGED)),
        Err(e) => Err(e.into()),
    }
}

/// A transaction item deleting a request whose count is still `seen`: a code works once.
fn consume_item(table: &Table, key: Item, seen: i64) -> TransactWriteItem {
    let delete = Delete::builder()
        .table_name(table.name())
        .set_key(Some(key))
        .condition_expression("attribute_exists(#pk) AND Attempts = :seen AND #exp > :now")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#exp", EXPIRES_AT)
        .expression_attribute_values(":seen", AttributeValue::N(seen.to_string()))
        .expression_attribute_values(":now", item::epoch(table.now()))
        .build()
        .expect("table and key are set");
    TransactWriteItem::builder().delete(delete).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_unambiguous_symbols_shown_in_capitals() {
        let code = OneTimeCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), CODE_LEN);
        assert!(
            shown
                .bytes()
                .all(|b| b"ABCDEFGHIJKMNPQRSTUVWXYZ23456789".contains(&b)),
            "{shown}"
        );
        assert_ne!(OneTimeCode::generate(), code);
    }

    #[test]
    fn typed_codes_ignore_case_spaces_and_dashes() {
        let code = OneTimeCode::generate();
        let shown = code.display();
        let typed = format!(" {}-{} ", &shown[..4], shown[4..].to_lowercase());
        assert_eq!(OneTimeCode::parse(&typed), Some(code));
        for bad in ["", "abc", "abcdefghi", "abcd efg!"] {
            assert_eq!(OneTimeCode::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_code() {
        let code = OneTimeCode::generate();
        assert!(!format!("{code:?}").contains(&code.0));
    }

    #[test]
    fn expiry_and_the_attempt_limit_are_checked_before_the_code() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1);
        let code = OneTimeCode::generate();
        let hash = code.hash();
        let stored = |attempts, expires_at| StoredCode {
            code_hash: &hash,
            attempts,
            expires_at,
        };
        let later = now + Duration::minutes(1);
        assert!(matches!(
            stored(0, later).judge(&code, now),
            Judgement::Right
        ));
        assert!(matches!(
            stored(0, later).judge(&OneTimeCode::generate(), now),
            Judgement::Wrong
        ));
        assert!(matches!(
            stored(0, now).judge(&code, now),
            Judgement::Settled(CodeCheck::Expired)
        ));
        assert!(matches!(
            stored(MAX_ATTEMPTS, later).judge(&code, now),
            Judgement::Settled(CodeCheck::TooManyAttempts)
        ));
    }
}

//! One-time codes sent to a user (by email, for verification and password reset): made from
//! the OS CSPRNG, stored only as SHA-256, compared in constant time, good for
//! [`CODE_LIFETIME`] and at most [`MAX_ATTEMPTS`] wrong tries.
//!
//! The item that holds a code (a verification request, a reset session) keeps `CodeHash`,
//! `Attempts` and `ExpiresAt`. Checking a typed code against it:
//! 1. Read the item consistently; [`StoredCode::judge`] decides without writing: expired,
//!    tries used up, right, or wrong. DynamoDB's TTL deletes late, so expiry is checked here.
//! 2. Wrong: [`count_wrong_attempt`] adds one, conditioned on the count just read, so racing
//!    guesses are each counted.
//! 3. Right: the caller writes what the code proves, conditioned the same way ([`consume`]),
//!    so a code works once.
//!
//! A write whose condition failed means another check changed the item meanwhile: the caller
//! reads it again and decides again ([`Outcome::ReadAgain`]).

use crate::item::{self, Item};
use crate::random::{constant_time_eq, hash_secret, random_string, typed_code};
use crate::table::{EXPIRES_AT, PK};
use crate::transaction::{Outcome, TxItem};
use crate::{Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use time::{Duration, OffsetDateTime};

/// Symbols in a code: 8 from a 32-symbol alphabet, 40 bits. With [`MAX_ATTEMPTS`] guesses per
/// code the odds of guessing one are 5 in 2^40.
pub const CODE_LEN: usize = 8;
/// A code is good for this long after it is sent.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong codes accepted for one request before it is void.
pub const MAX_ATTEMPTS: i64 = 5;
/// How often a check reads again after losing a race with a concurrent check.
pub(crate) const MAX_RACES: usize = 8;

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
        typed_code(input, CODE_LEN).map(Self)
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

impl<T> CodeCheck<T> {
    /// The same refusal for another kind of acceptance (a settled check is never accepted).
    pub(crate) fn refusal(check: CodeCheck<std::convert::Infallible>) -> Self {
        match check {
            CodeCheck::Accepted(never) => match never {},
            CodeCheck::Wrong { attempts_left } => CodeCheck::Wrong { attempts_left },
            CodeCheck::TooManyAttempts => CodeCheck::TooManyAttempts,
            CodeCheck::Expired => CodeCheck::Expired,
        }
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

/// What a code check found; a right code's result is `T` (what it did, if that matters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck<T = ()> {
    /// The code was right; it has been used up.
    Accepted(T),
    /// The code was wrong; this many more tries are allowed.
    Wrong { attempts_left: i64 },
    /// Too many wrong codes: the request is void, a new code must be sent.
    TooManyAttempts,
    /// No request: never made, expired, or already used.
    Expired,
}

/// The stored half of a code check.
pub(crate) struct StoredCode<'a> {
    pub code_hash: &'a [u8],
    pub attempts: i64,
    pub expires_at: OffsetDateTime,
}

/// What [`StoredCode::judge`] decided.
pub(crate) enum Judgement {
    /// The answer is known without writing anything.
    Settled(CodeCheck<std::convert::Infallible>),
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

/// Step 2: one more wrong attempt, if the count is still the one read.
pub(crate) async fn count_wrong_attempt<T>(
    table: &Table,
    key: Item,
    stored: &StoredCode<'_>,
) -> Result<(Outcome, CodeCheck<T>)> {
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
    let check = CodeCheck::Wrong {
        attempts_left: MAX_ATTEMPTS - stored.attempts - 1,
    };
    match result {
        Ok(_) => Ok((Outcome::Written, check)),
        Err(e) if crate::error::is_condition_failed(&e) => Ok((Outcome::ReadAgain, check)),
        Err(e) => Err(e.into()),
    }
}

/// Step 3: a transaction item deleting the code's item, if its count is still `seen` and it
/// has not expired: a code works once.
pub(crate) fn consume(table: &Table, key: Item, seen: i64) -> TxItem {
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
    TxItem::read_again(TransactWriteItem::builder().delete(delete).build())
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

//! Time-based one-time passwords (TOTP, RFC 6238) from an authenticator app: SHA-1, 6 digits,
//! 30-second steps, the parameters every app supports. The algorithm is a few lines on HMAC
//! ([`hotp`]); the care is in how codes are accepted.
//!
//! 1. Setup: [`TotpKey::generate`] makes a 160-bit key; the page shows it as a QR code of
//!    [`TotpKey::uri`] and as base32 text. Nothing is stored until the user proves the app has
//!    it by entering a valid code: then [`enable`] writes `USER#<uid>` / `TOTP` with the key
//!    sealed by [`EncryptionKey`] (`Key`), the step of that code (`LastStep`) and `CreatedAt`,
//!    in one transaction with the user's factor summary (see [`crate::second_factor`]).
//! 2. A check ([`check_code`]): the attempt takes its place in [`ATTEMPTS`] (per user, every
//!    attempt, so parallel guesses are bounded too) beside one consistent read of the item;
//!    the code is compared, in constant time, with the codes of the steps now−1, now and now+1
//!    (clocks drift); only a step later than `LastStep` counts.
//! 3. The accepted step is written with ONE conditional update, `SET LastStep = :step` if
//!    `LastStep < :step`, as a transaction item the caller commits with what the code proves
//!    (the session passed its second factor, a password reset may go on). A code is accepted
//!    at most once, on any instance: of two requests with the same code, one write fails.

use crate::encryption::EncryptionKey;
use crate::item::{self, Item, user_pk};
use crate::random::constant_time_eq;
use crate::rate_limit::RateLimit;
use crate::recovery_codes::RecoveryCode;
use crate::second_factor::{Change, change_factors};
use crate::session::{Session, mark_second_factor_passed};
use crate::table::{PK, SK};
use crate::transaction::{self, TxItem};
use crate::user::User;
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Seconds in a time step.
pub const PERIOD: i64 = 30;
/// Steps accepted on either side of the current one, for clocks that drift.
const WINDOW: i64 = 1;
/// Bytes in a key: 160 bits, the length RFC 4226 recommends for HMAC-SHA-1.
const KEY_LEN: usize = 20;
const SORT_KEY: &str = "TOTP";

/// Code attempts per user: 5 every 15 minutes. A guess is right with odds of about 3 in a
/// million (three steps are accepted), so this keeps an attacker who has the password below
/// 500 guesses a day, while a user who mistypes a few times waits at most a quarter hour.
pub const ATTEMPTS: RateLimit = RateLimit::new("totp", 5, Duration::minutes(15));

/// A TOTP key. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpKey([u8; KEY_LEN]);

impl TotpKey {
    /// A new random key from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_LEN];
        crate::random::fill(&mut key);
        Self(key)
    }

    /// The key as base32 (RFC 4648, no padding), as authenticator apps take it typed in.
    pub fn base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// A key in base32 as [`TotpKey::base32`] wrote it (case and spaces do not matter); `None`
    /// for anything else.
    pub fn from_base32(text: &str) -> Option<Self> {
        let text: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = BASE32_NOPAD.decode(text.as_bytes()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The `otpauth://totp/` URI for a QR code (Google Authenticator's key-uri format): the
    /// label is `issuer:account`, and the issuer is repeated as a parameter.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{}:{}", encode(issuer), encode(account));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
            self.base32(),
            encode(issuer)
        )
    }

    /// The code for a time step, zero-padded to [`DIGITS`].
    fn code(&self, step: i64) -> String {
        let counter = u64::try_from(step).unwrap_or(0);
        format!(
            "{:0width$}",
            hotp(&self.0, counter, DIGITS),
            width = DIGITS as usize
        )
    }
}

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(***)")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for the URI's label and
/// issuer: an email's `@` and a space become `%40` and `%20`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// HOTP (RFC 4226): HMAC-SHA-1 of the counter, dynamically truncated to 31 bits, modulo
/// 10^digits. TOTP is HOTP with the counter = Unix time / [`PERIOD`].
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let truncated = u32::from_be_bytes(hash[offset..offset + 4].try_into().expect("4 bytes"));
    (truncated & 0x7fff_ffff) % 10u32.pow(digits)
}

/// The time step `t` falls in.
pub fn step_at(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(PERIOD)
}

/// A code as typed: six digits; spaces are ignored (apps show `123 456`).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    /// `None` for anything that cannot be a code (letters, 5 or 7 digits, nothing at all): it
    /// is refused before anything is read, and not counted as an attempt.
    pub fn parse(input: &str) -> Option<Self> {
        let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let shaped = code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit());
        shaped.then_some(Self(code))
    }
}

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(***)")
    }
}

/// The step within the window around `now` whose code is `code`, if it is later than `after`
/// (the last step accepted). Every step's code is computed and compared in constant time, so
/// the answer takes the same time whichever step matched.
pub fn matching_step(
    key: &TotpKey,
    code: &TotpCode,
    now: OffsetDateTime,
    after: Option<i64>,
) -> Option<i64> {
    let current = step_at(now);
    let mut found = None;
    for step in current - WINDOW..=current + WINDOW {
        let matches = constant_time_eq(key.code(step).as_bytes(), code.0.as_bytes());
        if matches && after.is_none_or(|last| step > last) {
            found = Some(step);
        }
    }
    found
}

/// What a user's `TOTP` item holds, and the associated data its key is sealed with (binding
/// the sealed key to this user's item).
fn context(user_id: &str) -> String {
    format!("TOTP#{user_id}")
}

/// Step 1: turns the authenticator app on for `user`, proved by a code of `step` (from
/// [`matching_step`] on the key shown at setup); `session` passes its second factor with it.
/// Returns the recovery codes to show once, when this is the user's first second factor. An
/// app set up already is refused: remove it first.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn enable(
    table: &Table,
    sealing: &EncryptionKey,
    user: &User,
    session: &Session,
    key: &TotpKey,
    step: i64,
) -> Result<Option<Vec<RecoveryCode>>> {
    let item = HashMap::from([
        (PK.to_owned(), AttributeValue::S(user_pk(&user.id))),
        (SK.to_owned(), AttributeValue::S(SORT_KEY.to_owned())),
        (
            "Key".to_owned(),
            AttributeValue::B(sealing.seal(&key.0, &context(&user.id)).into()),
        ),
        ("LastStep".to_owned(), AttributeValue::N(step.to_string())),
        ("CreatedAt".to_owned(), item::epoch(table.now())),
    ]);
    let already = || Error::InvalidInput("An authenticator app is set up already.".into());
    change_factors(table, user, |seen| {
        if seen.totp {
            return Err(already());
        }
        Ok(Change {
            factors: crate::second_factor::SecondFactors {
                totp: true,
                ..*seen
            },
            items: vec![
                transaction::put_new(table, item.clone(), already()),
                mark_second_factor_passed(table, session),
            ],
        })
    })
    .await
}

/// Turns the authenticator app off; when it was the last second factor, two-factor
/// authentication is off and the recovery codes go too.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn remove(table: &Table, user: &User) -> Result<()> {
    change_factors(table, user, |seen| {
        if !seen.totp {
            return Err(Error::NotFound);
        }
        Ok(Change {
            factors: crate::second_factor::SecondFactors {
                totp: false,
                ..*seen
            },
            items: vec![transaction::delete_existing(
                table,
                user_pk(&user.id),
                SORT_KEY.into(),
                None,
                Error::NotFound,
            )],
        })
    })
    .await
    .map(|_| ())
}

/// Deletes the item, with the rest of the factors when two-factor authentication goes off.
pub(crate) fn delete(table: &Table, user_id: &str) -> TxItem {
    transaction::delete(table, user_pk(user_id), SORT_KEY.into())
}

/// Steps 2 and 3: checks a code for the user's app. Returns the write that records its step,
/// for the caller to commit with what the code proves. A wrong, replayed or late code is
/// [`Error::WrongCode`] (the same when the race for one step is lost at commit time); too many
/// attempts are [`Error::RateLimited`]; an item that does not decrypt is [`Error::Corrupt`].
#[tracing::instrument(skip_all, fields(user = %user_id))]
pub async fn check_code(
    table: &Table,
    sealing: &EncryptionKey,
    user_id: &str,
    code: &TotpCode,
) -> Result<TxItem> {
    let take = ATTEMPTS.take(table, user_id);
    let read = item::get(table, user_pk(user_id), SORT_KEY);
    let ((), stored) = tokio::try_join!(take, read)?;
    let Some(stored) = stored else {
        return Err(Error::WrongCode);
    };
    let (key, last_step) = stored_key(sealing, user_id, &stored)?;
    let step = matching_step(&key, code, table.now(), Some(last_step)).ok_or(Error::WrongCode)?;
    let update = Update::builder()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), SORT_KEY)))
        .update_expression("SET LastStep = :step")
        .condition_expression("LastStep < :step")
        .expression_attribute_values(":step", AttributeValue::N(step.to_string()));
    Ok(transaction::update(update, Error::WrongCode))
}

/// The key and last step of a stored `TOTP` item; a value that is missing or does not
/// decrypt is reported as corrupt (and logged as such by the caller), never a panic.
fn stored_key(sealing: &EncryptionKey, user_id: &str, stored: &Item) -> Result<(TotpKey, i64)> {
    let sealed = match stored.get("Key") {
        Some(AttributeValue::B(sealed)) => sealed.as_ref(),
        _ => return Err(Error::corrupt("TOTP item has no binary Key")),
    };
    let key = sealing.open(sealed, &context(user_id))?;
    let key = TotpKey(
        key.try_into()
            .map_err(|_| Error::corrupt("TOTP key has the wrong length"))?,
    );
    let last_step = item::number(stored, "LastStep")
        .ok_or_else(|| Error::corrupt("TOTP item has no LastStep"))?;
    Ok((key, last_step))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226, appendix D: HOTP of the ASCII key "12345678901234567890", counters 0 to 9.
    #[test]
    fn hotp_matches_the_rfc_4226_test_values() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", counter as u64, 6), code);
        }
    }

    /// RFC 6238, appendix B: the SHA-1 rows (8 digits, 30-second steps).
    #[test]
    fn totp_matches_the_rfc_6238_sha1_test_values() {
        let rows = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (time, code) in rows {
            let step = step_at(OffsetDateTime::from_unix_timestamp(time).unwrap());
            assert_eq!(
                hotp(b"12345678901234567890", step as u64, 8),
                code,
                "at {time}"
            );
        }
    }

    #[test]
    fn codes_are_six_digits_and_parse_with_spaces() {
        let key = TotpKey(*b"12345678901234567890");
        assert_eq!(key.code(1), "287082");
        assert_eq!(key.code(0), "755224");
        assert!(TotpCode::parse(" 287 082 ").is_some());
        for bad in ["", "28708", "2870820", "28708a", "２８７０８２", "287-082"] {
            assert!(TotpCode::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_and_only_after_the_last_one() {
        let key = TotpKey::generate();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let step = step_at(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = TotpCode::parse(&key.code(step + offset)).unwrap();
            let found = matching_step(&key, &code, now, None);
            assert_eq!(found, accepted.then_some(step + offset), "offset {offset}");
        }
        let code = TotpCode::parse(&key.code(step)).unwrap();
        assert_eq!(matching_step(&key, &code, now, Some(step)), None, "replay");
        assert_eq!(matching_step(&key, &code, now, Some(step - 1)), Some(step));
    }

    #[test]
    fn the_key_round_trips_through_base32_and_the_uri_names_issuer_and_account() {
        let key = TotpKey::generate();
        let text = key.base32();
        assert_eq!(text.len(), 32);
        assert_eq!(
            TotpKey::from_base32(&text.to_lowercase()),
            Some(key.clone())
        );
        assert_eq!(TotpKey::from_base32("not base32!"), None);
        assert_eq!(TotpKey::from_base32("AAAA"), None, "too short");
        let uri = key.uri("Auth examples", "ada@example.com");
        assert!(uri.starts_with("otpauth://totp/Auth%20examples:ada%40example.com?secret="));
        assert!(uri.contains("&issuer=Auth%20examples&"), "{uri}");
        assert!(!format!("{key:?}").contains(&text));
    }
}

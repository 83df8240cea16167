//! Device cookies, after OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a
//! browser that has signed in to an account before gets a login throttle of its own for that
//! account, so a stranger's wrong guesses, which make the account's attempts wait, do not lock
//! its owner out.
//!
//! - A successful sign-in without a valid device cookie writes, with the new session,
//!   `USER#<uid>` / `DEVICE#<base64url(SHA-256(secret))>` (Email, CreatedAt, ExpiresAt), and
//!   the browser gets `<uid>.<secret>`. The key is the secret's hash, so reading the table is
//!   not enough to forge a cookie, and finding the item *is* checking the secret.
//! - A later attempt for the same email presenting that cookie is throttled on the device item
//!   ([`crate::throttle::Target::Device`]); one for another email, a forged or an expired one,
//!   falls back to the account's own throttle.
//! - Deleting the account deletes its device items with the rest of its partition.

use crate::Table;
use crate::email::EmailAddress;
use crate::item::{self, user_pk};
use crate::random::{hash_secret, is_valid_id, is_valid_secret, random_secret};
use crate::table::{EXPIRES_AT, PK, SK};
use crate::transaction::{self, TxItem};
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::HashMap;
use time::Duration;

/// How long a browser stays a known device without signing in again.
pub const DEVICE_LIFETIME: Duration = Duration::days(180);

/// A device cookie's value: `<user id>.<secret>`.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken {
    pub user_id: String,
    secret: String,
}

impl DeviceToken {
    /// Parses a cookie value; anything of another shape is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let (user_id, secret) = value.split_once('.')?;
        (is_valid_id(user_id) && is_valid_secret(secret)).then(|| Self {
            user_id: user_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The sort key of this device's item.
    pub(crate) fn sort_key(&self) -> String {
        format!(
            "DEVICE#{}",
            URL_SAFE_NO_PAD.encode(hash_secret(&self.secret))
        )
    }
}

impl std::fmt::Display for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.user_id, self.secret)
    }
}

impl std::fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceToken({}.***)", self.user_id)
    }
}

/// A new device for the user, and its item to write with the session.
pub fn new_device(table: &Table, user_id: &str, email: &EmailAddress) -> (DeviceToken, TxItem) {
    let token = DeviceToken {
        user_id: user_id.to_owned(),
        secret: random_secret(),
    };
    let now = table.now();
    let item = HashMap::from([
        (PK.to_owned(), AttributeValue::S(user_pk(user_id))),
        (SK.to_owned(), AttributeValue::S(token.sort_key())),
        ("Email".to_owned(), AttributeValue::S(email.to_string())),
        ("CreatedAt".to_owned(), item::epoch(now)),
        (EXPIRES_AT.to_owned(), item::epoch(now + DEVICE_LIFETIME)),
    ]);
    (token, transaction::put(table, item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::random_id;

    #[test]
    fn a_token_round_trips_and_hides_its_secret() {
        let token = DeviceToken {
            user_id: random_id(),
            secret: random_secret(),
        };
        assert_eq!(DeviceToken::parse(&token.to_string()), Some(token.clone()));
        assert!(!format!("{token:?}").contains(&token.secret));
        for bad in ["", "abc", "a.b", &format!("{}.x", random_id())] {
            assert!(DeviceToken::parse(bad).is_none(), "{bad:?}");
        }
    }
}

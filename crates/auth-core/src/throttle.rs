//! The login throttle, after Lucia's, made race-proof: an attempt is *taken* before the
//! password is checked, and every wrong password makes the next attempt wait longer:
//! 1, 2, 4, 8, 16, 30, 60, 180, then 300 seconds.
//!
//! 1. [`take`]: one conditional `UpdateItem` sets `LoginWaitUntil` to a short lease (and
//!    `LoginAttemptAt` to now), on the condition that no wait is running. Of ten parallel
//!    guesses one takes the attempt; the lease makes the other nine wait (429). The item as it
//!    was comes back with the answer: its `LoginAttempts` say how many wrong passwords came
//!    before (a user item also brings the password hash along, so no second read is needed).
//! 2. The caller checks the password: the expensive part, done by one attempt at a time.
//! 3. Wrong: [`Taken::failed`] sets the wait for the next attempt and counts it. Right:
//!    [`Taken::cleared`] is written in the same transaction as the new session.
//!
//! An attempt a day after the last one starts the count over. Where the state lives:
//! - [`Target::User`]: on the user item of an existing account;
//! - [`Target::NoAccount`]: `RATE#login#<email>` for an address with no account, so that it is
//!   throttled exactly like one that has an account (and says nothing about which it is);
//! - [`Target::Device`]: on a device item ([`crate::device`]): the owner's own browser.

use crate::email::EmailAddress;
use crate::item::{self, Item, Updated, epoch, user_pk};
use crate::table::{EXPIRES_AT, PK};
use crate::transaction::{self, TxItem};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::Update;
use time::{Duration, OffsetDateTime};

/// The wait after the n-th wrong password in a row, in seconds (the last one repeats).
pub const WAITS: [i64; 9] = [1, 2, 4, 8, 16, 30, 60, 180, 300];
/// How long a taken attempt holds the key: longer than any check takes (a queue wait, a hash).
pub const LEASE: Duration = Duration::seconds(10);
/// A key with no attempt for this long starts over.
pub const FORGET_AFTER: Duration = Duration::days(1);

const ATTEMPTS: &str = "LoginAttempts";
const WAIT_UNTIL: &str = "LoginWaitUntil";
const ATTEMPT_AT: &str = "LoginAttemptAt";

/// Whose attempts these are, and so which item carries the state.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    User {
        user_id: String,
    },
    NoAccount {
        email: EmailAddress,
    },
    Device {
        user_id: String,
        device_sk: String,
        email: EmailAddress,
    },
}

/// An attempt that was taken; the caller reports how it ended.
#[derive(Debug)]
pub(crate) struct Taken {
    target: Target,
    /// Wrong passwords in a row before this attempt.
    failures: i64,
    /// The item as it was before the take (the user item, for [`Target::User`]).
    pub(crate) before: Option<Item>,
}

impl Target {
    fn key(&self) -> Item {
        match self {
            Self::User { user_id } => item::key(user_pk(user_id), user_pk(user_id)),
            Self::NoAccount { email } => {
                let pk = format!("RATE#login#{email}");
                item::key(pk.clone(), pk)
            }
            Self::Device {
                user_id, device_sk, ..
            } => item::key(user_pk(user_id), device_sk.clone()),
        }
    }
}

/// Step 1: takes an attempt for `target`. A wait that is running is [`Error::RateLimited`];
/// a user or device item that does not exist (or a device for another email, or expired) is
/// [`Error::NotFound`].
pub(crate) async fn take(table: &Table, target: Target) -> Result<Taken> {
    let now = table.now();
    let mut update = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(target.key()))
        .expression_attribute_names("#wait", WAIT_UNTIL)
        .expression_attribute_names("#at", ATTEMPT_AT)
        .expression_attribute_values(":lease", epoch(now + LEASE))
        .expression_attribute_values(":now", epoch(now));
    let free = "(attribute_not_exists(#wait) OR #wait <= :now)";
    update = match &target {
        Target::User { .. } => update
            .update_expression("SET #wait = :lease, #at = :now")
            .condition_expression(format!("attribute_exists(#pk) AND {free}"))
            .expression_attribute_names("#pk", PK),
        Target::NoAccount { .. } => update
            .update_expression("SET #wait = :lease, #at = :now, #exp = :forget")
            .condition_expression(free)
            .expression_attribute_names("#exp", EXPIRES_AT)
            .expression_attribute_values(":forget", epoch(now + FORGET_AFTER)),
        Target::Device { email, .. } => update
            .update_expression("SET #wait = :lease, #at = :now")
            .condition_expression(format!(
                "attribute_exists(#pk) AND Email = :email AND #exp > :now AND {free}"
            ))
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#exp", EXPIRES_AT)
            .expression_attribute_values(":email", AttributeValue::S(email.to_string())),
    };
    match item::update_if(update).await? {
        Updated::Done(before) => Ok(Taken {
            failures: before.as_ref().map_or(0, |b| failures_before(b, now)),
            target,
            before,
        }),
        Updated::Refused(current) => Err(refusal(current.as_ref(), now)),
    }
}

/// Wrong passwords in a row recorded on the item, unless the last attempt is old enough to forget.
fn failures_before(item: &Item, now: OffsetDateTime) -> i64 {
    let last = item::number(item, ATTEMPT_AT).unwrap_or(0);
    if last <= (now - FORGET_AFTER).unix_timestamp() {
        0
    } else {
        item::number(item, ATTEMPTS).unwrap_or(0)
    }
}

/// Why a take was refused: a running wait, or no (usable) item.
fn refusal(current: Option<&Item>, now: OffsetDateTime) -> Error {
    let wait_until = current.and_then(|i| item::number(i, WAIT_UNTIL));
    match wait_until {
        Some(until) if until > now.unix_timestamp() => Error::RateLimited {
            retry_after: Duration::seconds(until - now.unix_timestamp()),
        },
        _ => Error::NotFound,
    }
}

/// The wait after `failures` wrong passwords in a row.
pub fn wait_after(failures: i64) -> Duration {
    let index = usize::try_from(failures - 1)
        .unwrap_or(0)
        .min(WAITS.len() - 1);
    Duration::seconds(WAITS[index])
}

impl Taken {
    /// True when the attempt was a known device's, which then needs no new device cookie.
    pub(crate) fn is_device(&self) -> bool {
        matches!(self.target, Target::Device { .. })
    }

    /// Step 3, wrong password: the next attempt waits, and the count goes up by one.
    pub(crate) async fn failed(self, table: &Table) -> Result<()> {
        let now = table.now();
        let failures = self.failures + 1;
        let result = table
            .client()
            .update_item()
            .table_name(table.name())
            .set_key(Some(self.target.key()))
            .update_expression("SET #wait = :until, #attempts = :n")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#wait", WAIT_UNTIL)
            .expression_attribute_names("#attempts", ATTEMPTS)
            .expression_attribute_values(":until", epoch(now + wait_after(failures)))
            .expression_attribute_values(":n", AttributeValue::N(failures.to_string()))
            .send()
            .await;
        match result {
            // The item went away meanwhile (the account was deleted): nothing left to throttle.
            Err(e) if crate::error::is_condition_failed(&e) => Ok(()),
            other => other.map(|_| ()).map_err(Error::from),
        }
    }

    /// Step 3, right password: the state is cleared, as part of the caller's transaction.
    pub(crate) fn cleared(&self, table: &Table) -> TxItem {
        let update = Update::builder()
            .table_name(table.name())
            .set_key(Some(self.target.key()))
            .update_expression("REMOVE #wait, #attempts, #at")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#wait", WAIT_UNTIL)
            .expression_attribute_names("#attempts", ATTEMPTS)
            .expression_attribute_names("#at", ATTEMPT_AT);
        transaction::update(
            update,
            Error::Conflict("the account changed during sign-in"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_then_repeat_the_last_one() {
        let waits: Vec<i64> = (1..=11).map(|n| wait_after(n).whole_seconds()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 60, 180, 300, 300, 300]);
    }
}

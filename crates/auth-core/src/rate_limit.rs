//! Rate limits kept in DynamoDB, so every app instance on the table shares them.
//!
//! A [`RateLimit`] allows `max` requests per key in each window of time. A request takes its
//! place with ONE conditional `UpdateItem` on `RATE#<policy>#<key>#<window number>`:
//! `ADD Hits :one` under the condition `Hits < :max` (or no item yet). DynamoDB applies the
//! condition and the increment atomically, so racing requests, on any number of instances, get
//! exactly `max` places between them; the others are refused with the wait until the window
//! ends. No read comes first, and the item expires with its window.
//!
//! Why fixed windows and not a token bucket (GCRA, which `DESIGN.md` suggested): a token bucket
//! advances its clock to `max(now, Tat) + interval`, and an update expression has no `max`. It
//! then needs a second write whenever requests come faster than the refill — exactly when
//! someone is hammering. A fixed window decides every request in one write. Its price is the
//! boundary: a client can spend one window's allowance at the end of a window and the next one
//! at the start of the next. Each limit's window is chosen so that twice its allowance in a
//! short time is still harmless.

use crate::error::is_condition_failed;
use crate::item;
use crate::table::EXPIRES_AT;
use crate::transaction::{self, TxItem};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use time::{Duration, OffsetDateTime};

/// Takes a place in several limits at once, in one transaction: all of them or none, so a
/// request refused by one limit uses up nothing in the others.
pub async fn take_all(table: &Table, takes: &[(&RateLimit, &str)]) -> Result<()> {
    let now = table.now();
    let items = takes
        .iter()
        .map(|(limit, key)| limit.take_item(table, key, now))
        .collect();
    transaction::transact(table, items).await
}

/// At most `max` requests per key in each `window`.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Names the limit in the item key: `RATE#<policy>#<key>#<window>`.
    pub policy: &'static str,
    pub max: i64,
    pub window: Duration,
}

impl RateLimit {
    /// `max` places every `window` under the name `policy`.
    pub const fn new(policy: &'static str, max: i64, window: Duration) -> Self {
        Self {
            policy,
            max,
            window,
        }
    }

    /// Takes a place for `key` in the current window, or [`Error::RateLimited`] with the wait
    /// until the next window.
    pub async fn take(&self, table: &Table, key: &str) -> Result<()> {
        let (update, limited) = self.take_update(table, key, table.now());
        match item::send_update(table, update).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Err(limited),
            Err(e) => Err(e.into()),
        }
    }

    /// The take as a transaction item, refused with this limit's wait.
    fn take_item(&self, table: &Table, key: &str, now: OffsetDateTime) -> TxItem {
        let (update, limited) = self.take_update(table, key, now);
        transaction::update(update, limited)
    }

    /// One more hit in the window's item, which expires with the window; and the refusal
    /// when the window is full.
    fn take_update(&self, table: &Table, key: &str, now: OffsetDateTime) -> (UpdateBuilder, Error) {
        let (index, ends_at) = self.current_window(now);
        let update = Update::builder()
            .table_name(table.name())
            .set_key(Some(self.key(key, index)))
            .update_expression("SET #exp = :end ADD Hits :one")
            .condition_expression("attribute_not_exists(Hits) OR Hits < :max")
            .expression_attribute_names("#exp", EXPIRES_AT)
            .expression_attribute_values(":end", item::epoch(ends_at))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":max", AttributeValue::N(self.max.to_string()));
        let limited = Error::RateLimited {
            retry_after: ends_at - now,
        };
        (update, limited)
    }

    /// The window `now` falls in: its number and when it ends.
    fn current_window(&self, now: OffsetDateTime) -> (i64, OffsetDateTime) {
        let length = self.window.whole_seconds().max(1);
        let index = now.unix_timestamp().div_euclid(length);
        let ends_at = OffsetDateTime::from_unix_timestamp((index + 1) * length)
            .expect("a window end within the range of dates");
        (index, ends_at)
    }

    fn key(&self, key: &str, window: i64) -> item::Item {
        let pk = format!("RATE#{}#{key}#{window}", self.policy);
        item::key(pk.clone(), pk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_to_their_length() {
        let limit = RateLimit::new("test", 1, Duration::minutes(1));
        let now = OffsetDateTime::from_unix_timestamp(125).unwrap();
        let (index, ends_at) = limit.current_window(now);
        assert_eq!(index, 2);
        assert_eq!(ends_at.unix_timestamp(), 180);
    }
}

//! Rate limits kept in DynamoDB, so every app instance on the table shares them.
//!
//! Both limiters read their item consistently, decide, and write back with one conditional
//! `UpdateItem` guarded by a version number: of two racing requests one write wins and the
//! other re-reads and decides again. Items carry `ExpiresAt`, and past it they count as gone.

use crate::error::is_condition_failed;
use crate::item::{self, Item, epoch};
use crate::table::{EXPIRES_AT, PK};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::AttributeValue;
use time::{Duration, OffsetDateTime};

/// How often a limiter re-reads and retries after losing a race before giving up.
const MAX_RACES: usize = 16;

fn rate_key(policy: &str, key: &str) -> Item {
    let pk = format!("RATE#{policy}#{key}");
    item::key(pk.clone(), pk)
}

fn number(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}

/// The item's state if it exists and has not expired.
async fn read_live(table: &Table, key: &Item, now: OffsetDateTime) -> Result<Option<Item>> {
    let out = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(key.clone()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out
        .item
        .filter(|i| number(i, EXPIRES_AT) > now.unix_timestamp()))
}

/// Writes `values` if the item's version is still `version` (0: no live item was read).
/// Returns false when another writer got there first.
async fn write_if_unchanged(
    table: &Table,
    key: Item,
    version: i64,
    values: &[(&str, i64)],
) -> Result<bool> {
    let set = values
        .iter()
        .map(|(name, _)| format!("#{name} = :{name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut update = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(key))
        .update_expression(format!("SET {set}, #Version = :next"))
        .condition_expression(
            "attribute_not_exists(#pk) OR #Version = :version OR #ExpiresAt <= :stale_before",
        )
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#Version", "Version")
        .expression_attribute_names("#ExpiresAt", EXPIRES_AT)
        .expression_attribute_values(":next", AttributeValue::N((version + 1).to_string()))
        .expression_attribute_values(":version", AttributeValue::N(version.to_string()));
    for (name, value) in values {
        update = update
            .expression_attribute_names(format!("#{name}"), *name)
            .expression_attribute_values(format!(":{name}"), AttributeValue::N(value.to_string()));
    }
    let stale_before = if version == 0 {
        table.now()
    } else {
        OffsetDateTime::UNIX_EPOCH
    };
    match update
        .expression_attribute_values(":stale_before", epoch(stale_before))
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failed(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A refilling token bucket: `capacity` tokens, one more every `refill_every`.
#[derive(Clone, Copy, Debug)]
pub struct TokenBucket {
    /// Names the limit in the item key: `RATE#<policy>#<key>`.
    pub policy: &'static str,
    pub capacity: i64,
    pub refill_every: Duration,
}

impl TokenBucket {
    /// Takes one token for `key`, or returns [`Error::RateLimited`] with the wait until the next.
    pub async fn consume(&self, table: &Table, key: &str) -> Result<()> {
        let item_key = rate_key(self.policy, key);
        for _ in 0..MAX_RACES {
            let now = table.now();
            let state = read_live(table, &item_key, now).await?;
            let (tokens, refilled_at) = match &state {
                Some(item) => self.refill(item, now),
                None => (self.capacity, now.unix_timestamp()),
            };
            if tokens < 1 {
                let wait = refilled_at + self.refill_every.whole_seconds() - now.unix_timestamp();
                return Err(Error::RateLimited {
                    retry_after: Duration::seconds(wait.max(1)),
                });
            }
            let tokens = tokens - 1;
            // Once it would be full again, the item carries no information: let it expire.
            let full_at =
                refilled_at + (self.capacity - tokens) * self.refill_every.whole_seconds();
            let version = state.as_ref().map_or(0, |i| number(i, "Version"));
            let values = [
                ("Tokens", tokens),
                ("RefilledAt", refilled_at),
                (EXPIRES_AT, full_at),
            ];
            if write_if_unchanged(table, item_key.clone(), version, &values).await? {
                return Ok(());
            }
        }
        Err(Error::Conflict("rate limit item kept changing"))
    }

    /// Tokens now, adding whole refills since `RefilledAt`, and the time the last one landed.
    fn refill(&self, item: &Item, now: OffsetDateTime) -> (i64, i64) {
        let step = self.refill_every.whole_seconds().max(1);
        let refilled_at = number(item, "RefilledAt");
        let steps = (now.unix_timestamp() - refilled_at).max(0) / step;
        let tokens = (number(item, "Tokens") + steps).min(self.capacity);
        if tokens == self.capacity {
            (tokens, now.unix_timestamp())
        } else {
            (tokens, refilled_at + steps * step)
        }
    }
}

/// Growing timeouts after failures, as Lucia's login throttler: after the n-th failure in a
/// row, the next attempt must wait `timeouts[n - 1]` seconds (the last one repeats).
#[derive(Clone, Copy, Debug)]
pub struct Throttler {
    pub policy: &'static str,
    pub timeouts: &'static [i64],
    /// A key with no failure for this long starts over.
    pub forget_after: Duration,
}

/// The login throttler: 1, 2, 4, 8, 16, 30, 60, 180, then 300 seconds.
pub const LOGIN_THROTTLER: Throttler = Throttler {
    policy: "login",
    timeouts: &[1, 2, 4, 8, 16, 30, 60, 180, 300],
    forget_after: Duration::days(1),
};

impl Throttler {
    /// [`Error::RateLimited`] while the key is in its timeout, `Ok` otherwise.
    pub async fn check(&self, table: &Table, key: &str) -> Result<()> {
        let now = table.now();
        let Some(item) = read_live(table, &rate_key(self.policy, key), now).await? else {
            return Ok(());
        };
        let failures = number(&item, "Failures");
        let wait_until = number(&item, "FailedAt") + self.timeout_after(failures);
        let wait = wait_until - now.unix_timestamp();
        if wait > 0 {
            return Err(Error::RateLimited {
                retry_after: Duration::seconds(wait),
            });
        }
        Ok(())
    }

    /// Counts one more failure for the key, starting its next timeout now.
    pub async fn record_failure(&self, table: &Table, key: &str) -> Result<()> {
        let item_key = rate_key(self.policy, key);
        for _ in 0..MAX_RACES {
            let now = table.now();
            let state = read_live(table, &item_key, now).await?;
            let failures = state.as_ref().map_or(0, |i| number(i, "Failures")) + 1;
            let version = state.as_ref().map_or(0, |i| number(i, "Version"));
            let expires_at = now + self.forget_after;
            let values = [
                ("Failures", failures),
                ("FailedAt", now.unix_timestamp()),
                (EXPIRES_AT, expires_at.unix_timestamp()),
            ];
            if write_if_unchanged(table, item_key.clone(), version, &values).await? {
                return Ok(());
            }
        }
        Err(Error::Conflict("rate limit item kept changing"))
    }

    /// Forgets the key's failures, after a success.
    pub async fn reset(&self, table: &Table, key: &str) -> Result<()> {
        table
            .client()
            .delete_item()
            .table_name(table.name())
            .set_key(Some(rate_key(self.policy, key)))
            .send()
            .await?;
        Ok(())
    }

    fn timeout_after(&self, failures: i64) -> i64 {
        let index = usize::try_from(failures - 1).unwrap_or(0);
        match failures {
            0 => 0,
            _ => self.timeouts[index.min(self.timeouts.len() - 1)],
        }
    }
}

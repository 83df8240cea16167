//! Sessions after the current Lucia guidance: a token `<user id>.<session id>.<secret>`, of
//! which only SHA-256(secret) is stored.
//!
//! 1. Sign-in: [`create_session`] writes `USER#<uid>` / `SESSION#<sid>` and returns the token.
//! 2. Each request: [`validate_session_token`] reads user and session in one consistent
//!    `BatchGetItem` (the user id in the token makes that possible without the index), checks
//!    expiry, and compares the hash in constant time.
//! 3. Sliding expiry: a session verified more than [`REFRESH_INTERVAL`] ago is pushed to
//!    now + [`INACTIVITY_TIMEOUT`] by one conditional `UpdateItem`.
//! 4. Sign-out deletes the item; [`invalidate_user_sessions`] deletes them all.

use crate::item::{self, Item, epoch, session_sk, user_pk};
use crate::random::is_valid_id;
use crate::table::{EXPIRES_AT, GSI, GSIPK, PK, SK};
use crate::token::UserToken;
use crate::user::{User, user_from_item};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A session not used for this long expires.
pub const INACTIVITY_TIMEOUT: Duration = Duration::days(10);
/// A used session's expiry is pushed forward at most this often, to keep writes rare.
pub const REFRESH_INTERVAL: Duration = Duration::hours(1);
/// User agents are cut to this many characters before they are stored.
const MAX_USER_AGENT: usize = 256;

/// A session token: `<uid>.<session id>.<secret>`.
pub type SessionToken = UserToken;

/// A session as the rest of the code sees it (no secret, no hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Session {
    pub id: String,
    pub user_id: String,
    #[serde(with = "time::serde::timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub last_verified_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub expires_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// The stored form. The index keys let tooling find a session by id alone.
#[derive(Serialize, Deserialize)]
struct SessionItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSIPK")]
    gsipk: String,
    #[serde(rename = "GSISK")]
    gsisk: String,
    #[serde(rename = "SecretHash", with = "serde_bytes")]
    secret_hash: Vec<u8>,
    #[serde(flatten)]
    session: Session,
}

/// A session that passed validation, with its user.
#[derive(Clone, Debug)]
pub struct ValidSession {
    pub user: User,
    pub session: Session,
    /// True when this validation pushed the expiry forward: the cookie should be re-set.
    pub refreshed: bool,
}

/// Creates a session for the user and returns the token to hand to the browser.
#[tracing::instrument(skip(table))]
pub async fn create_session(
    table: &Table,
    user_id: &str,
    user_agent: Option<&str>,
) -> Result<(SessionToken, Session)> {
    let now = table.now();
    let token = SessionToken::generate(user_id);
    let session = Session {
        id: token.id.clone(),
        user_id: user_id.to_owned(),
        created_at: now,
        last_verified_at: now,
        expires_at: now + INACTIVITY_TIMEOUT,
        user_agent: user_agent.map(|ua| ua.chars().take(MAX_USER_AGENT).collect()),
    };
    let sk = session_sk(&session.id);
    let item = serde_dynamo::to_item(SessionItem {
        pk: user_pk(user_id),
        gsipk: sk.clone(),
        gsisk: sk.clone(),
        sk,
        secret_hash: token.secret_hash().to_vec(),
        session: session.clone(),
    })?;
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await?;
    Ok((token, session))
}

/// Checks a token from a cookie. `None` means signed out: malformed, unknown, expired,
/// tampered with, or its user is gone.
#[tracing::instrument(skip_all)]
pub async fn validate_session_token(table: &Table, token: &str) -> Result<Option<ValidSession>> {
    let Some(token) = SessionToken::parse(token) else {
        return Ok(None);
    };
    let (Some(user), Some(item)) = get_user_and_session(table, &token).await? else {
        return Ok(None);
    };
    let stored: SessionItem = serde_dynamo::from_item(item)?;
    let now = table.now();
    if stored.session.expires_at <= now || !token.matches(&stored.secret_hash) {
        return Ok(None);
    }
    let mut session = stored.session;
    let refreshed = now - session.last_verified_at >= REFRESH_INTERVAL
        && refresh_session(table, &session, now).await?;
    if refreshed {
        session.last_verified_at = now;
        session.expires_at = now + INACTIVITY_TIMEOUT;
    }
    Ok(Some(ValidSession {
        user,
        session,
        refreshed,
    }))
}

/// One strongly consistent `BatchGetItem` for the user item and the session item.
async fn get_user_and_session(
    table: &Table,
    token: &SessionToken,
) -> Result<(Option<User>, Option<Item>)> {
    let pk = user_pk(&token.user_id);
    let keys = KeysAndAttributes::builder()
        .keys(item::key(pk.clone(), pk.clone()))
        .keys(item::key(pk.clone(), session_sk(&token.id)))
        .consistent_read(true)
        .build()
        .expect("keys are set");
    let mut pending = Some(keys);
    let (mut user, mut session) = (None, None);
    for _ in 0..5 {
        let Some(keys) = pending.take() else { break };
        let out = table
            .client()
            .batch_get_item()
            .request_items(table.name(), keys)
            .send()
            .await?;
        for item in out
            .responses
            .and_then(|mut r| r.remove(table.name()))
            .unwrap_or_default()
        {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if *sk == pk => user = Some(user_from_item(item)?),
                _ => session = Some(item),
            }
        }
        pending = out
            .unprocessed_keys
            .and_then(|mut u| u.remove(table.name()));
    }
    if pending.is_some() {
        return Err(Error::unavailable(
            "BatchGetItem kept leaving keys unprocessed",
        ));
    }
    Ok((user, session))
}

/// Pushes the expiry forward unless another request just did (or the session was deleted).
async fn refresh_session(table: &Table, session: &Session, now: OffsetDateTime) -> Result<bool> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(item::key(
            user_pk(&session.user_id),
            session_sk(&session.id),
        )))
        .update_expression("SET LastVerifiedAt = :now, #exp = :exp")
        .condition_expression("attribute_exists(#pk) AND LastVerifiedAt = :last")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#exp", EXPIRES_AT)
        .expression_attribute_values(":now", epoch(now))
        .expression_attribute_values(":exp", epoch(now + INACTIVITY_TIMEOUT))
        .expression_attribute_values(":last", epoch(session.last_verified_at))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if crate::error::is_condition_failed(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Signs one session out by deleting its item.
#[tracing::instrument(skip(table))]
pub async fn invalidate_session(table: &Table, user_id: &str, session_id: &str) -> Result<()> {
    table
        .client()
        .delete_item()
        .table_name(table.name())
        .set_key(Some(item::key(user_pk(user_id), session_sk(session_id))))
        .send()
        .await?;
    Ok(())
}

/// Signs out every session of a user, except `keep` if given; returns how many were deleted.
#[tracing::instrument(skip(table))]
pub async fn invalidate_user_sessions(
    table: &Table,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize> {
    let items = item::query_partition(table, &user_pk(user_id), "SESSION#").await?;
    let keep_sk = keep.map(session_sk);
    let keys: Vec<Item> = items
        .iter()
        .filter(|i| match (&keep_sk, i.get(SK)) {
            (Some(keep), Some(AttributeValue::S(sk))) => sk != keep,
            _ => true,
        })
        .map(item::key_of)
        .collect();
    let count = keys.len();
    item::batch_delete(table, keys).await?;
    Ok(count)
}

/// The user's sessions that have not expired, most recently used first.
pub async fn list_user_sessions(table: &Table, user_id: &str) -> Result<Vec<Session>> {
    let items = item::query_partition(table, &user_pk(user_id), "SESSION#").await?;
    let now = table.now();
    let mut sessions = items
        .into_iter()
        .map(|i| Ok(serde_dynamo::from_item::<_, SessionItem>(i)?.session))
        .filter(|s: &Result<Session>| s.as_ref().map_or(true, |s| s.expires_at > now))
        .collect::<Result<Vec<_>>>()?;
    sessions.sort_by_key(|s| std::cmp::Reverse(s.last_verified_at));
    Ok(sessions)
}

/// Finds a session by id alone, through the index. The index is eventually consistent, so
/// this is for tooling and admin pages, never for deciding whether a request is signed in.
pub async fn find_session(table: &Table, session_id: &str) -> Result<Option<Session>> {
    if !is_valid_id(session_id) {
        return Ok(None);
    }
    let sk = session_sk(session_id);
    let out = table
        .client()
        .query()
        .table_name(table.name())
        .index_name(GSI)
        .key_condition_expression("#pk = :sk AND #sk = :sk")
        .expression_attribute_names("#pk", GSIPK)
        .expression_attribute_names("#sk", crate::table::GSISK)
        .expression_attribute_values(":sk", AttributeValue::S(sk))
        .send()
        .await?;
    let now = table.now();
    let session = match out.items.unwrap_or_default().into_iter().next() {
        Some(item) => serde_dynamo::from_item::<_, SessionItem>(item)?.session,
        None => return Ok(None),
    };
    Ok((session.expires_at > now).then_some(session))
}

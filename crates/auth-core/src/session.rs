//! Sessions after the current Lucia guidance: a token `<user id>.<session id>.<secret>`, of
//! which only SHA-256(secret) is stored.
//!
//! 1. Sign-in: [`create_session`] writes `USER#<uid>` / `SESSION#<sid>` and returns the token
//!    (or [`new_session`] gives the item to write with the rest of a sign-up's transaction).
//! 2. Each request: [`validate_session_token`] reads user and session in one consistent
//!    `BatchGetItem` (the user id in the token makes that possible without the index), checks
//!    expiry, and compares the hash in constant time.
//! 3. Sliding expiry: a session verified more than [`REFRESH_INTERVAL`] ago is pushed to
//!    now + the inactivity timeout by one conditional `UpdateItem`, but never past its
//!    creation + the maximum lifetime ([`SessionPolicy`]): a stolen session ends for good.
//! 4. `AuthenticatedAt` records when the owner last proved who they are (sign-in, a fresh
//!    proof); sensitive actions ask for a new proof when it is too old ([`is_fresh`]).
//! 5. Two-factor authentication: for a user with second factors
//!    ([`crate::second_factor`]), a sign-in with the password alone makes a session that
//!    [awaits its second factor](awaits_second_factor); passing one sets `TwoFactorVerified`
//!    ([`pass_second_factor`]), in one transaction with the factor's own write.
//! 6. Sign-out deletes the item, on the condition that the cookie's secret matches (one call,
//!    no read first); [`invalidate_user_sessions`] deletes them all.

use crate::item::{self, IndexedKeys, Item, epoch, session_sk, user_pk};
use crate::random::is_valid_id;
use crate::table::{EXPIRES_AT, GSI, GSIPK, PK, SK};
use crate::token::UserToken;
use crate::transaction::{self, TxItem};
use crate::user::{User, user_from_item};
use crate::{Error, Result, Table};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Update};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A used session's expiry is pushed forward at most this often, to keep writes rare.
pub const REFRESH_INTERVAL: Duration = Duration::hours(1);
/// User agents are cut to this many characters before they are stored.
const MAX_USER_AGENT: usize = 256;

/// How long sessions live; the app reads it from its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long expires.
    pub inactivity_timeout: Duration,
    /// No session lives longer than this after its sign-in, however often it is used.
    pub max_lifetime: Duration,
    /// A proof of identity older than this does not allow a sensitive action.
    pub reauth_window: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            inactivity_timeout: Duration::days(10),
            max_lifetime: Duration::days(30),
            reauth_window: Duration::minutes(10),
        }
    }
}

impl SessionPolicy {
    /// True while a session may be used: not expired, and not past its maximum lifetime.
    fn is_live(&self, session: &Session, now: OffsetDateTime) -> bool {
        session.expires_at > now && session.created_at + self.max_lifetime > now
    }

    /// The expiry a session gets when it is used at `now`.
    fn expiry(&self, created_at: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
        (now + self.inactivity_timeout).min(created_at + self.max_lifetime)
    }
}

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
    /// When the owner last proved who they are: the sign-in, or a later fresh proof.
    #[serde(with = "time::serde::timestamp")]
    pub authenticated_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub expires_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// True once this session passed a second factor (absent, false, for users without one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub two_factor_verified: bool,
}

/// The stored form. The index keys let tooling find a session by id alone.
#[derive(Serialize, Deserialize)]
struct SessionItem {
    #[serde(flatten)]
    keys: IndexedKeys,
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

/// True when the session's last proof of identity is recent enough for a sensitive action.
pub fn is_fresh(session: &Session, policy: &SessionPolicy, now: OffsetDateTime) -> bool {
    now - session.authenticated_at <= policy.reauth_window
}

/// True when the user has second factors and this session has not passed one yet: it is
/// signed in with the password only, and may do nothing but pass one (or sign out).
pub fn awaits_second_factor(user: &User, session: &Session) -> bool {
    user.second_factors.any() && !session.two_factor_verified
}

/// A new session for the user: its token, and its item to write (alone, or in a transaction).
pub fn new_session(
    table: &Table,
    policy: &SessionPolicy,
    user_id: &str,
    user_agent: Option<&str>,
) -> Result<(SessionToken, Session, TxItem)> {
    build_session(table, policy, user_id, user_agent, false)
}

fn build_session(
    table: &Table,
    policy: &SessionPolicy,
    user_id: &str,
    user_agent: Option<&str>,
    two_factor_verified: bool,
) -> Result<(SessionToken, Session, TxItem)> {
    let now = table.now();
    let token = SessionToken::generate(user_id);
    let session = Session {
        id: token.id.clone(),
        user_id: user_id.to_owned(),
        created_at: now,
        last_verified_at: now,
        authenticated_at: now,
        expires_at: policy.expiry(now, now),
        user_agent: user_agent.map(|ua| ua.chars().take(MAX_USER_AGENT).collect()),
        two_factor_verified,
    };
    let sk = session_sk(&session.id);
    let item = serde_dynamo::to_item(SessionItem {
        keys: IndexedKeys::new(user_pk(user_id), sk),
        secret_hash: token.secret_hash().to_vec(),
        session: session.clone(),
    })?;
    Ok((token, session, transaction::put(table, item)))
}

/// Creates a session for the user, with `also` (a cleared login throttle, a new device) in the
/// same write, and returns the token to hand to the browser.
#[tracing::instrument(skip(table, policy, also))]
pub async fn create_session(
    table: &Table,
    policy: &SessionPolicy,
    user_id: &str,
    user_agent: Option<&str>,
    also: Vec<TxItem>,
) -> Result<(SessionToken, Session)> {
    let session = build_session(table, policy, user_id, user_agent, false)?;
    write_session(table, session, also).await
}

/// [`create_session`] for a browser that passed a second factor on the way (a password reset
/// that asked for one): the session starts two-factor verified.
#[tracing::instrument(skip(table, policy))]
pub async fn create_two_factor_session(
    table: &Table,
    policy: &SessionPolicy,
    user_id: &str,
    user_agent: Option<&str>,
) -> Result<(SessionToken, Session)> {
    write_session(
        table,
        build_session(table, policy, user_id, user_agent, true)?,
        vec![],
    )
    .await
}

async fn write_session(
    table: &Table,
    (token, session, put): (SessionToken, Session, TxItem),
    also: Vec<TxItem>,
) -> Result<(SessionToken, Session)> {
    if also.is_empty() {
        let put = put.write.put.expect("a put item");
        table
            .client()
            .put_item()
            .table_name(table.name())
            .set_item(Some(put.item))
            .send()
            .await?;
    } else {
        let mut items = vec![put];
        items.extend(also);
        transaction::transact(table, items).await?;
    }
    Ok((token, session))
}

/// Checks a token from a cookie. `None` means signed out: malformed, unknown, expired,
/// tampered with, or its user is gone.
#[tracing::instrument(skip_all)]
pub async fn validate_session_token(
    table: &Table,
    policy: &SessionPolicy,
    token: &str,
) -> Result<Option<ValidSession>> {
    let Some(token) = SessionToken::parse(token) else {
        return Ok(None);
    };
    let (Some(user), Some(item)) = get_user_and_session(table, &token).await? else {
        return Ok(None);
    };
    let stored: SessionItem = serde_dynamo::from_item(item)?;
    let now = table.now();
    if !policy.is_live(&stored.session, now) || !token.matches(&stored.secret_hash) {
        return Ok(None);
    }
    let mut session = stored.session;
    let refreshed = now - session.last_verified_at >= REFRESH_INTERVAL
        && refresh_session(table, policy, &session, now).await?;
    if refreshed {
        session.last_verified_at = now;
        session.expires_at = policy.expiry(session.created_at, now);
    }
    Ok(Some(ValidSession {
        user,
        session,
        refreshed,
    }))
}

/// The primary key of a session item.
fn session_key(user_id: &str, session_id: &str) -> Item {
    item::key(user_pk(user_id), session_sk(session_id))
}

/// One strongly consistent `BatchGetItem` for the user item and the session item.
async fn get_user_and_session(
    table: &Table,
    token: &SessionToken,
) -> Result<(Option<User>, Option<Item>)> {
    let pk = user_pk(&token.user_id);
    let keys = KeysAndAttributes::builder()
        .keys(item::key(pk.clone(), pk.clone()))
        .keys(session_key(&token.user_id, &token.id))
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
async fn refresh_session(
    table: &Table,
    policy: &SessionPolicy,
    session: &Session,
    now: OffsetDateTime,
) -> Result<bool> {
    let result = table
        .client()
        .update_item()
        .table_name(table.name())
        .set_key(Some(session_key(&session.user_id, &session.id)))
        .update_expression("SET LastVerifiedAt = :now, #exp = :exp")
        .condition_expression("attribute_exists(#pk) AND LastVerifiedAt = :last")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#exp", EXPIRES_AT)
        .expression_attribute_values(":now", epoch(now))
        .expression_attribute_values(":exp", epoch(policy.expiry(session.created_at, now)))
        .expression_attribute_values(":last", epoch(session.last_verified_at))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if crate::error::is_condition_failed(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A fresh proof of identity for this session: `AuthenticatedAt = now`, as a transaction item
/// to commit with whatever the proof itself writes (a cleared login throttle, a used code).
fn mark_authenticated(table: &Table, session: &Session) -> TxItem {
    transaction::update(authenticated_now(table, session), Error::NotFound)
}

/// `expression` on the session item, if it still exists.
fn session_update(table: &Table, session: &Session, expression: &str) -> UpdateBuilder {
    Update::builder()
        .table_name(table.name())
        .set_key(Some(session_key(&session.user_id, &session.id)))
        .update_expression(expression)
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK)
}

/// `AuthenticatedAt = now` on the session item, if it still exists.
fn authenticated_now(table: &Table, session: &Session) -> UpdateBuilder {
    session_update(table, session, "SET AuthenticatedAt = :now")
        .expression_attribute_values(":now", epoch(table.now()))
}

/// Commits a fresh proof (and `also`, what the proof itself writes) in one write.
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn record_proof(table: &Table, session: &Session, also: Vec<TxItem>) -> Result<()> {
    if also.is_empty() {
        let update = item::send_update(table, authenticated_now(table, session));
        return match update.send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::error::is_condition_failed(&e) => Err(Error::NotFound),
            Err(e) => Err(e.into()),
        };
    }
    let mut items = vec![mark_authenticated(table, session)];
    items.extend(also);
    transaction::transact(table, items).await
}

/// The session passed a second factor: `TwoFactorVerified`, and `AuthenticatedAt = now` (the
/// proof of identity is complete only now), as a transaction item to commit with the
/// factor's own write.
pub(crate) fn mark_second_factor_passed(table: &Table, session: &Session) -> TxItem {
    let set = "SET TwoFactorVerified = :true, AuthenticatedAt = :now";
    let update = session_update(table, session, set)
        .expression_attribute_values(":true", AttributeValue::Bool(true))
        .expression_attribute_values(":now", epoch(table.now()));
    transaction::update(update, Error::NotFound)
}

/// Commits a passed second factor: the session's mark and `proof`, what the factor writes
/// (a TOTP step, a burnt recovery code, a key's counter), in one transaction. A refused proof
/// marks nothing.
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn pass_second_factor(table: &Table, session: &Session, proof: TxItem) -> Result<()> {
    transaction::transact(
        table,
        vec![mark_second_factor_passed(table, session), proof],
    )
    .await
}

/// A fresh proof begun with the password, for a user with second factors: the session must
/// pass a second factor again before it is fresh (or of any other use). Commits
/// `TwoFactorVerified = false` with `also` (what the password check writes).
#[tracing::instrument(skip_all, fields(user = %session.user_id))]
pub async fn require_second_factor(
    table: &Table,
    session: &Session,
    also: Vec<TxItem>,
) -> Result<()> {
    let update = session_update(table, session, "REMOVE TwoFactorVerified");
    let mut items = vec![transaction::update(update, Error::NotFound)];
    items.extend(also);
    transaction::transact(table, items).await
}

/// Signs the session a cookie names out: deletes its item, only if the cookie's secret is the
/// session's. One call, no read: a forged or stale cookie deletes nothing.
#[tracing::instrument(skip_all)]
pub async fn invalidate_session_token(table: &Table, token: &str) -> Result<()> {
    let Some(token) = SessionToken::parse(token) else {
        return Ok(());
    };
    let result = table
        .client()
        .delete_item()
        .table_name(table.name())
        .set_key(Some(session_key(&token.user_id, &token.id)))
        .condition_expression("SecretHash = :hash")
        .expression_attribute_values(
            ":hash",
            AttributeValue::B(token.secret_hash().to_vec().into()),
        )
        .send()
        .await;
    match result {
        Err(e) if !crate::error::is_condition_failed(&e) => Err(e.into()),
        _ => Ok(()),
    }
}

/// Signs one of the user's sessions out by deleting its item.
#[tracing::instrument(skip(table))]
pub async fn invalidate_session(table: &Table, user_id: &str, session_id: &str) -> Result<()> {
    table
        .client()
        .delete_item()
        .table_name(table.name())
        .set_key(Some(session_key(user_id, session_id)))
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
        .filter(|i| keep_sk.is_none() || item::string(i, SK) != keep_sk.as_deref())
        .map(item::key_of)
        .collect();
    let count = keys.len();
    item::batch_delete(table, keys).await?;
    Ok(count)
}

/// The user's sessions that would still validate, most recently used first.
pub async fn list_user_sessions(
    table: &Table,
    policy: &SessionPolicy,
    user_id: &str,
) -> Result<Vec<Session>> {
    let items = item::query_partition(table, &user_pk(user_id), "SESSION#").await?;
    let now = table.now();
    let mut sessions = items
        .into_iter()
        .map(|i| Ok(serde_dynamo::from_item::<_, SessionItem>(i)?.session))
        .filter(|s: &Result<Session>| s.as_ref().map_or(true, |s| policy.is_live(s, now)))
        .collect::<Result<Vec<_>>>()?;
    sessions.sort_by_key(|s| std::cmp::Reverse(s.last_verified_at));
    Ok(sessions)
}

/// Finds a session by id alone, through the index. The index is eventually consistent, so
/// this is for tooling and admin pages, never for deciding whether a request is signed in.
pub async fn find_session(
    table: &Table,
    policy: &SessionPolicy,
    session_id: &str,
) -> Result<Option<Session>> {
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
    Ok(policy.is_live(&session, now).then_some(session))
}

use auth_core::credentials::{Credentials, Verified, verify_credentials};
use auth_core::email::EmailAddress;
use auth_core::encryption::EncryptionKey;
use auth_core::hasher::Hasher;
use auth_core::password::{Password, PasswordHash};
use auth_core::recovery_codes::RecoveryCode;
use auth_core::session::{Session, SessionPolicy, SessionToken, create_session};
use auth_core::totp::{TotpCode, TotpKey, matching_step};
use auth_core::user::{User, insert_user, new_user};
use auth_core::{Error, Table};
use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;

pub use auth_testing::{Item, get_item as get, scan_all};

/// The password of every user made by [`create_user`].
pub const PASSWORD: &str = "correct horse battery";

pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{name} is not a string: {other:?}"),
    }
}

pub fn n(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap(),
        other => panic!("{name} is not a number: {other:?}"),
    }
}

pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

/// A hashing pool with room for 18 checks at once (two threads, eight queue places each).
pub fn hasher() -> Hasher {
    Hasher::new(2)
}

pub async fn hash(password: &str) -> PasswordHash {
    let slot = Hasher::new(1).reserve().unwrap();
    slot.hash(&Password::parse(password).unwrap())
        .await
        .unwrap()
}

/// Writes a user with this address and [`PASSWORD`], as sign-up does.
pub async fn create_user(table: &Table, address: &str) -> User {
    let user = new_user(table, &email(address), Some(hash(PASSWORD).await), false);
    insert_user(table, &user, vec![]).await.unwrap();
    user
}

/// A sign-in form's email and password, from a browser with the given device cookie (if any).
pub async fn sign_in(
    table: &Table,
    hasher: &Hasher,
    email: &str,
    password: &str,
    device: Option<&str>,
) -> Result<Verified, Error> {
    let credentials = Credentials {
        email,
        password,
        device,
        per_client: None,
    };
    verify_credentials(table, hasher, credentials).await
}

/// What the app does after a right password: one transaction for the new session and the
/// writes that came with the verdict (the throttle cleared, a new device).
pub async fn start_session(table: &Table, verified: Verified) -> SessionToken {
    let policy = SessionPolicy::default();
    let (token, _) = create_session(table, &policy, &verified.user.id, None, verified.writes)
        .await
        .unwrap();
    token
}

/// The wait of a refused attempt, in seconds; panics on anything else.
pub fn retry_after<T: std::fmt::Debug>(result: Result<T, Error>) -> i64 {
    match result {
        Err(Error::RateLimited { retry_after }) => retry_after.whole_seconds(),
        other => panic!("expected a rate limit, got {other:?}"),
    }
}

/// Every item in the table in key order, to compare the table before and after a call.
pub async fn snapshot(table: &Table) -> Vec<Item> {
    let mut items = scan_all(table).await;
    items.sort_by(|a, b| (s(a, "PK"), s(a, "SK")).cmp(&(s(b, "PK"), s(b, "SK"))));
    items
}

/// A session of the user's, as a sign-in writes it.
pub async fn session_of(table: &Table, user: &User) -> Session {
    let (_, session) = create_session(table, &SessionPolicy::default(), &user.id, None, vec![])
        .await
        .unwrap();
    session
}

/// The user as stored now.
pub async fn reload(table: &Table, user: &User) -> User {
    auth_core::user::get_user(table, &user.id)
        .await
        .unwrap()
        .unwrap()
}

/// The code an authenticator app shows for `key` at `at`, computed by totp-rs from the key's
/// `otpauth://` URI: an implementation independent of auth-core's.
pub fn app_code(key: &TotpKey, at: OffsetDateTime) -> String {
    let app = totp_rs::Totp::from_url(key.uri("Auth examples", "ada@example.com")).unwrap();
    app.generate(at.unix_timestamp() as u64).to_string()
}

/// Turns the authenticator app on for `user` in `session`, as the setup page does, and
/// returns the key and the recovery codes shown.
pub async fn enable_totp(
    table: &Table,
    sealing: &EncryptionKey,
    user: &User,
    session: &Session,
) -> (TotpKey, Option<Vec<RecoveryCode>>) {
    let key = TotpKey::generate();
    let code = TotpCode::parse(&app_code(&key, table.now())).unwrap();
    let step = matching_step(&key, &code, table.now(), None).unwrap();
    let codes = auth_core::totp::enable(table, sealing, user, session, &key, step)
        .await
        .unwrap();
    (key, codes)
}

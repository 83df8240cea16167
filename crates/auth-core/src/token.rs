//! The shape of every secret cookie this crate issues: `<user id>.<id>.<secret>`.
//!
//! The user id and item id let the server read the item by its primary key, strongly
//! consistent, without an index; the secret (32 random bytes) proves the cookie was issued here.
//! Only SHA-256 of the secret is stored, and it is compared in constant time.

use crate::random::{
    constant_time_eq, hash_secret, is_valid_id, is_valid_secret, random_id, random_secret,
};

#[derive(Clone, PartialEq, Eq)]
pub struct UserToken {
    pub user_id: String,
    /// The id of the item the token belongs to (a session, a password reset).
    pub id: String,
    secret: String,
}

impl UserToken {
    /// A new token for an item of the user's, with a fresh id and secret.
    pub fn generate(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_owned(),
            id: random_id(),
            secret: random_secret(),
        }
    }

    /// Parses `<uid>.<id>.<secret>`; anything of another shape is `None`, never an error.
    pub fn parse(token: &str) -> Option<Self> {
        let mut parts = token.split('.');
        let (uid, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || !is_valid_id(uid)
            || !is_valid_id(id)
            || !is_valid_secret(secret)
        {
            return None;
        }
        Some(Self {
            user_id: uid.to_owned(),
            id: id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// What is stored: SHA-256 of the secret.
    pub fn secret_hash(&self) -> [u8; 32] {
        hash_secret(&self.secret)
    }

    /// True when `stored` is the hash of this token's secret (compared in constant time).
    pub fn matches(&self, stored: &[u8]) -> bool {
        constant_time_eq(stored, &self.secret_hash())
    }
}

impl std::fmt::Display for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.user_id, self.id, self.secret)
    }
}

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserToken({}.{}.***)", self.user_id, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::UserToken;
    use crate::random::{random_id, random_secret};

    #[test]
    fn a_token_round_trips_through_its_string_form() {
        let token = UserToken::generate(&random_id());
        assert_eq!(UserToken::parse(&token.to_string()), Some(token.clone()));
        assert!(token.matches(&token.secret_hash()));
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        let (u, s, x) = (random_id(), random_id(), random_secret());
        for bad in [
            String::new(),
            format!("{u}.{s}"),
            format!("{u}.{s}.{x}.extra"),
            format!("{u}.{s}.{}", &x[1..]),
            format!("{u}.{s}.{}!", &x[1..]),
            format!("{}.{s}.{x}", u.to_uppercase()),
            format!("../../{s}.{x}"),
        ] {
            assert!(UserToken::parse(&bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = UserToken::generate(&random_id());
        assert!(!format!("{token:?}").contains(&token.secret));
    }
}

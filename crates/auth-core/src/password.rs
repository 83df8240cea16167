//! Passwords: the policy a new password must meet, the stored hash, and an optional Have I
//! Been Pwned check. Hashing itself is [`crate::hasher`]'s job.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// Shortest password accepted (NIST SP 800-63B's minimum).
pub const MIN_LEN: usize = 8;
/// Longest password accepted: long enough for passphrases, short enough to bound hashing work.
pub const MAX_LEN: usize = 255;

/// A password that meets the policy. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// 8 to 255 characters, not all whitespace. Nothing else: composition rules don't help.
    pub fn parse(input: &str) -> Result<Self> {
        let len = input.chars().count();
        if len < MIN_LEN {
            return Err(Error::InvalidInput(format!(
                "Use at least {MIN_LEN} characters for your password."
            )));
        }
        if len > MAX_LEN {
            return Err(Error::InvalidInput(format!(
                "Use at most {MAX_LEN} characters for your password."
            )));
        }
        if input.trim().is_empty() {
            return Err(Error::InvalidInput(
                "A password can't be only spaces.".into(),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// An argon2id hash in PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string made by [`crate::hasher`].
    pub(crate) fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Have I Been Pwned range API, asked with k-anonymity: only the first five hex digits of
/// the password's SHA-1 leave the machine.
#[derive(Clone, Debug)]
pub struct PwnedPasswords {
    client: reqwest::Client,
    base_url: String,
}

impl PwnedPasswords {
    pub const DEFAULT_URL: &str = "https://api.pwnedpasswords.com";

    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            client: reqwest::Client::new(),
            base_url: base_url.into(),
        }
    }

    /// True when the password appears in a known breach.
    pub async fn is_pwned(&self, password: &Password) -> Result<bool> {
        let digest = format!("{:X}", Sha1::digest(password.expose().as_bytes()));
        let (prefix, suffix) = digest.split_at(5);
        let body = self
            .client
            .get(format!(
                "{}/range/{prefix}",
                self.base_url.trim_end_matches('/')
            ))
            .header("Add-Padding", "true")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(Error::unavailable)?
            .text()
            .await
            .map_err(Error::unavailable)?;
        Ok(body.lines().any(|line| {
            line.split_once(':')
                .is_some_and(|(s, count)| s.eq_ignore_ascii_case(suffix) && count.trim() != "0")
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_bounds_length_and_refuses_blank_passwords() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(256)).is_err());
        assert!(Password::parse("          ").is_err());
        assert!(Password::parse("correct horse").is_ok());
        assert!(Password::parse(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}

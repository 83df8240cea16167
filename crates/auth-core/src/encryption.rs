//! Encryption at rest for the one secret the server must read back: a TOTP key.
//!
//! Most secrets here are only ever compared (session secrets, codes, recovery codes), so only
//! their SHA-256 is stored. A TOTP key is different: every check computes codes from it, so
//! it must be stored in a form the app can turn back into the key. It is sealed with
//! AES-256-GCM under a key that lives outside the table (`ENCRYPTION_KEY`): a copy of the
//! table alone (a backup, an export, a leaked read-only credential) does not reveal anyone's
//! authenticator.
//!
//! 1. [`EncryptionKey::seal`] draws a random 96-bit nonce for every message and returns
//!    `nonce || ciphertext || tag`. Random nonces are safe for far more messages than one key
//!    will ever seal here (the limit is around 2^32).
//! 2. The caller passes associated data naming where the value belongs (`TOTP#<uid>`): it is
//!    authenticated but not stored, so a sealed key copied into another user's item, or
//!    changed in any bit, does not open ([`Error::Corrupt`], never a panic).

use crate::{Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Bytes of a nonce, stored in front of the ciphertext.
const NONCE_LEN: usize = 12;
/// Bytes of the GCM tag at the end of the ciphertext.
const TAG_LEN: usize = 16;

/// A 256-bit AES-GCM key. Its `Debug` output hides it.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

/// Why a configured key cannot be used; the message is safe to log (it never holds the key).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("it is not base64")]
    NotBase64,
    #[error("it decodes to {0} bytes, and AES-256 needs exactly 32")]
    WrongLength(usize),
}

impl EncryptionKey {
    /// A new random key from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        crate::random::fill(&mut key);
        Self(key)
    }

    /// A key written as base64 of 32 bytes (how `ENCRYPTION_KEY` and the key file hold it).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        Ok(Self(key))
    }

    /// The key as base64, to write into a key file.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Encrypts `plaintext`, bound to `context`: `nonce || ciphertext || tag`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::random::fill(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher()
            .encrypt(&Nonce::from(nonce), payload)
            .expect("AES-GCM encrypts any message this short");
        let mut sealed = nonce.to_vec();
        sealed.extend(ciphertext);
        sealed
    }

    /// Decrypts what [`seal`](Self::seal) made with the same key and `context`. Anything else
    /// (another key, another context, a changed or truncated value) is [`Error::Corrupt`].
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(Error::corrupt(format!(
                "sealed value for {context} is too short"
            )));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        self.cipher()
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| {
                Error::corrupt(format!(
                    "sealed value for {context} does not decrypt: tampered with, or sealed under another key"
                ))
            })
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_context_only() {
        let key = EncryptionKey::generate();
        let sealed = key.seal(b"twenty bytes of key!", "TOTP#ada");
        assert_eq!(sealed.len(), NONCE_LEN + 20 + TAG_LEN);
        assert_eq!(
            key.open(&sealed, "TOTP#ada").unwrap(),
            b"twenty bytes of key!"
        );
        assert_ne!(
            key.seal(b"twenty bytes of key!", "TOTP#ada"),
            sealed,
            "fresh nonce"
        );
        for (other_key, context) in [
            (EncryptionKey::generate(), "TOTP#ada"),
            (key.clone(), "TOTP#bob"),
        ] {
            assert!(matches!(
                other_key.open(&sealed, context),
                Err(Error::Corrupt(_))
            ));
        }
    }

    #[test]
    fn changed_or_truncated_values_are_corrupt_not_a_panic() {
        let key = EncryptionKey::generate();
        let sealed = key.seal(b"secret", "TOTP#ada");
        for at in [0, NONCE_LEN, sealed.len() - 1] {
            let mut changed = sealed.clone();
            changed[at] ^= 1;
            assert!(matches!(
                key.open(&changed, "TOTP#ada"),
                Err(Error::Corrupt(_))
            ));
        }
        for length in [0, 5, NONCE_LEN + TAG_LEN - 1] {
            assert!(matches!(
                key.open(&sealed[..length], "TOTP#ada"),
                Err(Error::Corrupt(_))
            ));
        }
    }

    #[test]
    fn keys_parse_from_base64_of_exactly_32_bytes() {
        let key = EncryptionKey::generate();
        let parsed = EncryptionKey::from_base64(&format!(" {}\n", key.to_base64())).unwrap();
        assert_eq!(parsed.0, key.0);
        assert_eq!(
            EncryptionKey::from_base64("not base64!").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            EncryptionKey::from_base64(&STANDARD.encode([0u8; 16])).unwrap_err(),
            KeyError::WrongLength(16)
        );
        assert!(!format!("{key:?}").contains(&key.to_base64()));
    }
}

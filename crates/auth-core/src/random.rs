//! Random ids, secrets and codes from the OS CSPRNG, and the hashing that goes with them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Lowercase letters and digits without the look-alikes 0, 1, l and o: 32 symbols, 5 bits each.
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// 24 symbols of [`ALPHABET`]: 120 random bits, enough that ids are never guessed.
pub const ID_LEN: usize = 24;

/// `buf` filled from the OS CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) {
    // The OS CSPRNG failing is not something an app can recover from.
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// A string of `len` random symbols from the unambiguous lowercase alphabet.
pub fn random_string(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    fill(&mut bytes);
    // 256 is a multiple of 32, so taking the low five bits keeps every symbol equally likely.
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect()
}

/// A new random id for a user, session or similar item.
pub fn random_id() -> String {
    random_string(ID_LEN)
}

/// True when `s` could have come from [`random_id`]; parses untrusted input before any lookup.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LEN && in_alphabet(s)
}

/// True when every character of `s` is in the alphabet of [`random_string`].
fn in_alphabet(s: &str) -> bool {
    s.bytes().all(|b| ALPHABET.contains(&b))
}

/// A code of `len` symbols as a user typed it: case, spaces and dashes do not matter. `None`
/// if it cannot be such a code at all (then it is refused without counting as a try).
pub(crate) fn typed_code(input: &str, len: usize) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == len && in_alphabet(&code)).then_some(code)
}

/// 32 random bytes, base64url without padding: the secret half of a token.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// True when `s` could have come from [`random_secret`]; parses untrusted input.
pub fn is_valid_secret(s: &str) -> bool {
    s.len() == 43 && is_base64url(s)
}

/// True when every character of `s` is in the base64url alphabet (no padding).
pub fn is_base64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// SHA-256 of a secret; only this is ever stored.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_use_only_the_alphabet_and_have_the_right_length() {
        let id = random_id();
        assert!(is_valid_id(&id), "{id}");
        assert_ne!(random_id(), id);
    }

    #[test]
    fn invalid_ids_are_rejected() {
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"A".repeat(ID_LEN)));
        assert!(!is_valid_id(&"a".repeat(ID_LEN + 1)));
        assert!(!is_valid_id("aaaaaaaaaaaaaaaaaaaaaaa0"));
    }

    #[test]
    fn secrets_are_32_bytes_of_base64url() {
        let secret = random_secret();
        assert_eq!(URL_SAFE_NO_PAD.decode(&secret).unwrap().len(), 32);
    }

    #[test]
    fn constant_time_eq_compares_contents() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

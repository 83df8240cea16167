//! Email addresses, brought to one canonical form at the edge, so that one mailbox is one
//! account and a look-alike address is refused instead of becoming a second account.
//!
//! [`EmailAddress::parse`], in order:
//! 1. Unicode NFKC, case folding, NFKC again: fullwidth `ｋａｔｅ@ＥＸＡＭＰＬＥ.com` becomes
//!    `kate@example.com`, which is the same claim as the address typed plainly.
//! 2. Format and control characters (Unicode categories Cf and Cc: a zero-width space, a
//!    right-to-left override) are refused: they change how an address looks, not where mail goes.
//! 3. The domain goes through IDNA (UTS #46, the browsers' rules): `BÜCHER.example` and
//!    `xn--bcher-kva.example` are the same domain; a domain IDNA refuses is refused.
//! 4. The local part, and each label of the domain, must be written in one script: `kаte`
//!    with a Cyrillic `а` is refused, while an all-Cyrillic `катя@пример.рф` is fine.
//!
//! The claim item `EMAIL#<address>` is keyed by this canonical form.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::MixedScript;

/// Longest address (RFC 5321's path limit, less the angle brackets), in bytes.
const MAX_LEN: usize = 254;
/// Longest local part (RFC 5321), in bytes.
const MAX_LOCAL_LEN: usize = 64;
/// Characters that need quoting in a mail header; nobody's real address needs them here.
const SPECIALS: &str = "\"(),:;<>[\\]@";

/// An address in canonical form. Built only by [`EmailAddress::parse`], or read back from the
/// table, where only parsed addresses are written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The canonical form of `input`, or [`Error::InvalidInput`] with a message for the form.
    pub fn parse(input: &str) -> Result<Self> {
        let folded = fold(input.trim());
        let (local, domain) = folded.rsplit_once('@').ok_or_else(invalid)?;
        let local = check_local_part(local)?;
        let domain = canonical_domain(domain)?;
        let email = format!("{local}@{domain}");
        if email.len() > MAX_LEN {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid() -> Error {
    Error::InvalidInput("Enter a valid email address.".into())
}

/// NFKC, case folding, NFKC: the closure Unicode recommends for caseless identifiers.
fn fold(input: &str) -> String {
    let nfkc: String = input.nfkc().collect();
    caseless::default_case_fold_str(&nfkc).nfkc().collect()
}

/// True for a character that changes how text looks without being a letter of it.
fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Format | GeneralCategory::Control
    )
}

fn check_local_part(local: &str) -> Result<&str> {
    if local.chars().any(is_invisible) {
        return Err(Error::InvalidInput(
            "That address contains invisible characters. Type it again by hand.".into(),
        ));
    }
    let well_formed = !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local
            .chars()
            .any(|c| c.is_whitespace() || SPECIALS.contains(c));
    if !well_formed {
        return Err(invalid());
    }
    one_script(local)?;
    Ok(local)
}

/// The domain through IDNA, in its Unicode form, each label in one script.
fn canonical_domain(domain: &str) -> Result<String> {
    if domain.chars().any(is_invisible) {
        return Err(Error::InvalidInput(
            "That address contains invisible characters. Type it again by hand.".into(),
        ));
    }
    let ascii = idna::domain_to_ascii_strict(domain).map_err(|_| invalid())?;
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(invalid());
    }
    let (unicode, result) = idna::domain_to_unicode(&ascii);
    result.map_err(|_| invalid())?;
    for label in unicode.split('.') {
        one_script(label)?;
    }
    Ok(unicode)
}

fn one_script(part: &str) -> Result<()> {
    if part.is_single_script() {
        Ok(())
    } else {
        Err(Error::InvalidInput(
            "That address mixes letters from different alphabets. Type it again by hand.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    fn canonical(input: &str) -> String {
        EmailAddress::parse(input)
            .unwrap_or_else(|e| panic!("{input:?} was refused: {e}"))
            .to_string()
    }

    #[test]
    fn addresses_are_trimmed_folded_and_normalized() {
        assert_eq!(canonical("  Ada@Example.COM "), "ada@example.com");
        assert_eq!(canonical("ｋａｔｅ@ＥＸＡＭＰＬＥ.com"), "kate@example.com");
        assert_eq!(canonical("kate@BÜCHER.example"), "kate@bücher.example");
        assert_eq!(
            canonical("kate@xn--bcher-kva.example"),
            "kate@bücher.example"
        );
        assert_eq!(canonical("катя@пример.рф"), "катя@пример.рф");
        assert_eq!(canonical("kate+news@example.com"), "kate+news@example.com");
    }

    #[test]
    fn look_alikes_and_invisible_characters_are_refused() {
        for bad in [
            "k\u{0430}te@example.com",  // Cyrillic а among Latin letters
            "kate@ex\u{0430}mple.com",  // the same in a domain label
            "ka\u{200b}te@example.com", // zero-width space
            "\u{202e}etak@example.com", // right-to-left override
            "kate@exa\u{200b}mple.com", // zero-width space in the domain
            "ka\u{7}te@example.com",    // a control character
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "ada@.com",
            "ada@exa_mple.com",
            ".ada@example.com",
            "a..da@example.com",
            "a<b>@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }
}

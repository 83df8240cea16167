//! Security notices by email: the owner hears when their password or their address changes,
//! so a change they did not make does not go unnoticed.
//!
//! A notice is sent after the change is stored, and a notice that cannot be sent is logged
//! and does not undo the change: the change is what the user asked for; the mail only tells.

use crate::mail::{Mail, Mailer};
use auth_core::email::EmailAddress;

/// Tells `to` that the account's password was changed (or reset).
pub async fn password_changed(mailer: &dyn Mailer, to: &EmailAddress) {
    let body = "The password of your account was just changed, and every session was signed \
                out.\n\nIf that was you, there is nothing to do. If it was not, reset your \
                password now with \"Forgot your password?\" on the sign-in page.\n";
    send(mailer, to, "Your password was changed", body).await;
}

/// Tells the old address that the account moved to `new` (shown partly masked: the old
/// address's owner learns that it moved, not where to).
pub async fn email_changed(mailer: &dyn Mailer, old: &EmailAddress, new: &EmailAddress) {
    let body = format!(
        "The email address of your account was just changed to {}.\n\nIf that was you, there \
         is nothing to do. If it was not, someone else controls your account: contact us.\n",
        mask(new)
    );
    send(mailer, old, "Your email address was changed", &body).await;
}

async fn send(mailer: &dyn Mailer, to: &EmailAddress, subject: &str, body: &str) {
    let mail = Mail {
        to: to.to_string(),
        subject: subject.to_owned(),
        body: body.to_owned(),
    };
    if let Err(e) = mailer.send(mail).await {
        tracing::warn!("security notice \"{subject}\" not sent (the change stands): {e}");
    }
}

/// `ada.lovelace@example.com` → `a•••e@e•••e.com`: enough to recognise, not enough to reach.
pub fn mask(email: &EmailAddress) -> String {
    let (local, domain) = email
        .as_str()
        .rsplit_once('@')
        .expect("a parsed address has an @");
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    format!("{}@{}.{tld}", ends(local), ends(host))
}

/// The first and last character of `part`, with the rest hidden.
fn ends(part: &str) -> String {
    let mut chars = part.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) => format!("{first}•••{last}"),
        (Some(first), None) => format!("{first}•••"),
        _ => "•••".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;
    use auth_core::email::EmailAddress;

    #[test]
    fn masked_addresses_keep_only_their_ends() {
        let masked = |e: &str| mask(&EmailAddress::parse(e).unwrap());
        assert_eq!(masked("ada.lovelace@example.com"), "a•••e@e•••e.com");
        assert_eq!(masked("a@example.co.uk"), "a•••@e•••o.uk");
    }
}

//! Sending email behind a small [`Mailer`] trait, with two implementations:
//!
//! - [`ConsoleMailer`] (the default): the message is printed to standard output, so during
//!   local use a code can be read off the terminal and nothing leaves the machine. The log
//!   only says that it was printed: logs never carry codes.
//! - [`SmtpMailer`]: sent over SMTP with `lettre` when `SMTP_URL` and `MAIL_FROM` are set, as
//!   plain text with an HTML alternative, and with the `Message-ID`, `Date` and
//!   `MIME-Version` headers that spam filters expect.
//!
//! `SMTP_URL` says how to reach the server, and how the connection is protected:
//!
//! | form | protection | default port |
//! |---|---|---|
//! | `smtps://user:pass@host` | TLS from the first byte (implicit TLS) | 465 |
//! | `smtp://user:pass@host` | STARTTLS, required: no TLS offered means no mail sent | 587 |
//! | `smtp://host:port?tls=none` | none, for a mail catcher on your own machine only | 25 |
//!
//! User name and password are optional and percent-decoded (`%40` for `@`).

use async_trait::async_trait;
use auth_core::random::random_id;
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// A plain-text email.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The email was not sent; the message is for the log, not for users.
#[derive(Debug, thiserror::Error)]
#[error("email not sent: {0}")]
pub struct MailError(String);

/// `SMTP_URL` or `MAIL_FROM` cannot be used; the message names the variable.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid mail configuration: {0}")]
pub struct MailConfigError(String);

/// Something that delivers an email, or says why it could not.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

/// Prints every email to standard output instead of sending it: zero setup for local use.
/// Only standard output sees the body; the log, which may be collected and kept, gets a line
/// without it.
pub struct ConsoleMailer;

#[async_trait]
impl Mailer for ConsoleMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        // One `println!` holds the stdout lock for the whole block, so two emails never mix.
        println!(
            "----- email (not sent) -----\nTo: {}\nSubject: {}\n\n{}\n----- end of email -----",
            mail.to,
            mail.subject,
            mail.body.trim_end()
        );
        tracing::info!(
            "email to {} printed to standard output (set SMTP_URL and MAIL_FROM to send it)",
            mail.to
        );
        Ok(())
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// Plain connection upgraded with STARTTLS, which must succeed (`smtp://`).
    StartTls,
    /// No encryption (`smtp://…?tls=none`): only for a server on your own machine.
    None,
}

/// A parsed `SMTP_URL` plus the sender address.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Parses `SMTP_URL` (see the module docs for its forms) and `MAIL_FROM`
    /// (`Name <address>` or a bare address).
    pub fn parse(smtp_url: &str, from: &str) -> Result<Self, MailConfigError> {
        let invalid = |why: &str| MailConfigError(format!("SMTP_URL: {why}"));
        let url = Url::parse(smtp_url).map_err(|e| invalid(&e.to_string()))?;
        let tls = url
            .query_pairs()
            .find_map(|(k, v)| (k == "tls").then(|| v.into_owned()));
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => (Security::Tls, 465),
            ("smtp", None | Some("required")) => (Security::StartTls, 587),
            ("smtp", Some("none")) => (Security::None, 25),
            ("smtp" | "smtps", Some(other)) => {
                return Err(invalid(&format!(
                    "tls={other}: use tls=none or leave it out"
                )));
            }
            (other, _) => return Err(invalid(&format!("scheme {other}: use smtp or smtps"))),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("no host"))?;
        let credentials = match url.username() {
            "" => None,
            user => {
                // Percent-decoding; `+` is a literal plus here, not a space as in forms.
                let decode = |s: &str| {
                    let s = s.replace('+', "%2B");
                    url::form_urlencoded::parse(format!("x={s}").as_bytes())
                        .map(|(_, v)| v.into_owned())
                        .next()
                        .unwrap_or_default()
                };
                Some((decode(user), decode(url.password().unwrap_or(""))))
            }
        };
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailConfigError(format!("MAIL_FROM={from}: {e}")))?;
        Ok(Self {
            host: host.trim_matches(['[', ']']).to_owned(),
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
            from,
        })
    }
}

/// Sends each email over a new SMTP connection, as configured by an [`SmtpConfig`].
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Longest wait for the SMTP server, so a dead server is an error page, not a hung request.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailConfigError> {
        let host = config.host.as_str();
        let builder = match config.security {
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
        }
        .map_err(|e| MailConfigError(format!("SMTP_URL: {e}")))?;
        let mut builder = builder.port(config.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from: config.from.clone(),
        })
    }

    /// The message as it goes out. `Date` is added by lettre and `MIME-Version` comes with the
    /// multipart body. The `Message-ID` is on the sender's domain rather than lettre's default,
    /// this machine's host name, which is often no real domain (spam filters notice) and would
    /// tell every recipient the server's name.
    fn message(&self, mail: Mail) -> Result<Message, MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError(format!("recipient {}: {e}", mail.to)))?;
        let message_id = format!("<{}@{}>", random_id(), self.from.email.domain());
        let html = html_body(&mail.body);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(message_id))
            .multipart(MultiPart::alternative_plain_html(mail.body, html))
            .map_err(|e| MailError(e.to_string()))
    }
}

/// The plain-text body as simple HTML, for mail clients that show only the HTML part: the
/// text escaped, blocks between blank lines as paragraphs, line breaks kept.
fn html_body(text: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(|block| {
            let lines: Vec<String> = block.lines().map(|l| escape_html(l.trim())).collect();
            format!("<p>{}</p>\n", lines.join("<br>\n"))
        })
        .collect();
    format!("<!DOCTYPE html>\n<html>\n<body>\n{paragraphs}</body>\n</html>\n")
}

/// `text` safe to put between HTML tags: `&` first, so the other entities are not escaped twice.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = self.message(mail)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError(e.to_string()))?;
        Ok(())
    }
}

/// The mailer the environment asks for: SMTP when `SMTP_URL` is set (then `MAIL_FROM` must
/// be too), the console otherwise. Reads `.env` like [`crate::Config::from_env`].
pub fn mailer_from_env() -> Result<Arc<dyn Mailer>, MailConfigError> {
    crate::config::load_dotenv();
    let var = crate::config::var;
    let Some(url) = var("SMTP_URL") else {
        return Ok(Arc::new(ConsoleMailer));
    };
    let from = var("MAIL_FROM")
        .ok_or_else(|| MailConfigError("SMTP_URL is set, so MAIL_FROM must be too".into()))?;
    let config = SmtpConfig::parse(&url, &from)?;
    tracing::info!(?config, "sending email over SMTP");
    Ok(Arc::new(SmtpMailer::new(&config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Auth examples <no-reply@example.com>";

    fn parse(url: &str) -> SmtpConfig {
        SmtpConfig::parse(url, FROM).unwrap()
    }

    #[test]
    fn smtps_is_implicit_tls_on_465_with_decoded_credentials() {
        let config = parse("smtps://ada%40example.com:p%40ss%2Fword@mail.example.com");
        assert_eq!(config.security, Security::Tls);
        assert_eq!(
            (config.host.as_str(), config.port),
            ("mail.example.com", 465)
        );
        assert_eq!(
            config.credentials,
            Some(("ada@example.com".into(), "p@ss/word".into()))
        );
        assert_eq!(config.from.email.to_string(), "no-reply@example.com");
    }

    #[test]
    fn smtp_is_required_starttls_on_587_and_a_port_can_be_given() {
        let config = parse("smtp://user:se+cret@mail.example.com");
        assert_eq!((config.security, config.port), (Security::StartTls, 587));
        assert_eq!(config.credentials, Some(("user".into(), "se+cret".into())));
        let config = parse("smtp://mail.example.com:2525?tls=required");
        assert_eq!((config.security, config.port), (Security::StartTls, 2525));
        assert_eq!(config.credentials, None);
    }

    #[test]
    fn tls_none_is_a_plain_connection_for_a_local_catcher() {
        let config = parse("smtp://127.0.0.1:1025?tls=none");
        assert_eq!(config.security, Security::None);
        assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 1025));
        assert_eq!(parse("smtp://localhost?tls=none").port, 25);
    }

    #[test]
    fn unusable_urls_and_senders_are_refused_with_the_variable_named() {
        for bad in [
            "http://mail.example.com",
            "smtp://mail.example.com?tls=maybe",
            "smtps://mail.example.com?tls=none",
            "smtp://",
            "not a url",
        ] {
            let err = SmtpConfig::parse(bad, FROM).unwrap_err();
            assert!(err.to_string().contains("SMTP_URL"), "{bad}: {err}");
        }
        let err = SmtpConfig::parse("smtp://mail.example.com", "not an address").unwrap_err();
        assert!(err.to_string().contains("MAIL_FROM"), "{err}");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let config = parse("smtps://user:hunter2@mail.example.com");
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn a_message_has_an_id_on_the_senders_domain_a_date_and_an_html_alternative() {
        let mailer = SmtpMailer::new(&parse("smtp://127.0.0.1:1025?tls=none")).unwrap();
        let mail = Mail {
            to: "ada@example.org".into(),
            subject: "Your code".into(),
            body: "Enter <this> & that:\n\n    K7MQ2XPA\n\nIt expires.\nIgnore it.\n".into(),
        };
        let raw = String::from_utf8(mailer.message(mail).unwrap().formatted()).unwrap();
        let (headers, body) = raw.split_once("\r\n\r\n").unwrap();
        let header = |name: &str| {
            let prefix = format!("{name}: ");
            headers.lines().find_map(|line| line.strip_prefix(&prefix))
        };
        let message_id = header("Message-ID").unwrap();
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@example.com>"),
            "{message_id}"
        );
        assert_eq!(header("MIME-Version"), Some("1.0"));
        assert!(header("Date").is_some(), "{headers}");
        assert!(
            header("Content-Type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        assert!(
            body.contains("\r\n    K7MQ2XPA\r\n"),
            "the text part: {body}"
        );
        assert!(body.contains("Content-Type: text/html"), "{body}");
        for html in [
            "<p>Enter &lt;this&gt; &amp; that:</p>",
            "<p>K7MQ2XPA</p>",
            "<p>It expires.<br>\r\nIgnore it.</p>",
        ] {
            assert!(body.contains(html), "{html} in {body}");
        }
    }

    #[test]
    fn a_transport_builds_for_every_kind_of_protection() {
        for url in [
            "smtps://user:pw@mail.example.com",
            "smtp://mail.example.com",
            "smtp://127.0.0.1:1025?tls=none",
        ] {
            assert!(SmtpMailer::new(&parse(url)).is_ok(), "{url}");
        }
    }
}

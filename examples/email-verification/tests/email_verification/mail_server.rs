//! A real SMTP server on loopback for the tests: `tests/smtp_server.py` (aiosmtpd), started
//! per test. It reports every accepted message on stdout; the tests read codes from there.

use auth_web::mail::{Mailer, SmtpConfig, SmtpMailer};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};

/// One message as the server received it.
#[derive(Debug, serde::Deserialize)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The code in the message: the line that is 8 symbols of the code alphabet.
    pub fn code(&self) -> String {
        self.data
            .lines()
            .map(str::trim)
            .find(|line| {
                line.len() == 8
                    && line
                        .bytes()
                        .all(|b| b"ABCDEFGHIJKMNPQRSTUVWXYZ23456789".contains(&b))
            })
            .unwrap_or_else(|| panic!("no code in {}", self.data))
            .to_owned()
    }

    pub fn subject(&self) -> &str {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or("")
    }
}

pub struct MailServer {
    pub port: u16,
    messages: Mutex<mpsc::UnboundedReceiver<Received>>,
    _process: Child,
}

/// A bound on waiting for a message that the app has already handed over (never a sleep).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

impl MailServer {
    pub async fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_server.py");
        let mut process = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs (and `python3 -m pip install aiosmtpd` was done)");
        let stdout = process.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .unwrap()
            .expect("the SMTP server reports its port (is aiosmtpd installed?)");
        let port = serde_json::from_str::<serde_json::Value>(&first).unwrap()["port"]
            .as_u64()
            .unwrap() as u16;
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let message: Received = serde_json::from_str(&line).unwrap();
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            port,
            messages: Mutex::new(receiver),
            _process: process,
        }
    }

    /// A mailer that delivers to this server over plain SMTP, as `SMTP_URL` would configure.
    pub fn mailer(&self) -> Arc<dyn Mailer> {
        let url = format!("smtp://127.0.0.1:{}?tls=none", self.port);
        let config = SmtpConfig::parse(&url, "Auth examples <no-reply@example.com>").unwrap();
        Arc::new(SmtpMailer::new(&config).unwrap())
    }

    /// The next message the server accepted.
    pub async fn next_mail(&self) -> Received {
        let mut messages = self.messages.lock().await;
        tokio::time::timeout(DELIVERY_TIMEOUT, messages.recv())
            .await
            .expect("a message arrives")
            .expect("the server is running")
    }

    /// The code in the next message, which must be addressed to `to`.
    pub async fn code_for(&self, to: &str) -> String {
        let mail = self.next_mail().await;
        assert_eq!(mail.to, [to], "{mail:?}");
        mail.code()
    }
}

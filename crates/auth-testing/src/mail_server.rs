//! A real SMTP server on loopback for the tests, one per test, in the test process: the
//! `mailin` crate speaks the protocol and a tokio task serves each connection. The app's
//! `SmtpMailer` (lettre) talks to it over TCP as it would to any mail server; every accepted
//! message goes into a channel the tests read codes from.

use auth_web::mail::{Mailer, SmtpConfig, SmtpMailer};
use mailin::response::{NO_MAILBOX, OK};
use mailin::{Action, Handler, Response, SessionBuilder};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};
use tokio::task::{JoinHandle, JoinSet};

/// One message as the server received it: the envelope's recipients and the raw data.
#[derive(Debug)]
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

    /// The message as a reader sees it: quoted-printable undone (soft line breaks joined,
    /// `=E2=80=A2` back to bytes), as a mail client shows the text.
    pub fn text(&self) -> String {
        let joined = self.data.replace("=\r\n", "").replace("=\n", "");
        let mut bytes = Vec::with_capacity(joined.len());
        let mut rest = joined.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            let escaped = (b == b'=')
                .then(|| tail.get(..2))
                .flatten()
                .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
            match escaped {
                Some(byte) => {
                    bytes.push(byte);
                    rest = &tail[2..];
                }
                None => {
                    bytes.push(b);
                    rest = tail;
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    pub fn subject(&self) -> &str {
        self.header("Subject").unwrap_or("")
    }

    /// The value of the message header `name`, if the message has one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.data
            .lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
    }
}

/// One test's SMTP server and the messages it accepted; it stops when dropped.
pub struct MailServer {
    pub port: u16,
    messages: Mutex<mpsc::UnboundedReceiver<Received>>,
    server: JoinHandle<()>,
}

/// A bound on waiting for a message that the app has already handed over (never a sleep).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

impl MailServer {
    /// Listens on 127.0.0.1 at a port the OS picks, and serves until dropped.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            port,
            messages: Mutex::new(receiver),
            server: tokio::spawn(serve(listener, sender)),
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

    /// True when no message is waiting. The server hands a message over before it answers
    /// the app, and the app answers the browser only after that: once a response is in, any
    /// mail sent for it is already here, so this needs no waiting.
    pub async fn nothing_sent(&self) -> bool {
        self.messages.lock().await.is_empty()
    }

    /// The code in the next message, which must be addressed to `to`.
    pub async fn code_for(&self, to: &str) -> String {
        let mail = self.next_mail().await;
        assert_eq!(mail.to, [to], "{mail:?}");
        mail.code()
    }

    /// Stops the server, as a mail outage would: connections are refused from now on.
    pub fn go_down(&self) {
        self.server.abort();
    }
}

impl Drop for MailServer {
    /// Stops accepting; dropping the server task also ends its open connections.
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Accepts connections until aborted. The connections live in a `JoinSet` owned by this task,
/// so aborting it aborts them too.
async fn serve(listener: TcpListener, delivered: mpsc::UnboundedSender<Received>) {
    let mut connections = JoinSet::new();
    while let Ok((stream, peer)) = listener.accept().await {
        let inbox = Inbox::new(delivered.clone());
        connections.spawn(converse(stream, peer.ip(), inbox));
    }
}

/// One SMTP session: each line the client sends goes to `mailin`, and its reply goes back.
async fn converse(stream: TcpStream, peer: IpAddr, inbox: Inbox) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut session = SessionBuilder::new("localhost").build(peer, inbox);
    writer.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).await? > 0 {
        let response = session.process(&line);
        line.clear();
        // Lines of message data get no reply: the buffer is empty then.
        writer.write_all(&response.buffer()?).await?;
        if response.action == Action::Close {
            break;
        }
    }
    Ok(())
}

/// What the server does with mail: refuses recipients at `reject.example`, the way a real
/// server refuses an unknown mailbox, and keeps everything else.
struct Inbox {
    to: Vec<String>,
    data: Vec<u8>,
    delivered: mpsc::UnboundedSender<Received>,
}

impl Inbox {
    fn new(delivered: mpsc::UnboundedSender<Received>) -> Self {
        Self {
            to: Vec::new(),
            data: Vec::new(),
            delivered,
        }
    }
}

impl Handler for Inbox {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.to_ascii_lowercase().ends_with("@reject.example") {
            NO_MAILBOX
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    /// Hands the message to the test before the client hears 250, so a test that saw the app
    /// send a mail finds it in the channel.
    fn data_end(&mut self) -> Response {
        let message = Received {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned(),
        };
        // The test may have finished reading; a message nobody waits for is simply dropped.
        let _ = self.delivered.send(message);
        OK
    }
}

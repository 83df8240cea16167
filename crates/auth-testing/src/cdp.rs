//! A small Chrome DevTools Protocol client: enough to launch headless Chromium, give it a
//! virtual authenticator, open pages, run script in them and wait for page loads.
//! Protocol: <https://chromedevtools.github.io/devtools-protocol/>
//!
//! A browser test calls [`chromium_or_skip`] first: without Chromium it is skipped, loudly,
//! except in CI (`CI` set), where a missing Chromium fails it.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// Upper bound for anything the browser is asked to do; a bound, not a synchronization.
const WAIT: Duration = Duration::from_secs(30);

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// The Chromium to run a browser test with. Without one: in CI (`CI` set) the test fails;
/// elsewhere it says loudly that `test` was skipped and the caller returns.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium not found, and CI requires the browser test {test} (.ci/run installs it)"
        );
        eprintln!(
            "\n*** SKIPPED: chromium not found; the real-browser test {test} did not run ***"
        );
        eprintln!("*** install it with: apt-get install -y chromium chromium-driver ***\n");
    }
    found
}

/// axe-core's script, for an accessibility test: `AXE_CORE_JS` if set, else where `.ci/run`
/// installs it (`npm install --prefix /opt/axe axe-core@4`). Missing: like
/// [`chromium_or_skip`], a failure in CI and a loud skip elsewhere.
pub fn axe_or_skip(test: &str) -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/axe/node_modules/axe-core/axe.min.js"));
    if !path.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "axe-core not found, and CI requires the accessibility test {test} (.ci/run installs it)"
        );
        eprintln!(
            "\n*** SKIPPED: axe-core not found; the accessibility test {test} did not run ***"
        );
        eprintln!("*** install it with: npm install --prefix /opt/axe axe-core@4 ***");
        eprintln!("*** (or point AXE_CORE_JS at axe.min.js) ***\n");
        return None;
    }
    Some(std::fs::read_to_string(&path).expect("axe.min.js reads"))
}

/// What kind of virtual authenticator [`Chromium::add_authenticator`] gives the browser.
pub enum Authenticator {
    /// A platform authenticator that keeps passkeys (discoverable credentials).
    Passkeys,
    /// A USB security key without discoverable credentials.
    SecurityKey,
}

/// The Chromium executable on `PATH`, if one is installed.
pub fn find_chromium() -> Option<PathBuf> {
    let paths: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| paths.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file())
}

/// A headless Chromium and one page (a target attached in flat mode).
pub struct Chromium {
    child: Child,
    profile: PathBuf,
    outgoing: mpsc::UnboundedSender<Message>,
    pending: Pending,
    events: mpsc::UnboundedReceiver<Value>,
    next_id: u64,
    session: Option<String>,
}

impl Chromium {
    /// Starts Chromium with a fresh profile and opens a blank page. The flags keep it from
    /// reaching for the network (this machine has none) and from stalling on first-run work.
    pub async fn launch(executable: &PathBuf) -> Self {
        let profile = std::env::temp_dir().join(format!(
            "auth-chromium-{}",
            auth_core::random::random_string(12)
        ));
        let mut child = Command::new(executable)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let ws_url = tokio::time::timeout(WAIT, devtools_url(stderr))
            .await
            .expect("chromium prints its DevTools address in time");
        let (socket, _) = tokio_tungstenite::connect_async(ws_url.as_str())
            .await
            .expect("the DevTools socket opens");
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let (event_tx, events) = mpsc::unbounded_channel();
        let replies = pending.clone();
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = stream.next().await {
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match value["id"].as_u64() {
                    Some(id) => {
                        let waiter = replies.lock().unwrap().remove(&id);
                        if let Some(waiter) = waiter {
                            let _ = waiter.send(value);
                        }
                    }
                    None => {
                        let _ = event_tx.send(value);
                    }
                }
            }
        });
        let mut chromium = Self {
            child,
            profile,
            outgoing,
            pending,
            events,
            next_id: 0,
            session: None,
        };
        let target = chromium
            .call("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = chromium
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        chromium.session = attached["sessionId"].as_str().map(str::to_owned);
        chromium.call("Page.enable", json!({})).await;
        chromium
    }

    /// Gives the browser a virtual authenticator (the DevTools `WebAuthn` domain) that
    /// verifies its user and answers without asking anyone.
    pub async fn add_authenticator(&mut self, kind: Authenticator) {
        self.call("WebAuthn.enable", json!({})).await;
        let (transport, resident) = match kind {
            Authenticator::Passkeys => ("internal", true),
            Authenticator::SecurityKey => ("usb", false),
        };
        let authenticator = json!({ "options": {
            "protocol": "ctap2",
            "transport": transport,
            "hasResidentKey": resident,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        }});
        self.call("WebAuthn.addVirtualAuthenticator", authenticator)
            .await;
    }

    /// Sends a command (to the page, once attached) and returns its result; panics on an error.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.outgoing
            .send(Message::Text(message.to_string().into()))
            .expect("the socket is open");
        let reply = tokio::time::timeout(WAIT, rx)
            .await
            .unwrap_or_else(|_| panic!("{method} was not answered in time"))
            .expect("the socket stayed open");
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// Evaluates JavaScript in the page (awaiting a returned promise) and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression} threw: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Runs `action` (script that starts a navigation) and waits for the next page load.
    pub async fn until_loaded(&mut self, action: &str) {
        while self.events.try_recv().is_ok() {}
        self.eval(action).await;
        let loaded = tokio::time::timeout(WAIT, async {
            while let Some(event) = self.events.recv().await {
                if event["method"] == "Page.loadEventFired" {
                    return true;
                }
            }
            false
        })
        .await;
        if !matches!(loaded, Ok(true)) {
            let error = self
                .eval("document.querySelector('[data-webauthn-error]')?.textContent ?? ''")
                .await;
            panic!("no page load after {action:?}; the page says {error}");
        }
    }

    pub async fn open(&mut self, url: &str) {
        let navigate = format!("location.assign({})", json!(url));
        self.until_loaded(&navigate).await;
    }
}

/// Reads Chromium's stderr until it names its DevTools WebSocket.
async fn devtools_url(stderr: tokio::process::ChildStderr) -> String {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.strip_prefix("DevTools listening on ") {
            let url = url.trim().to_owned();
            // Keep draining stderr so Chromium never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return url;
        }
    }
    panic!("chromium exited without a DevTools address");
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

//! A simulated browser: its own connection (keep-alive), the headers a browser sends on a
//! same-origin form post, no redirect following, and a fresh client address per form post.

use crate::app::App;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use reqwest::redirect::Policy;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The password of every account the benchmark creates.
pub const PASSWORD: &str = "correct horse battery staple";

/// A request that takes longer than this counts as an error, not a status.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How a request ended: the app's status code, or no answer (timeout, connection error).
pub type Outcome = Result<StatusCode, reqwest::Error>;

/// The answer to a form post.
pub struct Answer {
    pub outcome: Outcome,
    /// The `session` cookie it set, if any.
    pub session: Option<String>,
    /// How long the app asked the client to wait (`Retry-After` on a 503 or 429).
    pub retry_after: Option<Duration>,
}

pub struct Browser {
    http: reqwest::Client,
    base: String,
    origin: String,
}

impl Browser {
    pub fn new(app: &App) -> Self {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("build an HTTP client");
        Self {
            http,
            base: app.base.clone(),
            origin: app.origin.clone(),
        }
    }

    /// `POST /sign-up`; success is 303 with a session cookie.
    pub async fn sign_up(&self, email: &str) -> Answer {
        self.post_form("/sign-up", email).await
    }

    /// `POST /sign-in` with the right password; success is 303 with a session cookie.
    pub async fn sign_in(&self, email: &str) -> Answer {
        self.post_form("/sign-in", email).await
    }

    /// `GET /` with the session cookie `session` (the whole body is read).
    pub async fn home(&self, session: &str) -> Outcome {
        let response = self
            .http
            .get(format!("{}/", self.base))
            .header(COOKIE, format!("session={session}"))
            .send()
            .await?;
        let status = response.status();
        response.bytes().await?;
        Ok(status)
    }

    /// `GET /`'s body, to check that `session` really signs the browser in.
    pub async fn home_text(&self, session: &str) -> String {
        let response = self
            .http
            .get(format!("{}/", self.base))
            .header(COOKIE, format!("session={session}"))
            .send()
            .await
            .expect("GET /");
        response.text().await.expect("the body of GET /")
    }

    /// A form post as a browser sends it from the app's own page. The `X-Forwarded-For`
    /// address is new for every post, so the app's per-address limit on form posts (60 at
    /// once, then one a second) never decides the outcome: the storm measures the sign-in
    /// itself, as many different people signing in at once would.
    async fn post_form(&self, path: &str, email: &str) -> Answer {
        let sent = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.origin)
            .header("Sec-Fetch-Site", "same-origin")
            .header("X-Forwarded-For", next_client_address())
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return Answer::failed(e),
        };
        let status = response.status();
        let session = session_cookie(&response);
        let retry_after = retry_after(&response);
        match response.bytes().await {
            Ok(_) => Answer {
                outcome: Ok(status),
                session,
                retry_after,
            },
            Err(e) => Answer::failed(e),
        }
    }
}

impl Answer {
    fn failed(error: reqwest::Error) -> Self {
        Self {
            outcome: Err(error),
            session: None,
            retry_after: None,
        }
    }
}

/// `Retry-After` in seconds, as the app sends it.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    seconds.parse().ok().map(Duration::from_secs)
}

/// The value of the `session` cookie a response sets, if any.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("session="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// 10.0.0.1, 10.0.0.2, …: a different private address each call (16 million before reuse).
fn next_client_address() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
    format!("10.{}.{}.{}", n >> 16, (n >> 8) & 0xff, n & 0xff)
}

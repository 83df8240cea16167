//! The three measurements: one client signing in alone, a signed-in client reading pages on
//! an idle app, and storms of concurrent sign-ins with a page reader and a memory sampler.

use crate::app::{App, ProcSample, machine_cpu_time, own_cpu_time};
use crate::browser::Browser;
use crate::stats::{Latencies, Tally};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Requests sent and thrown away before a sequential measurement, so that connection set-up
/// and first-use costs (page caches, SQLite statements) are not measured.
const WARM_UP: usize = 3;

/// How often the sampler reads `/proc/<pid>/status` during a storm.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Creates one account per email through `POST /sign-up`, a few at a time.
pub async fn create_accounts(app: &App, emails: &[String], at_once: usize) {
    let mut tasks = JoinSet::new();
    for chunk in emails.chunks(emails.len().div_ceil(at_once.max(1))) {
        let browser = Browser::new(app);
        let chunk = chunk.to_vec();
        tasks.spawn(async move {
            for email in chunk {
                let status = browser
                    .sign_up(&email)
                    .await
                    .outcome
                    .expect("POST /sign-up answered");
                assert_eq!(status, StatusCode::SEE_OTHER, "sign-up of {email}");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a sign-up task");
    }
}

/// Signs `email` in and returns the session cookie, checking that it shows the home page
/// signed in.
pub async fn signed_in_session(browser: &Browser, email: &str) -> String {
    let answer = browser.sign_in(email).await;
    assert_eq!(
        answer.outcome.expect("POST /sign-in answered"),
        StatusCode::SEE_OTHER
    );
    let session = answer
        .session
        .expect("a session cookie from a successful sign-in");
    let page = browser.home_text(&session).await;
    assert!(
        page.contains(email),
        "GET / does not show {email} signed in"
    );
    session
}

/// Measurement 1, single sign-in time: one client signs in `n` times in a row, each timed
/// from sending `POST /sign-in` to having read the 303 answer. With nothing else running this
/// is the full cost of one sign-in — mostly the argon2id verification, plus half a dozen store
/// round trips — so `cores / median` is the most sign-ins per second the machine can do.
pub async fn single_sign_in(app: &App, email: &str, n: usize) -> Latencies {
    let browser = Browser::new(app);
    let mut times = Latencies::default();
    for i in 0..WARM_UP + n {
        let started = Instant::now();
        let outcome = browser.sign_in(email).await.outcome;
        let took = started.elapsed();
        assert_eq!(
            outcome.expect("POST /sign-in answered"),
            StatusCode::SEE_OTHER
        );
        if i >= WARM_UP {
            times.push(took);
        }
    }
    times
}

/// Measurement 2, idle page latency: a signed-in client GETs `/` `n` times in a row, each
/// timed from sending the request to having read the whole page: the session check (one
/// `BatchGetItem`) plus rendering, with nothing else running.
pub async fn idle_pages(browser: &Browser, session: &str, n: usize) -> Latencies {
    let mut times = Latencies::default();
    for i in 0..WARM_UP + n {
        let started = Instant::now();
        let outcome = browser.home(session).await;
        let took = started.elapsed();
        assert_eq!(outcome.expect("GET / answered"), StatusCode::OK);
        if i >= WARM_UP {
            times.push(took);
        }
    }
    times
}

/// What one storm measured.
pub struct Storm {
    pub clients: usize,
    pub duration: Duration,
    /// From the start of the storm until the last sign-in sent during it was answered: the
    /// storm plus the drain of the sign-ins still running at its end.
    pub busy: Duration,
    /// Every sign-in sent during the storm, by answer (303 is a success).
    pub sign_ins: Tally,
    /// How long the successful sign-ins took, each from sending to answer.
    pub sign_in_latency: Latencies,
    /// Pages requested during the storm, by status.
    pub pages: Tally,
    /// Latencies of the pages requested during the storm and answered 200.
    pub page_latency: Latencies,
    /// The highest RSS and thread count sampled from the start of the storm until every
    /// request sent during it was answered.
    pub peak: ProcSample,
    /// RSS and threads a few seconds after the last request was answered.
    pub settled: ProcSample,
    /// CPU the app used during the storm, in cores (2.0 = both cores all the time).
    pub app_cores: f64,
    /// CPU this benchmark (the load generator) used during the storm, in cores.
    pub bench_cores: f64,
    /// CPU every other process on the machine used during the storm, in cores: well above
    /// zero means the figures were measured on a machine busy with something else.
    pub other_cores: f64,
}

impl Storm {
    /// Successful sign-ins per second: all of them over [`Storm::busy`]. Counting only the
    /// answers before the end of the storm would miss the work done on the sign-ins still
    /// running then, which at 128 clients is several seconds' worth.
    pub fn rate(&self) -> f64 {
        self.sign_ins.get(303) as f64 / self.busy.as_secs_f64()
    }
}

/// Measurement 3, a storm: `emails.len()` clients, each with its own account, sign in over
/// and over for `duration`, each waiting for its answer before sending the next. Meanwhile
/// `reader` (signed in with `session`) GETs `/` over and over, and a sampler reads the app's
/// RSS every 50 ms. Sign-ins still running at the end are awaited, sampled and counted; no
/// new ones are sent. `settle` after the last answer the RSS is read once more.
pub async fn storm(
    app: &App,
    emails: &[String],
    reader: &Browser,
    session: &str,
    duration: Duration,
    settle: Duration,
) -> Storm {
    let before = app.sample().expect("the app is running");
    let bench_cpu_before = own_cpu_time();
    let machine_cpu_before = machine_cpu_time();
    let started = Instant::now();
    let end = started + duration;

    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn(sample_peak(app.pid, before, sampling.clone()));
    let mut signing_in = JoinSet::new();
    for email in emails {
        signing_in.spawn(sign_in_until(Browser::new(app), email.clone(), end));
    }
    let (pages, page_latency) = pages_until(reader, session, end).await;
    let mut sign_ins = Tally::default();
    let mut sign_in_latency = Latencies::default();
    while let Some(client) = signing_in.join_next().await {
        let (answers, latency) = client.expect("a sign-in client");
        sign_ins.merge(&answers);
        sign_in_latency.extend(latency);
    }
    sampling.store(false, Ordering::Relaxed);
    let peak = sampler.await.expect("the sampler");
    let elapsed = started.elapsed();
    let after = app.sample().expect("the app is running");
    let bench_cpu = own_cpu_time().saturating_sub(bench_cpu_before);
    let machine_cpu = machine_cpu_time().saturating_sub(machine_cpu_before);
    let app_cpu = after.cpu.saturating_sub(before.cpu);
    let cores = |cpu: Duration| cpu.as_secs_f64() / elapsed.as_secs_f64();

    tokio::time::sleep(settle).await;
    Storm {
        clients: emails.len(),
        duration,
        busy: elapsed,
        sign_ins,
        sign_in_latency,
        pages,
        page_latency,
        peak,
        settled: app.sample().expect("the app is running"),
        app_cores: cores(app_cpu),
        bench_cores: cores(bench_cpu),
        other_cores: cores(machine_cpu.saturating_sub(app_cpu + bench_cpu)),
    }
}

/// One storm client: sign in, read the answer, repeat until `end`. Returns the answers and
/// the latencies of the successful ones. Like a person or a well-behaved client, it waits as
/// long as `Retry-After` says before trying again: a client that retries a 503 at once is a
/// flood, which the app sheds but which still takes CPU from the sign-ins it is running.
async fn sign_in_until(browser: Browser, email: String, end: Instant) -> (Tally, Latencies) {
    let mut answers = Tally::default();
    let mut latency = Latencies::default();
    while Instant::now() < end {
        let started = Instant::now();
        let answer = browser.sign_in(&email).await;
        answers.count(&answer.outcome);
        if answer.outcome.is_ok_and(|s| s == StatusCode::SEE_OTHER) {
            latency.push(started.elapsed());
        }
        if let Some(wait) = answer.retry_after {
            tokio::time::sleep_until((Instant::now() + wait).min(end).into()).await;
        }
    }
    (answers, latency)
}

/// The page reader during a storm: `GET /`, timed, repeat until `end`. A page sent before
/// `end` counts even if answered after it: the slowest pages are the point.
async fn pages_until(browser: &Browser, session: &str, end: Instant) -> (Tally, Latencies) {
    let mut tally = Tally::default();
    let mut latency = Latencies::default();
    while Instant::now() < end {
        let started = Instant::now();
        let outcome = browser.home(session).await;
        tally.count(&outcome);
        if outcome.is_ok_and(|s| s == StatusCode::OK) {
            latency.push(started.elapsed());
        }
    }
    (tally, latency)
}

/// Reads `/proc` every [`SAMPLE_EVERY`] while `running`, keeping the highest RSS and threads.
async fn sample_peak(pid: u32, first: ProcSample, running: Arc<AtomicBool>) -> ProcSample {
    let mut peak = first;
    while running.load(Ordering::Relaxed) {
        tokio::time::sleep(SAMPLE_EVERY).await;
        if let Some(now) = ProcSample::read(pid) {
            peak.rss_kib = peak.rss_kib.max(now.rss_kib);
            peak.threads = peak.threads.max(now.threads);
            peak.cpu = now.cpu;
        }
    }
    peak
}

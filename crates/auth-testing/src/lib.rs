//! Test harness: a fresh table on a real DynamoDB API for every test, and the real app on a
//! random port driven by a cookie-keeping HTTP client that sends what a browser sends.
//!
//! By default each test gets its own in-memory Dynoxide server. With `TEST_DYNAMODB_ENDPOINT`
//! set, tests use that endpoint instead, each with a uniquely named table deleted afterwards.
//!
//! Beside it: [`mail_server`], a real SMTP server on loopback to read mailed codes from;
//! [`cdp`], headless Chromium driven over the DevTools protocol (with a virtual
//! authenticator); and [`log`], the log lines one test causes.

pub mod cdp;
pub mod log;
pub mod mail_server;

use auth_core::hasher::Hasher;
use auth_core::table::{PK, SK};
use auth_core::{Clock, Table};
use auth_web::calls::Calls;
use auth_web::config::{Backend, Config};
use auth_web::dynamo::{EmbeddedServer, local_client};
use auth_web::server::{Server, accept_loop};
use auth_web::state::AppState;
use aws_sdk_dynamodb::types::AttributeValue;
use axum::Router;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Response, StatusCode, Url, header};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tracing_subscriber::EnvFilter;

fn test_endpoint() -> Option<String> {
    std::env::var("TEST_DYNAMODB_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

fn unique_table_name() -> String {
    format!("auth-test-{}", auth_core::random::random_string(12))
}

/// A clock that stands still at the current time; tests move it with `advance`.
pub fn manual_clock() -> Clock {
    Clock::manual(
        OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .expect("0 is valid"),
    )
}

/// Moves `clock` to the next instant at which a window of each of these lengths starts. Rate
/// limits count in fixed windows aligned to the Unix epoch, so that instant is a multiple of
/// the least common multiple of the lengths. From there a test knows what each limit holds and
/// each `Retry-After` exactly, whatever the time the test started.
pub fn start_windows(clock: &Clock, windows: &[time::Duration]) {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let period = windows
        .iter()
        .map(|w| w.whole_seconds())
        .fold(1, |a, b| a / gcd(a, b) * b);
    let into = clock.now().unix_timestamp().rem_euclid(period);
    if into != 0 {
        clock.advance(time::Duration::seconds(period - into));
    }
}

/// An item as the DynamoDB API returns it.
pub type Item = HashMap<String, AttributeValue>;

/// Every item in the table, read consistently: what tests assert the table holds.
pub async fn scan_all(table: &Table) -> Vec<Item> {
    table
        .client()
        .scan()
        .table_name(table.name())
        .consistent_read(true)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scan works")
}

/// The stored item with this primary key, read consistently.
pub async fn get_item(table: &Table, pk: &str, sk: &str) -> Option<Item> {
    table
        .client()
        .get_item()
        .table_name(table.name())
        .key(PK, AttributeValue::S(pk.into()))
        .key(SK, AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem works")
        .item
}

/// Deletes the whole table (the apps never do; tests do, to clean up or to simulate an outage).
pub async fn delete_table(table: &Table) -> Result<(), auth_core::Error> {
    table
        .client()
        .delete_table()
        .table_name(table.name())
        .send()
        .await?;
    Ok(())
}

/// Deletes a test table on an external endpoint when dropped, from a thread of its own so
/// that it works from inside any runtime.
struct DropTable {
    endpoint: String,
    name: String,
}

impl Drop for DropTable {
    fn drop(&mut self) {
        let (endpoint, name) = (self.endpoint.clone(), self.name.clone());
        let deleted = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(delete_table(&Table::new(local_client(&endpoint), name)))?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if !matches!(deleted, Ok(Ok(()))) {
            eprintln!("warning: could not delete test table {}", self.name);
        }
    }
}

/// A created, empty table with a manual clock, for testing auth-core directly.
pub struct TestTable {
    pub table: Table,
    _server: Option<EmbeddedServer>,
    _drop: Option<DropTable>,
}

impl std::ops::Deref for TestTable {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.table
    }
}

/// A fresh table for one test (see the module docs for where it lives).
pub async fn test_table() -> TestTable {
    let (client, server, drop) = match test_endpoint() {
        Some(endpoint) => {
            let name = unique_table_name();
            let drop = DropTable {
                endpoint: endpoint.clone(),
                name,
            };
            (local_client(&endpoint), None, Some(drop))
        }
        None => {
            let db = dynoxide::Database::memory().expect("an in-memory database opens");
            let server = EmbeddedServer::start(db)
                .await
                .expect("the test store starts");
            (local_client(&server.endpoint), Some(server), None)
        }
    };
    let name = drop.as_ref().map_or("auth".to_owned(), |d| d.name.clone());
    let table = Table::new(client, name).with_clock(manual_clock());
    table
        .ensure_table()
        .await
        .expect("the test table is created");
    TestTable {
        table,
        _server: server,
        _drop: drop,
    }
}

/// The app under test, listening on a random port.
pub struct TestApp {
    /// The app's origin, e.g. `http://localhost:41234`.
    pub base: Url,
    pub state: AppState,
    answered: Answered,
    stop: Option<oneshot::Sender<()>>,
    _drop: Option<DropTable>,
}

/// Starts the app with `routes` on a fresh table, a random port and a manual clock.
pub async fn spawn_app(
    app_name: &str,
    routes: impl FnOnce(&AppState) -> Router<AppState>,
) -> TestApp {
    spawn_app_with(app_name, |_| {}, routes).await
}

/// The app's log, at `warn` unless `RUST_LOG` says otherwise, written through the test
/// harness: a passing test's log stays hidden, a failing test's is shown with it.
fn init_log() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .with_ansi(false)
        .try_init();
}

/// [`spawn_app`] with a configuration changed by `configure` first (a short timeout, one
/// hashing thread).
pub async fn spawn_app_with(
    app_name: &str,
    configure: impl FnOnce(&mut Config),
    routes: impl FnOnce(&AppState) -> Router<AppState>,
) -> TestApp {
    init_log();
    let mut config = Config::for_tests(app_name);
    configure(&mut config);
    let drop = test_endpoint().map(|endpoint| {
        config.table_name = unique_table_name();
        config.backend = Backend::Endpoint(endpoint.clone());
        DropTable {
            endpoint,
            name: config.table_name.clone(),
        }
    });
    let server = Server::build(config).await.expect("the app starts");
    let server = server.with_clock(manual_clock());
    let state = server.state().clone();
    let answered = Answered::default();
    let app = auth_web::server::app(state.clone(), routes(&state)).layer(
        axum::middleware::from_fn_with_state(answered.clone(), note_calls),
    );
    let base = state.origin().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_app(app, async {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        state,
        answered,
        stop: Some(stop),
        _drop: drop,
    }
}

/// The DynamoDB calls of the last request the app answered.
#[derive(Clone, Default)]
struct Answered(Arc<std::sync::Mutex<Option<Calls>>>);

/// Notes a request's calls (attached by `auth_web::internals`) before the answer leaves.
async fn note_calls(
    axum::extract::State(answered): axum::extract::State<Answered>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let calls = response
        .extensions()
        .get::<Calls>()
        .cloned()
        .unwrap_or_default();
    *answered.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(calls);
    response
}

impl TestApp {
    pub fn table(&self) -> &Table {
        &self.state.table
    }

    /// What the last request cost: its operations, sorted (calls made in parallel finish in
    /// any order), and its sequential round trips.
    pub fn last_cost(&self) -> (Vec<String>, usize) {
        let calls = self.last_calls();
        let operations = calls.operations().iter().map(|s| s.to_string()).collect();
        (sorted(operations), calls.round_trips())
    }

    /// The DynamoDB calls of the last request this app answered.
    /// Counting calls is not timing: the same action always makes the same calls.
    pub fn last_calls(&self) -> Calls {
        let answered = self.answered.0.lock().unwrap_or_else(|e| e.into_inner());
        answered.clone().expect("the app answered a request")
    }

    /// A second instance of the app, as behind a load balancer: its own router, hashing pool
    /// and port, on this instance's table, clock and public origin. Returns its base URL
    /// (`localhost` too, so a browser sends it the same cookies).
    pub async fn another_instance(
        &self,
        routes: impl FnOnce(&AppState) -> Router<AppState>,
    ) -> Url {
        let state = AppState {
            hasher: Hasher::new(self.state.config.max_concurrent_hashes),
            ..self.state.clone()
        };
        let routes = routes(&state);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("a bound port").port();
        let config = state.config.clone();
        let app = auth_web::server::app(state, routes);
        tokio::spawn(
            async move { accept_loop(listener, app, &config, std::future::pending()).await },
        );
        Url::parse(&format!("http://localhost:{port}")).expect("a valid URL")
    }

    pub fn clock(&self) -> &Clock {
        self.table().clock()
    }

    /// A new browser: its own cookie jar, no shared state with other browsers.
    pub fn browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            // Port 0: the port comes from each URL (instances of the app differ only in it).
            .resolve("localhost", ([127, 0, 0, 1], 0).into())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) auth-examples-test")
            .build()
            .expect("a client builds");
        Browser {
            base: self.base.clone(),
            client,
            jar,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// One browser: a cookie jar and the headers a browser sends with a form post.
pub struct Browser {
    pub base: Url,
    pub client: reqwest::Client,
    jar: Arc<Jar>,
}

impl Browser {
    pub fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("a valid path")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET is answered")
    }

    /// Posts a form as a page of the app itself would.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let origin = self.base.origin().ascii_serialization();
        self.post_from(&origin, path, form).await
    }

    /// `POST /sign-up` with an email and a password, as the shared sign-up form sends them.
    pub async fn sign_up(&self, email: &str, password: &str) -> Response {
        self.post("/sign-up", &[("email", email), ("password", password)])
            .await
    }

    /// `POST /sign-in` with an email and a password, as the shared sign-in form sends them.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post("/sign-in", &[("email", email), ("password", password)])
            .await
    }

    /// Posts a form to another instance of the app (at `base`), as this app's own page would:
    /// the public origin is the same, whichever instance answers.
    pub async fn post_at(&self, base: &Url, path: &str, form: &[(&str, &str)]) -> Response {
        let origin = self.base.origin().ascii_serialization();
        self.client
            .post(base.join(path).expect("a valid path"))
            .header(header::ORIGIN, origin)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .expect("POST is answered")
    }

    /// Posts a form with the given `Origin`, as a page on that site would.
    pub async fn post_from(&self, origin: &str, path: &str, form: &[(&str, &str)]) -> Response {
        let own = origin == self.base.origin().ascii_serialization();
        self.client
            .post(self.url(path))
            .header(header::ORIGIN, origin)
            .header(
                "sec-fetch-site",
                if own { "same-origin" } else { "cross-site" },
            )
            .form(form)
            .send()
            .await
            .expect("POST is answered")
    }

    /// The value of a cookie in the jar, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&self.base)?;
        let cookies = header.to_str().ok()?.to_owned();
        cookies.split("; ").find_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
    }

    /// Puts a cookie in the jar, as if a server (or an attacker with the browser) had.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &self.base);
    }
}

/// The signed-in user's email as the home page shows it, or `None` when signed out (or sent
/// elsewhere, as to a second factor).
pub async fn signed_in_as(browser: &Browser) -> Option<String> {
    let response = browser.get("/").await;
    if response.status() != StatusCode::OK {
        return None;
    }
    let page = response.text().await.unwrap();
    let start = page.find("You are signed in as <strong>")? + "You are signed in as <strong>".len();
    let end = page[start..].find("</strong>")? + start;
    Some(page[start..end].to_owned())
}

/// Whether the home page shows `email` as signed in.
pub async fn is_signed_in_as(browser: &Browser, email: &str) -> bool {
    signed_in_as(browser).await.as_deref() == Some(email)
}

/// A response's status and body.
pub async fn status_and_text(response: Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
}

/// The page a response carries (any status: refusals and error pages are pages too),
/// checked: a whole HTML page, [`assert_accessible`], and one main action at most.
pub async fn checked_page(what: &str, response: Response) -> String {
    let (status, page) = status_and_text(response).await;
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{what}: {status} is not a page: {page}"
    );
    assert_accessible(&page);
    let primary = primary_actions(&page);
    assert!(
        primary.len() <= 1,
        "{what}: more than one main action: {primary:?}"
    );
    page
}

/// DynamoDB operations, sorted as [`TestApp::last_cost`] gives them.
pub fn ops(list: &[&str]) -> Vec<String> {
    sorted(list.iter().map(|s| s.to_string()).collect())
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

/// The `Location` a redirect points to.
pub fn location(response: &Response) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The message a page shows beside its field `name`: the text of the element the field's
/// `aria-describedby` names first, when the field is marked `aria-invalid="true"`. `None`
/// when no field of that name is marked invalid.
pub fn invalid_field_message(html: &str, name: &str) -> Option<String> {
    use scraper::{Html, Selector};

    let document = Html::parse_document(html);
    let select = |css: &str| {
        let selector = Selector::parse(css).expect("a valid selector");
        document.select(&selector).next()
    };
    let field = select(&format!(r#"[name="{name}"][aria-invalid="true"]"#))?;
    let id = field
        .value()
        .attr("aria-describedby")?
        .split_whitespace()
        .next()?;
    let message = select(&format!(r#"[id="{id}"]"#))?;
    Some(message.text().collect::<String>().trim().to_owned())
}

/// The text of each filled button in a page's `<main>`: a `<button>` or a `.button` link that
/// the stylesheet fills, which is one that is not `.quiet` or `.danger`, not in a table, and
/// not a provider choice. A page has at most one: its main action (`crate::view::ButtonKind`).
pub fn primary_actions(html: &str) -> Vec<String> {
    use scraper::{ElementRef, Html, Selector};

    let document = Html::parse_document(html);
    let selector = Selector::parse("main button, main a.button").expect("a valid selector");
    document
        .select(&selector)
        .filter(|e| {
            let classes = e.value().attr("class").unwrap_or_default();
            let quiet = ["quiet", "danger", "provider"]
                .iter()
                .any(|c| classes.split_whitespace().any(|class| class == *c));
            let in_table = e
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "table");
            !quiet && !in_table
        })
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// Checks what a page needs to be usable with a screen reader and a keyboard, and that an
/// HTML parser can check without a browser; panics with every problem found and the page.
///
/// - `<html lang>` is set; there is exactly one `<main>` and one `<h1>`;
/// - every field (`<input>` other than hidden or a button, `<select>`, `<textarea>`) has a
///   label: a wrapping `<label>`, a `<label for>`, `aria-label` or `aria-labelledby`;
/// - every `<img>` has `alt`; every button and link has text (or `aria-label`);
/// - ids are unique, and `aria-describedby` / `aria-labelledby` point at existing ids;
/// - no `<!>` hydration markers are left in the page (these pages are never hydrated).
///
/// Colours, focus order and the like need a browser: see the passkeys example's axe-core test.
pub fn assert_accessible(html: &str) {
    let problems = accessibility_problems(html);
    assert!(
        problems.is_empty(),
        "accessibility problems:\n- {}\nin the page:\n{html}",
        problems.join("\n- ")
    );
}

/// The problems [`assert_accessible`] reports, one sentence each.
pub fn accessibility_problems(html: &str) -> Vec<String> {
    use scraper::{ElementRef, Html, Selector};

    let document = Html::parse_document(html);
    let select = |css: &str| {
        let selector = Selector::parse(css).expect("a valid selector");
        document.select(&selector).collect::<Vec<ElementRef<'_>>>()
    };
    let text = |e: &ElementRef<'_>| e.text().collect::<String>().trim().to_owned();
    let attr = |e: &ElementRef<'_>, name: &str| {
        e.value()
            .attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let describe = |e: &ElementRef<'_>| {
        let html = e.html();
        match html.find('>') {
            Some(end) => html[..=end].to_owned(),
            None => html,
        }
    };
    let mut problems = Vec::new();

    if select("html[lang]")
        .iter()
        .all(|e| attr(e, "lang").is_none())
    {
        problems.push("<html> has no lang".to_owned());
    }
    for (element, what) in [("main", "<main>"), ("h1", "<h1>")] {
        let count = select(element).len();
        if count != 1 {
            problems.push(format!("{count} {what} elements, not exactly one"));
        }
    }

    let mut ids = std::collections::HashSet::new();
    for element in select("[id]") {
        let id = element.value().attr("id").unwrap_or_default();
        if !ids.insert(id.to_owned()) {
            problems.push(format!("the id {id:?} is used twice"));
        }
    }
    for element in select("[aria-describedby], [aria-labelledby]") {
        for name in ["aria-describedby", "aria-labelledby"] {
            for id in element
                .value()
                .attr(name)
                .unwrap_or_default()
                .split_whitespace()
            {
                if !ids.contains(id) {
                    problems.push(format!(
                        "{} points at a missing id {id:?}",
                        describe(&element)
                    ));
                }
            }
        }
    }

    let labelled_for: std::collections::HashSet<String> = select("label[for]")
        .iter()
        .filter_map(|l| attr(l, "for"))
        .collect();
    for field in select("input, select, textarea") {
        let kind = field.value().attr("type").unwrap_or("text");
        if field.value().name() == "input"
            && ["hidden", "submit", "button", "reset", "image"].contains(&kind)
        {
            continue;
        }
        let wrapped = field
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "label" && !text(&a).is_empty());
        let named = attr(&field, "aria-label").is_some()
            || attr(&field, "aria-labelledby").is_some()
            || attr(&field, "id").is_some_and(|id| labelled_for.contains(&id));
        if !wrapped && !named {
            problems.push(format!("{} has no label", describe(&field)));
        }
    }

    for image in select("img") {
        if image.value().attr("alt").is_none() {
            problems.push(format!("{} has no alt", describe(&image)));
        }
    }
    for control in select("button, a[href]") {
        if text(&control).is_empty() && attr(&control, "aria-label").is_none() {
            problems.push(format!("{} has no text", describe(&control)));
        }
    }

    if html.contains("<!>") {
        problems.push("a <!> hydration marker is left in the page".to_owned());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::accessibility_problems;

    #[test]
    fn a_good_page_passes() {
        let page = r#"<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>
            <main><h1>T</h1><form>
            <label><span>Email</span><input name="email" aria-describedby="e"></label>
            <p id="e">Wrong.</p>
            <label for="p">Password</label><input id="p" type="password">
            <input type="hidden" name="x"><button>Go</button>
            <img src="a.png" alt=""></form></main></body></html>"#;
        assert_eq!(accessibility_problems(page), Vec::<String>::new());
    }

    #[test]
    fn each_problem_is_found() {
        let page = r#"<!DOCTYPE html><html><body><main><h1>A</h1><h1>B</h1>
            <input name="q"><label><input name="empty-label"></label><select></select>
            <img src="a.png"><button> </button><a href="/x"></a>
            <p id="d">x</p><p id="d">y</p><input aria-label="ok" aria-describedby="missing">
            <!></main><main></main></body></html>"#;
        let problems = accessibility_problems(page).join("\n");
        for expected in [
            "<html> has no lang",
            "2 <main> elements",
            "2 <h1> elements",
            r#"<input name="q"> has no label"#,
            r#"<input name="empty-label"> has no label"#,
            "<select> has no label",
            r#"<img src="a.png"> has no alt"#,
            "<button> has no text",
            r#"<a href="/x"> has no text"#,
            r#"the id "d" is used twice"#,
            r#"points at a missing id "missing""#,
            "hydration marker",
        ] {
            assert!(
                problems.contains(expected),
                "{expected:?} not in:\n{problems}"
            );
        }
    }
}

//! The app under test, browsers, and an authenticator app of the test's own: codes are
//! computed by totp-rs (not the app's implementation) from the key the setup page shows.

use auth_core::encryption::EncryptionKey;
use auth_testing::mail_server::MailServer;
use auth_testing::{Browser, Item, TestApp, location, scan_all, spawn_app};
pub use auth_testing::{signed_in_as, status_and_text};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;
use time::Duration;
use totp_rs::{Secret, Totp};

pub const PASSWORD: &str = "correct horse battery";
pub const NEW_PASSWORD: &str = "a brand new passphrase";

/// The app, the SMTP server its mail goes to, and the key its instances seal TOTP keys with.
pub struct Example {
    pub app: TestApp,
    pub mail: MailServer,
    sealing: EncryptionKey,
}

impl std::ops::Deref for Example {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub async fn spawn() -> Example {
    let mail = MailServer::start().await;
    let sealing = EncryptionKey::generate();
    let (mailer, key) = (mail.mailer(), sealing.clone());
    let app = spawn_app("two-factor", move |state| {
        two_factor::routes(state, mailer, key).expect("the example starts")
    })
    .await;
    Example { app, mail, sealing }
}

/// The routes for a second instance of the app on the same table, with the same key (as
/// every instance gets the same `ENCRYPTION_KEY`).
pub fn routes_of(
    example: &Example,
) -> impl FnOnce(&auth_web::AppState) -> axum::Router<auth_web::AppState> {
    let (mailer, key) = (example.mail.mailer(), example.sealing.clone());
    move |state| two_factor::routes(state, mailer, key).expect("the example starts")
}

/// A browser with a fresh account, signed in.
pub async fn signed_up(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post("/sign-up", &[("email", email), ("password", PASSWORD)])
        .await;
    let to = location(&response).to_owned();
    assert_eq!(to, "/", "{}", response.text().await.unwrap());
    browser
}

pub async fn sign_out(browser: &Browser) {
    let response = browser.post("/sign-out", &[]).await;
    assert_eq!(location(&response), "/");
}

/// The text between `before` and the next `after` in `page`.
pub fn between<'a>(page: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = page.find(before)? + before.len();
    let end = page[start..].find(after)? + start;
    Some(&page[start..end])
}

/// The test's own authenticator app for a key shown on the setup page.
pub struct App(Totp);

impl App {
    /// From the base32 text the page shows (in groups of four).
    pub fn from_shown_key(shown: &str) -> Self {
        let secret = Secret::try_from_base32(shown.replace(' ', "")).expect("base32");
        let totp = totp_rs::Builder::new()
            .with_secret(secret)
            .build()
            .expect("a valid key");
        Self(totp)
    }

    /// The code the app shows at the app's (test-controlled) time.
    pub fn code(&self, app: &TestApp) -> String {
        self.code_at(app, Duration::ZERO)
    }

    /// The code `offset` from the app's time.
    pub fn code_at(&self, app: &TestApp, offset: Duration) -> String {
        let at = (app.clock().now() + offset).unix_timestamp();
        self.0.generate(at as u64).to_string()
    }
}

/// What the setup page shows: the QR code's text, the key as typed, and the hidden key.
pub struct SetupPage {
    pub page: String,
    pub shown_key: String,
    pub hidden_key: String,
}

pub async fn setup_page(browser: &Browser) -> SetupPage {
    let response = browser.get("/settings/two-factor/totp").await;
    assert_eq!(response.status(), StatusCode::OK, "{}", location(&response));
    let page = response.text().await.unwrap();
    let shown_key = between(&page, "<code data-totp-key>", "</code>")
        .expect("the key is shown")
        .to_owned();
    let hidden_key = between(&page, "name=\"key\" value=\"", "\"")
        .expect("the form carries the key")
        .to_owned();
    SetupPage {
        page,
        shown_key,
        hidden_key,
    }
}

/// Sets up the authenticator app in a signed-in (fresh) browser; returns the test's app and
/// the recovery codes shown (none when it was not the first factor).
pub async fn set_up_totp(example: &TestApp, browser: &Browser) -> (App, Vec<String>) {
    let setup = setup_page(browser).await;
    let app = App::from_shown_key(&setup.shown_key);
    let response = browser
        .post(
            "/settings/two-factor/totp",
            &[("key", &setup.hidden_key), ("code", &app.code(example))],
        )
        .await;
    if location(&response) == "/settings/two-factor?done=totp" {
        return (app, Vec::new());
    }
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let codes = recovery_codes_on(&page);
    (app, codes)
}

/// The recovery codes a page shows.
pub fn recovery_codes_on(page: &str) -> Vec<String> {
    let Some((_, list)) = page.split_once(r#"<ol class="recovery-codes">"#) else {
        return Vec::new();
    };
    let list = list.split_once("</ol>").map_or(list, |(list, _)| list);
    list.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</code>").map(|(code, _)| code.to_owned()))
        .collect()
}

/// Posts a second factor on the sign-in step.
pub async fn pass(browser: &Browser, method: &str, code: &str) -> Response {
    browser
        .post(
            "/two-factor",
            &[("method", method), ("code", code), ("next", "/")],
        )
        .await
}

/// Moves the app's clock to the start of the next 30-second step, so a new code is due.
pub fn next_step(app: &TestApp) {
    let now = app.clock().now().unix_timestamp();
    app.clock()
        .advance(Duration::seconds(30 - now.rem_euclid(30)));
}

/// A browser with an account whose authenticator app is set up, signed out; the test's app
/// and the recovery codes.
pub async fn with_totp(example: &TestApp, email: &str) -> (Browser, App, Vec<String>) {
    let browser = signed_up(example, email).await;
    let (app, codes) = set_up_totp(example, &browser).await;
    sign_out(&browser).await;
    (browser, app, codes)
}

/// Every item but rate-limit counters.
pub async fn items(app: &TestApp) -> Vec<Item> {
    scan_all(app.table())
        .await
        .into_iter()
        .filter(|i| !matches!(i.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("RATE#")))
        .collect()
}

pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{name} is not a string: {other:?}"),
    }
}

/// The session item of a browser (from its cookie).
pub async fn session_item(app: &TestApp, browser: &Browser) -> Item {
    let cookie = browser.cookie("session").expect("a session cookie");
    let mut parts = cookie.split('.');
    let (uid, sid) = (parts.next().unwrap(), parts.next().unwrap());
    auth_testing::get_item(
        app.table(),
        &format!("USER#{uid}"),
        &format!("SESSION#{sid}"),
    )
    .await
    .expect("the session is stored")
}

/// POSTs JSON as a page's script does (fetch sends the page's Origin).
pub async fn post_json(browser: &Browser, path: &str, body: &Value) -> Response {
    post_json_to(browser, &browser.url(path), body).await
}

pub async fn post_json_to(browser: &Browser, url: &Url, body: &Value) -> Response {
    browser
        .client
        .post(url.clone())
        .header(
            reqwest::header::ORIGIN,
            browser.base.origin().ascii_serialization(),
        )
        .header("sec-fetch-site", "same-origin")
        .json(body)
        .send()
        .await
        .expect("POST is answered")
}

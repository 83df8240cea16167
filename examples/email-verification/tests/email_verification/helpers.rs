use auth_core::Table;
use auth_core::user::{User, get_user_by_email};
use auth_testing::mail_server::MailServer;
use auth_testing::{Browser, TestApp, location, scan_all, spawn_app, start_windows};
use auth_web::password_reset::{FORGOT_PASSWORD_PER_EMAIL, FORGOT_PASSWORD_PER_IP};
use auth_web::rate_limit::POSTS_PER_CLIENT;
use aws_sdk_dynamodb::types::AttributeValue;
use email_verification::limits::{SEND_CODE_PER_IP, SEND_CODE_PER_USER};
use reqwest::{Response, StatusCode, header};
use std::collections::BTreeMap;

pub const PASSWORD: &str = "correct horse battery";

pub use auth_testing::{Item, get_item as get};
pub use auth_testing::{is_signed_in_as, status_and_text};

/// The app, and the SMTP server it sends its mail to.
pub struct Example {
    pub app: TestApp,
    pub mail: MailServer,
}

impl std::ops::Deref for Example {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// The app with its clock at the start of a window of every rate limit (see
/// [`start_every_window`]), and its SMTP server.
pub async fn spawn() -> Example {
    let mail = MailServer::start().await;
    let mailer = mail.mailer();
    let app = spawn_app("email-verification", move |state| {
        email_verification::routes(state, mailer)
    })
    .await;
    start_every_window(&app);
    Example { app, mail }
}

/// Moves the clock to the next instant at which a window of every rate limit starts: from
/// there a test knows each `Retry-After` exactly (the whole window, less the time the test
/// moved the clock).
pub fn start_every_window(app: &TestApp) {
    let limits = [
        SEND_CODE_PER_USER,
        SEND_CODE_PER_IP,
        FORGOT_PASSWORD_PER_IP,
        FORGOT_PASSWORD_PER_EMAIL,
        POSTS_PER_CLIENT,
    ];
    start_windows(app.clock(), &limits.map(|limit| limit.window));
}

/// Posts `body` exactly as given, as the app's own page would post a form: for bodies
/// `Browser::post` cannot make, such as bytes that are not UTF-8.
pub async fn post_raw(browser: &Browser, path: &str, body: &'static str) -> Response {
    browser
        .client
        .post(browser.url(path))
        .header(header::ORIGIN, browser.base.origin().ascii_serialization())
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST is answered")
}

pub async fn enter_code(browser: &Browser, code: &str) -> Response {
    browser.post("/verify-email", &[("code", code)]).await
}

pub const NEW_PASSWORD: &str = "a brand new passphrase";

pub async fn forgot(browser: &Browser, email: &str) -> Response {
    browser.post("/forgot-password", &[("email", email)]).await
}

pub async fn enter_reset_code(browser: &Browser, code: &str) -> Response {
    browser
        .post("/reset-password/verify-email", &[("code", code)])
        .await
}

/// A browser in the middle of a reset for `email`, and the code that was mailed.
pub async fn reset_started(example: &Example, email: &str) -> (Browser, String) {
    let browser = example.browser();
    let response = forgot(&browser, email).await;
    assert_eq!(location(&response), "/reset-password/verify-email");
    let cookie = set_cookie(&response, "password_reset").expect("a reset cookie is set");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    let mail = example.mail.next_mail().await;
    assert_eq!(mail.to, [email]);
    assert_eq!(mail.subject(), "Your password reset code");
    (browser, mail.code())
}

/// A browser with a fresh account whose address is not verified yet; returns the mailed code.
pub async fn signed_up(example: &Example, email: &str) -> (Browser, String) {
    let browser = example.browser();
    let response = browser.sign_up(email, PASSWORD).await;
    assert_eq!(location(&response), "/verify-email");
    let code = example.mail.code_for(email).await;
    (browser, code)
}

/// A browser with a fresh account whose address is verified, signed in.
pub async fn verified(example: &Example, email: &str) -> Browser {
    let (browser, code) = signed_up(example, email).await;
    let response = enter_code(&browser, &code).await;
    assert_eq!(location(&response), "/?done=verified");
    browser
}

/// The 400 page of a form that was not read because a field is not valid UTF-8.
pub async fn assert_refused_as_not_utf8(response: Response) {
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not valid UTF-8"), "{page}");
}

pub async fn user(table: &Table, email: &str) -> Option<User> {
    let email = auth_core::email::EmailAddress::parse(email).unwrap();
    get_user_by_email(table, &email).await.unwrap()
}

pub fn number(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().unwrap(),
        other => panic!("{name} is not a number: {other:?}"),
    }
}

/// The user's email verification request, if stored.
pub async fn verification_request(table: &Table, user_id: &str) -> Option<Item> {
    get(table, &format!("USER#{user_id}"), "EMAIL_VERIFICATION").await
}

/// Every item except rate-limit buckets and attempt counters, in a comparable form: what
/// "nothing changed" is checked against.
pub async fn snapshot(table: &Table) -> Vec<BTreeMap<String, String>> {
    let items = scan_all(table).await;
    let mut rows: Vec<BTreeMap<String, String>> = items
        .into_iter()
        .filter(|i| !matches!(i.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("RATE#")))
        .map(|i| {
            i.into_iter()
                .filter(|(name, _)| name != "Attempts")
                .map(|(name, value)| (name, format!("{value:?}")))
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

/// The `Set-Cookie` header for `name`, if the response has one.
pub fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

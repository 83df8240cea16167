use crate::mail_server::MailServer;
use auth_core::Table;
use auth_core::user::{User, get_user_by_email};
use auth_web::testing::{Browser, TestApp, location, scan_all, spawn_app};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Response, StatusCode};
use std::collections::BTreeMap;

pub const PASSWORD: &str = "correct horse battery";

pub use auth_web::testing::{Item, get_item as get};

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

pub async fn spawn() -> Example {
    let mail = MailServer::start().await;
    let mailer = mail.mailer();
    let app = spawn_app("email-verification", move |state| {
        email_verification::routes(state, mailer)
    })
    .await;
    Example { app, mail }
}

pub async fn sign_up(browser: &Browser, email: &str, password: &str) -> Response {
    browser
        .post("/sign-up", &[("email", email), ("password", password)])
        .await
}

pub async fn sign_in(browser: &Browser, email: &str, password: &str) -> Response {
    browser
        .post("/sign-in", &[("email", email), ("password", password)])
        .await
}

pub async fn enter_code(browser: &Browser, code: &str) -> Response {
    browser.post("/verify-email", &[("code", code)]).await
}

/// A browser with a fresh account whose address is not verified yet; returns the mailed code.
pub async fn signed_up(example: &Example, email: &str) -> (Browser, String) {
    let browser = example.browser();
    let response = sign_up(&browser, email, PASSWORD).await;
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

/// Whether the home page shows `email` as signed in.
pub async fn signed_in_as(browser: &Browser, email: &str) -> bool {
    let page = browser.get("/").await.text().await.unwrap();
    page.contains(&format!("You are signed in as <strong>{email}</strong>"))
}

pub async fn status_and_text(response: Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
}

pub async fn user(table: &Table, email: &str) -> Option<User> {
    let email = auth_core::user::EmailAddress::parse(email).unwrap();
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

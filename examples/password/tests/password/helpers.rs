use auth_core::email::EmailAddress;
use auth_core::user::get_user_by_email;
use auth_testing::{Browser, Item, TestApp, get_item, scan_all, spawn_app};
pub use auth_testing::{is_signed_in_as, status_and_text};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Response, StatusCode};

pub const PASSWORD: &str = "correct horse battery";

pub async fn spawn() -> TestApp {
    spawn_app("password", password::routes).await
}

/// A browser with a fresh account, signed in.
pub async fn signed_up(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let response = browser.sign_up(email, PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
    browser
}

/// The `Set-Cookie` header for the session cookie, if the response has one.
pub fn session_set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("session="))
        .map(str::to_owned)
}

/// The stored user item of an account.
pub async fn user_item(app: &TestApp, email: &str) -> Item {
    let email = EmailAddress::parse(email).unwrap();
    let user = get_user_by_email(app.table(), &email)
        .await
        .unwrap()
        .expect("the account exists");
    let pk = format!("USER#{}", user.id);
    get_item(app.table(), &pk, &pk).await.unwrap()
}

/// Every item but rate-limit counters, comparable: what "nothing was written" is checked
/// against.
pub async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut items: Vec<String> = scan_all(app.table())
        .await
        .into_iter()
        .filter(|i| !matches!(i.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("RATE#")))
        .map(|i| {
            format!(
                "{:?}",
                i.into_iter().collect::<std::collections::BTreeMap<_, _>>()
            )
        })
        .collect();
    items.sort();
    items
}

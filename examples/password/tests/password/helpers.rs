use auth_web::testing::{Browser, TestApp, spawn_app};
use reqwest::{Response, StatusCode};

pub const PASSWORD: &str = "correct horse battery";

pub async fn spawn() -> TestApp {
    spawn_app("password", password::routes).await
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

/// A browser with a fresh account, signed in.
pub async fn signed_up(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let response = sign_up(&browser, email, PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
    browser
}

/// The home page's text, and whether it shows `email` as signed in.
pub async fn signed_in_as(browser: &Browser, email: &str) -> bool {
    let page = browser.get("/").await.text().await.unwrap();
    page.contains(&format!("You are signed in as <strong>{email}</strong>"))
}

pub async fn status_and_text(response: Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
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

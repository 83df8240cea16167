use crate::github::FakeGitHub;
use auth_testing::{Browser, TestApp, location, scan_all, spawn_app};
pub use auth_testing::{is_signed_in_as, status_and_text};
use aws_sdk_dynamodb::types::AttributeValue;
use oauth::Providers;
use oauth::config::dev_provider;
use oidc_dev_provider::DevProvider;
use reqwest::{Response, StatusCode};
use url::Url;

/// The app with GitHub (the look-alike), and Google and "Keycloak" (both the dev provider).
pub struct Harness {
    pub app: TestApp,
    pub github: FakeGitHub,
    pub dev: DevProvider,
}

pub async fn spawn() -> Harness {
    let github = FakeGitHub::start().await;
    let mut dev = None;
    let app = spawn_app("oauth", |state| {
        let redirects = ["google", "oidc"]
            .map(|slug| callback_url(state.origin(), slug))
            .to_vec();
        let provider = DevProvider::start(0, redirects).expect("the dev provider starts");
        // The provider's time moves with the app's, as real time moves for both.
        provider.set_clock(state.table.clock().clone());
        let providers = Providers::new(vec![
            github.provider(),
            dev_provider(&provider, "google", "Google"),
            dev_provider(&provider, "oidc", "Keycloak"),
        ]);
        dev = Some(provider);
        oauth::routes(state, providers)
    })
    .await;
    Harness {
        app,
        github,
        dev: dev.expect("routes were built"),
    }
}

/// The app with exactly these providers.
pub async fn spawn_with(providers: Providers) -> TestApp {
    spawn_app("oauth", |state| oauth::routes(state, providers)).await
}

pub fn callback_url(origin: &Url, slug: &str) -> Url {
    origin.join(&format!("sign-in/{slug}/callback")).unwrap()
}

/// `GET` an absolute URL (a provider's, or the app's callback) with the browser's cookies.
pub async fn visit(browser: &Browser, url: &str) -> Response {
    browser.client.get(url).send().await.expect("answered")
}

/// GitHub: app → GitHub (which redirects back at once) → the app's callback response.
pub async fn github_flow(browser: &Browser, start: &str) -> Response {
    let to_github = browser.get(start).await;
    assert_eq!(to_github.status(), StatusCode::SEE_OTHER, "{start}");
    let back = visit(browser, location(&to_github)).await;
    assert!(back.status().is_redirection(), "GitHub redirects back");
    visit(browser, location(&back)).await
}

/// The dev provider, up to its redirect back: returns the callback URL it sends the browser to.
pub async fn oidc_redirect_back(
    browser: &Browser,
    start: &str,
    email: &str,
    decision: &str,
) -> String {
    let to_provider = browser.get(start).await;
    assert_eq!(to_provider.status(), StatusCode::SEE_OTHER, "{start}");
    let authorize = Url::parse(location(&to_provider)).unwrap();
    let page = visit(browser, authorize.as_str()).await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the dev provider shows its page"
    );
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("email".into(), email.into()));
    form.push(("decision".into(), decision.into()));
    let back = browser
        .client
        .post(authorize.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    location(&back).to_owned()
}

/// An OpenID Connect flow through the dev provider, as `email`: the callback's response.
pub async fn oidc_flow(browser: &Browser, start: &str, email: &str) -> Response {
    let callback = oidc_redirect_back(browser, start, email, "approve").await;
    visit(browser, &callback).await
}

/// The partition keys of every item in the table except rate-limit buckets, sorted.
pub async fn stored_keys(app: &TestApp) -> Vec<String> {
    let items = scan_all(app.table()).await;
    let mut keys: Vec<String> = items
        .iter()
        .filter_map(|i| match (i.get("PK"), i.get("SK")) {
            (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => {
                Some(format!("{pk} {sk}"))
            }
            _ => None,
        })
        .filter(|k| !k.starts_with("RATE#"))
        .collect();
    keys.sort();
    keys
}

/// Nothing but rate-limit buckets in the table: no user, claim, link or session.
pub async fn nothing_written(app: &TestApp) -> bool {
    stored_keys(app).await.is_empty()
}

/// The `Set-Cookie` header for the flow cookie, if the response has one.
pub fn flow_set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("oauth_flow="))
        .map(str::to_owned)
}

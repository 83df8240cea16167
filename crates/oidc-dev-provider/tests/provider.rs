//! The dev provider over real HTTP, as a client sees it: discovery, the pages, the token
//! endpoint and UserInfo. (The oauth example's tests run whole sign-ins against it.)

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc_dev_provider::{DevProvider, Quirks};
use reqwest::{StatusCode, header};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-pkce-verifier-long-enough-for-the-test-0123456789";

fn start() -> DevProvider {
    DevProvider::start(0, vec![Url::parse(REDIRECT).unwrap()]).unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn discovery(dev: &DevProvider) -> Value {
    let url = format!("{}/.well-known/openid-configuration", dev.issuer());
    http().get(url).send().await.unwrap().json().await.unwrap()
}

/// Approves a sign-in as `email` and exchanges the code: the token endpoint's JSON answer.
async fn tokens_for(dev: &DevProvider, email: &str) -> Value {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let approved = http()
        .post(format!("{}/authorize", dev.issuer()))
        .form(&[
            ("client_id", dev.client_id()),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("email", email),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let back = Url::parse(approved.headers()[header::LOCATION].to_str().unwrap()).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let answer = http()
        .post(format!("{}/token", dev.issuer()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", dev.client_id()),
            ("client_secret", dev.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.unwrap()
}

async fn user_info(dev: &DevProvider, token: Option<&str>) -> reqwest::Response {
    let request = http().get(format!("{}/userinfo", dev.issuer()));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn discovery_advertises_every_endpoint_including_userinfo() {
    let dev = start();
    let metadata = discovery(&dev).await;
    assert_eq!(metadata["issuer"], dev.issuer());
    for (key, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks"),
        ("userinfo_endpoint", "/userinfo"),
    ] {
        assert_eq!(metadata[key], format!("{}{path}", dev.issuer()), "{key}");
    }

    dev.set_quirks(Quirks {
        no_userinfo_endpoint: true,
        ..Quirks::default()
    });
    assert!(discovery(&dev).await.get("userinfo_endpoint").is_none());
}

#[tokio::test]
async fn userinfo_answers_a_token_it_issued_with_the_email_claims() {
    let dev = start();
    let tokens = tokens_for(&dev, "grace@example.com").await;
    let token = tokens["access_token"].as_str().unwrap();
    let response = user_info(&dev, Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let claims: Value = response.json().await.unwrap();
    assert_eq!(claims["sub"], "grace@example.com");
    assert_eq!(claims["email"], "grace@example.com");
    assert_eq!(claims["email_verified"], true);

    dev.set_quirks(Quirks {
        userinfo_subject_mismatch: true,
        ..Quirks::default()
    });
    let claims: Value = user_info(&dev, Some(token)).await.json().await.unwrap();
    assert_ne!(claims["sub"], "grace@example.com");
}

/// The claims of the ID token in a token answer (unverified: only to look at them).
fn id_token_claims(tokens: &Value) -> Value {
    let jwt = tokens["id_token"].as_str().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn email_only_in_userinfo_leaves_the_id_token_with_just_the_subject() {
    let dev = start();
    let claims = id_token_claims(&tokens_for(&dev, "grace@example.com").await);
    assert_eq!(claims["email"], "grace@example.com");

    dev.set_quirks(Quirks {
        email_only_in_userinfo: true,
        ..Quirks::default()
    });
    let tokens = tokens_for(&dev, "grace@example.com").await;
    let claims = id_token_claims(&tokens);
    assert_eq!(claims["sub"], "grace@example.com");
    assert!(claims.get("email").is_none() && claims.get("email_verified").is_none());
    let token = tokens["access_token"].as_str().unwrap();
    let info: Value = user_info(&dev, Some(token)).await.json().await.unwrap();
    assert_eq!(info["email"], "grace@example.com");
    assert_eq!(info["email_verified"], true);
}

#[tokio::test]
async fn every_sign_in_is_a_fresh_login_whose_time_is_the_id_tokens_auth_time() {
    let dev = start();
    let start_time = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let clock = auth_core::Clock::manual(start_time);
    dev.set_clock(clock.clone());
    clock.advance(time::Duration::minutes(30));
    let claims = id_token_claims(&tokens_for(&dev, "grace@example.com").await);
    let approved = clock.now().unix_timestamp();
    assert_eq!(claims["auth_time"], approved);
    assert_eq!(
        claims["iat"], approved,
        "the tokens follow the clock it was given"
    );

    dev.set_quirks(Quirks {
        old_auth_time: true,
        ..Quirks::default()
    });
    let claims = id_token_claims(&tokens_for(&dev, "grace@example.com").await);
    assert_eq!(claims["auth_time"], approved - 3600, "an old login, reused");
}

#[tokio::test]
async fn asked_for_a_fresh_login_it_shows_its_page_and_says_so() {
    let dev = start();
    let authorize = |extra: &str| {
        format!(
            "{}/authorize?client_id={}&redirect_uri={REDIRECT}&state=s&nonce=n&code_challenge=c&code_challenge_method=S256{extra}",
            dev.issuer(),
            dev.client_id()
        )
    };
    let plain = http().get(authorize("")).send().await.unwrap();
    assert!(!plain.text().await.unwrap().contains("sign in again"));
    for extra in [
        "&prompt=login",
        "&max_age=0",
        "&prompt=consent%20login&max_age=60",
    ] {
        let page = http().get(authorize(extra)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{extra}");
        let page = page.text().await.unwrap();
        assert!(
            page.contains("The app asked you to sign in again"),
            "{extra}: {page}"
        );
        assert!(page.contains(r#"name="prompt""#) && page.contains(r#"name="max_age""#));
    }

    let none = http().get(authorize("&prompt=none")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::SEE_OTHER);
    let back = Url::parse(none.headers()[header::LOCATION].to_str().unwrap()).unwrap();
    let query: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("error".into(), "login_required".into())),
        "{back}"
    );
    assert!(query.contains(&("state".into(), "s".into())), "{back}");

    let bad = http().get(authorize("&max_age=soon")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn userinfo_refuses_tokens_it_did_not_issue() {
    let dev = start();
    let missing = user_info(&dev, None).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers()[header::WWW_AUTHENTICATE], "Bearer");

    let unknown = user_info(&dev, Some("not-a-token-it-issued")).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.headers()[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token""#
    );
}

#[tokio::test]
async fn its_pages_use_the_apps_stylesheet_and_fit_a_phone() {
    let dev = start();
    let authorize = format!(
        "{}/authorize?client_id={}&redirect_uri={REDIRECT}&state=s&nonce=n&code_challenge=c&code_challenge_method=S256",
        dev.issuer(),
        dev.client_id()
    );
    let error = format!("{}/authorize?client_id=someone-else", dev.issuer());
    for (url, status) in [
        (authorize, StatusCode::OK),
        (error, StatusCode::BAD_REQUEST),
    ] {
        let response = http().get(&url).send().await.unwrap();
        assert_eq!(response.status(), status, "{url}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains(
                r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
            ),
            "{page}"
        );
        assert!(
            page.contains(r#"<link rel="stylesheet" href="/static/style.css">"#),
            "{page}"
        );
    }

    let css = http()
        .get(format!("{}/static/style.css", dev.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        css.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(css.text().await.unwrap(), auth_web::view::STYLESHEET);
}

//! Ceremonies that must fail, and leave nothing behind: no user, no passkey, no session.

use crate::helpers::{
    Device, app, assert_too_many, count, items, json, post_json, s, sign_in, sign_up, signed_in_as,
    start, to_next_window,
};
use auth_testing::TestApp;
use serde_json::{Value, json};
use time::Duration;

/// Signed-up users, passkeys and sessions in the table.
async fn accounts(app: &TestApp) -> (usize, usize, usize) {
    let users = items(app)
        .await
        .iter()
        .filter(|i| s(i, "SK").starts_with("USER#"))
        .count();
    (
        users,
        count(app, "PASSKEY#").await,
        count(app, "SESSION#").await,
    )
}

async fn assert_refused(response: reqwest::Response, says: &str) {
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains(says), "{error:?} does not say {says:?}");
}

const GONE: &str = "expired or was already used";

#[tokio::test]
async fn a_replayed_registration_or_assertion_is_refused() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    let body = json!({ "email": "ada@example.com" });
    let (_, answer) = start(&browser, &mut device, "/sign-up/options", body).await;
    let token = browser.cookie("ceremony").unwrap();
    assert_eq!(
        post_json(&browser, "/sign-up/finish", &answer)
            .await
            .status(),
        200
    );
    browser.set_cookie("ceremony", &token);
    assert_refused(post_json(&browser, "/sign-up/finish", &answer).await, GONE).await;
    assert_eq!(accounts(&app).await, (1, 1, 1));

    browser.post("/sign-out", &[]).await;
    let (_, assertion) = start(&browser, &mut device, "/sign-in/options", json!({})).await;
    let token = browser.cookie("ceremony").unwrap();
    assert_eq!(
        post_json(&browser, "/sign-in/finish", &assertion)
            .await
            .status(),
        200
    );
    browser.post("/sign-out", &[]).await;
    browser.set_cookie("ceremony", &token);
    assert_refused(
        post_json(&browser, "/sign-in/finish", &assertion).await,
        GONE,
    )
    .await;
    assert_eq!(signed_in_as(&browser).await, None);
    assert_eq!(accounts(&app).await, (1, 1, 0));
}

#[tokio::test]
async fn an_expired_ceremony_is_refused() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    let body = json!({ "email": "ada@example.com" });
    let (_, answer) = start(&browser, &mut device, "/sign-up/options", body).await;
    app.clock()
        .advance(Duration::minutes(5) + Duration::seconds(1));
    assert_refused(post_json(&browser, "/sign-up/finish", &answer).await, GONE).await;
    assert_eq!(accounts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn a_ceremony_belongs_to_the_browser_that_started_it() {
    let app = app().await;
    let (owner, other) = (app.browser(), app.browser());
    let mut device = Device::at(&app.base);
    let body = json!({ "email": "ada@example.com" });
    let (_, answer) = start(&owner, &mut device, "/sign-up/options", body.clone()).await;

    // Without the owner's cookie, and then with a ceremony of its own (another challenge).
    assert_refused(post_json(&other, "/sign-up/finish", &answer).await, GONE).await;
    let other_body = json!({ "email": "eve@example.com" });
    post_json(&other, "/sign-up/options", &other_body).await;
    let stolen = post_json(&other, "/sign-up/finish", &answer).await;
    assert_refused(stolen, "could not be verified").await;
    assert_eq!(accounts(&app).await, (0, 0, 0));

    // The owner's ceremony was untouched.
    assert_eq!(
        post_json(&owner, "/sign-up/finish", &answer).await.status(),
        200
    );
    assert_eq!(
        signed_in_as(&owner).await.as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test]
async fn an_assertion_cannot_claim_another_users_passkey() {
    let app = app().await;
    let (ada_browser, eve_browser) = (app.browser(), app.browser());
    let (mut ada, mut eve) = (Device::at(&app.base), Device::at(&app.base));
    sign_up(&ada_browser, &mut ada, "ada@example.com").await;
    let (_, ada_assertion) = start(&ada_browser, &mut ada, "/sign-in/options", json!({})).await;
    sign_up(&eve_browser, &mut eve, "eve@example.com").await;
    eve_browser.post("/sign-out", &[]).await;
    let sessions_before = accounts(&app).await.2;

    // Eve signs with her key but names Ada's user handle...
    let (_, mut with_handle) = start(&eve_browser, &mut eve, "/sign-in/options", json!({})).await;
    with_handle["response"]["userHandle"] = ada_assertion["response"]["userHandle"].clone();
    let refused = post_json(&eve_browser, "/sign-in/finish", &with_handle).await;
    assert_refused(refused, "not registered").await;

    // ...or Ada's credential id: the signature does not verify with Ada's public key.
    let (_, mut with_id) = start(&eve_browser, &mut eve, "/sign-in/options", json!({})).await;
    for field in ["id", "rawId"] {
        with_id[field] = ada_assertion[field].clone();
    }
    with_id["response"]["userHandle"] = ada_assertion["response"]["userHandle"].clone();
    let refused = post_json(&eve_browser, "/sign-in/finish", &with_id).await;
    assert_refused(refused, "could not be verified").await;

    assert_eq!(signed_in_as(&eve_browser).await, None);
    assert_eq!(
        accounts(&app).await.2,
        sessions_before,
        "no session was created"
    );
}

#[tokio::test]
async fn an_answer_signed_for_another_origin_is_refused() {
    let app = app().await;
    let browser = app.browser();
    let mut elsewhere = app.base.clone();
    elsewhere.set_port(Some(1)).unwrap();
    let mut device = Device::at(&elsewhere);
    let refused = sign_up(&browser, &mut device, "ada@example.com").await;
    assert_refused(refused, "could not be verified").await;
    assert_eq!(accounts(&app).await, (0, 0, 0));

    let mut real = Device::at(&app.base);
    sign_up(&browser, &mut real, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;
    // A phishing page at another origin relays the app's options to Ada's own device.
    let mut phished = real.used_at(&elsewhere);
    let refused = sign_in(&browser, &mut phished).await;
    assert_refused(refused, "could not be verified").await;
    assert_eq!(signed_in_as(&browser).await, None);
}

#[tokio::test]
async fn ceremony_options_from_another_site_are_refused() {
    let app = app().await;
    let browser = app.browser();
    let response = browser
        .client
        .post(browser.url("/sign-in/options"))
        .header("origin", "http://evil.example")
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        !items(&app)
            .await
            .iter()
            .any(|i| s(i, "PK").starts_with("CEREMONY#"))
    );
}

#[tokio::test]
async fn ceremony_starts_are_limited_to_20_in_a_fixed_10_minute_window() {
    let app = app().await;
    let browser = app.browser();
    to_next_window(&app, Duration::minutes(10));
    for _ in 0..20 {
        let ok = post_json(&browser, "/sign-in/options", &json!({})).await;
        assert_eq!(ok.status(), 200);
    }
    let limited = post_json(&browser, "/sign-in/options", &json!({})).await;
    assert_too_many(limited, 600).await;
    let ceremonies = || async {
        items(&app)
            .await
            .iter()
            .filter(|i| s(i, "PK").starts_with("CEREMONY#"))
            .count()
    };
    assert_eq!(ceremonies().await, 20, "a refused start stores nothing");

    // Sign-up shares the limit; the window ends when it ends, not 10 minutes after the last try.
    let sign_up = json!({ "email": "ada@example.com" });
    app.clock().advance(Duration::seconds(599));
    let limited = post_json(&browser, "/sign-up/options", &sign_up).await;
    assert_too_many(limited, 1).await;
    app.clock().advance(Duration::seconds(1));
    let ok = post_json(&browser, "/sign-up/options", &sign_up).await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn only_failed_ceremonies_count_five_in_a_window_then_429() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    to_next_window(&app, Duration::minutes(10));
    sign_up(&browser, &mut device, "ada@example.com").await;

    // Successes are not failures: more of them than the failure limit, all fine.
    let mut used = Value::Null;
    for _ in 0..6 {
        let (_, assertion) = start(&browser, &mut device, "/sign-in/options", json!({})).await;
        let ok = post_json(&browser, "/sign-in/finish", &assertion).await;
        assert_eq!(ok.status(), 200);
        used = assertion;
    }
    // A used assertion again: a failed ceremony (its ceremony is gone).
    for _ in 0..3 {
        assert_refused(post_json(&browser, "/sign-in/finish", &used).await, GONE).await;
    }
    // A success in between does not forget the failures before it...
    assert_eq!(sign_in(&browser, &mut device).await.status(), 200);
    for _ in 0..2 {
        assert_refused(post_json(&browser, "/sign-in/finish", &used).await, GONE).await;
    }
    // ...so this is the sixth failure in the window: too many.
    assert_too_many(post_json(&browser, "/sign-in/finish", &used).await, 600).await;
    // The limit is on failures: a genuine sign-in still goes through.
    assert_eq!(sign_in(&browser, &mut device).await.status(), 200);

    app.clock().advance(Duration::minutes(10));
    assert_refused(post_json(&browser, "/sign-in/finish", &used).await, GONE).await;
}

#[tokio::test]
async fn more_than_60_posts_a_minute_from_one_client_are_refused_before_any_handler() {
    let app = app().await;
    let browser = app.browser();
    to_next_window(&app, Duration::MINUTE);
    for _ in 0..60 {
        assert_eq!(browser.post("/sign-out", &[]).await.status(), 303);
    }
    let refused = post_json(&browser, "/sign-in/options", &json!({})).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Too many attempts, try again in 60 seconds.")
    );
    assert!(
        !items(&app)
            .await
            .iter()
            .any(|i| s(i, "PK").starts_with("CEREMONY#")),
        "the handler did not run"
    );
    assert_eq!(
        browser.get("/sign-in").await.status(),
        200,
        "GETs are not limited"
    );

    app.clock().advance(Duration::MINUTE);
    let ok = post_json(&browser, "/sign-in/options", &json!({})).await;
    assert_eq!(ok.status(), 200);
}

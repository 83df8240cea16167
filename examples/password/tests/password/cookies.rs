use crate::helpers::*;
use auth_core::random::{random_id, random_secret};
use auth_core::session::SessionPolicy;
use reqwest::StatusCode;
use time::Duration;

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_lasts_the_inactivity_timeout() {
    let app = spawn().await;
    let response = app.browser().sign_up("ada@example.com", PASSWORD).await;
    let cookie = session_set_cookie(&response).expect("a session cookie is set");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        &format!("Max-Age={}", inactivity_timeout().whole_seconds()),
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http on localhost cannot carry Secure cookies"
    );
}

#[tokio::test]
async fn garbage_truncated_and_forged_cookies_mean_signed_out_and_are_cleared() {
    let app = spawn().await;
    let owner = signed_up(&app, "ada@example.com").await;
    let real = owner.cookie("session").unwrap();
    let (uid, sid) = {
        let mut parts = real.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };
    let forged_secret = format!("{uid}.{sid}.{}", random_secret());
    let unknown_session = format!("{uid}.{}.{}", random_id(), random_secret());
    for bad in [
        "garbage".to_owned(),
        "%00%ff".to_owned(),
        real[..real.len() - 5].to_owned(),
        forged_secret,
        unknown_session,
        "x".repeat(3000),
    ] {
        let browser = app.browser();
        browser.set_cookie("session", &bad);
        let response = browser.get("/").await;
        assert_eq!(response.status(), StatusCode::OK, "cookie {bad:?}");
        let cleared =
            session_set_cookie(&response).unwrap_or_else(|| panic!("{bad:?} was not cleared"));
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(response.text().await.unwrap().contains("Create an account"));
        assert_eq!(
            browser.get("/settings").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    assert!(
        is_signed_in_as(&owner, "ada@example.com").await,
        "the real session is untouched"
    );
}

#[tokio::test]
async fn a_session_used_after_an_hour_gets_its_cookie_renewed() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    app.clock().advance(Duration::minutes(30));
    assert!(
        session_set_cookie(&browser.get("/").await).is_none(),
        "no write within the hour"
    );
    app.clock().advance(Duration::minutes(31));
    let renewed = session_set_cookie(&browser.get("/").await).expect("the cookie is re-set");
    assert!(renewed.contains(&format!("Max-Age={}", inactivity_timeout().whole_seconds())));
}

#[tokio::test]
async fn a_session_idle_for_the_whole_timeout_is_signed_out() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    app.clock().advance(inactivity_timeout());
    let response = browser.get("/").await;
    assert!(session_set_cookie(&response).unwrap().contains("Max-Age=0"));
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
}

fn inactivity_timeout() -> Duration {
    SessionPolicy::default().inactivity_timeout
}

#[tokio::test]
async fn no_session_outlives_its_maximum_lifetime_however_often_it_is_used() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let max = SessionPolicy::default().max_lifetime;
    let mut used = Duration::ZERO;
    while used + Duration::days(5) < max {
        app.clock().advance(Duration::days(5));
        used += Duration::days(5);
        let response = browser.get("/").await;
        let renewed = session_set_cookie(&response).expect("the cookie is renewed");
        let max_age = (max - used).min(inactivity_timeout()).whole_seconds();
        assert!(renewed.contains(&format!("Max-Age={max_age}")), "{renewed}");
    }
    app.clock().advance(max - used);
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
}

//! What an attacker tries over HTTP, against one or two app instances on one table.

use crate::helpers::*;
use auth_testing::spawn_app_with;
use futures::future::join_all;
use reqwest::StatusCode;
use std::time::Duration as StdDuration;
use time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn ten_parallel_wrong_guesses_across_two_instances_get_one_evaluation() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let second = app.another_instance(password::routes).await;
    let guesses = (0..10).map(|n| {
        let browser = app.browser();
        let second = second.clone();
        async move {
            let password = format!("wrong guess {n}");
            let form = [
                ("email", "ada@example.com"),
                ("password", password.as_str()),
            ];
            let response = if n % 2 == 0 {
                browser.post("/sign-in", &form).await
            } else {
                browser.post_at(&second, "/sign-in", &form).await
            };
            let retry_after = response.headers().get("retry-after").cloned();
            (response.status(), retry_after)
        }
    });
    let answers = join_all(guesses).await;
    let evaluated = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(evaluated, 1, "{answers:?}");
    for (status, retry_after) in answers
        .iter()
        .filter(|(s, _)| *s != StatusCode::UNAUTHORIZED)
    {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
        assert!(retry_after.is_some(), "a 429 says when to come back");
    }
    assert_eq!(
        user_item(&app, "ada@example.com").await["LoginAttempts"],
        aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        "one wrong password counted"
    );
}

#[tokio::test]
async fn an_attacker_locking_an_email_does_not_lock_out_the_owners_browser() {
    let app = spawn().await;
    let owner = signed_up(&app, "ada@example.com").await;
    assert!(
        owner.cookie("device").is_some(),
        "sign-up gives a device cookie"
    );
    owner.post("/sign-out", &[]).await;
    let attacker = app.browser();
    for _ in 0..4 {
        attacker.sign_in("ada@example.com", "a wrong guess").await;
        app.clock().advance(Duration::seconds(1));
    }
    let locked = attacker.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let response = owner.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the device is its own throttle"
    );
    assert!(is_signed_in_as(&owner, "ada@example.com").await);
}

#[tokio::test]
async fn another_accounts_or_a_forged_device_cookie_does_not_bypass_the_lockout() {
    let app = spawn().await;
    let other = signed_up(&app, "bob@example.com").await;
    let bobs_device = other.cookie("device").unwrap();
    signed_up(&app, "ada@example.com").await;
    let attacker = app.browser();
    attacker.sign_in("ada@example.com", "a wrong guess").await;
    let forged = format!(
        "{}.{}",
        bobs_device.split('.').next().unwrap(),
        auth_core::random::random_secret()
    );
    for device in [bobs_device, forged] {
        let browser = app.browser();
        browser.set_cookie("device", &device);
        let response = browser.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{device}");
    }
}

#[tokio::test]
async fn look_alike_addresses_are_refused_or_are_the_same_account() {
    let app = spawn().await;
    signed_up(&app, "kate@example.com").await;
    let browser = app.browser();
    let (status, page) = status_and_text(
        browser
            .sign_up("ｋａｔｅ@ＥＸＡＭＰＬＥ.com", PASSWORD)
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "fullwidth letters are the same address"
    );
    assert!(page.contains("already registered"));
    let before = snapshot(&app).await;
    for look_alike in [
        "k\u{0430}te@example.com",
        "ka\u{200b}te@example.com",
        "\u{202e}kate@example.com",
        "kate@ex\u{0430}mple.com",
    ] {
        let (status, page) = status_and_text(browser.sign_up(look_alike, PASSWORD).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{look_alike:?}");
        assert!(
            page.contains("different alphabets") || page.contains("invisible characters"),
            "{look_alike:?}: {page}"
        );
    }
    assert_eq!(snapshot(&app).await, before, "nothing written");
    let response = browser.sign_in("ＫＡＴＥ@example.com", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "and it signs in as kate"
    );
}

/// Posts a raw urlencoded body, as a client that does not encode text as UTF-8 would.
async fn post_raw(
    browser: &auth_testing::Browser,
    path: &str,
    body: &'static str,
) -> reqwest::Response {
    browser
        .client
        .post(browser.url(path))
        .header("origin", browser.base.origin().ascii_serialization())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_that_is_not_utf8_is_refused_never_decoded_lossily() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    let before = snapshot(&app).await;
    for (path, body) in [
        (
            "/sign-up",
            "email=bob%40example.com&password=%FF%FEabcdefgh",
        ),
        (
            "/sign-in",
            "email=ada%40example.com&password=%FF%FEabcdefgh",
        ),
        (
            "/settings/password",
            "current_password=correct+horse+battery&new_password=%FE%FFabcdefgh",
        ),
        ("/sign-in", "email=ada%40example.com&password=%zz"),
    ] {
        let (status, page) = status_and_text(post_raw(&browser, path, body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}");
        assert!(
            page.contains("not valid UTF-8") || page.contains("valid percent-encoding"),
            "{page}"
        );
    }
    assert_eq!(snapshot(&app).await, before, "nothing written");
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_with_a_retry_time_and_writes_nothing() {
    let (log, _guard) = auth_testing::log::capture();
    let app = spawn_app_with(
        "password",
        |c| c.max_concurrent_hashes = 1,
        password::routes,
    )
    .await;
    let held: Vec<_> = std::iter::from_fn(|| app.state.hasher.reserve().ok()).collect();
    assert!(!held.is_empty());
    let before = snapshot(&app).await;
    let response = app.browser().sign_up("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.text().await.unwrap().contains("busy"));
    let response = app.browser().sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(snapshot(&app).await, before, "nothing written");
    // Shedding load is not a fault: in a storm, an ERROR line per refusal floods the log.
    let errors: Vec<_> = log
        .lines()
        .into_iter()
        .filter(|l| l.level == tracing::Level::ERROR)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    drop(held);
    let response = app.browser().sign_up("ada@example.com", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "places free again"
    );
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_read_timeout() {
    let app = spawn_app_with(
        "password",
        |c| c.header_read_timeout = StdDuration::from_millis(200),
        password::routes,
    )
    .await;
    let port = app.base.port().unwrap();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // A bound on the wait, not a synchronization: the server closes well before it.
    let closed =
        tokio::time::timeout(StdDuration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the connection was still open after 20 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn an_idle_server_stops_when_asked_without_waiting_for_another_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let config = auth_web::config::Config::for_tests("password");
        let shutdown = async {
            let _ = stopped.await;
        };
        auth_web::server::accept_loop(listener, app, &config, shutdown).await
    });
    // One answered request: from here on the server waits for the next connection.
    let answer = reqwest::get(format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "ok");
    stop.send(()).unwrap();
    // A bound on the wait, not a synchronization: the server stops at once.
    let served = tokio::time::timeout(StdDuration::from_secs(20), server).await;
    assert!(served.is_ok(), "the server still ran 20 s after Ctrl-C");
}

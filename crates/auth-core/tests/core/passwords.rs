//! The Have I Been Pwned check against a real HTTP server standing in for the range API.

use auth_core::password::{Password, PwnedPasswords};
use axum::extract::Path;
use axum::routing::get;
use sha1::{Digest, Sha1};
use std::sync::{Arc, Mutex};

/// Serves `/range/{prefix}` with one breached suffix (of "password123") and padding lines,
/// and records the prefixes it was asked for.
async fn fake_range_api() -> (String, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let breached = format!("{:X}", Sha1::digest(b"password123"));
    let app = axum::Router::new().route(
        "/range/{prefix}",
        get(move |Path(prefix): Path<String>| {
            seen.lock().unwrap().push(prefix.clone());
            let (p, suffix) = breached.split_at(5);
            let hit = if prefix == p { format!("{suffix}:2413945\r\n") } else { String::new() };
            async move { format!("0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n{hit}00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2\r\n") }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, asked)
}

#[tokio::test]
async fn a_breached_password_is_found_and_only_a_five_digit_prefix_is_sent() {
    let (url, asked) = fake_range_api().await;
    let pwned = PwnedPasswords::new(url);
    assert!(
        pwned
            .is_pwned(&Password::parse("password123").unwrap())
            .await
            .unwrap()
    );
    assert!(
        !pwned
            .is_pwned(&Password::parse("a rare passphrase 91").unwrap())
            .await
            .unwrap()
    );
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 2);
    assert!(
        asked
            .iter()
            .all(|p| p.len() == 5 && p.chars().all(|c| c.is_ascii_hexdigit()))
    );
}

#[tokio::test]
async fn an_unreachable_service_is_an_error_not_a_verdict() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let result = PwnedPasswords::new(url)
        .is_pwned(&Password::parse("password123").unwrap())
        .await;
    assert!(
        matches!(result, Err(auth_core::Error::Unavailable(_))),
        "{result:?}"
    );
}

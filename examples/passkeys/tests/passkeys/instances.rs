//! Two app instances on one table, as behind a load balancer: a ceremony started on one
//! finishes on the other, because its state lives in DynamoDB, not in either process.

use crate::helpers::{Device, app, json, post_json, post_json_to, signed_in_as, start};
use auth_core::hasher::Hasher;
use auth_testing::TestApp;
use auth_web::AppState;
use reqwest::Url;
use serde_json::json;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Starts a second instance of the app: its own router, relying party and port, on the first
/// instance's table and public origin. Returns its URL for `path`-joining.
async fn second_instance(first: &TestApp) -> Url {
    let state = AppState {
        table: first.table().clone(),
        config: first.state.config.clone(),
        hasher: Hasher::new(first.state.config.max_concurrent_hashes),
        pwned: None,
    };
    let app = auth_web::server::app(
        state.clone(),
        passkeys::routes(&state).expect("localhost can be a relying party"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    // The same host name, so the browser sends its cookies; another port, so another process.
    Url::parse(&format!("http://localhost:{port}")).unwrap()
}

#[tokio::test]
async fn a_ceremony_started_on_one_instance_finishes_on_the_other() {
    let first = app().await;
    let second = second_instance(&first).await;
    let browser = first.browser();
    let mut device = Device::at(&first.base);

    let body = json!({ "email": "ada@example.com" });
    let (_, answer) = start(&browser, &mut device, "/sign-up/options", body).await;
    let finish = post_json_to(&browser, &second.join("/sign-up/finish").unwrap(), &answer).await;
    assert_eq!(json(finish).await, json!({ "redirect": "/" }));
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );
    browser.post("/sign-out", &[]).await;

    let options = post_json_to(
        &browser,
        &second.join("/sign-in/options").unwrap(),
        &json!({}),
    )
    .await;
    let assertion = device.get(json(options).await);
    let token = browser.cookie("ceremony").unwrap();
    let finish = post_json(&browser, "/sign-in/finish", &assertion).await;
    assert_eq!(finish.status(), 200);
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );

    // Consumed once for both: replaying on the instance that started it is refused.
    browser.set_cookie("ceremony", &token);
    let replay = post_json_to(
        &browser,
        &second.join("/sign-in/finish").unwrap(),
        &assertion,
    )
    .await;
    assert_eq!(replay.status(), 400);
}

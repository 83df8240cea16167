//! Whatever a client posts to the ends of the ceremonies, the answer is a refusal in JSON: a
//! 4xx with a message, never a 500 or a dropped connection (a panic), nothing logged as an
//! error (a client's garbage is not the app's fault), and nothing written.

use crate::helpers::{
    Device, app, attested_auth_data, cbor_byte_string_header, claiming_credential, items,
    post_json, s, sign_up, signed_in_as, start, to_next_window,
};
use auth_testing::log::{Log, capture};
use auth_testing::{Browser, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Response, header};
use serde_json::{Value, json};
use time::Duration;
use tracing::Level;

const READ_ERROR: &str = "The browser sent something the app could not read. Please try again.";

/// Posts `body` as it is, with `content_type`, as a script on the app's page could.
async fn post_raw(browser: &Browser, path: &str, content_type: &str, body: String) -> Response {
    browser
        .client
        .post(browser.url(path))
        .header(header::ORIGIN, browser.base.origin().ascii_serialization())
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("answered, not dropped")
}

/// A client error whose JSON body carries a message; returns status and message.
async fn refusal(response: Response, what: &str) -> (u16, String) {
    let status = response.status();
    assert!(status.is_client_error(), "{what}: {status}");
    let body: Value = response.json().await.expect("the refusal is JSON");
    let message = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(!message.is_empty(), "{what}: {body}");
    (status.as_u16(), message)
}

/// No ERROR line from the app. webauthn-rs-core logs a client's malformed data at ERROR from
/// inside its parser; the app's log filter turns that crate off (`auth_web::telemetry`) and
/// logs its own line for the refusal, so that crate's lines are not the app's.
fn assert_no_error_logged(log: &Log) {
    let errors: Vec<_> = log
        .lines()
        .into_iter()
        .filter(|l| l.level == Level::ERROR && !l.target.starts_with("webauthn_rs_core"))
        .collect();
    assert!(
        errors.is_empty(),
        "logged as errors: {errors:#?}\nthe whole log:\n{}",
        log.text()
    );
}

fn b64(bytes: &[u8]) -> Value {
    Value::from(URL_SAFE_NO_PAD.encode(bytes))
}

/// An attestation object `{"fmt": fmt, "attStmt": {}, "authData": auth_data}` in CBOR.
fn attestation(fmt: &str, auth_data: &[u8]) -> Value {
    let mut cbor = vec![0xa3, 0x63];
    cbor.extend(b"fmt");
    cbor.push(0x60 + u8::try_from(fmt.len()).unwrap());
    cbor.extend(fmt.as_bytes());
    cbor.push(0x67);
    cbor.extend(b"attStmt");
    cbor.extend([0xa0, 0x68]);
    cbor.extend(b"authData");
    cbor.extend(cbor_byte_string_header(auth_data.len()));
    cbor.extend(auth_data);
    b64(&cbor)
}

/// Starts a fresh rate-limit window, then a ceremony, and returns the device's answer: each
/// malformed answer is a failed ceremony, and the fifth failure in a window would be a 429.
async fn fresh_answer(
    app: &TestApp,
    browser: &Browser,
    device: &mut Device,
    options_path: &str,
    body: Value,
) -> Value {
    to_next_window(app, Duration::minutes(10));
    start(browser, device, options_path, body).await.1
}

#[tokio::test]
async fn malformed_json_at_either_finish_is_a_json_refusal() {
    let (log, _guard) = capture();
    let app = app().await;
    let browser = app.browser();
    let bodies = [
        "",
        "{",
        "not json",
        "null",
        "[]",
        "42",
        "{}",
        r#"{"id": 42}"#,
        r#"{"id": "AAAA", "rawId": "!!!", "response": {}, "type": "public-key"}"#,
        r#"{"id": "AAAA", "rawId": "AAAA", "response": {"clientDataJSON": 7}, "type": "public-key"}"#,
    ];
    for path in ["/sign-in/finish", "/sign-up/finish"] {
        for body in bodies {
            let response = post_raw(&browser, path, "application/json", body.into()).await;
            let what = format!("{path} with {body:?}");
            assert_eq!(refusal(response, &what).await, (400, READ_ERROR.into()));
        }
        let not_json = post_raw(&browser, path, "text/plain", "{}".into()).await;
        assert_eq!(
            refusal(not_json, "text/plain").await,
            (400, READ_ERROR.into())
        );
        let huge = format!(r#"{{"id": "{}"}}"#, "A".repeat(20_000));
        let huge = post_raw(&browser, path, "application/json", huge).await;
        assert_eq!(
            refusal(huge, "a huge body").await,
            (413, "That form sent more data than the app accepts.".into())
        );
    }
    assert_no_error_logged(&log);
    assert!(items(&app).await.is_empty(), "nothing written");
}

#[tokio::test]
async fn a_malformed_assertion_is_refused_not_an_error() {
    let (log, _guard) = capture();
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    sign_up(&browser, &mut device, "ada@example.com").await;
    browser.post("/sign-out", &[]).await;

    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 9] = [
        ("client data not JSON", |a| {
            a["response"]["clientDataJSON"] = b64(b"not json")
        }),
        ("client data of another kind", |a| {
            a["response"]["clientDataJSON"] =
                b64(br#"{"type":"webauthn.create","challenge":"AAAA","origin":"http://x"}"#)
        }),
        ("client data empty", |a| {
            a["response"]["clientDataJSON"] = b64(b"")
        }),
        ("authenticator data truncated", |a| {
            a["response"]["authenticatorData"] = b64(&[1, 2, 3])
        }),
        ("signature not DER", |a| {
            a["response"]["signature"] = b64(b"not a signature")
        }),
        ("signature empty", |a| a["response"]["signature"] = b64(b"")),
        ("user handle not a UUID", |a| {
            a["response"]["userHandle"] = b64(b"not-a-uuid")
        }),
        ("user handle missing", |a| {
            a["response"]["userHandle"] = Value::Null
        }),
        ("credential id too long", |a| {
            a["id"] = b64(&[7; 2000]);
            a["rawId"] = b64(&[7; 2000]);
        }),
    ];
    for (what, edit) in edits {
        let mut assertion =
            fresh_answer(&app, &browser, &mut device, "/sign-in/options", json!({})).await;
        edit(&mut assertion);
        let response = post_json(&browser, "/sign-in/finish", &assertion).await;
        let (status, _) = refusal(response, what).await;
        assert_eq!(status, 400, "{what}");
    }
    assert_no_error_logged(&log);
    assert_eq!(signed_in_as(&browser).await, None);
    assert!(
        !items(&app)
            .await
            .iter()
            .any(|i| s(i, "SK").starts_with("SESSION#")),
        "no session"
    );
}

#[tokio::test]
async fn a_malformed_registration_is_refused_not_an_error() {
    let (log, _guard) = capture();
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);

    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 9] = [
        ("attestation not CBOR", |a| {
            a["response"]["attestationObject"] = b64(b"garbage")
        }),
        ("attestation empty", |a| {
            a["response"]["attestationObject"] = b64(b"")
        }),
        ("authenticator data truncated", |a| {
            let auth_data = attested_auth_data(a);
            a["response"]["attestationObject"] = attestation("none", &auth_data[..60]);
        }),
        ("unknown attestation format", |a| {
            let auth_data = attested_auth_data(a);
            a["response"]["attestationObject"] = attestation("bogus", &auth_data);
        }),
        ("packed attestation without a signature", |a| {
            let auth_data = attested_auth_data(a);
            a["response"]["attestationObject"] = attestation("packed", &auth_data);
        }),
        ("client data not JSON", |a| {
            a["response"]["clientDataJSON"] = b64(b"not json")
        }),
        ("client data empty object", |a| {
            a["response"]["clientDataJSON"] = b64(b"{}")
        }),
        ("credential id too long to store", |a| {
            *a = claiming_credential(a, &URL_SAFE_NO_PAD.encode([7; 1023]));
        }),
        ("credential id empty", |a| {
            *a = claiming_credential(a, "");
        }),
    ];
    for (what, edit) in edits {
        let body = json!({ "email": "ada@example.com" });
        let mut answer = fresh_answer(&app, &browser, &mut device, "/sign-up/options", body).await;
        edit(&mut answer);
        let response = post_json(&browser, "/sign-up/finish", &answer).await;
        let (status, _) = refusal(response, what).await;
        assert_eq!(status, 400, "{what}");
    }
    assert_no_error_logged(&log);
    assert_eq!(signed_in_as(&browser).await, None);
    let written: Vec<_> = items(&app)
        .await
        .iter()
        .map(|i| s(i, "PK").to_owned())
        .collect();
    assert!(
        written.is_empty(),
        "no account, every ceremony used up: {written:?}"
    );
}

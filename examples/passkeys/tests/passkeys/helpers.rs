use auth_testing::{Browser, TestApp, scan_all, spawn_app};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Response, Url, header};
use serde_json::Value;
use time::Duration;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::AllowCredentials;

pub use auth_testing::Item;
pub use auth_testing::signed_in_as;

pub async fn app() -> TestApp {
    spawn_app("passkeys", |state| {
        passkeys::routes(state).expect("localhost can be a relying party")
    })
    .await
}

/// A device with one passkey: webauthn-authenticator-rs's software authenticator, plus the
/// two things a platform authenticator remembers for a discoverable credential and SoftPasskey
/// does not (it cannot store resident keys): which credential it made for the site, and the
/// user handle it was made for. It sends them back as a platform would: the credential is
/// picked from its own store, and the user handle comes with the assertion.
pub struct Device {
    authenticator: SoftPasskey,
    origin: Url,
    credential: Option<(Vec<u8>, Vec<u8>)>,
}

impl Device {
    /// A device that signs the client data with the origin `origin`.
    pub fn at(origin: &Url) -> Self {
        Self {
            // `true`: report user verification (a PIN or biometric), which passkeys require.
            authenticator: SoftPasskey::new(true),
            origin: origin.clone(),
            credential: None,
        }
    }

    /// The same device (same keys) used from a page at another origin.
    pub fn used_at(self, origin: &Url) -> Self {
        Self {
            origin: origin.clone(),
            ..self
        }
    }

    /// Answers creation options with a new credential, as `navigator.credentials.create` would.
    pub fn create(&mut self, options: Value) -> Value {
        let mut options: CreationChallengeResponse =
            serde_json::from_value(options).expect("creation options parse");
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            assert!(
                selection.require_resident_key,
                "the app asks for a discoverable credential"
            );
            selection.require_resident_key = false;
            selection.resident_key = None;
        }
        let user_handle = options.public_key.user.id.to_vec();
        let credential = self
            .authenticator
            .do_registration(self.origin.clone(), options)
            .expect("the authenticator registers");
        self.credential = Some((credential.raw_id.to_vec(), user_handle));
        serde_json::to_value(credential).expect("a credential serializes")
    }

    /// Answers request options with an assertion from this device's passkey.
    pub fn get(&mut self, options: Value) -> Value {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options).expect("request options parse");
        let (id, user_handle) = self.credential.clone().expect("the device has a passkey");
        assert!(
            options.public_key.allow_credentials.is_empty(),
            "discoverable: no list"
        );
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id,
            transports: None,
        }];
        let mut assertion = self
            .authenticator
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        assertion.response.user_handle = Some(user_handle);
        serde_json::to_value(assertion).expect("an assertion serializes")
    }

    /// Answers the request options of a fresh proof, which list the account's passkeys, with
    /// this device's passkey, listed or not (as a client that wants to try would).
    pub fn prove(&mut self, options: Value) -> Value {
        let mut options: RequestChallengeResponse =
            serde_json::from_value(options).expect("request options parse");
        assert!(
            !options.public_key.allow_credentials.is_empty(),
            "a proof lists the account's passkeys"
        );
        let (id, _) = self.credential.clone().expect("the device has a passkey");
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id,
            transports: None,
        }];
        let assertion = self
            .authenticator
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        serde_json::to_value(assertion).expect("an assertion serializes")
    }

    /// The credential id this device registered, base64url.
    pub fn credential_id(&self) -> String {
        use base64::Engine;
        let (id, _) = self.credential.as_ref().expect("the device has a passkey");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
    }
}

/// POSTs JSON as the page's script does (fetch sends the page's Origin).
pub async fn post_json(browser: &Browser, path: &str, body: &Value) -> Response {
    post_json_to(browser, &browser.url(path), body).await
}

/// POSTs JSON to any URL, with the Origin of the browser's app.
pub async fn post_json_to(browser: &Browser, url: &Url, body: &Value) -> Response {
    browser
        .client
        .post(url.clone())
        .header(header::ORIGIN, browser.base.origin().ascii_serialization())
        .header("sec-fetch-site", "same-origin")
        .json(body)
        .send()
        .await
        .expect("POST is answered")
}

pub async fn json(response: Response) -> Value {
    response.json().await.expect("the answer is JSON")
}

/// Options from `options_path`, the device's answer, and the app's answer to it.
pub async fn ceremony(
    browser: &Browser,
    device: &mut Device,
    options_path: &str,
    body: Value,
) -> Response {
    let (_, answer) = start(browser, device, options_path, body).await;
    let finish = options_path.replace("/options", "/finish");
    post_json(browser, &finish, &answer).await
}

/// The first half: options fetched and answered by the device, not yet sent back.
pub async fn start(
    browser: &Browser,
    device: &mut Device,
    options_path: &str,
    body: Value,
) -> (Value, Value) {
    let options = post_json(browser, options_path, &body).await;
    assert_eq!(options.status(), 200, "options for {options_path}");
    let options = json(options).await;
    let answer = if options_path.starts_with("/sign-in") {
        device.get(options.clone())
    } else if options_path.starts_with("/reauth") {
        device.prove(options.clone())
    } else {
        device.create(options.clone())
    };
    (options, answer)
}

pub async fn sign_up(browser: &Browser, device: &mut Device, email: &str) -> Response {
    let body = serde_json::json!({ "email": email });
    ceremony(browser, device, "/sign-up/options", body).await
}

pub async fn sign_in(browser: &Browser, device: &mut Device) -> Response {
    ceremony(browser, device, "/sign-in/options", serde_json::json!({})).await
}

pub async fn add_passkey(browser: &Browser, device: &mut Device, name: &str) -> Response {
    let body = serde_json::json!({ "name": name });
    ceremony(browser, device, "/settings/passkeys/options", body).await
}

/// A fresh proof with the device's passkey, asked to come back to `/settings`.
pub async fn reauth(browser: &Browser, device: &mut Device) -> Response {
    let body = serde_json::json!({ "next": "/settings" });
    ceremony(browser, device, "/reauth/options", body).await
}

/// Moves the clock past the re-authentication window: the session's proof is stale.
pub fn let_the_proof_go_stale(app: &TestApp) {
    app.clock()
        .advance(auth_core::session::SessionPolicy::default().reauth_window + Duration::SECOND);
}

/// Every item in the app's table except rate-limit buckets.
pub async fn items(app: &TestApp) -> Vec<Item> {
    scan_all(app.table())
        .await
        .into_iter()
        .filter(|i| !s(i, "PK").starts_with("RATE#"))
        .collect()
}

/// How many stored items have a sort key (or, for claims, a key) starting with `prefix`.
pub async fn count(app: &TestApp, prefix: &str) -> usize {
    items(app)
        .await
        .iter()
        .filter(|i| s(i, "SK").starts_with(prefix))
        .count()
}

pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{name} is not a string: {other:?}"),
    }
}

/// Moves the app's clock to the start of the next `window`. Rate limits count in fixed
/// windows aligned to their length, so a test that starts there knows when its window ends.
pub fn to_next_window(app: &TestApp, window: Duration) {
    let now = app.clock().now().unix_timestamp();
    let length = window.whole_seconds();
    let next = (now.div_euclid(length) + 1) * length;
    app.clock().advance(Duration::seconds(next - now));
}

/// A 429 that says how long to wait, in `Retry-After` and in the JSON message.
pub async fn assert_too_many(response: Response, wait_seconds: i64) {
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers()["retry-after"],
        wait_seconds.to_string().as_str()
    );
    let unit = if wait_seconds == 1 {
        "second"
    } else {
        "seconds"
    };
    assert_eq!(
        json(response).await["error"],
        format!("Too many attempts, try again in {wait_seconds} {unit}.")
    );
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(value: &Value) -> Vec<u8> {
    use base64::Engine;
    let text = value.as_str().expect("a base64url string");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("valid base64url")
}

/// A registration answer edited to claim the credential id `credential_id` (base64url) instead
/// of the one the authenticator made: what a client that wants to take over, or register
/// twice, a credential it does not own could send. SoftPasskey signs its attestation ("packed",
/// self-signed over the authenticator data), so the edited answer says "none" instead, which a
/// relying party that asks for no attestation accepts; everything else (challenge, origin,
/// relying party, flags, public key) is the authenticator's own.
pub fn claiming_credential(answer: &Value, credential_id: &str) -> Value {
    use base64::Engine;
    let new_id = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(credential_id)
        .expect("a base64url credential id");
    let mut auth_data = attested_auth_data(answer);
    // rpIdHash (32) flags (1) signCount (4) aaguid (16) credentialIdLength (2) credentialId …
    let length = usize::from(u16::from_be_bytes([auth_data[53], auth_data[54]]));
    auth_data.splice(55..55 + length, new_id.iter().copied());
    let new_length = u16::try_from(new_id.len()).unwrap().to_be_bytes();
    auth_data.splice(53..55, new_length);

    let mut object = vec![0xa3];
    object.extend(b"\x63fmt\x64none\x67attStmt\xa0\x68authData");
    object.extend(cbor_byte_string_header(auth_data.len()));
    object.extend(auth_data);

    let mut edited = answer.clone();
    edited["id"] = Value::from(b64(&new_id));
    edited["rawId"] = Value::from(b64(&new_id));
    edited["response"]["attestationObject"] = Value::from(b64(&object));
    edited
}

/// The authenticator data inside a registration answer's attestation object.
pub fn attested_auth_data(answer: &Value) -> Vec<u8> {
    let attestation = unb64(&answer["response"]["attestationObject"]);
    cbor_bytes_after(&attestation, b"\x68authData")
}

/// The CBOR byte string that follows `key` (an encoded text string) in `cbor`.
fn cbor_bytes_after(cbor: &[u8], key: &[u8]) -> Vec<u8> {
    let at = cbor
        .windows(key.len())
        .position(|w| w == key)
        .expect("the key is in the CBOR")
        + key.len();
    let (start, length) = match cbor[at] {
        h @ 0x40..=0x57 => (at + 1, usize::from(h - 0x40)),
        0x58 => (at + 2, usize::from(cbor[at + 1])),
        0x59 => (
            at + 3,
            usize::from(u16::from_be_bytes([cbor[at + 1], cbor[at + 2]])),
        ),
        other => panic!("not a short CBOR byte string: {other:#x}"),
    };
    cbor[start..start + length].to_vec()
}

pub fn cbor_byte_string_header(length: usize) -> Vec<u8> {
    match u8::try_from(length) {
        Ok(short) if short < 24 => vec![0x40 + short],
        Ok(short) => vec![0x58, short],
        Err(_) => {
            let mut header = vec![0x59];
            header.extend(u16::try_from(length).unwrap().to_be_bytes());
            header
        }
    }
}

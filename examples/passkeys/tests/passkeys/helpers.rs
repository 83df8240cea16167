use auth_web::testing::{Browser, TestApp, scan_all, spawn_app};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Response, Url, header};
use serde_json::Value;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::AllowCredentials;

pub use auth_web::testing::Item;

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

/// The signed-in user's email as the home page shows it, or `None` when signed out.
pub async fn signed_in_as(browser: &Browser) -> Option<String> {
    let page = browser.get("/").await.text().await.unwrap();
    let start = page.find("You are signed in as <strong>")? + "You are signed in as <strong>".len();
    let end = page[start..].find("</strong>")? + start;
    Some(page[start..end].to_owned())
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

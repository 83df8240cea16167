//! Security keys and passkeys as second factors, with webauthn-authenticator-rs's software
//! authenticator answering the app's real challenges.

use crate::helpers::*;
use auth_testing::{Browser, TestApp, location};
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

/// A security key (or a phone with a passkey): a software authenticator, used from pages at
/// `origin`. It keeps its credentials; the app names them in each challenge.
pub struct Key {
    authenticator: SoftPasskey,
    origin: Url,
}

impl Key {
    pub fn new(app: &TestApp) -> Self {
        Self {
            // `true`: it verifies its user (a PIN), which a passkey must.
            authenticator: SoftPasskey::new(true),
            origin: app.base.clone(),
        }
    }

    pub fn create(&mut self, options: Value) -> Value {
        let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let selection = options.public_key.authenticator_selection.as_ref();
        assert!(
            !selection.is_some_and(|s| s.require_resident_key),
            "a second factor needs no discoverable credential"
        );
        let credential = self
            .authenticator
            .do_registration(self.origin.clone(), options)
            .expect("the authenticator registers");
        serde_json::to_value(credential).unwrap()
    }

    pub fn get(&mut self, options: Value) -> Value {
        let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        assert!(
            !options.public_key.allow_credentials.is_empty(),
            "the app names the user's credentials"
        );
        let assertion = self
            .authenticator
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        serde_json::to_value(assertion).unwrap()
    }
}

/// Adds a factor of `kind` in settings, as the page and its script do.
pub async fn add_factor(
    browser: &Browser,
    key: &mut Key,
    kind: &str,
    name: &str,
) -> reqwest::Response {
    let options = post_json(
        browser,
        "/settings/two-factor/keys/options",
        &json!({ "kind": kind, "name": name }),
    )
    .await;
    assert_eq!(options.status(), StatusCode::OK);
    let credential = key.create(options.json().await.unwrap());
    browser
        .post(
            "/settings/two-factor/keys",
            &[("credential", &credential.to_string())],
        )
        .await
}

/// The assertion a key makes for the sign-in step's challenge, not sent yet.
pub async fn assertion(browser: &Browser, key: &mut Key, method: &str) -> String {
    let options = post_json(browser, "/two-factor/options", &json!({ "method": method })).await;
    assert_eq!(options.status(), StatusCode::OK);
    key.get(options.json().await.unwrap()).to_string()
}

pub async fn use_factor(browser: &Browser, method: &str, credential: &str) -> reqwest::Response {
    browser
        .post(
            "/two-factor",
            &[
                ("method", method),
                ("credential", credential),
                ("next", "/"),
            ],
        )
        .await
}

#[tokio::test]
async fn a_security_key_turns_two_factor_on_and_signs_in_with_the_password() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let mut key = Key::new(&example);
    let response = add_factor(&browser, &mut key, "security-key", "Blue key").await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        recovery_codes_on(&page).len(),
        10,
        "the first factor brings codes"
    );
    let stored = items(&example).await;
    let factor = stored
        .iter()
        .find(|i| s(i, "SK").starts_with("SECOND_FACTOR#"))
        .expect("the factor is stored");
    assert_eq!(s(factor, "Kind"), "security-key");
    assert_eq!(s(factor, "Name"), "Blue key");
    let claim = s(factor, "ClaimPK");
    assert!(
        stored.iter().any(|i| s(i, "PK") == claim),
        "claimed in the same write"
    );

    sign_out(&browser).await;
    assert_eq!(
        location(&browser.sign_in("ada@example.com", PASSWORD).await),
        "/two-factor"
    );
    let page = browser.get("/two-factor").await.text().await.unwrap();
    assert!(page.contains("Use a security key") && !page.contains("Use a passkey"));
    assert!(!page.contains("Authenticator app"), "{page}");
    let signed = assertion(&browser, &mut key, "security-key").await;
    assert_eq!(
        location(&use_factor(&browser, "security-key", &signed).await),
        "/"
    );
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );

    // The same assertion again (its challenge is used up) lets no one in.
    let other = example.browser();
    other.sign_in("ada@example.com", PASSWORD).await;
    let (status, page) = status_and_text(use_factor(&other, "security-key", &signed).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already used"), "{page}");
    assert_eq!(signed_in_as(&other).await, None);
}

#[tokio::test]
async fn a_passkey_is_a_second_factor_too_and_each_kind_has_its_own_button() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let (mut usb, mut phone) = (Key::new(&example), Key::new(&example));
    add_factor(&browser, &mut usb, "security-key", "Blue key").await;
    let response = add_factor(&browser, &mut phone, "passkey", "Phone").await;
    assert_eq!(location(&response), "/settings/two-factor?done=added");
    let page = browser
        .get("/settings/two-factor")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Blue key") && page.contains("Phone"),
        "{page}"
    );

    sign_out(&browser).await;
    browser.sign_in("ada@example.com", PASSWORD).await;
    let page = browser.get("/two-factor").await.text().await.unwrap();
    assert!(page.contains("Use a security key") && page.contains("Use a passkey"));
    // A passkey's challenge names only passkeys: the security key has nothing to sign with.
    let options = post_json(
        &browser,
        "/two-factor/options",
        &json!({"method": "passkey"}),
    )
    .await;
    let options: Value = options.json().await.unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let signed = phone.get(options).to_string();
    assert_eq!(
        location(&use_factor(&browser, "passkey", &signed).await),
        "/"
    );
}

#[tokio::test]
async fn a_key_of_another_account_is_refused() {
    let example = spawn().await;
    let ada = signed_up(&example, "ada@example.com").await;
    let bob = signed_up(&example, "bob@example.com").await;
    let (mut adas, mut bobs) = (Key::new(&example), Key::new(&example));
    add_factor(&ada, &mut adas, "security-key", "Ada's key").await;
    add_factor(&bob, &mut bobs, "security-key", "Bob's key").await;
    sign_out(&ada).await;
    ada.sign_in("ada@example.com", PASSWORD).await;
    // Bob's key answers Ada's challenge, as if it named his credential.
    let options = post_json(
        &ada,
        "/two-factor/options",
        &json!({"method": "security-key"}),
    )
    .await;
    let mut options: Value = options.json().await.unwrap();
    let bobs_id = items(&example)
        .await
        .iter()
        .find(|i| s(i, "SK").starts_with("SECOND_FACTOR#") && s(i, "Name") == "Bob's key")
        .map(|i| s(i, "SK").trim_start_matches("SECOND_FACTOR#").to_owned())
        .unwrap();
    options["publicKey"]["allowCredentials"][0]["id"] = json!(bobs_id);
    let signed = bobs.get(options).to_string();
    let (status, page) = status_and_text(use_factor(&ada, "security-key", &signed).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not one of yours"), "{page}");
    assert_eq!(signed_in_as(&ada).await, None);
    // Ada's own key still works (the failed ceremony was used up, so a new one starts).
    let signed = assertion(&ada, &mut adas, "security-key").await;
    assert_eq!(
        location(&use_factor(&ada, "security-key", &signed).await),
        "/"
    );
}

#[tokio::test]
async fn a_credential_registered_once_cannot_be_added_again() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let mut key = Key::new(&example);
    add_factor(&browser, &mut key, "security-key", "Blue key").await;
    let options = post_json(
        &browser,
        "/settings/two-factor/keys/options",
        &json!({ "kind": "security-key", "name": "Again" }),
    )
    .await;
    let options: Value = options.json().await.unwrap();
    let excluded = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(
        excluded.len(),
        1,
        "the authenticator is told what it holds already"
    );
}

#[tokio::test]
async fn renaming_and_removing_keys_and_the_last_one_turns_two_factor_off() {
    let example = spawn().await;
    let browser = signed_up(&example, "ada@example.com").await;
    let mut key = Key::new(&example);
    add_factor(&browser, &mut key, "security-key", "Blue key").await;
    let id = items(&example)
        .await
        .iter()
        .find(|i| s(i, "SK").starts_with("SECOND_FACTOR#"))
        .map(|i| s(i, "SK").trim_start_matches("SECOND_FACTOR#").to_owned())
        .unwrap();
    let response = browser
        .post(
            "/settings/two-factor/keys/rename",
            &[("credential_id", id.as_str()), ("name", "Red key")],
        )
        .await;
    assert_eq!(location(&response), "/settings/two-factor?done=renamed");
    let response = browser
        .post(
            "/settings/two-factor/keys/rename",
            &[("credential_id", id.as_str()), ("name", "   ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = browser
        .get("/settings/two-factor")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Red key"), "{page}");
    let response = browser
        .post(
            "/settings/two-factor/keys/remove",
            &[("credential_id", id.as_str())],
        )
        .await;
    assert_eq!(location(&response), "/settings/two-factor?done=removed");
    let response = browser
        .post(
            "/settings/two-factor/keys/remove",
            &[("credential_id", id.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "gone already");
    assert!(
        items(&example)
            .await
            .iter()
            .all(|i| !s(i, "PK").starts_with("CREDENTIAL#") && s(i, "SK") != "RECOVERY")
    );
    sign_out(&browser).await;
    assert_eq!(
        location(&browser.sign_in("ada@example.com", PASSWORD).await),
        "/"
    );
}

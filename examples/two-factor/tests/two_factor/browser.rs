//! A real browser: headless Chromium with a virtual security key (CTAP2 over USB, no resident
//! keys) adds the key through the settings page and `webauthn.js`, then signs in with the
//! password and the key. Required in CI (`CI` set); elsewhere skipped, loudly, without Chromium.

use crate::helpers::*;
use auth_testing::cdp::{Authenticator, Chromium, chromium_or_skip};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_adds_a_security_key_and_signs_in_with_it_through_the_pages() {
    let Some(executable) = chromium_or_skip("two-factor security key") else {
        return;
    };
    let example = spawn().await;
    signed_up(&example, "ada@example.com").await;
    let mut chromium = Chromium::launch(&executable).await;
    chromium.add_authenticator(Authenticator::SecurityKey).await;
    let base = example.base.as_str().trim_end_matches('/').to_owned();

    chromium.open(&format!("{base}/sign-in")).await;
    chromium
        .until_loaded(&fill_and_submit("form[action=\"/sign-in\"]", PASSWORD))
        .await;
    assert_eq!(path(&mut chromium).await, "/");

    chromium.open(&format!("{base}/settings/two-factor")).await;
    let supported = chromium
        .eval("document.querySelector('[data-webauthn-unsupported]').hidden")
        .await;
    assert_eq!(supported, json!(true), "the page sees WebAuthn support");
    chromium
        .until_loaded(
            "document.querySelector('form[data-webauthn=create] input[value=security-key]')
                .form.requestSubmit()",
        )
        .await;
    let codes = chromium
        .eval("document.querySelectorAll('ol.recovery-codes li').length")
        .await;
    assert_eq!(
        codes,
        json!(10),
        "the first factor's recovery codes are shown"
    );
    assert_eq!(
        items(&example)
            .await
            .iter()
            .filter(|i| s(i, "SK").starts_with("SECOND_FACTOR#"))
            .count(),
        1
    );

    chromium
        .until_loaded("document.querySelector('form[action=\"/sign-out\"] button').click()")
        .await;
    chromium.open(&format!("{base}/sign-in")).await;
    chromium
        .until_loaded(&fill_and_submit("form[action=\"/sign-in\"]", PASSWORD))
        .await;
    assert_eq!(path(&mut chromium).await, "/two-factor");
    chromium
        .until_loaded("document.querySelector('form[data-webauthn=get]').requestSubmit()")
        .await;
    assert_eq!(path(&mut chromium).await, "/");
    let who = chromium
        .eval("document.querySelector('main strong')?.textContent ?? ''")
        .await;
    assert_eq!(who, json!("ada@example.com"));
}

/// Script that fills the sign-in form and submits it.
fn fill_and_submit(form: &str, password: &str) -> String {
    format!(
        "const f = document.querySelector('{form}');
         f.email.value = 'ada@example.com';
         f.password.value = {password:?};
         f.requestSubmit()"
    )
}

async fn path(chromium: &mut Chromium) -> String {
    let path = chromium.eval("location.pathname").await;
    path.as_str().unwrap_or_default().to_owned()
}

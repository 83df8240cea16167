//! A real browser: headless Chromium with a virtual authenticator (the DevTools `WebAuthn`
//! domain) signs up, signs in and confirms it is the user through the actual pages and
//! `passkeys.js`.
//!
//! Required in CI (`CI` set): a missing Chromium fails the test. Elsewhere it is skipped,
//! loudly.

use crate::cdp::{Chromium, find_chromium};
use crate::helpers::{app, count, let_the_proof_go_stale};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_up_signs_in_and_proves_it_is_the_user_through_the_pages() {
    let Some(executable) = find_chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium not found, and CI requires the browser test (.ci/run installs it)"
        );
        eprintln!(
            "\n*** SKIPPED: chromium not found; the real-browser passkey test did not run ***"
        );
        eprintln!("*** install it with: apt-get install -y chromium chromium-driver ***\n");
        return;
    };
    let app = app().await;
    let mut chromium = Chromium::launch(&executable).await;
    chromium.call("WebAuthn.enable", json!({})).await;
    let authenticator = json!({ "options": {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": true,
        "hasUserVerification": true,
        "isUserVerified": true,
        "automaticPresenceSimulation": true,
    }});
    chromium
        .call("WebAuthn.addVirtualAuthenticator", authenticator)
        .await;
    let base = app.base.as_str().trim_end_matches('/').to_owned();

    chromium.open(&format!("{base}/sign-up")).await;
    let supported = chromium
        .eval("document.querySelector('[data-passkey-unsupported]').hidden")
        .await;
    assert_eq!(supported, json!(true), "the page sees WebAuthn support");
    chromium
        .until_loaded(
            "document.querySelector('input[name=email]').value = 'ada@example.com';
             document.querySelector('form[data-passkey]').requestSubmit()",
        )
        .await;
    assert_eq!(signed_in_as(&mut chromium).await, "ada@example.com");
    assert_eq!(count(&app, "PASSKEY#").await, 1);

    chromium
        .until_loaded("document.querySelector('form[action=\"/sign-out\"] button').click()")
        .await;
    assert_eq!(signed_in_as(&mut chromium).await, "");

    chromium.open(&format!("{base}/sign-in")).await;
    chromium
        .until_loaded("document.querySelector('form[data-passkey]').requestSubmit()")
        .await;
    assert_eq!(signed_in_as(&mut chromium).await, "ada@example.com");
    assert_eq!(
        count(&app, "SESSION#").await,
        1,
        "the first session was signed out"
    );

    // Later, adding a passkey needs a fresh proof: the script is sent to confirm with the
    // passkey, and comes back to settings.
    let_the_proof_go_stale(&app);
    chromium.open(&format!("{base}/settings")).await;
    chromium
        .until_loaded("document.querySelector('form[data-passkey=\"create\"]').requestSubmit()")
        .await;
    let at = chromium.eval("location.pathname + location.search").await;
    assert_eq!(at, json!("/reauth?next=%2Fsettings"));
    chromium
        .until_loaded("document.querySelector('form[data-passkey=\"get\"]').requestSubmit()")
        .await;
    let at = chromium.eval("location.pathname").await;
    assert_eq!(at, json!("/settings"), "back where the user was");
    let rename = "document.querySelector('form[action=\"/settings/passkeys/rename\"] \
                  input[name=name]').value = 'Laptop';
                  document.querySelector('form[action=\"/settings/passkeys/rename\"]').submit()";
    chromium.until_loaded(rename).await;
    let at = chromium.eval("location.pathname + location.search").await;
    assert_eq!(
        at,
        json!("/settings?done=renamed"),
        "proved: no second prompt"
    );
}

/// The email the home page shows as signed in, or "" when it shows none.
async fn signed_in_as(chromium: &mut Chromium) -> String {
    let who = chromium
        .eval("location.pathname === '/' ? (document.querySelector('main strong')?.textContent ?? '') : location.pathname")
        .await;
    who.as_str().unwrap_or_default().to_owned()
}

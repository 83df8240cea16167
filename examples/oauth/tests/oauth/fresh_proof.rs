//! Sensitive actions need a fresh sign-in at a provider linked to the account; deleting the
//! account removes everything of it.

use crate::github::ada;
use crate::helpers::*;
use auth_core::session::SessionPolicy;
use auth_testing::{Browser, location};
use oidc_dev_provider::Quirks;
use reqwest::StatusCode;
use time::Duration;

const ASKED_FOR_PROOF: &str = "/reauth?next=%2Fsettings";

/// Moves the clock past the re-authentication window.
fn let_the_proof_go_stale(h: &Harness) {
    h.app
        .clock()
        .advance(SessionPolicy::default().reauth_window + Duration::SECOND);
}

/// Ada, signed up with GitHub, with her Keycloak account linked.
async fn ada_with_two_accounts(h: &Harness) -> Browser {
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    let linked = oidc_flow(&browser, "/settings/link/oidc", "ada.keycloak@example.com").await;
    assert_eq!(location(&linked), "/settings?done=linked");
    browser
}

/// Whether the session can unlink right now (asked for a proof otherwise): tried with an
/// account nobody has, so nothing changes either way.
async fn is_proved(browser: &Browser) -> bool {
    let response = browser
        .post("/settings/unlink", &[("account", "github#1")])
        .await;
    !location(&response).starts_with("/reauth")
}

#[tokio::test]
async fn an_old_session_signs_in_again_at_a_linked_provider_before_unlinking() {
    let h = spawn().await;
    let browser = ada_with_two_accounts(&h).await;
    let_the_proof_go_stale(&h);
    let before = stored_keys(&h.app).await;
    let response = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    assert_eq!(location(&response), ASKED_FOR_PROOF);
    assert_eq!(stored_keys(&h.app).await, before, "nothing unlinked yet");

    let (status, page) = status_and_text(browser.get(ASKED_FOR_PROOF).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm it is you"), "{page}");
    assert!(
        page.contains(r#"href="/reauth/github?next=%2Fsettings""#),
        "{page}"
    );
    assert!(
        page.contains(r#"href="/reauth/oidc?next=%2Fsettings""#),
        "{page}"
    );
    assert!(
        !page.contains("/reauth/google"),
        "Ada has no Google account linked"
    );

    let to_provider = browser.get("/reauth/oidc?next=%2Fsettings").await;
    let authorize = location(&to_provider);
    assert!(authorize.starts_with(h.dev.issuer()), "{authorize}");
    for asked in ["prompt=login", "max_age=0"] {
        assert!(authorize.contains(asked), "{asked} in {authorize}");
    }
    let proved = oidc_flow(
        &browser,
        "/reauth/oidc?next=%2Fsettings",
        "ada.keycloak@example.com",
    )
    .await;
    assert_eq!(location(&proved), "/settings", "back where the user was");

    let response = browser
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    assert_eq!(location(&response), "/settings?done=unlinked");
}

#[tokio::test]
async fn linking_with_an_old_session_asks_for_the_proof_first_and_github_gives_it() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    let_the_proof_go_stale(&h);
    let response = browser.get("/settings/link/google").await;
    let asked = "/reauth?next=%2Fsettings%2Flink%2Fgoogle";
    assert_eq!(location(&response), asked);
    assert!(flow_set_cookie(&response).is_none(), "no flow started yet");

    // GitHub cannot be asked for a fresh login; a completed authorization is the proof.
    let proved = github_flow(&browser, "/reauth/github?next=%2Fsettings%2Flink%2Fgoogle").await;
    assert_eq!(location(&proved), "/settings/link/google");
    let linked = oidc_flow(&browser, "/settings/link/google", "ada.google@example.com").await;
    assert_eq!(location(&linked), "/settings?done=linked");
}

#[tokio::test]
async fn a_link_whose_proof_went_stale_at_the_provider_is_asked_for_it_again() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    h.app.clock().advance(Duration::minutes(5));
    let callback = oidc_redirect_back(
        &browser,
        "/settings/link/google",
        "ada.google@example.com",
        "approve",
    )
    .await;
    h.app.clock().advance(Duration::minutes(6));
    let before = stored_keys(&h.app).await;
    let response = visit(&browser, &callback).await;
    assert_eq!(
        location(&response),
        "/reauth?next=%2Fsettings%2Flink%2Fgoogle"
    );
    assert_eq!(stored_keys(&h.app).await, before, "nothing linked");
}

#[tokio::test]
async fn signing_out_everywhere_and_deleting_the_account_ask_for_the_proof_too() {
    let h = spawn().await;
    let browser = ada_with_two_accounts(&h).await;
    let_the_proof_go_stale(&h);
    for action in ["/settings/sessions/revoke-all", "/settings/delete-account"] {
        let response = browser.post(action, &[]).await;
        assert_eq!(location(&response), ASKED_FOR_PROOF, "{action}");
    }
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
    github_flow(&browser, "/reauth/github?next=%2Fsettings").await;
    let response = browser.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), "/");
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
}

#[tokio::test]
async fn another_users_account_or_an_unlinked_one_is_no_proof_and_signs_nobody_up() {
    let h = spawn().await;
    oidc_flow(&h.app.browser(), "/sign-in/google", "grace@example.com").await;
    let browser = ada_with_two_accounts(&h).await;
    let_the_proof_go_stale(&h);
    let before = stored_keys(&h.app).await;

    for email in ["grace@example.com", "stranger@example.com"] {
        let response = oidc_flow(&browser, "/reauth/google?next=%2Fsettings", email).await;
        let (status, page) = status_and_text(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {page}");
        assert!(
            page.contains("That Google account is not linked to your account here"),
            "{page}"
        );
        assert!(
            page.contains(r#"href="/reauth?next=%2Fsettings""#),
            "{page}"
        );
    }
    assert_eq!(stored_keys(&h.app).await, before, "nothing written");
    assert!(!is_proved(&browser).await);
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
}

#[tokio::test]
async fn a_replayed_proof_callback_or_code_is_refused() {
    let h = spawn().await;
    let browser = ada_with_two_accounts(&h).await;
    let_the_proof_go_stale(&h);
    let callback = oidc_redirect_back(
        &browser,
        "/reauth/oidc?next=%2Fsettings",
        "ada.keycloak@example.com",
        "approve",
    )
    .await;
    assert_eq!(location(&visit(&browser, &callback).await), "/settings");

    let_the_proof_go_stale(&h);
    let (status, page) = status_and_text(visit(&browser, &callback).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("finished already"), "{page}");

    // The old code inside a fresh proof flow: the provider takes each code once.
    let to_provider = browser.get("/reauth/oidc?next=%2Fsettings").await;
    let state = url::Url::parse(location(&to_provider))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut replay = url::Url::parse(&callback).unwrap();
    let code = replay
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    replay
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let (status, page) = status_and_text(visit(&browser, replay.as_str()).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("did not accept this sign-in"), "{page}");
    assert!(!is_proved(&browser).await);
}

#[tokio::test]
async fn a_provider_that_reuses_an_old_login_is_no_proof() {
    let h = spawn().await;
    let browser = ada_with_two_accounts(&h).await;
    let_the_proof_go_stale(&h);
    h.dev.set_quirks(Quirks {
        old_auth_time: true,
        ..Quirks::default()
    });
    let response = oidc_flow(
        &browser,
        "/reauth/oidc?next=%2Fsettings",
        "ada.keycloak@example.com",
    )
    .await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("Keycloak did not ask you to sign in again"),
        "{page}"
    );
    assert!(!is_proved(&browser).await);
}

#[tokio::test]
async fn the_proof_page_needs_a_session() {
    let h = spawn().await;
    let browser = h.app.browser();
    assert_eq!(location(&browser.get(ASKED_FOR_PROOF).await), "/sign-in");
    let start = browser.get("/reauth/google?next=%2Fsettings").await;
    assert_eq!(location(&start), "/sign-in");
}

#[tokio::test]
async fn deleting_the_account_removes_every_item_and_frees_the_email_and_accounts() {
    let h = spawn().await;
    let laptop = ada_with_two_accounts(&h).await;
    let phone = h.app.browser();
    oidc_flow(&phone, "/sign-in/oidc", "ada.keycloak@example.com").await;
    assert!(is_signed_in_as(&phone, "ada@example.com").await);
    let_the_proof_go_stale(&h);

    let response = laptop.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), ASKED_FOR_PROOF);
    github_flow(&laptop, "/reauth/github?next=%2Fsettings").await;
    let response = laptop.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), "/?done=deleted");
    let page = laptop.get("/?done=deleted").await.text().await.unwrap();
    assert!(page.contains("Your account was deleted."), "{page}");

    let left = stored_keys(&h.app).await;
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(
        !is_signed_in_as(&phone, "ada@example.com").await,
        "other browsers are signed out"
    );

    // The email and both provider accounts are free at once.
    let again = github_flow(&laptop, "/sign-in/github").await;
    assert_eq!(location(&again), "/");
    assert!(is_signed_in_as(&laptop, "ada@example.com").await);
    let keycloak = oidc_flow(&phone, "/sign-in/oidc", "ada.keycloak@example.com").await;
    assert_eq!(location(&keycloak), "/");
    assert!(is_signed_in_as(&phone, "ada.keycloak@example.com").await);
}

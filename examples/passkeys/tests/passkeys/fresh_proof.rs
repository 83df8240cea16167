//! Sensitive actions need a fresh proof with one of the account's own passkeys; deleting the
//! account removes everything of it.

use crate::helpers::{
    Device, add_passkey, app, claiming_credential, count, items, json, let_the_proof_go_stale,
    post_json, reauth, s, sign_in, sign_up, signed_in_as, start,
};
use auth_testing::{Browser, TestApp, location};
use reqwest::StatusCode;
use serde_json::json;

const ASKED_FOR_PROOF: &str = "/reauth?next=%2Fsettings";

/// Ada, signed up in a new browser with a new device (her laptop).
async fn ada(app: &TestApp) -> (Browser, Device) {
    let browser = app.browser();
    let mut laptop = Device::at(&app.base);
    sign_up(&browser, &mut laptop, "ada@example.com").await;
    (browser, laptop)
}

/// The names of the stored passkeys, sorted.
async fn passkey_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = items(app)
        .await
        .iter()
        .filter(|i| s(i, "SK").starts_with("PASSKEY#"))
        .map(|i| s(i, "Name").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_old_session_confirms_with_a_passkey_before_renaming_or_deleting_one() {
    let app = app().await;
    let (browser, mut laptop) = ada(&app).await;
    let mut phone = Device::at(&app.base);
    assert_eq!(
        add_passkey(&browser, &mut phone, "Phone").await.status(),
        200
    );
    let_the_proof_go_stale(&app);

    let phone_id = phone.credential_id();
    let rename = [("credential_id", phone_id.as_str()), ("name", "Old phone")];
    let renamed = browser.post("/settings/passkeys/rename", &rename).await;
    assert_eq!(location(&renamed), ASKED_FOR_PROOF);
    let delete = [("credential_id", phone_id.as_str())];
    let deleted = browser.post("/settings/passkeys/delete", &delete).await;
    assert_eq!(location(&deleted), ASKED_FOR_PROOF);
    assert_eq!(passkey_names(&app).await, ["First passkey", "Phone"]);

    let page = browser.get(ASKED_FOR_PROOF).await.text().await.unwrap();
    assert!(page.contains("Confirm it is you"), "{page}");
    assert!(page.contains(r#"data-passkey="get""#), "{page}");
    assert!(page.contains(r#"name="next" value="/settings""#), "{page}");
    let proved = reauth(&browser, &mut laptop).await;
    assert_eq!(proved.status(), 200);
    assert_eq!(json(proved).await, json!({ "redirect": "/settings" }));

    let renamed = browser.post("/settings/passkeys/rename", &rename).await;
    assert_eq!(location(&renamed), "/settings?done=renamed");
    let deleted = browser.post("/settings/passkeys/delete", &delete).await;
    assert_eq!(location(&deleted), "/settings?done=deleted");
    assert_eq!(passkey_names(&app).await, ["First passkey"]);
}

#[tokio::test]
async fn adding_a_passkey_with_an_old_session_answers_json_that_sends_the_script_to_prove_it() {
    let app = app().await;
    let (browser, mut laptop) = ada(&app).await;
    let ceremonies = || async {
        items(&app)
            .await
            .iter()
            .filter(|i| s(i, "PK").starts_with("CEREMONY#"))
            .count()
    };
    let_the_proof_go_stale(&app);
    let body = json!({ "name": "Phone" });
    let refused = post_json(&browser, "/settings/passkeys/options", &body).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let answer = json(refused).await;
    assert_eq!(answer["reauth"], ASKED_FOR_PROOF);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("confirm it is you")
    );
    assert_eq!(ceremonies().await, 0, "no prompt, no ceremony");

    // Proved, options fetched; the proof goes stale before the answer comes back.
    reauth(&browser, &mut laptop).await;
    let mut phone = Device::at(&app.base);
    let (_, answer) = start(&browser, &mut phone, "/settings/passkeys/options", body).await;
    let_the_proof_go_stale(&app);
    let refused = post_json(&browser, "/settings/passkeys/finish", &answer).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(refused).await["reauth"], ASKED_FOR_PROOF);
    assert_eq!(count(&app, "PASSKEY#").await, 1, "nothing was added");

    reauth(&browser, &mut laptop).await;
    let added = add_passkey(&browser, &mut phone, "Phone").await;
    assert_eq!(added.status(), 200);
    assert_eq!(count(&app, "PASSKEY#").await, 2);
}

#[tokio::test]
async fn signing_out_everywhere_and_deleting_the_account_ask_for_the_proof_too() {
    let app = app().await;
    let (browser, mut laptop) = ada(&app).await;
    let_the_proof_go_stale(&app);
    for action in ["/settings/sessions/revoke-all", "/settings/delete-account"] {
        let response = browser.post(action, &[]).await;
        assert_eq!(location(&response), ASKED_FOR_PROOF, "{action}");
    }
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );
    reauth(&browser, &mut laptop).await;
    let response = browser.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), "/");
    assert_eq!(signed_in_as(&browser).await, None);
    assert_eq!(count(&app, "SESSION#").await, 0);
}

#[tokio::test]
async fn the_proof_lists_only_the_accounts_passkeys_and_requires_user_verification() {
    let app = app().await;
    let (browser, laptop) = ada(&app).await;
    let mut phone = Device::at(&app.base);
    add_passkey(&browser, &mut phone, "Phone").await;
    sign_up(
        &app.browser(),
        &mut Device::at(&app.base),
        "eve@example.com",
    )
    .await;
    let options = post_json(&browser, "/reauth/options", &json!({ "next": "/settings" })).await;
    let options = json(options).await;
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let mut listed: Vec<&str> = options["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    listed.sort();
    let mut adas = [laptop.credential_id(), phone.credential_id()];
    adas.sort();
    assert_eq!(listed, adas, "Ada's two passkeys, not Eve's");
}

#[tokio::test]
async fn another_users_passkey_is_no_proof() {
    let app = app().await;
    let (ada_browser, _) = ada(&app).await;
    let mut eve = Device::at(&app.base);
    sign_up(&app.browser(), &mut eve, "eve@example.com").await;
    let_the_proof_go_stale(&app);

    let refused = reauth(&ada_browser, &mut eve).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let error = json(refused).await["error"].as_str().unwrap().to_owned();
    assert!(
        error.contains("not one of this account's passkeys"),
        "{error}"
    );
    let response = ada_browser.post("/settings/sessions/revoke-all", &[]).await;
    assert_eq!(location(&response), ASKED_FOR_PROOF, "still not proved");
}

#[tokio::test]
async fn a_replayed_proof_or_a_sign_in_ceremony_is_no_proof() {
    let app = app().await;
    let (browser, mut laptop) = ada(&app).await;
    let_the_proof_go_stale(&app);
    let body = json!({ "next": "/settings" });
    let (_, answer) = start(&browser, &mut laptop, "/reauth/options", body).await;
    let token = browser.cookie("ceremony").unwrap();
    let proved = post_json(&browser, "/reauth/finish", &answer).await;
    assert_eq!(proved.status(), 200);

    let_the_proof_go_stale(&app);
    browser.set_cookie("ceremony", &token);
    let replayed = post_json(&browser, "/reauth/finish", &answer).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    let error = json(replayed).await["error"].as_str().unwrap().to_owned();
    assert!(error.contains("expired or was already used"), "{error}");

    // A sign-in ceremony's answer, finished as a proof: the ceremony is of the wrong kind.
    let (_, assertion) = start(&browser, &mut laptop, "/sign-in/options", json!({})).await;
    let wrong_kind = post_json(&browser, "/reauth/finish", &assertion).await;
    assert_eq!(wrong_kind.status(), StatusCode::BAD_REQUEST);

    let response = browser.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), ASKED_FOR_PROOF, "still not proved");
}

#[tokio::test]
async fn the_proof_page_without_javascript_says_what_is_missing() {
    let app = app().await;
    let (browser, _) = ada(&app).await;
    let response = browser.post("/reauth", &[("next", "/settings")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Turn JavaScript on")
    );
    let signed_out = app.browser().get(ASKED_FOR_PROOF).await;
    assert_eq!(location(&signed_out), "/sign-in");
    let options = post_json(&app.browser(), "/reauth/options", &json!({})).await;
    assert_eq!(options.status(), StatusCode::UNAUTHORIZED);
    assert!(json(options).await["error"].is_string());
}

#[tokio::test]
async fn deleting_the_account_removes_every_item_and_frees_the_email_and_credentials() {
    let app = app().await;
    let (laptop_browser, mut laptop) = ada(&app).await;
    let mut phone = Device::at(&app.base);
    add_passkey(&laptop_browser, &mut phone, "Phone").await;
    let phone_browser = app.browser();
    assert_eq!(sign_in(&phone_browser, &mut phone).await.status(), 200);
    let_the_proof_go_stale(&app);

    let response = laptop_browser.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), ASKED_FOR_PROOF);
    reauth(&laptop_browser, &mut laptop).await;
    let response = laptop_browser.post("/settings/delete-account", &[]).await;
    assert_eq!(location(&response), "/?done=deleted");
    let page = laptop_browser
        .get("/?done=deleted")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your account was deleted."), "{page}");

    let left = items(&app).await;
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(signed_in_as(&laptop_browser).await, None);
    assert_eq!(
        signed_in_as(&phone_browser).await,
        None,
        "other browsers are signed out"
    );

    // The email and the very credential ids can be registered again at once.
    let newcomer = app.browser();
    let body = json!({ "email": "ada@example.com" });
    let (_, answer) = start(
        &newcomer,
        &mut Device::at(&app.base),
        "/sign-up/options",
        body,
    )
    .await;
    let reused = claiming_credential(&answer, &laptop.credential_id());
    let signed_up = post_json(&newcomer, "/sign-up/finish", &reused).await;
    assert_eq!(signed_up.status(), 200);
    assert_eq!(
        signed_in_as(&newcomer).await.as_deref(),
        Some("ada@example.com")
    );
    let claim = format!("CREDENTIAL#{}", laptop.credential_id());
    assert!(items(&app).await.iter().any(|i| s(i, "PK") == claim));
}

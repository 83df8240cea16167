//! Whole ceremonies over HTTP with software authenticators.

use crate::helpers::{
    Device, add_passkey, app, claiming_credential, count, items, json, post_json, s, sign_in,
    sign_up, signed_in_as, start,
};
use auth_testing::{invalid_field_message, location};
use serde_json::json;

#[tokio::test]
async fn a_visitor_signs_up_with_a_passkey_and_is_signed_in() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    let response = sign_up(&browser, &mut device, "Ada@Example.com").await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, json!({ "redirect": "/" }));
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );
    assert!(
        browser.cookie("ceremony").is_none(),
        "the ceremony cookie is cleared"
    );

    let items = items(&app).await;
    let passkey = items
        .iter()
        .find(|i| s(i, "SK").starts_with("PASSKEY#"))
        .unwrap();
    let credential_id = device.credential_id();
    assert_eq!(s(passkey, "SK"), format!("PASSKEY#{credential_id}"));
    assert_eq!(s(passkey, "Name"), "First passkey");
    let claim_pk = format!("CREDENTIAL#{credential_id}");
    let claim = items.iter().find(|i| s(i, "PK") == claim_pk).unwrap();
    assert_eq!(s(claim, "UserId"), s(passkey, "UserId"));
    assert!(items.iter().any(|i| s(i, "PK") == "EMAIL#ada@example.com"));
    assert!(
        !items.iter().any(|i| s(i, "PK").starts_with("CEREMONY#")),
        "ceremony consumed"
    );
}

#[tokio::test]
async fn a_user_signs_out_and_back_in_with_the_passkey_alone() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    sign_up(&browser, &mut device, "ada@example.com").await;
    let out = browser.post("/sign-out", &[]).await;
    assert_eq!(location(&out), "/");
    assert_eq!(signed_in_as(&browser).await, None);

    let response = sign_in(&browser, &mut device).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, json!({ "redirect": "/" }));
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );

    let items = items(&app).await;
    let passkey = items
        .iter()
        .find(|i| s(i, "SK").starts_with("PASSKEY#"))
        .unwrap();
    assert!(passkey.contains_key("LastUsedAt"), "the use is recorded");
    let stored: serde_json::Value = serde_json::from_str(s(passkey, "Credential")).unwrap();
    assert_eq!(
        stored["cred"]["counter"], 1,
        "the signature counter is stored back"
    );
}

#[tokio::test]
async fn a_second_passkey_can_be_added_used_and_deleted_but_never_the_last() {
    let app = app().await;
    let browser = app.browser();
    let mut laptop = Device::at(&app.base);
    let mut phone = Device::at(&app.base);
    sign_up(&browser, &mut laptop, "ada@example.com").await;

    let added = add_passkey(&browser, &mut phone, "Phone").await;
    assert_eq!(
        json(added).await,
        json!({ "redirect": "/settings?done=added" })
    );
    let settings = browser
        .get("/settings?done=added")
        .await
        .text()
        .await
        .unwrap();
    assert!(settings.contains("Your new passkey was added."));
    assert!(settings.contains("value=\"Phone\""));
    assert_eq!(count(&app, "PASSKEY#").await, 2);

    browser.post("/sign-out", &[]).await;
    assert_eq!(sign_in(&browser, &mut phone).await.status(), 200);
    assert_eq!(
        signed_in_as(&browser).await.as_deref(),
        Some("ada@example.com")
    );

    let laptop_id = laptop.credential_id();
    let deleted = browser
        .post(
            "/settings/passkeys/delete",
            &[("credential_id", &laptop_id)],
        )
        .await;
    assert_eq!(location(&deleted), "/settings?done=deleted");
    assert_eq!(count(&app, "PASSKEY#").await, 1);
    assert!(
        !items(&app)
            .await
            .iter()
            .any(|i| s(i, "PK") == format!("CREDENTIAL#{laptop_id}"))
    );

    let phone_id = phone.credential_id();
    let refused = browser
        .post("/settings/passkeys/delete", &[("credential_id", &phone_id)])
        .await;
    assert_eq!(refused.status(), 409);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("This is your only way to sign in. Add another one first."),
        "{page}"
    );
    assert_eq!(count(&app, "PASSKEY#").await, 1);

    browser.post("/sign-out", &[]).await;
    let with_deleted = sign_in(&browser, &mut laptop).await;
    assert_eq!(
        with_deleted.status(),
        400,
        "a deleted passkey no longer signs in"
    );
    assert_eq!(signed_in_as(&browser).await, None);
}

#[tokio::test]
async fn a_passkey_can_be_renamed_and_a_blank_name_is_refused() {
    let app = app().await;
    let browser = app.browser();
    let mut device = Device::at(&app.base);
    sign_up(&browser, &mut device, "ada@example.com").await;
    let id = device.credential_id();
    let renamed = browser
        .post(
            "/settings/passkeys/rename",
            &[("credential_id", &id), ("name", "Work laptop")],
        )
        .await;
    assert_eq!(location(&renamed), "/settings?done=renamed");
    let page = browser.get("/settings").await.text().await.unwrap();
    assert!(page.contains("value=\"Work laptop\""));

    let blank = browser
        .post(
            "/settings/passkeys/rename",
            &[("credential_id", &id), ("name", "  ")],
        )
        .await;
    assert_eq!(blank.status(), 400);
    let page = blank.text().await.unwrap();
    assert!(page.contains(r#"role="alert""#), "{page}");
    // The passkey's own name field is marked, and shows what was typed to fix it.
    assert_eq!(
        invalid_field_message(&page, "name").as_deref(),
        Some("Give the passkey a name of 1 to 60 characters."),
        "{page}"
    );
    assert!(
        page.contains(r#"value="  " aria-label="Name""#),
        "the refused name stays in its field: {page}"
    );
}

#[tokio::test]
async fn signing_up_with_a_registered_email_is_refused_before_any_prompt() {
    let app = app().await;
    let first = app.browser();
    sign_up(&first, &mut Device::at(&app.base), "ada@example.com").await;
    let second = app.browser();
    let options = post_json(
        &second,
        "/sign-up/options",
        &json!({ "email": "ADA@example.com" }),
    )
    .await;
    assert_eq!(options.status(), 409);
    let body = json(options).await;
    assert_eq!(body["error"], "That email is already registered.");
    assert_eq!(body["field"], "email", "the script marks the field");
    assert!(
        second.cookie("ceremony").is_none(),
        "no ceremony was started"
    );
}

#[tokio::test]
async fn a_malformed_email_or_body_is_a_json_error_not_a_crash() {
    let app = app().await;
    let browser = app.browser();
    let bad = post_json(
        &browser,
        "/sign-up/options",
        &json!({ "email": "not an email" }),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let bad = json(bad).await;
    assert!(bad["error"].as_str().unwrap().contains("valid email"));
    assert_eq!(bad["field"], "email");
    let garbage = post_json(&browser, "/sign-in/finish", &json!({ "id": 42 })).await;
    assert_eq!(garbage.status(), 400);
    let garbage = json(garbage).await;
    assert!(garbage["error"].is_string());
    assert!(garbage.get("field").is_none(), "about no field: {garbage}");
}

#[tokio::test]
async fn a_credential_already_registered_is_refused_on_any_account() {
    let app = app().await;
    let (ada_browser, eve_browser) = (app.browser(), app.browser());
    let mut ada = Device::at(&app.base);
    sign_up(&ada_browser, &mut ada, "ada@example.com").await;
    let ada_credential = ada.credential_id();
    let claim_pk = format!("CREDENTIAL#{ada_credential}");
    let ada_id = {
        let items = items(&app).await;
        let claim = items.iter().find(|i| s(i, "PK") == claim_pk).unwrap();
        s(claim, "UserId").to_owned()
    };
    let taken = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 409);
        assert_eq!(
            json(response).await["error"],
            "This passkey is already registered."
        );
    };

    // A sign-up whose answer names Ada's credential: refused, and no account is left behind.
    let body = json!({ "email": "eve@example.com" });
    let (_, answer) = start(
        &eve_browser,
        &mut Device::at(&app.base),
        "/sign-up/options",
        body,
    )
    .await;
    let forged = claiming_credential(&answer, &ada_credential);
    taken(post_json(&eve_browser, "/sign-up/finish", &forged).await).await;
    assert_eq!(signed_in_as(&eve_browser).await, None);
    assert!(
        !items(&app)
            .await
            .iter()
            .any(|i| s(i, "PK") == "EMAIL#eve@example.com"),
        "the sign-up wrote nothing"
    );

    // Ada adds her phone in two ceremonies started before either finished (say, two tabs).
    // The options exclude the passkeys she had then, so webauthn-rs cannot see that the second
    // answer's credential was added meanwhile; the claim on the credential id does.
    let mut phone = Device::at(&app.base);
    let body = json!({ "name": "Phone" });
    let (_, first_tab) = start(
        &ada_browser,
        &mut Device::at(&app.base),
        "/settings/passkeys/options",
        body.clone(),
    )
    .await;
    let first_tab_ceremony = ada_browser.cookie("ceremony").unwrap();
    let (_, second_tab) = start(&ada_browser, &mut phone, "/settings/passkeys/options", body).await;
    let added = post_json(&ada_browser, "/settings/passkeys/finish", &second_tab).await;
    assert_eq!(added.status(), 200);
    ada_browser.set_cookie("ceremony", &first_tab_ceremony);
    let twice = claiming_credential(&first_tab, &phone.credential_id());
    taken(post_json(&ada_browser, "/settings/passkeys/finish", &twice).await).await;
    assert_eq!(count(&app, "PASSKEY#").await, 2, "the phone once");

    // Eve, with an account of her own, adding Ada's credential to it: refused.
    let mut eve = Device::at(&app.base);
    sign_up(&eve_browser, &mut eve, "eve@example.com").await;
    let body = json!({ "name": "Stolen" });
    let (_, answer) = start(
        &eve_browser,
        &mut Device::at(&app.base),
        "/settings/passkeys/options",
        body,
    )
    .await;
    let stolen = claiming_credential(&answer, &ada_credential);
    taken(post_json(&eve_browser, "/settings/passkeys/finish", &stolen).await).await;

    assert_eq!(count(&app, "PASSKEY#").await, 3, "Ada's two and Eve's own");
    let items = items(&app).await;
    let claim = items.iter().find(|i| s(i, "PK") == claim_pk).unwrap();
    assert_eq!(s(claim, "UserId"), ada_id, "the credential is still Ada's");
    ada_browser.post("/sign-out", &[]).await;
    assert_eq!(sign_in(&ada_browser, &mut ada).await.status(), 200);
    assert_eq!(
        signed_in_as(&ada_browser).await.as_deref(),
        Some("ada@example.com")
    );
}

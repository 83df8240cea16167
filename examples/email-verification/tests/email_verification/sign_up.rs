use crate::helpers::*;
use auth_testing::location;
use auth_testing::mail_server::Received;
use reqwest::StatusCode;

#[tokio::test]
async fn signing_up_mails_a_code_and_entering_it_verifies_the_address() {
    let example = spawn().await;
    let browser = example.browser();
    let response = browser.sign_up("Ada@Example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/verify-email");
    let device = set_cookie(&response, "device").expect("a device cookie is set");
    assert!(device.contains("SameSite=Strict"), "{device}");
    let mail = example.mail.next_mail().await;
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.subject(), "Your verification code");
    let code = mail.code();
    assert_headers_of_a_well_formed_mail(&mail);
    assert!(
        mail.data.contains(&format!("<p>{code}</p>")),
        "the HTML alternative shows the code too: {}",
        mail.data
    );

    let user = user(example.table(), "ada@example.com").await.unwrap();
    assert!(!user.email_verified);
    let request = verification_request(example.table(), &user.id)
        .await
        .unwrap();
    assert!(
        !format!("{request:?}")
            .to_lowercase()
            .contains(&code.to_lowercase()),
        "only a hash of the code is stored"
    );

    let page = browser.get("/verify-email").await.text().await.unwrap();
    assert!(page.contains("We sent a code to <strong>ada@example.com</strong>"));
    let response = enter_code(&browser, &code.to_lowercase()).await;
    assert_eq!(location(&response), "/?done=verified");
    let page = browser.get("/?done=verified").await.text().await.unwrap();
    assert!(page.contains("Your email address is verified."));
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
    assert!(user_verified(&example, "ada@example.com").await);
    assert!(
        verification_request(example.table(), &user.id)
            .await
            .is_none()
    );
}

/// The headers mail filters look for: an id on the sender's domain (`MAIL_FROM` is
/// `no-reply@example.com` in the tests), a date, and MIME with a text and an HTML part.
fn assert_headers_of_a_well_formed_mail(mail: &Received) {
    let message_id = mail.header("Message-ID").unwrap_or_default();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@example.com>"),
        "{}",
        mail.data
    );
    assert_eq!(mail.header("MIME-Version"), Some("1.0"), "{}", mail.data);
    assert!(mail.header("Date").is_some(), "{}", mail.data);
    let content_type = mail.header("Content-Type").unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{}",
        mail.data
    );
}

async fn user_verified(example: &Example, email: &str) -> bool {
    user(example.table(), email).await.unwrap().email_verified
}

#[tokio::test]
async fn until_the_address_is_verified_every_page_leads_to_the_verify_page() {
    let example = spawn().await;
    let (browser, _) = signed_up(&example, "ada@example.com").await;
    for path in ["/", "/settings", "/verify-email"] {
        let response = browser.get(path).await;
        if path == "/verify-email" {
            assert_eq!(response.status(), StatusCode::OK);
        } else {
            assert_eq!(location(&response), "/verify-email", "{path}");
        }
    }
    browser.post("/sign-out", &[]).await;
    let response = browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        location(&response),
        "/verify-email",
        "signing in again leads there too"
    );
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one() {
    let example = spawn().await;
    let (browser, old) = signed_up(&example, "ada@example.com").await;
    let response = browser.post("/verify-email/resend", &[]).await;
    assert_eq!(location(&response), "/verify-email?sent=1");
    let new = example.mail.code_for("ada@example.com").await;
    assert_ne!(old, new);
    let (status, page) = status_and_text(enter_code(&browser, &old).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("That code is not right."), "{page}");
    assert_eq!(
        location(&enter_code(&browser, &new).await),
        "/?done=verified"
    );
}

#[tokio::test]
async fn a_typo_in_the_address_can_be_fixed_before_it_is_verified() {
    let example = spawn().await;
    let (browser, _) = signed_up(&example, "ada@exmaple.com").await;
    let response = browser
        .post("/settings/email", &[("email", "ada@example.com")])
        .await;
    assert_eq!(location(&response), "/verify-email");
    let code = example.mail.code_for("ada@example.com").await;
    assert_eq!(
        location(&enter_code(&browser, &code).await),
        "/?done=verified"
    );
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
    assert!(user(example.table(), "ada@exmaple.com").await.is_none());
    assert!(
        get(
            example.table(),
            "EMAIL#ada@exmaple.com",
            "EMAIL#ada@exmaple.com"
        )
        .await
        .is_none(),
        "the mistyped address is free again"
    );
}

#[tokio::test]
async fn a_code_that_cannot_be_mailed_is_a_clear_page_and_no_request_is_stored() {
    let example = spawn().await;
    let browser = example.browser();
    let response = browser.sign_up("ada@reject.example", PASSWORD).await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.contains("Your account was created. We could not send the email."),
        "{page}"
    );
    let user = user(example.table(), "ada@reject.example").await.unwrap();
    assert!(
        verification_request(example.table(), &user.id)
            .await
            .is_none()
    );

    let (status, page) = status_and_text(browser.post("/verify-email/resend", &[]).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("We could not send the email."));
    assert!(
        verification_request(example.table(), &user.id)
            .await
            .is_none()
    );
}

//! The pages and the script, as a browser receives them.

use crate::helpers::app;

#[tokio::test]
async fn the_script_is_served_by_the_app_as_javascript() {
    let app = app().await;
    let response = app.browser().get("/static/passkeys.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("navigator.credentials.create")
    );
}

#[tokio::test]
async fn ceremony_pages_load_the_script_and_say_when_passkeys_cannot_work() {
    let app = app().await;
    let browser = app.browser();
    for path in ["/sign-up", "/sign-in"] {
        let page = browser.get(path).await.text().await.unwrap();
        assert!(page.contains(r#"<script type="module" src="/static/passkeys.js"></script>"#));
        assert!(
            page.contains("This browser does not support security keys or passkeys"),
            "{path}"
        );
        assert!(page.contains("<noscript>"), "{path}");
    }
    let sign_in = browser.get("/sign-in").await.text().await.unwrap();
    assert!(
        sign_in.contains(r#"autocomplete="username webauthn""#),
        "passkey autofill"
    );
}

#[tokio::test]
async fn a_form_posted_without_javascript_explains_what_is_missing() {
    let app = app().await;
    let browser = app.browser();
    for path in ["/sign-up", "/sign-in"] {
        let response = browser.post(path, &[("email", "ada@example.com")]).await;
        assert_eq!(response.status(), 400);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Turn JavaScript on")
        );
    }
}

#[tokio::test]
async fn settings_need_a_session() {
    let app = app().await;
    let response = app.browser().get("/settings").await;
    assert_eq!(auth_testing::location(&response), "/sign-in");
}

use crate::helpers::*;
use reqwest::StatusCode;

const FORM_ROUTES: [&str; 6] = [
    "/sign-up",
    "/sign-in",
    "/sign-out",
    "/settings/password",
    "/settings/sessions/revoke",
    "/settings/sessions/revoke-all",
];

#[tokio::test]
async fn a_post_from_another_origin_is_refused_on_every_form_route_and_changes_nothing() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    for route in FORM_ROUTES {
        let response = browser
            .post_from(
                "https://evil.example",
                route,
                &[("email", "eve@example.com"), ("password", PASSWORD)],
            )
            .await;
        let (status, page) = status_and_text(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{route}");
        assert!(page.contains("sent from another site"), "{route}");
    }
    assert!(
        is_signed_in_as(&browser, "ada@example.com").await,
        "sign-out and revoke did nothing"
    );
    let eve = app.browser();
    assert_eq!(
        eve.sign_in("eve@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_post_without_origin_or_fetch_metadata_is_refused() {
    let app = spawn().await;
    let browser = app.browser();
    let response = browser
        .client
        .post(browser.url("/sign-up"))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

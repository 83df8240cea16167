use crate::helpers::*;
use reqwest::StatusCode;

const FORM_ROUTES: [&str; 9] = [
    "/sign-up",
    "/sign-in",
    "/sign-out",
    "/verify-email",
    "/verify-email/resend",
    "/settings/email",
    "/forgot-password",
    "/reset-password/verify-email",
    "/reset-password",
];

#[tokio::test]
async fn a_post_from_another_origin_is_refused_on_every_form_route_and_changes_nothing() {
    let example = spawn().await;
    let browser = verified(&example, "ada@example.com").await;
    let before = snapshot(example.table()).await;
    for route in FORM_ROUTES {
        let response = browser
            .post_from(
                "https://evil.example",
                route,
                &[
                    ("email", "eve@example.com"),
                    ("password", PASSWORD),
                    ("code", "AAAAAAAA"),
                ],
            )
            .await;
        let (status, page) = status_and_text(response).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{route}");
        assert!(page.contains("sent from another site"), "{route}");
    }
    assert_eq!(snapshot(example.table()).await, before);
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
}

use crate::github::{GitHubUser, ada};
use crate::helpers::*;
use auth_testing::location;
use oidc_dev_provider::Quirks;
use reqwest::StatusCode;

#[tokio::test]
async fn a_github_user_signs_up_out_and_in_again_as_the_same_user() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    let response = github_flow(&browser, "/sign-in/github").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert!(is_signed_in_as(&browser, "ada@example.com").await);

    let keys = stored_keys(&h.app).await;
    let user = keys
        .iter()
        .find(|k| k.starts_with("USER#") && k.contains(" USER#"))
        .unwrap();
    let uid = user.split(' ').next().unwrap().to_owned();
    assert!(keys.contains(&"EMAIL#ada@example.com EMAIL#ada@example.com".to_owned()));
    assert!(keys.contains(&"OAUTH#github#42 OAUTH#github#42".to_owned()));
    assert!(keys.contains(&format!("{uid} OAUTH#github#42")));

    assert_eq!(
        browser.post("/sign-out", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);

    let response = github_flow(&browser, "/sign-in/github").await;
    assert_eq!(location(&response), "/");
    assert!(is_signed_in_as(&browser, "ada@example.com").await);
    let users = stored_keys(&h.app)
        .await
        .into_iter()
        .filter(|k| k.contains(" USER#"))
        .count();
    assert_eq!(users, 1, "signing in again creates no second user");
}

#[tokio::test]
async fn a_google_sign_up_creates_the_user_from_the_verified_id_token() {
    let h = spawn().await;
    let browser = h.app.browser();
    let response = oidc_flow(&browser, "/sign-in/google", "grace@example.com").await;
    assert_eq!(location(&response), "/");
    assert!(is_signed_in_as(&browser, "grace@example.com").await);
    let keys = stored_keys(&h.app).await;
    assert!(
        keys.contains(&"OAUTH#google#grace@example.com OAUTH#google#grace@example.com".to_owned())
    );
}

#[tokio::test]
async fn a_provider_that_sends_the_email_only_from_userinfo_signs_up_a_new_user() {
    let h = spawn().await;
    h.dev.set_quirks(Quirks {
        email_only_in_userinfo: true,
        ..Quirks::default()
    });
    let browser = h.app.browser();
    let response = oidc_flow(&browser, "/sign-in/google", "grace@example.com").await;
    assert_eq!(location(&response), "/");
    assert!(is_signed_in_as(&browser, "grace@example.com").await);

    let keys = stored_keys(&h.app).await;
    let user = keys
        .iter()
        .find(|k| k.starts_with("USER#") && k.contains(" USER#"))
        .expect("a user item");
    let uid = user.split(' ').next().unwrap();
    let account = "OAUTH#google#grace@example.com";
    assert!(keys.contains(&"EMAIL#grace@example.com EMAIL#grace@example.com".to_owned()));
    assert!(keys.contains(&format!("{account} {account}")), "{keys:?}");
    assert!(keys.contains(&format!("{uid} {account}")), "{keys:?}");
}

#[tokio::test]
async fn a_user_links_a_second_provider_signs_in_with_it_and_unlinks_the_first() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let laptop = h.app.browser();
    github_flow(&laptop, "/sign-in/github").await;

    let response = oidc_flow(&laptop, "/settings/link/oidc", "ada.keycloak@example.com").await;
    assert_eq!(location(&response), "/settings?done=linked");
    let page = laptop
        .get("/settings?done=linked")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The account was linked"));
    assert!(page.contains("ada-l") && page.contains("ada.keycloak@example.com"));
    assert!(page.contains("Keycloak") && page.contains("GitHub"));

    let phone = h.app.browser();
    let response = oidc_flow(&phone, "/sign-in/oidc", "ada.keycloak@example.com").await;
    assert_eq!(location(&response), "/");
    assert!(
        is_signed_in_as(&phone, "ada@example.com").await,
        "the linked account signs in as Ada"
    );

    let response = laptop
        .post("/settings/unlink", &[("account", "github#42")])
        .await;
    assert_eq!(location(&response), "/settings?done=unlinked");
    let keys = stored_keys(&h.app).await;
    assert!(!keys.iter().any(|k| k.contains("OAUTH#github")), "{keys:?}");

    // GitHub is no longer a way in; as a new sign-up its email is taken, so it is refused.
    let tablet = h.app.browser();
    let (status, page) = status_and_text(github_flow(&tablet, "/sign-in/github").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("already exists here"));
}

#[tokio::test]
async fn the_last_way_to_sign_in_cannot_be_unlinked() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    let page = browser.get("/settings").await.text().await.unwrap();
    assert!(page.contains("This is your only way to sign in"));
    assert!(
        !page.contains("Unlink"),
        "no unlink button for the last account"
    );

    let (status, page) = status_and_text(
        browser
            .post("/settings/unlink", &[("account", "github#42")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("This is your only way to sign in. Add another one first."),
        "{page}"
    );
    assert!(
        stored_keys(&h.app)
            .await
            .iter()
            .any(|k| k.starts_with("OAUTH#github#42"))
    );
}

#[tokio::test]
async fn an_account_that_signs_in_to_one_user_cannot_be_linked_to_another() {
    let h = spawn().await;
    let grace = h.app.browser();
    oidc_flow(&grace, "/sign-in/google", "grace@example.com").await;
    h.github.sign_in_as(ada());
    let ada_browser = h.app.browser();
    github_flow(&ada_browser, "/sign-in/github").await;
    let before = stored_keys(&h.app).await;

    let response = oidc_flow(&ada_browser, "/settings/link/google", "grace@example.com").await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("already signs in to another account"));
    assert_eq!(stored_keys(&h.app).await, before);
}

#[tokio::test]
async fn a_new_provider_with_an_email_that_has_an_account_is_refused_not_merged() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    github_flow(&h.app.browser(), "/sign-in/github").await;
    let before = stored_keys(&h.app).await;

    let browser = h.app.browser();
    let response = oidc_flow(&browser, "/sign-in/google", "ada@example.com").await;
    let (status, page) = status_and_text(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Sign in the way you did before"));
    assert!(page.contains("link Google under Settings"));
    assert_eq!(stored_keys(&h.app).await, before);
    assert!(!is_signed_in_as(&browser, "ada@example.com").await);
}

#[tokio::test]
async fn linking_needs_a_signed_in_user() {
    let h = spawn().await;
    let response = h.app.browser().get("/settings/link/google").await;
    assert_eq!(location(&response), "/sign-in");
}

#[tokio::test]
async fn an_unverified_github_email_cannot_sign_up() {
    let h = spawn().await;
    h.github.sign_in_as(GitHubUser {
        verified: false,
        ..ada()
    });
    let browser = h.app.browser();
    let (status, page) = status_and_text(github_flow(&browser, "/sign-in/github").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("No verified email address"));
    assert!(nothing_written(&h.app).await);
}

#[tokio::test]
async fn an_account_that_is_not_linked_cannot_be_unlinked() {
    let h = spawn().await;
    h.github.sign_in_as(ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    oidc_flow(&browser, "/settings/link/oidc", "ada.keycloak@example.com").await;
    let before = stored_keys(&h.app).await;
    for account in ["github#43", "google#ada@example.com", "no separator"] {
        let (status, page) = status_and_text(
            browser
                .post("/settings/unlink", &[("account", account)])
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{account}: {page}");
        assert!(
            page.contains("That account is not linked to yours."),
            "{page}"
        );
    }
    assert_eq!(stored_keys(&h.app).await, before);
}

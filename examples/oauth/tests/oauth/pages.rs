use crate::helpers::*;
use auth_testing::location;
use oauth::Providers;
use reqwest::StatusCode;

#[tokio::test]
async fn the_sign_in_and_sign_up_pages_offer_a_button_per_provider_in_order() {
    let h = spawn().await;
    let browser = h.app.browser();
    for path in ["/sign-in", "/sign-up"] {
        let (status, page) = status_and_text(browser.get(path).await).await;
        assert_eq!(status, StatusCode::OK);
        let positions = [
            ("github", "GitHub"),
            ("google", "Google"),
            ("oidc", "Keycloak"),
        ]
        .map(|(slug, name)| {
            let at = page
                .find(&format!(r#"data-provider="{slug}""#))
                .unwrap_or_else(|| panic!("a {slug} button in {page}"));
            let tag_start = page[..at].rfind("<a ").unwrap();
            let element = &page[tag_start..][..page[tag_start..].find("</a>").unwrap()];
            assert!(element.contains(r#"class="button provider""#), "{element}");
            assert!(
                element.contains(&format!(r#"href="/sign-in/{slug}""#)),
                "{element}"
            );
            assert!(
                element.ends_with(&format!(">Sign in with {name}")),
                "{element}"
            );
            at
        });
        assert!(positions.is_sorted(), "configuration order: {positions:?}");
        assert!(!page.contains("<li>"), "buttons, not a bulleted list");
    }
}

#[tokio::test]
async fn with_no_provider_the_page_says_what_to_set_and_where_to_redirect() {
    let app = spawn_with(Providers::default()).await;
    let page = app.browser().get("/sign-in").await.text().await.unwrap();
    assert!(page.contains("No sign-in provider is configured"));
    assert!(page.contains("GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET"));
    assert!(page.contains("OIDC_ISSUER_URL"));
    assert!(page.contains("OAUTH_DEV_PROVIDER=true"));
    let redirect = callback_url(app.state.origin(), "github");
    assert!(page.contains(redirect.as_str()), "{page}");
}

#[tokio::test]
async fn starting_a_sign_in_sets_a_short_lived_http_only_lax_flow_cookie_and_redirects() {
    let h = spawn().await;
    let response = h.app.browser().get("/sign-in/google").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with(h.dev.issuer()), "{to}");
    for param in [
        "state=",
        "nonce=",
        "code_challenge=",
        "code_challenge_method=S256",
        "scope=openid",
    ] {
        assert!(to.contains(param), "{param} in {to}");
    }
    let cookie = flow_set_cookie(&response).unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
}

#[tokio::test]
async fn the_callback_clears_the_flow_cookie() {
    let h = spawn().await;
    let browser = h.app.browser();
    let response = oidc_flow(&browser, "/sign-in/google", "grace@example.com").await;
    let cookie = flow_set_cookie(&response).unwrap();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
}

#[tokio::test]
async fn unknown_providers_are_not_found() {
    let h = spawn().await;
    let browser = h.app.browser();
    assert_eq!(
        browser.get("/sign-in/myspace").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get("/sign-in/myspace/callback?code=x&state=y")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn settings_need_a_signed_in_user() {
    let h = spawn().await;
    assert_eq!(
        location(&h.app.browser().get("/settings").await),
        "/sign-in"
    );
}

#[tokio::test]
async fn settings_list_linked_accounts_in_a_table_that_stacks_and_offer_a_button_per_provider() {
    let h = spawn().await;
    h.github.sign_in_as(crate::github::ada());
    let browser = h.app.browser();
    github_flow(&browser, "/sign-in/github").await;
    let page = browser.get("/settings").await.text().await.unwrap();
    // Each cell is labelled with its column for a phone; the actions column has a header
    // only screen readers get.
    for label in ["Provider", "Account", "Linked"] {
        assert!(
            page.contains(&format!(r#"<td data-label="{label}">"#)),
            "{label}: {page}"
        );
    }
    assert!(page.contains(r#"<table class="stack">"#), "{page}");
    assert!(
        page.contains(r#"<span class="visually-hidden">Actions</span>"#),
        "{page}"
    );
    for (slug, name) in [
        ("github", "GitHub"),
        ("google", "Google"),
        ("oidc", "Keycloak"),
    ] {
        let button = format!(
            r#"<a data-provider="{slug}" href="/settings/link/{slug}" class="button provider">Link {name}</a>"#
        );
        assert!(page.contains(&button), "{button} in {page}");
    }
    assert!(
        page.contains(r#"<div class="providers">"#),
        "buttons, not a bulleted list"
    );
}

#[tokio::test]
async fn the_setup_table_labels_its_cells_for_a_phone() {
    let app = spawn_with(Providers::default()).await;
    let page = app.browser().get("/sign-in").await.text().await.unwrap();
    assert!(page.contains(r#"<table class="stack">"#), "{page}");
    for label in ["Provider", "Variables", "Redirect URI"] {
        assert!(
            page.contains(&format!(r#"<td data-label="{label}">"#)),
            "{label}: {page}"
        );
    }
}

//! The "what just happened" panel at the foot of each page: this request's DynamoDB calls and
//! cookies, and those of the form post that redirected here; never a secret.

use crate::helpers::*;
use auth_testing::{location, spawn_app_with};
use auth_web::internals::Report;
use reqwest::StatusCode;

/// The panel of a page, from its `<details>` to the end.
fn panel(page: &str) -> &str {
    let start = page
        .find(r#"<footer class="internals">"#)
        .unwrap_or_else(|| panic!("a panel in {page}"));
    &page[start..]
}

#[tokio::test]
async fn a_signed_in_page_view_shows_its_one_batch_read() {
    let app = spawn().await;
    let browser = signed_up(&app, "ada@example.com").await;
    browser.get("/").await; // shows (and clears) the sign-up's report
    let page = browser.get("/").await.text().await.unwrap();
    let panel = panel(&page);
    assert!(
        panel.contains("What this request did in DynamoDB"),
        "{panel}"
    );
    assert!(panel.contains("This request, GET /, did:"), "{panel}");
    assert_eq!(panel.matches("<strong>").count(), 1, "{panel}");
    assert_eq!(
        panel.matches("<strong>BatchGetItem</strong>").count(),
        1,
        "{panel}"
    );
    assert!(!panel.contains("The previous request"), "{panel}");
    assert!(page.contains("<details>"), "closed by default: {page}");
}

#[tokio::test]
async fn the_page_after_a_sign_in_shows_what_the_sign_in_did() {
    let app = spawn().await;
    signed_up(&app, "ada@example.com").await;
    let browser = app.browser();
    let response = browser.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let carried = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("internals="))
        .expect("the report is carried")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
        assert!(carried.contains(attribute), "{attribute} in {carried}");
    }
    assert!(carried.len() < 3700, "{} bytes", carried.len());

    let page = browser.get(location(&response)).await.text().await.unwrap();
    let panel = panel(&page);
    assert!(
        panel.contains("The previous request, POST /sign-in, did:"),
        "{panel}"
    );
    for operation in ["UpdateItem", "GetItem", "TransactWriteItems"] {
        assert!(
            panel.contains(&format!("<strong>{operation}</strong>")),
            "{panel}"
        );
    }
    assert!(
        panel.contains("session: HttpOnly; SameSite=Lax; Path=/"),
        "{panel}"
    );
    // Shown once: the next page has only its own report.
    let page = browser.get("/").await.text().await.unwrap();
    assert!(!page.contains("The previous request"), "{page}");
}

#[tokio::test]
async fn no_page_shows_a_secret() {
    let app = spawn().await;
    let browser = app.browser();
    browser.sign_up("ada@example.com", PASSWORD).await;
    let session = browser.cookie("session").expect("signed in");
    let device = browser.cookie("device").expect("a device cookie");
    let carried = browser.cookie("internals").expect("a report carried");
    let mut pages = vec![browser.get("/").await.text().await.unwrap()];
    pages.push(browser.get("/settings").await.text().await.unwrap());
    let response = browser.post("/sign-out", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    browser.sign_in("ada@example.com", PASSWORD).await;
    pages.push(browser.get("/").await.text().await.unwrap());
    let wrong = app
        .browser()
        .sign_in("ada@example.com", "not the password")
        .await;
    pages.push(wrong.text().await.unwrap());
    for page in &pages {
        assert!(page.contains(r#"<footer class="internals">"#), "{page}");
        for secret in [
            session.as_str(),
            device.as_str(),
            PASSWORD,
            "not the password",
        ] {
            assert!(!page.contains(secret), "{secret} in {page}");
        }
        let session_secret = session.rsplit('.').next().unwrap();
        assert!(
            !page.contains(session_secret),
            "the session's secret in {page}"
        );
        assert!(!page.contains("$argon2"), "a password hash in {page}");
    }
    assert!(
        pages[0].contains("•••"),
        "hidden values are marked: {}",
        pages[0]
    );
    // The carried report itself holds no secret either.
    let report = Report::from_cookie_value(&carried).expect("a report");
    assert_eq!(report.request, "POST /sign-up");
    let report = format!("{report:?}");
    for secret in [session.as_str(), device.as_str(), PASSWORD, "$argon2"] {
        assert!(!report.contains(secret), "{secret} in {report}");
    }
}

#[tokio::test]
async fn with_show_internals_off_there_is_no_panel_and_no_cookie() {
    let app = spawn_app_with("password", |c| c.show_internals = false, password::routes).await;
    let browser = app.browser();
    let response = browser.sign_up("ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(browser.cookie("internals").is_none());
    for path in ["/", "/settings", "/sign-in", "/nope"] {
        let page = browser.get(path).await.text().await.unwrap();
        assert!(!page.contains("internals\""), "{path}: {page}");
        assert!(!page.contains("<details"), "{path}: {page}");
    }
    assert!(browser.cookie("internals").is_none());
}

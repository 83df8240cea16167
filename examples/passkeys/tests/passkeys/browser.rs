//! A real browser: headless Chromium with a virtual authenticator (the DevTools `WebAuthn`
//! domain) signs up, signs in and confirms it is the user through the actual pages and
//! `passkeys.js`; and axe-core
//! checks those pages in both colour schemes, on a desktop and a phone.
//!
//! Required in CI (`CI` set): a missing Chromium or axe-core fails the test. Elsewhere it is
//! skipped, loudly.

use crate::helpers::{app, count, let_the_proof_go_stale};
use auth_testing::cdp::{Authenticator, Chromium, axe_or_skip, chromium_or_skip};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Signs up through the page with `email`, ending on the home page.
async fn sign_up_through_the_page(chromium: &mut Chromium, base: &str, email: &str) {
    chromium.open(&format!("{base}/sign-up")).await;
    let fill = format!(
        "document.querySelector('input[name=email]').value = {};
         document.querySelector('form[data-passkey]').requestSubmit()",
        json!(email)
    );
    chromium.until_loaded(&fill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_up_signs_in_and_proves_it_is_the_user_through_the_pages() {
    let Some(executable) = chromium_or_skip("passkey ceremonies through the pages") else {
        return;
    };
    let app = app().await;
    let mut chromium = Chromium::launch(&executable).await;
    chromium.add_authenticator(Authenticator::Passkeys).await;
    let base = app.base.as_str().trim_end_matches('/').to_owned();

    chromium.open(&format!("{base}/sign-up")).await;
    let supported = chromium
        .eval("document.querySelector('[data-webauthn-unsupported]').hidden")
        .await;
    assert_eq!(supported, json!(true), "the page sees WebAuthn support");
    sign_up_through_the_page(&mut chromium, &base, "ada@example.com").await;
    assert_eq!(signed_in_as(&mut chromium).await, "ada@example.com");
    assert_eq!(count(&app, "PASSKEY#").await, 1);

    chromium
        .until_loaded("document.querySelector('form[action=\"/sign-out\"] button').click()")
        .await;
    assert_eq!(signed_in_as(&mut chromium).await, "");

    // The address is taken now: refused before any prompt, and the script marks the field as
    // the server-rendered forms do (aria-invalid, the message named by aria-describedby).
    chromium.open(&format!("{base}/sign-up")).await;
    let marked = chromium.eval(TAKEN_EMAIL_MARKED).await;
    assert_eq!(
        marked,
        json!({ "message": "That email is already registered.", "focused": true }),
        "the email field is marked and focused"
    );

    chromium.open(&format!("{base}/sign-in")).await;
    chromium
        .until_loaded("document.querySelector('form[data-passkey]').requestSubmit()")
        .await;
    assert_eq!(signed_in_as(&mut chromium).await, "ada@example.com");
    assert_eq!(
        count(&app, "SESSION#").await,
        1,
        "the first session was signed out"
    );

    // Later, adding a passkey needs a fresh proof: the script is sent to confirm with the
    // passkey, and comes back to settings.
    let_the_proof_go_stale(&app);
    chromium.open(&format!("{base}/settings")).await;
    chromium
        .until_loaded("document.querySelector('form[data-passkey=\"create\"]').requestSubmit()")
        .await;
    let at = chromium.eval("location.pathname + location.search").await;
    assert_eq!(at, json!("/reauth?next=%2Fsettings"));
    chromium
        .until_loaded("document.querySelector('form[data-passkey=\"get\"]').requestSubmit()")
        .await;
    let at = chromium.eval("location.pathname").await;
    assert_eq!(at, json!("/settings"), "back where the user was");
    let rename = "document.querySelector('form[action=\"/settings/passkeys/rename\"] \
                  input[name=name]').value = 'Laptop';
                  document.querySelector('form[action=\"/settings/passkeys/rename\"]').submit()";
    chromium.until_loaded(rename).await;
    let at = chromium.eval("location.pathname + location.search").await;
    assert_eq!(
        at,
        json!("/settings?done=renamed"),
        "proved: no second prompt"
    );
}

/// Submits the sign-up form with a taken address, then waits (up to 5 seconds) for the email
/// field to be marked invalid: its message and whether it has the focus, or `null`.
const TAKEN_EMAIL_MARKED: &str = "
    const input = document.querySelector('input[name=email]');
    input.value = 'ada@example.com';
    document.querySelector('form[data-passkey]').requestSubmit();
    new Promise((resolve) => {
        const started = Date.now();
        (function poll() {
            if (input.getAttribute('aria-invalid') === 'true') {
                const id = input.getAttribute('aria-describedby').split(' ')[0];
                const message = document.getElementById(id).textContent;
                resolve({ message, focused: document.activeElement === input });
            } else if (Date.now() - started > 5000) {
                resolve(null);
            } else {
                setTimeout(poll, 50);
            }
        })();
    })";

/// The email the home page shows as signed in, or "" when it shows none.
async fn signed_in_as(chromium: &mut Chromium) -> String {
    let who = chromium
        .eval("location.pathname === '/' ? (document.querySelector('main strong')?.textContent ?? '') : location.pathname")
        .await;
    who.as_str().unwrap_or_default().to_owned()
}

/// Runs axe-core on every page of the example, signed out and signed in, in the light and
/// dark colour schemes, 1280 and 375 CSS pixels wide, with the internals panel opened; fails
/// on any serious or critical violation (contrast, names, roles…), and on a page wider than a
/// phone's screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_problem_in_either_colour_scheme_or_width() {
    let Some(executable) = chromium_or_skip("axe-core on the passkey pages") else {
        return;
    };
    let Some(axe) = axe_or_skip("axe-core on the passkey pages") else {
        return;
    };
    let app = app().await;
    let mut chromium = Chromium::launch(&executable).await;
    chromium.add_authenticator(Authenticator::Passkeys).await;
    let base = app.base.as_str().trim_end_matches('/').to_owned();

    let mut problems = Vec::new();
    for path in ["/", "/sign-in", "/sign-up", "/no-such-page"] {
        chromium.open(&format!("{base}{path}")).await;
        problems.extend(check_every_way(&mut chromium, &axe, path).await);
    }
    // A long address, to see that the header holds it on a phone.
    let email = "ada.lovelace.countess@analytical-engine.example";
    sign_up_through_the_page(&mut chromium, &base, email).await;
    problems.extend(check_every_way(&mut chromium, &axe, "/ (just signed up)").await);
    for path in ["/", "/settings"] {
        chromium.open(&format!("{base}{path}")).await;
        let page = format!("{path} (signed in)");
        problems.extend(check_every_way(&mut chromium, &axe, &page).await);
    }
    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
}

/// The open page, checked in both colour schemes at both widths.
async fn check_every_way(chromium: &mut Chromium, axe: &str, page: &str) -> Vec<String> {
    chromium
        .eval("document.querySelectorAll('details').forEach(d => d.open = true)")
        .await;
    chromium.eval(axe).await;
    let mut problems = Vec::new();
    for scheme in ["light", "dark"] {
        for width in [1280, 375] {
            let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
            chromium
                .call(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": features }),
                )
                .await;
            let metrics = json!({
                "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600,
            });
            chromium
                .call("Emulation.setDeviceMetricsOverride", metrics)
                .await;
            let way = format!("{page} ({scheme}, {width} px)");
            let scroll_width = chromium.eval("document.documentElement.scrollWidth").await;
            if scroll_width.as_u64().is_none_or(|w| w > width) {
                let wide = chromium
                    .eval(&TOO_WIDE.replace("WIDTH", &width.to_string()))
                    .await;
                problems.push(format!(
                    "{way}: scrolls sideways, {scroll_width} px wide, because of {wide}"
                ));
            }
            if let Some(dir) = std::env::var_os("SCREENSHOTS_DIR") {
                screenshot(chromium, &PathBuf::from(dir), &way).await;
            }
            let violations = chromium.eval(AXE_RUN).await;
            for violation in violations.as_array().into_iter().flatten() {
                problems.push(format!("{way}: {}", describe(violation)));
            }
        }
    }
    problems
}

/// With `SCREENSHOTS_DIR` set, each page is saved there as a PNG in each way it is checked,
/// to look at.
async fn screenshot(chromium: &mut Chromium, dir: &std::path::Path, way: &str) {
    use base64::Engine;
    let shot = chromium
        .call(
            "Page.captureScreenshot",
            json!({ "captureBeyondViewport": true }),
        )
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap_or_default())
        .expect("a PNG in base64");
    let name: String = way
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    std::fs::create_dir_all(dir).expect("the screenshot folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is saved");
}

/// The innermost elements that reach past WIDTH pixels, named by tag and class.
const TOO_WIDE: &str = "Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > WIDTH + 0.5)
    .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > WIDTH + 0.5))
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
        + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')
    .join(', ')";

/// axe-core's serious and critical violations on the page, in short.
const AXE_RUN: &str = "axe.run(document, { resultTypes: ['violations'] }).then(results =>
    results.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary),
        })))";

fn describe(violation: &Value) -> String {
    let nodes: Vec<String> = violation["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "\n      {}",
                n.as_str().unwrap_or_default().replace('\n', " ")
            )
        })
        .collect();
    format!(
        "{} ({}): {}{}",
        violation["id"].as_str().unwrap_or_default(),
        violation["impact"].as_str().unwrap_or_default(),
        violation["help"].as_str().unwrap_or_default(),
        nodes.concat()
    )
}

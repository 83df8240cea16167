//! "What just happened": each request's DynamoDB calls, collected while it runs
//! ([`crate::calls`]) when `SHOW_INTERNALS` is on, and shown at the foot of the page.
//!
//! - Every HTML page gets a closed `<details>` panel, "What this request did in DynamoDB":
//!   the calls in the order they started, with their keys, expressions, capacity and the
//!   items they wrote (secrets already hidden by `crate::calls`), and the cookies the
//!   response sets or clears, by name and attributes only (never a value). The page shell
//!   ends every page with a placeholder ([`crate::view::PAGE_END`]) that is replaced here.
//! - A request whose answer is not a page (a redirect after a form, the JSON answer to a
//!   page's script) carries a compact copy of the same report to the next page, in a cookie
//!   that lives a minute ([`INTERNALS`]); that page shows it as "The previous request, POST
//!   /sign-in, did:" and clears it. The copy is made from the same hidden-secret report and
//!   is cut to fit a cookie (items first). It comes back from the browser, so it is read as
//!   untrusted text: decoded defensively and escaped like anything else a page shows.
//!
//! The calls are also attached to the response as an extension, for the test harness.

use crate::calls::{Call, Calls, record};
use crate::cookie::CookieKind;
use crate::state::AppState;
use crate::view::{PAGE_END, render};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::SameSite;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that carries a report to the next page: `Strict`, so no other site can make a
/// browser send it; a minute is enough for a redirect to be followed.
pub const INTERNALS: CookieKind = CookieKind {
    name: "internals",
    same_site: SameSite::Strict,
};
const CARRIED_FOR: time::Duration = time::Duration::seconds(60);
/// Cookies are limited to about 4 KB each, name and attributes included.
const MAX_CARRIED_BYTES: usize = 3500;
/// The pages are a few kilobytes; anything far bigger is passed on untouched.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// What one request did: its calls and the cookies its response set or cleared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `POST /sign-in`: method and path, never the query (it can carry secrets).
    pub request: String,
    pub calls: Vec<Call>,
    /// `session: HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000`, without the value.
    pub cookies: Vec<String>,
    /// What was left out to fit a cookie, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<String>,
}

impl Report {
    fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.cookies.is_empty()
    }

    /// The report as a cookie value (base64url JSON) of at most [`MAX_CARRIED_BYTES`]: the
    /// items written are shortened, then left out, then the expressions, then calls.
    fn to_cookie_value(&self) -> Option<String> {
        let encode = |report: &Report| {
            let json = serde_json::to_vec(report).ok()?;
            let value = URL_SAFE_NO_PAD.encode(json);
            (value.len() <= MAX_CARRIED_BYTES).then_some(value)
        };
        if let Some(value) = encode(self) {
            return Some(value);
        }
        let mut report = self.clone();
        for call in &mut report.calls {
            for item in &mut call.items {
                *item = shorten(item, 80);
            }
        }
        report.cut = Some("Items written are shortened, to fit in a cookie.".into());
        if let Some(value) = encode(&report) {
            return Some(value);
        }
        report.calls.iter_mut().for_each(|c| c.items.clear());
        report.cut = Some("Items written are left out, to fit in a cookie.".into());
        if let Some(value) = encode(&report) {
            return Some(value);
        }
        report.calls.iter_mut().for_each(|c| c.expressions.clear());
        report.cut = Some("Items written and expressions are left out, to fit in a cookie.".into());
        let total = report.calls.len();
        while !report.calls.is_empty() {
            if let Some(value) = encode(&report) {
                return Some(value);
            }
            report.calls.pop();
            report.cut = Some(format!(
                "Only the first {} of {total} calls, without items or expressions, fit in a cookie.",
                report.calls.len()
            ));
        }
        encode(&report)
    }

    /// A report read back from the cookie; anything that does not decode is ignored.
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        if value.len() > MAX_CARRIED_BYTES {
            return None;
        }
        let json = URL_SAFE_NO_PAD.decode(value).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// At most `max` characters of `text`, with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Collects the request's calls; shows them at the foot of an HTML page, or carries them to
/// the next page (see the module docs). Outermost of the app's own layers, so that it sees
/// the final page and every cookie the inner layers set.
pub async fn internals_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.config.show_internals {
        return next.run(request).await;
    }
    let what = format!("{} {}", request.method(), request.uri().path());
    let reads_only = matches!(*request.method(), Method::GET | Method::HEAD);
    let previous = INTERNALS
        .read(&state, request.headers())
        .and_then(|value| Report::from_cookie_value(&value));
    let (response, calls) = record(next.run(request)).await;
    let own_cookie = INTERNALS.name(&state);
    let report = Report {
        request: what,
        calls: in_start_order(&calls),
        cookies: cookies_set(&response, &own_cookie),
        cut: None,
    };
    let mut response = if is_html(&response) {
        let (response, shown) = with_panel(response, previous.as_ref(), &report).await;
        if shown && previous.is_some() {
            crate::cookie::append(response, INTERNALS.removal(&state))
        } else {
            response
        }
    } else if (response.status().is_redirection() || !reads_only) && !report.is_empty() {
        match report.to_cookie_value() {
            Some(value) => {
                crate::cookie::append(response, INTERNALS.set(&state, value, CARRIED_FOR))
            }
            None => response,
        }
    } else {
        response
    };
    response.extensions_mut().insert(calls);
    response
}

fn in_start_order(calls: &Calls) -> Vec<Call> {
    let mut calls = calls.0.clone();
    calls.sort_by_key(|c| c.started);
    calls
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Each `Set-Cookie` of the response as `name: attributes` (or `name: cleared`), its value
/// left out; the panel's own cookie is not listed.
fn cookies_set(response: &Response, own_cookie: &str) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|line| {
            let mut parts = line.split(';').map(str::trim);
            let (name, _value) = parts.next()?.split_once('=')?;
            if name == own_cookie {
                return None;
            }
            let attributes: Vec<&str> = parts.filter(|a| !a.is_empty()).collect();
            let cleared = attributes
                .iter()
                .any(|a| a.eq_ignore_ascii_case("Max-Age=0"));
            Some(if cleared {
                format!("{name}: cleared")
            } else {
                format!("{name}: {}", attributes.join("; "))
            })
        })
        .collect()
}

/// The page with its placeholder replaced by the panel, and whether it had one.
async fn with_panel(
    response: Response,
    previous: Option<&Report>,
    current: &Report,
) -> (Response, bool) {
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => bytes,
        // Too big or broken: nothing can be passed on intact, so say so plainly.
        Err(e) => {
            tracing::warn!("could not read a page to add the internals panel: {e}");
            return (Response::from_parts(parts, Body::empty()), false);
        }
    };
    let page = match std::str::from_utf8(&bytes) {
        Ok(page) if page.ends_with(PAGE_END) => page,
        _ => return (Response::from_parts(parts, Body::from(bytes)), false),
    };
    let start = page.len() - PAGE_END.len();
    let page = format!(
        "{}{}</body></html>",
        &page[..start],
        panel(previous, current)
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    (Response::from_parts(parts, Body::from(page)), true)
}

/// The panel: this request's report, after the previous request's when one was carried.
pub fn panel(previous: Option<&Report>, current: &Report) -> String {
    let previous = previous.map(|report| {
        view! {
            <h2>{format!("The previous request, {}, did:", report.request)}</h2>
            {report_view(report)}
        }
    });
    render(view! {
        <footer class="internals">
            <details>
                <summary>"What this request did in DynamoDB"</summary>
                <p class="muted">"Shown because SHOW_INTERNALS is on. Secrets and hashes \
                    show as •••, and cookies by name only."</p>
                {previous}
                <h2>{format!("This request, {}, did:", current.request)}</h2>
                {report_view(current)}
            </details>
        </footer>
    })
}

fn report_view(report: &Report) -> AnyView {
    let calls = if report.calls.is_empty() {
        view! { <p>"No DynamoDB calls."</p> }.into_any()
    } else {
        let calls = report.calls.iter().map(call_view).collect::<Vec<_>>();
        view! { <ol>{calls}</ol> }.into_any()
    };
    let cookies = (!report.cookies.is_empty()).then(|| {
        let cookies = report
            .cookies
            .iter()
            .map(|c| view! { <li><code>{c.clone()}</code></li> })
            .collect::<Vec<_>>();
        view! { <p>"Cookies:"</p><ul>{cookies}</ul> }
    });
    let cut = report
        .cut
        .clone()
        .map(|cut| view! { <p class="muted">{cut}</p> });
    view! { {calls}{cookies}{cut} }.into_any()
}

fn call_view(call: &Call) -> impl IntoView + use<> {
    let capacity = match call.capacity {
        Some(units) => format!(" · {}", capacity_text(units)),
        None => String::new(),
    };
    let outcome = (call.outcome != "ok")
        .then(|| view! { " · " <span class="failed">{call.outcome.clone()}</span> });
    let rows = [
        ("Key", &call.keys),
        ("Expression", &call.expressions),
        ("Item written", &call.items),
    ]
    .into_iter()
    .flat_map(|(label, values)| values.iter().map(move |v| (label, v.clone())))
    .map(|(label, value)| view! { <dt>{label}</dt><dd><code>{value}</code></dd> })
    .collect::<Vec<_>>();
    let details = (!rows.is_empty()).then(|| view! { <dl>{rows}</dl> });
    view! {
        <li><strong>{call.operation.clone()}</strong>{capacity}{outcome}{details}</li>
    }
}

/// `1 capacity unit`, `0.5 capacity units`.
fn capacity_text(units: f64) -> String {
    let plural = if units == 1.0 { "" } else { "s" };
    format!("{units} capacity unit{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(items: usize) -> Call {
        Call {
            operation: "TransactWriteItems".into(),
            keys: vec!["Put USER#abc / USER#abc".into()],
            expressions: vec!["attribute_not_exists(PK)".into()],
            items: vec!["Email: ada@example.com, PK: USER#abc, ".repeat(20); items],
            capacity: Some(2.0),
            outcome: "ok".into(),
            started: 0,
            finished: 1,
        }
    }

    #[test]
    fn a_carried_report_fits_a_cookie_and_comes_back() {
        let small = Report {
            request: "POST /sign-in".into(),
            calls: vec![call(1)],
            cookies: vec!["session: HttpOnly; SameSite=Lax; Path=/; Max-Age=60".into()],
            cut: None,
        };
        let value = small.to_cookie_value().unwrap();
        assert_eq!(Report::from_cookie_value(&value), Some(small));

        let big = Report {
            request: "POST /sign-up".into(),
            calls: vec![call(8), call(8), call(8)],
            ..Report::default()
        };
        let value = big.to_cookie_value().unwrap();
        assert!(value.len() <= MAX_CARRIED_BYTES);
        let back = Report::from_cookie_value(&value).unwrap();
        assert_eq!(back.calls.len(), 3, "items go first");
        assert!(back.cut.is_some());
    }

    #[test]
    fn a_cookie_that_is_not_a_report_is_ignored() {
        for value in ["", "nonsense", "e30", &"A".repeat(5000)] {
            assert_eq!(Report::from_cookie_value(value), None, "{value}");
        }
    }

    #[test]
    fn the_panel_escapes_what_it_shows() {
        let report = Report {
            request: "GET /<b>".into(),
            calls: vec![Call {
                keys: vec!["<script>".into()],
                ..call(0)
            }],
            ..Report::default()
        };
        let html = panel(Some(&report), &report);
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(
            html.contains("The previous request, GET /&lt;b&gt;, did:"),
            "{html}"
        );
    }

    #[test]
    fn cookies_are_listed_without_their_values() {
        let response = Response::builder()
            .header(
                header::SET_COOKIE,
                "session=s3cr3t; HttpOnly; SameSite=Lax; Path=/",
            )
            .header(header::SET_COOKIE, "device=; Max-Age=0; Path=/")
            .header(header::SET_COOKIE, "internals=abc; Path=/")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            cookies_set(&response, "internals"),
            ["session: HttpOnly; SameSite=Lax; Path=/", "device: cleared"]
        );
    }
}

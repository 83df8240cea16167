//! Pages rendered on the server with Leptos: one shell, a few form components, one stylesheet.
//!
//! Leptos is used here for its `view!` templates and `#[component]`s, rendered to a string per
//! request (`to_html`), and for nothing else: no hydration, no signals, no WebAssembly. That is
//! a choice, for three properties an example must keep: every page works with JavaScript off
//! (plain HTML forms that post and redirect); there is no WebAssembly toolchain or bundler to
//! install; and `cargo run -p <example>` is the whole story. What Leptos gives in return is
//! HTML that is escaped by construction (text and attribute values) and components a reader
//! recognises from any Leptos app (`<Field label=… name=…/>`, `<Table columns=… rows=…/>`).
//! JavaScript appears only where a browser API demands it (WebAuthn), as small files the app
//! serves itself.

mod components;
mod forms;
mod time;

pub use components::{
    ALERT_ID, Alert, ButtonKind, Column, DeleteAccount, Field, Notice, PostButton, PostForm, Table,
    field_error,
};
pub use forms::{EmailPasswordFields, Purpose};
pub use time::{RelativeTime, format_time, relative_time};

use crate::state::AppState;
use auth_core::user::User;
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Html;
use axum::routing::get;
use leptos::prelude::*;

/// The stylesheet, served at [`STYLESHEET_PATH`] from the binary itself (no CDN, no fonts).
pub const STYLESHEET: &str = include_str!("style.css");
pub const STYLESHEET_PATH: &str = "/static/style.css";

/// The one script of the shared pages, served at [`FOCUS_SCRIPT_PATH`]: it moves focus to the
/// first invalid field, or to the alert, of a page that shows an error. The Content Security
/// Policy allows no inline script, hence a file. Pages work the same without it.
pub const FOCUS_SCRIPT: &str = include_str!("focus-error.js");
pub const FOCUS_SCRIPT_PATH: &str = "/static/focus-error.js";

/// A file compiled into the binary, served at `path`: a stylesheet or a script. No files on
/// disk to deploy, and the strict Content-Security-Policy allows only such same-origin files.
pub fn asset(
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> Router<AppState> {
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "public, max-age=3600"),
    ];
    Router::new().route(path, get(move || async move { (headers, body) }))
}

/// The `Content-Type` of the scripts [`asset`] serves.
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The end of every page: where [`crate::internals`] puts its panel, found at the very end
/// (text the user typed can contain the placeholder too, escaped or in an attribute). An
/// HTML comment, so that a page without the panel shows nothing.
pub const PAGE_END: &str = "<!--internals--></body></html>";

/// `?done=<what>` after a redirect: which confirmation a page shows. Only the names in the
/// page's own list are shown, so nothing the URL says is reflected into the page. An
/// extractor: a query without it, or one that does not parse, is no confirmation.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    pub done: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Done {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Query::<Done>::try_from_uri(&parts.uri)
            .map(|Query(done)| done)
            .unwrap_or_default())
    }
}

impl Done {
    /// The notice for `done` from the page's list, if it names one.
    pub fn notice(&self, notices: &[(&str, &'static str)]) -> Option<String> {
        let done = self.done.as_deref()?;
        notices
            .iter()
            .find(|(name, _)| *name == done)
            .map(|(_, text)| (*text).to_owned())
    }
}

/// What a page says about the request that led to it: its status, and a confirmation or a
/// refusal (with the form field it is about, if one).
#[derive(Default)]
pub struct Said {
    pub status: StatusCode,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub field: Option<&'static str>,
}

impl Said {
    /// The page as asked for, with the confirmation `?done=` named, if any.
    pub fn shown(notice: Option<String>) -> Self {
        Self {
            notice,
            ..Self::default()
        }
    }

    /// The page again after a refusal.
    pub fn refused(status: StatusCode, message: String, field: Option<&'static str>) -> Self {
        Self {
            status,
            error: Some(message),
            field,
            notice: None,
        }
    }
}

/// A view as HTML, without the markers Leptos leaves for hydration: `<!>` for an absent
/// optional part or between two texts, `<!--<() />-->` for an empty `AnyView`. These pages
/// are never hydrated, so the markers are noise. Removing them is safe: text and attribute
/// values are escaped when rendered, so `<!` never comes from content.
pub fn render(view: impl IntoView) -> String {
    view.to_html()
        .replace("<!--<() />-->", "")
        .replace("<!>", "")
}

/// The whole HTML document: head, a header that knows who is signed in, and `body`.
///
/// The body is rendered first, so that the head can load the focus script only for a page
/// that shows an error (an alert or an invalid field): every other page has no script at all.
pub fn page(title: &str, user: Option<&User>, body: impl IntoView + 'static) -> Html<String> {
    let main = render(view! { <main><h1>{title.to_owned()}</h1>{body}</main> });
    let shows_error = main.contains(r#"role="alert""#) || main.contains(r#"aria-invalid="true""#);
    let script = shows_error.then(|| view! { <script defer src=FOCUS_SCRIPT_PATH></script> });
    let head = render(view! {
        <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>{title.to_owned()}</title>
            <link rel="stylesheet" href=STYLESHEET_PATH/>
            {script}
        </head>
    });
    let header = render(header(user));
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\">{head}<body>{header}{main}{PAGE_END}"
    ))
}

/// The site header: the brand, and who is signed in or the way in. A long email is cut on
/// narrow screens (see the stylesheet); its `title` keeps the whole address.
fn header(user: Option<&User>) -> impl IntoView + use<> {
    let nav = match user {
        Some(user) => {
            let email = user.email.to_string();
            let title = email.clone();
            view! {
                <span class="who" title=title>{email}</span>
                <a href="/settings">"Settings"</a>
                <PostButton action="/sign-out" label="Sign out"/>
            }
            .into_any()
        }
        None => view! {
            <a href="/sign-in">"Sign in"</a>
            <a href="/sign-up">"Sign up"</a>
        }
        .into_any(),
    };
    view! {
        <header>
            <a class="brand" href="/">"Auth examples"</a>
            <nav aria-label="Account">{nav}</nav>
        </header>
    }
}

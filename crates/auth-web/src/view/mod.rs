//! Pages rendered on the server with Leptos: one shell, a few form components, one stylesheet.
//! No WebAssembly and no hydration: every page is plain HTML that works with JavaScript off.

mod components;
mod forms;

pub use components::{Alert, DeleteAccount, Field, Notice, PostButton, PostForm};
pub use forms::{SignInForm, SignUpForm};

use auth_core::user::User;
use axum::response::Html;
use leptos::prelude::*;
use time::OffsetDateTime;
use time::macros::format_description;

/// The stylesheet, served at [`STYLESHEET_PATH`] from the binary itself (no CDN, no fonts).
pub const STYLESHEET: &str = include_str!("style.css");
pub const STYLESHEET_PATH: &str = "/static/style.css";

/// `?done=<what>` after a redirect: which confirmation a page shows. Only the names in the
/// page's own list are shown, so nothing the URL says is reflected into the page.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    pub done: Option<String>,
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

/// A time as every page shows it: `2026-11-24 22:07 UTC`.
pub fn format_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// The whole HTML document: head, a header that knows who is signed in, and `body`.
pub fn page(title: &str, user: Option<&User>, body: impl IntoView + 'static) -> Html<String> {
    let title = title.to_owned();
    let nav = match user {
        Some(user) => view! {
            <span class="who">{user.email.to_string()}</span>
            <a href="/settings">"Settings"</a>
            <PostButton action="/sign-out" label="Sign out"/>
        }
        .into_any(),
        None => view! {
            <a href="/sign-in">"Sign in"</a>
            <a href="/sign-up">"Sign up"</a>
        }
        .into_any(),
    };
    let document = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title.clone()}</title>
                <link rel="stylesheet" href=STYLESHEET_PATH/>
            </head>
            <body>
                <header>
                    <a class="brand" href="/">"Auth examples"</a>
                    <nav>{nav}</nav>
                </header>
                <main>
                    <h1>{title}</h1>
                    {body}
                </main>
            </body>
        </html>
    };
    Html(format!("<!DOCTYPE html>{}", document.to_html()))
}

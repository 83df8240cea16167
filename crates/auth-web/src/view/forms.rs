//! The email and password forms that every example with passwords shows, so that the pages
//! look and behave the same everywhere; an example adds its own links around them.

use super::{Alert, Field, PostForm};
use leptos::prelude::*;

/// The sign-in form: email (kept after a refusal) and password.
#[component]
pub fn SignInForm(
    #[prop(into)] email: String,
    #[prop(into)] error: Option<String>,
) -> impl IntoView {
    view! {
        <Alert message=error/>
        <PostForm action="/sign-in" submit="Sign in">
            <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"/>
        </PostForm>
    }
}

/// The sign-up form: email (kept after a refusal) and a new password.
#[component]
pub fn SignUpForm(
    #[prop(into)] email: String,
    #[prop(into)] error: Option<String>,
) -> impl IntoView {
    view! {
        <Alert message=error/>
        <PostForm action="/sign-up" submit="Create account">
            <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
            <Field label="Password (at least 8 characters)" name="password" kind="password" autocomplete="new-password"/>
        </PostForm>
    }
}

//! The email and password forms that every example with passwords shows, so that the pages
//! look and behave the same everywhere; an example adds its own links around them.
//!
//! A refusal is shown twice, as screen-reader users and sighted users both expect: at the
//! top ([`Alert`], announced and focused), and beside the field it is about when there is one
//! (`error_field`: the field is then marked invalid and described by the message). "Wrong
//! email or password" is about neither field on purpose, and names none.

use super::{Alert, Field, PostForm, field_error};
use leptos::prelude::*;

/// The sign-in form: email (kept after a refusal) and password.
#[component]
pub fn SignInForm(
    #[prop(into)] email: String,
    #[prop(into)] error: Option<String>,
    /// The field (`"email"` or `"password"`) the error is about, if one.
    #[prop(default = None, into)]
    error_field: Option<&'static str>,
) -> impl IntoView {
    let email_error = field_error("email", &error, error_field);
    let password_error = field_error("password", &error, error_field);
    view! {
        <Alert message=error/>
        <PostForm action="/sign-in" submit="Sign in">
            <Field label="Email" name="email" kind="email" value=email autocomplete="username"
                error=email_error/>
            <Field label="Password" name="password" kind="password" autocomplete="current-password"
                error=password_error/>
        </PostForm>
    }
}

/// The sign-up form: email (kept after a refusal) and a new password.
#[component]
pub fn SignUpForm(
    #[prop(into)] email: String,
    #[prop(into)] error: Option<String>,
    /// The field (`"email"` or `"password"`) the error is about, if one.
    #[prop(default = None, into)]
    error_field: Option<&'static str>,
) -> impl IntoView {
    let email_error = field_error("email", &error, error_field);
    let password_error = field_error("password", &error, error_field);
    view! {
        <Alert message=error/>
        <PostForm action="/sign-up" submit="Create account">
            <Field label="Email" name="email" kind="email" value=email autocomplete="email"
                error=email_error/>
            <Field label="Password (at least 8 characters)" name="password" kind="password"
                autocomplete="new-password" error=password_error/>
        </PostForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_about_a_field_marks_that_field_and_keeps_the_alert() {
        let error = Some("Use at least 8 characters.".to_owned());
        let html = crate::view::render(view! {
            <SignUpForm email="ada@example.com" error=error error_field="password"/>
        });
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert_eq!(html.matches(r#"aria-invalid="true""#).count(), 1, "{html}");
        assert!(
            html.contains(r#"name="password" value="" autocomplete="new-password" required aria-invalid="true" aria-describedby="password-error""#),
            "{html}"
        );
        assert!(html.contains(r#"id="password-error""#), "{html}");
    }

    #[test]
    fn an_error_about_no_field_marks_none() {
        let error = Some("Wrong email or password.".to_owned());
        let html = crate::view::render(view! { <SignInForm email="" error=error/> });
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(!html.contains("aria-invalid"), "{html}");
    }
}

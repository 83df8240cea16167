//! The email and password forms that every example with passwords shows, so that the pages
//! look and behave the same everywhere; an example adds its own links around them.
//!
//! A refusal is shown twice, as screen-reader users and sighted users both expect: at the
//! top ([`Alert`], announced and focused), and beside the field it is about when there is one
//! (`error_field`: the field is then marked invalid and described by the message). "Wrong
//! email or password" is about neither field on purpose, and names none.

use super::{Alert, Field, PostForm, field_error};
use leptos::prelude::*;

/// Which of the two forms: they differ in where they post, the button, and what a password
/// manager should offer (the saved password, or a new one).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    SignUp,
}

/// The sign-in or sign-up form: email (kept after a refusal) and password.
#[component]
pub fn EmailPasswordFields(
    purpose: Purpose,
    #[prop(into)] email: String,
    #[prop(into)] error: Option<String>,
    /// The field (`"email"` or `"password"`) the error is about, if one.
    #[prop(default = None, into)]
    error_field: Option<&'static str>,
) -> impl IntoView {
    let email_error = field_error("email", &error, error_field);
    let password_error = field_error("password", &error, error_field);
    let (action, submit, email_autocomplete, password_label, password_autocomplete) = match purpose
    {
        Purpose::SignIn => (
            "/sign-in",
            "Sign in",
            "username",
            "Password",
            "current-password",
        ),
        Purpose::SignUp => (
            "/sign-up",
            "Create account",
            "email",
            "Password (at least 8 characters)",
            "new-password",
        ),
    };
    view! {
        <Alert message=error/>
        <PostForm action=action submit=submit>
            <Field label="Email" name="email" kind="email" value=email
                autocomplete=email_autocomplete error=email_error/>
            <Field label=password_label name="password" kind="password"
                autocomplete=password_autocomplete error=password_error/>
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
            <EmailPasswordFields purpose=Purpose::SignUp email="ada@example.com" error=error
                error_field="password"/>
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
        let html = crate::view::render(
            view! { <EmailPasswordFields purpose=Purpose::SignIn email="" error=error/> },
        );
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(!html.contains("aria-invalid"), "{html}");
    }
}

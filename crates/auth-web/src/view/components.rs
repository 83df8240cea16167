//! Form building blocks. Attribute values and text are escaped by Leptos when rendered.

use leptos::prelude::*;

/// A form that posts to `action`; plain HTML, so it works with JavaScript off.
#[component]
pub fn PostForm(action: &'static str, submit: &'static str, children: Children) -> impl IntoView {
    view! {
        <form method="post" action=action>
            {children()}
            <button type="submit">{submit}</button>
        </form>
    }
}

/// A one-button form, for actions such as "Sign out" that must not be links (GET is safe).
#[component]
pub fn PostButton(
    #[prop(into)] action: String,
    label: &'static str,
    #[prop(optional)] hidden: Option<(&'static str, String)>,
) -> impl IntoView {
    let hidden = hidden.map(|(name, value)| view! { <input type="hidden" name=name value=value/> });
    view! {
        <form method="post" action=action class="inline">
            {hidden}
            <button type="submit">{label}</button>
        </form>
    }
}

/// A labelled input. `value` refills the form after an error (never for passwords).
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(default = "off")] autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <input type=kind name=name value=value autocomplete=autocomplete required/>
        </label>
    }
}

/// An error message for the user, announced to screen readers.
#[component]
pub fn Alert(#[prop(into)] message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="alert" role="alert">{m}</p> })
}

/// A success or information message.
#[component]
pub fn Notice(#[prop(into)] message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="notice" role="status">{m}</p> })
}

/// "Delete account" on a settings page: what goes, and the button (a fresh proof comes first).
#[component]
pub fn DeleteAccount() -> impl IntoView {
    view! {
        <section>
            <h2>"Delete account"</h2>
            <p>"This deletes your account and everything stored for it: your sign-in methods, \
                your sessions on every device, and anything pending. It cannot be undone."</p>
            <PostButton action="/settings/delete-account" label="Delete my account"/>
        </section>
    }
}

//! Form building blocks. Attribute values and text are escaped by Leptos when rendered.
//! An absent optional part (`None`) leaves a hydration marker that [`super::render`] removes.

use leptos::prelude::*;

/// How a button looks: one [`ButtonKind::Primary`] per page for its main action,
/// [`ButtonKind::Quiet`] for the rest, [`ButtonKind::Danger`] for what cannot be undone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonKind {
    Primary,
    #[default]
    Quiet,
    Danger,
}

impl ButtonKind {
    /// The button's class in the stylesheet (a primary button is a plain `<button>`).
    pub fn class(self) -> Option<&'static str> {
        match self {
            Self::Primary => None,
            Self::Quiet => Some("quiet"),
            Self::Danger => Some("danger"),
        }
    }
}

/// A form that posts to `action`; plain HTML, so it works with JavaScript off. Its submit
/// button is the page's primary action, unless `kind` says otherwise (a second form on the
/// page).
#[component]
pub fn PostForm(
    action: &'static str,
    submit: &'static str,
    #[prop(default = ButtonKind::Primary)] kind: ButtonKind,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action>
            {children()}
            <button type="submit" class=kind.class()>{submit}</button>
        </form>
    }
}

/// A one-button form, for actions such as "Sign out" that must not be links (GET is safe).
/// Quiet unless `kind` says otherwise.
#[component]
pub fn PostButton(
    #[prop(into)] action: String,
    label: &'static str,
    #[prop(optional)] hidden: Option<(&'static str, String)>,
    #[prop(optional)] kind: ButtonKind,
) -> impl IntoView {
    let hidden = hidden.map(|(name, value)| view! { <input type="hidden" name=name value=value/> });
    view! {
        <form method="post" action=action class="inline">
            {hidden}
            <button type="submit" class=kind.class()>{label}</button>
        </form>
    }
}

/// A labelled input. `value` refills the form after an error (never for passwords).
///
/// With `error`, the input is marked invalid (`aria-invalid`) and described by the message
/// shown under it (`aria-describedby`), so a screen reader reads the message with the field.
/// A `hint` is shown under it too, and read after the error. Their ids are `<name>-error` and
/// `<name>-hint`.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = None, into)] error: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    /// False for a field that may be left empty.
    #[prop(default = true)]
    required: bool,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    // The error first: it is what the user must read now.
    let descriptions: Vec<&str> = [
        error.is_some().then_some(error_id.as_str()),
        hint.map(|_| hint_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described_by = (!descriptions.is_empty()).then(|| descriptions.join(" "));
    let invalid = error.is_some().then_some("true");
    let message = error.map(|m| view! { <p class="field-error" id=error_id>{m}</p> });
    let hint = hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> });
    view! {
        <label>
            <span>{label}</span>
            <input type=kind name=name value=value autocomplete=autocomplete required=required
                aria-invalid=invalid aria-describedby=described_by/>
        </label>
        {message}
        {hint}
    }
}

/// The message to show beside the field `name`: the form's error, when it is about that field
/// (`error_field`, from `crate::form_error::FormError::field`).
pub fn field_error(
    name: &str,
    error: &Option<String>,
    error_field: Option<&'static str>,
) -> Option<String> {
    error.clone().filter(|_| error_field == Some(name))
}

/// The id of the page's [`Alert`], for links and scripts that point at it.
pub const ALERT_ID: &str = "alert";

/// An error message for the user, announced to screen readers. It can take focus (from
/// `/static/focus-error.js`) so that the reading goes on from there.
#[component]
pub fn Alert(#[prop(into)] message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="alert" role="alert" id=ALERT_ID tabindex="-1">{m}</p> })
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
            <PostButton action="/settings/delete-account" label="Delete my account"
                kind=ButtonKind::Danger/>
        </section>
    }
}

/// A column of a [`Table`]: its header, and whether the header is for screen readers only
/// (an actions column, whose buttons say what they do).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub visible: bool,
}

impl Column {
    pub const fn new(header: &'static str) -> Self {
        Self {
            header,
            visible: true,
        }
    }

    /// A column whose header only screen readers get, and whose cells are not labelled on a
    /// narrow screen.
    pub const fn unlabelled(header: &'static str) -> Self {
        Self {
            header,
            visible: false,
        }
    }
}

/// A table that stays readable on a phone: below 36rem each row becomes a block of its own,
/// each cell labelled with its column's header (`data-label`, shown by the stylesheet).
/// `rows` are the cells of each row, one per column.
#[component]
pub fn Table(columns: &'static [Column], rows: Vec<Vec<AnyView>>) -> impl IntoView {
    let headers = columns
        .iter()
        .map(|c| match c.visible {
            true => view! { <th scope="col">{c.header}</th> }.into_any(),
            false => view! {
                <th scope="col"><span class="visually-hidden">{c.header}</span></th>
            }
            .into_any(),
        })
        .collect::<Vec<_>>();
    let rows = rows
        .into_iter()
        .map(|cells| {
            let cells = cells
                .into_iter()
                .zip(columns)
                .map(|(cell, c)| {
                    let label = c.visible.then_some(c.header);
                    view! { <td data-label=label>{cell}</td> }
                })
                .collect::<Vec<_>>();
            view! { <tr>{cells}</tr> }
        })
        .collect::<Vec<_>>();
    view! {
        <table class="stack">
            <thead><tr>{headers}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(view: impl IntoView) -> String {
        super::super::render(view)
    }

    #[test]
    fn absent_parts_leave_no_markers() {
        let nothing: Option<String> = None;
        let page = html(view! {
            <PostButton action="/sign-out" label="Sign out"/>
            <Alert message=nothing.clone()/>
            <Notice message=nothing/>
            <Field label="Email" name="email"/>
        });
        assert!(!page.contains("<!"), "{page}");
        assert!(!page.contains("aria-invalid"), "{page}");
    }

    #[test]
    fn a_field_with_an_error_is_invalid_and_described_by_its_message() {
        let page = html(
            view! { <Field label="Email" name="email" error=Some("Not an address.".into())/> },
        );
        assert!(page.contains(r#"aria-invalid="true""#), "{page}");
        assert!(page.contains(r#"aria-describedby="email-error""#), "{page}");
        assert!(
            page.contains(r#"<p id="email-error" class="field-error">Not an address.</p>"#),
            "{page}"
        );
    }

    #[test]
    fn a_hint_describes_its_field_after_the_error() {
        let page = html(view! {
            <Field label="Email" name="username" hint="Optional." required=false
                error=Some("Not an address.".into())/>
        });
        assert!(
            page.contains(r#"aria-describedby="username-error username-hint""#),
            "{page}"
        );
        assert!(
            page.contains(r#"<p id="username-hint" class="hint">Optional.</p>"#),
            "{page}"
        );
        assert!(!page.contains("required"), "{page}");
    }

    #[test]
    fn table_cells_are_labelled_with_their_column() {
        const COLUMNS: [Column; 2] = [Column::new("Name"), Column::unlabelled("Actions")];
        let rows = vec![vec![
            view! { "Ada" }.into_any(),
            view! { <button>"Go"</button> }.into_any(),
        ]];
        let page = html(view! { <Table columns=&COLUMNS rows=rows/> });
        assert!(page.contains(r#"<td data-label="Name">Ada</td>"#), "{page}");
        assert!(page.contains("<td><button>Go</button></td>"), "{page}");
        assert!(
            page.contains(r#"<span class="visually-hidden">Actions</span>"#),
            "{page}"
        );
    }
}

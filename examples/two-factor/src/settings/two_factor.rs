//! `GET /settings/two-factor`, behind a fresh proof: the user's second factors, with forms to
//! add, rename and remove them, regenerate the recovery codes, and turn 2FA off
//! (`POST /settings/two-factor/off`). Each action is a fresh proof's too (`FreshUser`): with
//! 2FA on, that proof is the password and then a second factor.

use auth_core::recovery_codes::remaining;
use auth_core::second_factor::{FactorKind, WebauthnFactor, list_webauthn_factors, turn_off};
use auth_web::PageResult;
use auth_web::reauth::FreshUser;
use auth_web::view::{Alert, Done, Notice, PostButton, Said, format_time, page};
use auth_web::webauthn::script::webauthn_support;
use auth_web::{AppState, AuthUser};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/two-factor", get(show))
        .route("/settings/two-factor/off", post(off))
}

async fn show(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    done: Done,
) -> PageResult {
    let notice = done.notice(&[
        ("totp", "Your authenticator app is set up."),
        ("added", "Your new second factor is set up."),
        ("renamed", "Renamed."),
        ("removed", "Removed."),
    ]);
    render(&state, &current, Said::shown(notice)).await
}

async fn off(State(state): State<AppState>, FreshUser(current): FreshUser) -> PageResult {
    match turn_off(&state.table, &current.user).await {
        Ok(()) | Err(auth_core::Error::NotFound) => {
            Ok(Redirect::to("/settings?done=two-factor-off").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The page, with an optional confirmation or error.
pub(crate) async fn render(state: &AppState, current: &AuthUser, said: Said) -> PageResult {
    let (status, notice, error) = (said.status, said.notice, said.error);
    let user = &current.user;
    let factors = user.second_factors;
    let (keys, left) = if factors.any() {
        tokio::try_join!(
            list_webauthn_factors(&state.table, &user.id),
            remaining(&state.table, &user.id)
        )?
    } else {
        (Vec::new(), 0)
    };
    let app = if factors.totp {
        view! {
            <p>"An authenticator app is set up."</p>
            <PostButton action="/settings/two-factor/totp/remove" label="Remove the authenticator app"/>
        }
        .into_any()
    } else {
        view! {
            <p>"Use an app such as 1Password, Google Authenticator or Aegis: it shows a new "
               "6-digit code every 30 seconds."</p>
            <p><a href="/settings/two-factor/totp">"Set up an authenticator app"</a></p>
        }
        .into_any()
    };
    let rows = keys.into_iter().map(key_row).collect::<Vec<_>>();
    let codes = factors.any().then(|| {
        view! {
            <section>
                <h2>"Recovery codes"</h2>
                <p>{format!("{left} of 10 left.")}</p>
                <PostButton action="/settings/two-factor/recovery-codes" label="Make new recovery codes"/>
            </section>
            <section>
                <h2>"Turn two-factor authentication off"</h2>
                <p>"Removes every second factor and recovery code. Your password alone will sign you in."</p>
                <PostButton action="/settings/two-factor/off" label="Turn two-factor authentication off"/>
            </section>
        }
    });
    let body = view! {
        <Notice message=notice/>
        <Alert message=error/>
        <p>{if factors.any() { "Two-factor authentication is on." } else {
            "Two-factor authentication is off. Set up a second factor to turn it on; you will get recovery codes with the first."
        }}</p>
        <section>
            <h2>"Authenticator app"</h2>
            {app}
        </section>
        <section>
            <h2>"Security keys and passkeys"</h2>
            <table>
                <thead><tr><th>"Name"</th><th>"Kind"</th><th>"Added"</th><th>"Last used"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {webauthn_support()}
            {add_form(FactorKind::SecurityKey, "Security key", "Add a security key")}
            {add_form(FactorKind::Passkey, "Passkey", "Add a passkey")}
        </section>
        {codes}
    };
    Ok((status, page("Two-factor authentication", Some(user), body)).into_response())
}

fn add_form(kind: FactorKind, name: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action="/settings/two-factor/keys" data-webauthn="create"
            data-options="/settings/two-factor/keys/options">
            <input type="hidden" name="kind" value=kind.as_str()/>
            <input type="hidden" name="credential" value=""/>
            <label>
                <span>"Name"</span>
                <input type="text" name="name" value=name maxlength="60" required/>
            </label>
            <button type="submit">{label}</button>
        </form>
    }
}

fn key_row(factor: WebauthnFactor) -> impl IntoView {
    let id = factor.credential_id.clone();
    view! {
        <tr>
            <td>
                <form method="post" action="/settings/two-factor/keys/rename" class="inline">
                    <input type="hidden" name="credential_id" value=id.clone()/>
                    <input type="text" name="name" value=factor.name.clone() aria-label="Name"
                        maxlength="60" required/>
                    <button type="submit">"Rename"</button>
                </form>
            </td>
            <td>{factor.kind.label()}</td>
            <td>{format_time(factor.created_at)}</td>
            <td>{factor.last_used_at.map_or("never".into(), format_time)}</td>
            <td>
                <PostButton action="/settings/two-factor/keys/remove" label="Remove"
                    hidden=("credential_id", id)/>
            </td>
        </tr>
    }
}

//! `POST /settings/passkeys/rename` and `POST /settings/passkeys/delete`: plain forms, each
//! after a fresh proof (`FreshUser`: an older session is sent to `/reauth` first). Deleting
//! refuses the last passkey, in the same transaction that deletes (see
//! `auth_core::passkey::delete_passkey`), so an account can never be left without a way in.

use super::BadName;
use auth_core::passkey::{delete_passkey, parse_passkey_name, rename_passkey};
use auth_web::PageResult;
use auth_web::reauth::FreshUser;
use auth_web::view::Said;
use auth_web::webauthn::CredentialForm;
use auth_web::{AppState, AuthUser, Form, FormError};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/passkeys/rename", post(rename))
        .route("/settings/passkeys/delete", post(delete))
}

/// The name is checked here, where it is read, so that a refusal marks its field.
async fn rename(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<CredentialForm>,
) -> PageResult {
    let renamed = async {
        let name =
            parse_passkey_name(&form.name).map_err(|e| FormError::from(e).on_field("name"))?;
        let user_id = &current.user.id;
        rename_passkey(&state.table, user_id, &form.credential_id, &name)
            .await
            .map_err(refusal)
    };
    answer(
        &state,
        &current,
        renamed.await,
        "/settings?done=renamed",
        form,
    )
    .await
}

async fn delete(
    State(state): State<AppState>,
    FreshUser(current): FreshUser,
    Form(form): Form<CredentialForm>,
) -> PageResult {
    let user_id = &current.user.id;
    let deleted = delete_passkey(&state.table, user_id, &form.credential_id)
        .await
        .map_err(refusal);
    answer(&state, &current, deleted, "/settings?done=deleted", form).await
}

/// A passkey deleted meanwhile (maybe from another browser) is said in words; the last
/// passkey and the rest as `auth_web` explains them.
fn refusal(e: auth_core::Error) -> FormError {
    match e {
        auth_core::Error::NotFound => FormError::refuse(
            StatusCode::CONFLICT,
            "That passkey no longer exists: it was deleted, maybe from another browser.",
        ),
        other => other.into(),
    }
}

/// Done: back to settings with a notice. Refused: the settings page again, with the message,
/// and a bad name shown as typed in its passkey's row.
async fn answer(
    state: &AppState,
    current: &AuthUser,
    result: Result<(), FormError>,
    done: &str,
    form: CredentialForm,
) -> PageResult {
    let refusal = match result {
        Ok(()) => return Ok(Redirect::to(done).into_response()),
        Err(refusal) => refusal,
    };
    let bad_name = (refusal.field() == Some("name")).then_some(BadName {
        credential_id: form.credential_id,
        typed: form.name,
    });
    refusal
        .render(async |status, message| {
            super::render(
                state,
                current,
                Said::refused(status, message, None),
                bad_name,
            )
            .await
        })
        .await
}

//! `POST /settings/two-factor/recovery-codes`, after a fresh proof: a new set of ten codes
//! replaces the old one (every old code stops working), and is shown once.

use super::recovery_codes_page;
use auth_core::recovery_codes::regenerate;
use auth_web::AppState;
use auth_web::PageResult;
use auth_web::reauth::FreshUser;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/two-factor/recovery-codes", post(make_new))
}

#[tracing::instrument(skip_all, fields(user = %current.user.id))]
async fn make_new(State(state): State<AppState>, FreshUser(current): FreshUser) -> PageResult {
    match regenerate(&state.table, &current.user.id).await {
        Ok(codes) => {
            let intro = "Your new recovery codes replace the old ones, which no longer work.";
            Ok(recovery_codes_page(&current.user, intro, &codes).into_response())
        }
        // Two-factor authentication is off: there are no codes to replace.
        Err(auth_core::Error::NotFound) => Ok(Redirect::to("/settings/two-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

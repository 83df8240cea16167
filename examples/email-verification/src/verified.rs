//! `VerifiedUser`: a signed-in user whose address is verified. Until it is, every page that
//! asks for one sends the user to `/verify-email` instead.

use auth_web::{AppState, AuthUser};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

pub struct VerifiedUser(pub AuthUser);

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let current = AuthUser::from_request_parts(parts, state).await?;
        if current.user.email_verified {
            Ok(Self(current))
        } else {
            Err(Redirect::to("/verify-email").into_response())
        }
    }
}

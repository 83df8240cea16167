//! `VerifiedUser`: a signed-in user whose address is verified. Until it is, every page that
//! asks for one sends the user to `/verify-email` instead.

use auth_core::session::ValidSession;
use auth_web::AuthUser;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Redirect;

pub struct VerifiedUser(pub ValidSession);

impl<S: Send + Sync> FromRequestParts<S> for VerifiedUser {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let AuthUser(session) = AuthUser::from_request_parts(parts, state).await?;
        if session.user.email_verified {
            Ok(Self(session))
        } else {
            Err(Redirect::to("/verify-email"))
        }
    }
}

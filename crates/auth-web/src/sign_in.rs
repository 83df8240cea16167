//! The password check from the web side, the same in every example with passwords: what the
//! request adds to the email and password (the device cookie, the client's address).

use crate::client_ip::ClientIp;
use crate::cookie::DEVICE;
use crate::rate_limit::POSTS_PER_CLIENT;
use crate::state::AppState;
use auth_core::Result;
use auth_core::credentials::{Credentials, Verified, verify_credentials};
use auth_core::user::User;
use axum::http::HeaderMap;
use serde::Deserialize;

/// The email and password fields of sign-in and sign-up forms. Missing fields arrive empty
/// and fail the checks with a message.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EmailPasswordForm {
    pub email: String,
    pub password: String,
}

/// `POST /sign-in`'s check. The client's place in [`POSTS_PER_CLIENT`] is taken here, beside
/// the account lookup, rather than by the rate-limit layer (see `crate::rate_limit`).
pub async fn check_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    address: ClientIp,
    form: &EmailPasswordForm,
) -> Result<Verified> {
    let device = DEVICE.read(state, headers);
    let key = address.key();
    let credentials = Credentials {
        email: &form.email,
        password: &form.password,
        device: device.as_deref(),
        per_client: Some((&POSTS_PER_CLIENT, &key)),
    };
    verify_credentials(&state.table, &state.hasher, credentials).await
}

/// A signed-in user proving it is them with their password, throttled like a sign-in (a
/// stolen session must not become a way to guess the password). The rate-limit layer took
/// the client's place already.
pub async fn check_password(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    password: &str,
) -> Result<Verified> {
    let device = DEVICE.read(state, headers);
    let email = user.email.to_string();
    let credentials = Credentials {
        email: &email,
        password,
        device: device.as_deref(),
        per_client: None,
    };
    verify_credentials(&state.table, &state.hasher, credentials).await
}

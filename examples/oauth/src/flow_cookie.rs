//! The flow cookie: what the app must remember while the browser is at the provider (state,
//! PKCE verifier, nonce, when it started, and whether this is a sign-in, a link or a fresh
//! proof), kept in the browser rather than in process memory, so any app instance can handle
//! the callback.
//!
//! HttpOnly (scripts never see it), SameSite=Lax (sent on the provider's top-level redirect
//! back, not on cross-site subrequests), ten minutes, and cleared by the callback whatever the
//! outcome: single use. It needs no signature: it only holds values the app compares with what
//! the provider sends back, and a link or a proof also requires the signed-in user to be the
//! one named. Nor does `started_at` need one: moved earlier, it loosens a proof's `auth_time`
//! check, but a flow that started earlier also expires sooner, so a login at the provider
//! within the last ten minutes is still required.

use crate::provider::FlowSecrets;
use auth_web::AppState;
use auth_web::cookie::CookieKind;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How long a visit to the provider may take.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The provider's slug; the callback URL must name the same one.
    pub provider: String,
    pub secrets: FlowSecrets,
    pub purpose: Purpose,
    /// When the browser was sent to the provider, by the table's clock.
    #[serde(with = "time::serde::timestamp")]
    pub started_at: OffsetDateTime,
}

/// What the callback does with the identity the provider vouches for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// Sign in, or sign up on a first visit.
    SignIn,
    /// Link the identity to this signed-in user.
    Link { user_id: String },
    /// Prove that the signed-in user is who they are (`crate::reauth`): the identity must be
    /// linked to them already. Then back to `next`.
    Reauth { user_id: String, next: String },
}

impl Flow {
    /// True once the flow is older than [`FLOW_LIFETIME`].
    pub fn has_expired(&self, now: OffsetDateTime) -> bool {
        self.started_at + FLOW_LIFETIME <= now
    }
}

/// Lax, so the provider's top-level redirect back carries it.
const FLOW: CookieKind = CookieKind {
    name: "oauth_flow",
    same_site: SameSite::Lax,
};

/// The cookie that carries `flow` until the callback.
pub fn set(state: &AppState, flow: &Flow) -> Cookie<'static> {
    // A struct of strings always serializes; were it ever empty, the callback would refuse.
    let json = serde_json::to_vec(flow).unwrap_or_default();
    FLOW.set(state, URL_SAFE_NO_PAD.encode(json), FLOW_LIFETIME)
}

/// A cookie that makes the browser forget the flow.
pub fn removal(state: &AppState) -> Cookie<'static> {
    FLOW.removal(state)
}

/// The flow this browser started, if it sent a readable cookie.
pub fn read(state: &AppState, jar: &CookieJar) -> Option<Flow> {
    let value = jar.get(&FLOW.name(state))?.value();
    let json = URL_SAFE_NO_PAD.decode(value).ok()?;
    serde_json::from_slice(&json).ok()
}

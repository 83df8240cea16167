//! Passing a second factor: after the password at sign-in (and at a fresh proof, see
//! `auth_web::reauth`), and after the emailed code in a password reset. Both pages offer
//! every factor the user has, and check it the same way; they differ in what the factor
//! proves ([`sign_in`]: the session; [`reset`]: the reset session).
//!
//! 1. The page is one form per factor the user item records (`SecondFactors`: read with the
//!    session, no other read): the app's code, each kind of WebAuthn factor, and a recovery
//!    code. Each posts `method` and its input to the same address.
//! 2. A security key or passkey first asks `…/options` (JSON, [`options`]) for a challenge
//!    naming the user's credentials of that kind; the state goes into a ceremony item.
//! 3. [`check`] turns the input into the factor's own write, refusing what is malformed
//!    before anything is read:
//!    - an app code: `auth_core::totp::check_code` (an attempt taken, then `LastStep < step`);
//!    - a recovery code: `auth_core::recovery_codes::use_code` (`DELETE` if `contains`);
//!    - an assertion: the ceremony taken (single use), the signature verified, the credential's
//!      counter stored (`auth_core::second_factor::record_use`).
//! 4. The caller commits that write with its mark in one transaction: a code is used up
//!    exactly when it proved something.

pub mod reset;
pub mod sign_in;

use crate::webauthn::{Authentication, authentication_options, finish_authentication};
use auth_core::TxItem;
use auth_core::encryption::EncryptionKey;
use auth_core::recovery_codes::{RecoveryCode, use_code};
use auth_core::second_factor::{
    FactorKind, SecondFactors, get_webauthn_factor, list_webauthn_factors, record_use,
};
use auth_core::totp::{TotpCode, check_code};
use auth_web::cookie::CookieJar;
use auth_web::json::{ApiError, ApiResult};
use auth_web::view::Alert;
use auth_web::webauthn::asserted_id;
use auth_web::webauthn::script::{read_answer, webauthn_support};
use auth_web::webauthn::{WebauthnRequest, ceremony};
use auth_web::{AppState, FormError};
use axum::extract::{Extension, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use leptos::prelude::*;
use serde::Deserialize;
use webauthn_rs::prelude::PublicKeyCredential;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sign_in::router())
        .merge(reset::router())
}

/// What a factor's form posts: which factor, and its input.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct FactorForm {
    /// `totp`, `recovery-code`, `security-key` or `passkey`.
    pub method: String,
    /// The app's code or the recovery code, as typed.
    pub code: String,
    /// The WebAuthn assertion, as JSON, filled in by the script.
    pub credential: String,
    /// Where to go afterwards (sign-in and fresh proofs).
    pub next: String,
}

/// The `method` of a recovery code.
const RECOVERY_CODE: &str = "recovery-code";

impl FactorForm {
    /// A recovery code was used: the user may want to know how many are left.
    pub fn uses_recovery_code(&self) -> bool {
        self.method == RECOVERY_CODE
    }
}

/// What `…/options` gets: the kind of WebAuthn factor to use.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct OptionsRequest {
    pub method: String,
}

/// A factor that checked out: its write, to commit with what it proves.
pub struct Proof {
    pub write: TxItem,
    /// The jar with the ceremony cookie removed (unchanged for codes).
    pub jar: CookieJar,
}

/// What a check needs besides the form: the WebAuthn pieces (the app state, the relying party,
/// the ceremony cookie) and the key the TOTP keys are sealed with. Each check names its
/// `purpose`, what its ceremonies are for: sign-in and reset ceremonies never mix.
pub struct Checker {
    pub webauthn: WebauthnRequest,
    pub sealing: EncryptionKey,
}

impl FromRequestParts<AppState> for Checker {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Extension(sealing) = Extension::<EncryptionKey>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let webauthn = WebauthnRequest::from_request_parts(parts, state).await?;
        Ok(Self { webauthn, sealing })
    }
}

impl Checker {
    pub fn state(&self) -> &AppState {
        &self.webauthn.state
    }

    /// Step 3: the form's factor for `user_id`, as a write to commit.
    pub async fn check(
        &self,
        purpose: &str,
        user_id: &str,
        form: &FactorForm,
    ) -> Result<Proof, FormError> {
        let (table, jar) = (&self.state().table, self.webauthn.jar.clone());
        match form.method.as_str() {
            "totp" => {
                let code = TotpCode::parse(&form.code)
                    .ok_or_else(|| bad("Enter the 6-digit code your authenticator app shows."))?;
                let write = check_code(table, &self.sealing, user_id, &code).await?;
                Ok(Proof { write, jar })
            }
            RECOVERY_CODE => {
                let code = RecoveryCode::parse(&form.code).ok_or_else(|| {
                    bad("Enter one of your recovery codes: 12 letters and digits, like abcd-efgh-jkmn.")
                })?;
                let write = use_code(table, user_id, &code);
                Ok(Proof { write, jar })
            }
            method if FactorKind::parse(method).is_some() => {
                let assertion = self.assertion(purpose, user_id, jar, &form.credential);
                let (write, jar) = assertion.await?;
                Ok(Proof { write, jar })
            }
            _ => Err(bad("Choose one of your second factors.")),
        }
    }

    /// A WebAuthn assertion: the ceremony taken, the signature verified, the use recorded.
    async fn assertion(
        &self,
        purpose: &str,
        user_id: &str,
        jar: CookieJar,
        credential: &str,
    ) -> Result<(TxItem, CookieJar), FormError> {
        let response: PublicKeyCredential = read_answer(credential)?;
        let (jar, authentication) =
            ceremony::finish::<Authentication>(self.state(), jar, purpose, Some(user_id)).await?;
        let table = &self.state().table;
        let id = asserted_id(&response);
        let stored = get_webauthn_factor(table, user_id, &id)
            .await?
            .ok_or_else(|| bad("That security key or passkey is not one of yours here."))?;
        let updated =
            finish_authentication(&self.webauthn.rp, &response, &authentication, &stored)?;
        Ok((record_use(table, user_id, &id, updated), jar))
    }

    /// Step 2: a challenge for the user's credentials of the kind asked for.
    pub async fn options(
        &self,
        purpose: &str,
        user_id: &str,
        request: &OptionsRequest,
    ) -> ApiResult {
        let kind = FactorKind::parse(&request.method)
            .ok_or_else(|| ApiError::refused("Choose a security key or a passkey."))?;
        let factors = list_webauthn_factors(&self.state().table, user_id).await?;
        let (options, kept) = authentication_options(&self.webauthn.rp, kind, &factors)?;
        let jar = self.webauthn.jar.clone();
        let jar = ceremony::start(self.state(), jar, purpose, Some(user_id), &kept).await?;
        Ok((jar, Json(options)).into_response())
    }
}

/// The field an authenticator app's code is typed into: a phone shows its number pad, and a
/// password manager may fill it in.
#[component]
pub fn AppCodeField(label: &'static str) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                maxlength="7" required autofocus/>
        </label>
    }
}

fn bad(message: &str) -> FormError {
    FormError::refuse(StatusCode::BAD_REQUEST, message)
}

/// Step 1: one form per factor the user has, posting to `action` (WebAuthn options at
/// `action` + `/options`), each carrying `next`.
pub fn factor_forms(
    factors: SecondFactors,
    action: &'static str,
    next: &str,
    error: Option<String>,
) -> impl IntoView + use<> {
    let options = format!("{action}/options");
    let hidden = |method: &'static str| {
        view! {
            <input type="hidden" name="method" value=method/>
            <input type="hidden" name="next" value=next.to_owned()/>
        }
    };
    let totp = factors.totp.then(|| {
        view! {
            <section>
                <h2>"Authenticator app"</h2>
                <form method="post" action=action>
                    {hidden("totp")}
                    <AppCodeField label="The 6-digit code your app shows"/>
                    <button type="submit">"Continue"</button>
                </form>
            </section>
        }
    });
    let webauthn = |kind: FactorKind, label: &'static str| {
        view! {
            <form method="post" action=action data-webauthn="get" data-options=options.clone()>
                {hidden(kind.as_str())}
                <input type="hidden" name="credential" value=""/>
                <button type="submit">{label}</button>
            </form>
        }
    };
    let keys = (factors.webauthn() > 0).then(|| {
        view! {
            <section>
                <h2>"Security key or passkey"</h2>
                {webauthn_support()}
                {(factors.security_keys > 0).then(|| webauthn(FactorKind::SecurityKey, "Use a security key"))}
                {(factors.passkeys > 0).then(|| webauthn(FactorKind::Passkey, "Use a passkey"))}
            </section>
        }
    });
    view! {
        <Alert message=error/>
        {totp}
        {keys}
        <section>
            <h2>"Lost your second factor?"</h2>
            <form method="post" action=action>
                {hidden("recovery-code")}
                <label>
                    <span>"A recovery code (each works once)"</span>
                    <input type="text" name="code" autocomplete="off" required/>
                </label>
                <button type="submit">"Use a recovery code"</button>
            </form>
        </section>
    }
}

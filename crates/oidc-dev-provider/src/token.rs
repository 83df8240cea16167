//! `POST /token`: a code (once), the client secret, the redirect URI and the PKCE verifier in
//! exchange for an access token (remembered, for UserInfo) and an RS256-signed ID token.

use super::{DevState, Quirks, lock};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreIdToken, CoreIdTokenClaims, CoreIdTokenFields, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey, CoreTokenResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, Audience, EmptyAdditionalClaims, EmptyExtraTokenFields, EndUserEmail, IssuerUrl,
    JsonWebKeyId, Nonce, OAuth2TokenResponse, StandardClaims, SubjectIdentifier,
};
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};
use time::OffsetDateTime;

/// How long a code can wait for its exchange.
const CODE_LIFETIME: StdDuration = StdDuration::from_secs(300);

/// How long an access token opens UserInfo.
const ACCESS_TOKEN_LIFETIME: StdDuration = StdDuration::from_secs(600);

/// What an approved authorization is remembered by until its code is exchanged.
pub(super) struct Grant {
    email: String,
    nonce: String,
    code_challenge: String,
    redirect_uri: String,
    /// When the user approved: the ID token's `auth_time`.
    auth_time: OffsetDateTime,
    issued: Instant,
}

impl Grant {
    pub(super) fn new(
        email: String,
        nonce: String,
        code_challenge: String,
        redirect_uri: String,
        auth_time: OffsetDateTime,
    ) -> Self {
        Self {
            email,
            nonce,
            code_challenge,
            redirect_uri,
            auth_time,
            issued: Instant::now(),
        }
    }

    /// Whether its code can still be exchanged.
    pub(super) fn is_live(&self) -> bool {
        self.issued.elapsed() <= CODE_LIFETIME
    }
}

/// Who an access token was issued for, until it expires.
pub(super) struct AccessGrant {
    pub(super) email: String,
    issued: Instant,
}

impl AccessGrant {
    pub(super) fn is_live(&self) -> bool {
        self.issued.elapsed() <= ACCESS_TOKEN_LIFETIME
    }
}

/// The RSA key the provider signs ID tokens with, generated at start and never stored.
pub(super) struct SigningKeys {
    pub(super) key: CoreRsaPrivateSigningKey,
}

impl SigningKeys {
    pub(super) fn generate() -> Result<Self, String> {
        let private =
            rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
        let pem = private
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let key =
            CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new("dev-1".into())))?;
        Ok(Self { key })
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(super) struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    client_id: String,
    client_secret: String,
}

pub(super) async fn exchange(
    State(dev): State<Arc<DevState>>,
    headers: HeaderMap,
    axum::Form(request): axum::Form<TokenRequest>,
) -> Response {
    let quirks = dev.quirks();
    if quirks.token_error {
        return oauth_error("invalid_request", "the dev provider was told to fail");
    }
    if !client_authenticated(&dev, &headers, &request) {
        return oauth_error("invalid_client", "wrong client id or secret");
    }
    if request.grant_type != "authorization_code" {
        return oauth_error("unsupported_grant_type", "only authorization_code");
    }
    // Removed before it is checked: a code works once, even if this exchange fails.
    let Some(grant) = lock(&dev.codes).remove(&request.code) else {
        return oauth_error("invalid_grant", "unknown or already used code");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(request.code_verifier.as_bytes()));
    if !grant.is_live()
        || grant.redirect_uri != request.redirect_uri
        || challenge != grant.code_challenge
    {
        return oauth_error(
            "invalid_grant",
            "expired code, wrong redirect_uri or PKCE verifier",
        );
    }
    match token_response(&dev, &grant, &quirks) {
        Ok(response) => {
            let access = AccessGrant {
                email: grant.email,
                issued: Instant::now(),
            };
            {
                let mut tokens = lock(&dev.access_tokens);
                // Expired tokens are forgotten here, so the map stays as small as the live ones.
                tokens.retain(|_, t| t.is_live());
                tokens.insert(response.access_token().secret().clone(), access);
            }
            Json(response).into_response()
        }
        Err(e) => {
            tracing::error!("dev provider could not sign an ID token: {e}");
            oauth_error("server_error", "signing failed")
        }
    }
}

/// `client_secret_basic` (what `openidconnect` sends) or `client_secret_post`.
fn client_authenticated(dev: &DevState, headers: &HeaderMap, request: &TokenRequest) -> bool {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (id, secret) = match &basic {
        Some(pair) => pair.split_once(':').unwrap_or((pair, "")),
        None => (request.client_id.as_str(), request.client_secret.as_str()),
    };
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    decode(id) == dev.client_id
        && auth_core::random::constant_time_eq(
            decode(secret).as_bytes(),
            dev.client_secret.as_bytes(),
        )
}

fn token_response(
    dev: &DevState,
    grant: &Grant,
    quirks: &Quirks,
) -> Result<CoreTokenResponse, String> {
    let now = chrono_time(dev.now());
    let (issued, expires) = if quirks.expired_id_token {
        (now - Duration::hours(2), now - Duration::hours(1))
    } else {
        (now, now + Duration::minutes(10))
    };
    let audience = if quirks.wrong_audience {
        "another-client"
    } else {
        &dev.client_id
    };
    let nonce = if quirks.wrong_nonce {
        "not-the-nonce"
    } else {
        &grant.nonce
    };
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(dev.issuer.clone()).map_err(|e| e.to_string())?,
        vec![Audience::new(audience.into())],
        expires,
        issued,
        email_claims(
            StandardClaims::new(SubjectIdentifier::new(grant.email.clone())),
            grant,
            quirks,
        ),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(nonce.into())))
    .set_auth_time(Some(chrono_time(grant.auth_time)));
    let id_token = CoreIdToken::new(
        claims,
        &dev.keys.key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .map_err(|e| e.to_string())?;
    let id_token = if quirks.bad_signature {
        tamper(&id_token)?
    } else {
        id_token
    };
    let mut response = CoreTokenResponse::new(
        AccessToken::new(auth_core::random::random_secret()),
        CoreTokenType::Bearer,
        CoreIdTokenFields::new(Some(id_token), EmptyExtraTokenFields {}),
    );
    response.set_expires_in(Some(&ACCESS_TOKEN_LIFETIME));
    Ok(response)
}

/// A time in the type `openidconnect`'s claims take.
fn chrono_time(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

/// `email` and `email_verified` in the ID token, unless the quirk keeps them for UserInfo.
fn email_claims(
    claims: StandardClaims<CoreGenderClaim>,
    grant: &Grant,
    quirks: &Quirks,
) -> StandardClaims<CoreGenderClaim> {
    if quirks.email_only_in_userinfo {
        return claims;
    }
    claims
        .set_email(Some(EndUserEmail::new(grant.email.clone())))
        .set_email_verified(Some(!quirks.unverified_email))
}

/// The same token with one signature byte changed: well-formed, but the signature is wrong.
fn tamper(id_token: &CoreIdToken) -> Result<CoreIdToken, String> {
    let compact = id_token.to_string();
    let (signed, signature) = compact.rsplit_once('.').ok_or("not a JWT")?;
    let mut bytes = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| e.to_string())?;
    bytes[0] ^= 1;
    let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes));
    forged.parse().map_err(|e: serde_json::Error| e.to_string())
}

fn oauth_error(code: &'static str, description: &'static str) -> Response {
    let body = serde_json::json!({ "error": code, "error_description": description });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

//! `GET /.well-known/openid-configuration` (where every endpoint is, OpenID Connect Discovery
//! 1.0) and `GET /jwks` (the public key that ID tokens are verified with).

use super::DevState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use openidconnect::core::{
    CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AuthUrl, EmptyAdditionalProviderMetadata, IssuerUrl, JsonWebKeySetUrl, PrivateSigningKey,
    ResponseTypes, Scope, TokenUrl, UserInfoUrl,
};
use std::sync::Arc;

pub(super) async fn metadata(State(dev): State<Arc<DevState>>) -> Response {
    match provider_metadata(&dev) {
        Ok(metadata) => Json(metadata).into_response(),
        Err(e) => {
            tracing::error!("dev provider metadata: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn provider_metadata(dev: &DevState) -> Result<CoreProviderMetadata, url::ParseError> {
    let url = |path: &str| format!("{}{path}", dev.issuer);
    let userinfo = if dev.quirks().no_userinfo_endpoint {
        None
    } else {
        Some(UserInfoUrl::new(url("/userinfo"))?)
    };
    let metadata = CoreProviderMetadata::new(
        IssuerUrl::new(dev.issuer.clone())?,
        AuthUrl::new(url("/authorize"))?,
        JsonWebKeySetUrl::new(url("/jwks"))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(url("/token"))?))
    .set_userinfo_endpoint(userinfo)
    .set_scopes_supported(Some(
        ["openid", "email", "profile"]
            .map(|s| Scope::new(s.into()))
            .to_vec(),
    ));
    Ok(metadata)
}

pub(super) async fn jwks(State(dev): State<Arc<DevState>>) -> Response {
    Json(CoreJsonWebKeySet::new(vec![
        dev.keys.key.as_verification_key(),
    ]))
    .into_response()
}

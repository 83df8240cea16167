//! `GET /sign-in/<provider>/callback?code=…&state=…`: where the provider sends the browser back.
//!
//! 1. Take the flow cookie; the response clears it whatever happens (single use).
//! 2. It must exist, name this provider, not be past its ten minutes (the table's clock), and
//!    its `state` must equal the query's, compared in constant time. Otherwise: refused.
//! 3. The provider's own `error` (usually: the user said no) is shown in words.
//! 4. Trade the code and PKCE verifier for tokens and a verified identity
//!    (`Provider::finish`: GitHub's API, or a fully verified ID token).
//! 5. Linking: the signed-in user must be the one who started, with a proof still fresh
//!    (else: prove it, then link again); then the account claim and the link item are written
//!    in one transaction (only when it fails is the claim read, to tell "linked to you
//!    already" from "linked to someone else").
//! 6. A fresh proof (`crate::reauth`): the signed-in user must be the one who started, the
//!    claim must name them (one read), and a provider's `auth_time` must not be older than the
//!    flow; then `AuthenticatedAt = now` (one write). Nothing else is ever written: a proof
//!    with an account that is not linked signs nobody up.
//! 7. Signing in: the claim `OAUTH#<provider>#<subject>` names the user (one read); a session
//!    starts (one write). A claim dies in the same transaction as its user, so no user read.
//! 8. Signing up (no claim yet): the provider must vouch for the email address; user, email
//!    claim, account claim, link and the first session are written in one transaction. An
//!    email that already has an account is refused: accounts are never merged silently.

use crate::OAuth;
use crate::flow_cookie::{self, Flow, Purpose};
use crate::provider::{Identity, Provider};
use crate::reauth::{not_proved, proof_url};
use crate::refusal::{provider_error, provider_failed, refused};
use auth_core::Error;
use auth_core::email::EmailAddress;
use auth_core::oauth_account::{
    create_user_with_oauth_account, find_user_id_by_oauth_account, link_oauth_account,
};
use auth_core::random::constant_time_eq;
use auth_core::session::{is_fresh, record_proof};
use auth_core::user::new_user;
use auth_web::AuthUser;
use auth_web::PageResult;
use auth_web::reauth::return_to;
use auth_web::session::{new_account_session, start_session};
use auth_web::{AppError, AppState, MaybeUser};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use axum_extra::extract::CookieJar;
use std::collections::HashMap;
use time::OffsetDateTime;

pub fn router() -> Router<AppState> {
    Router::new().route("/sign-in/{provider}/callback", get(callback))
}

async fn callback(
    State(state): State<AppState>,
    Extension(oauth): Extension<OAuth>,
    MaybeUser(session): MaybeUser,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let flow = flow_cookie::read(&state, &jar);
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let outcome = match oauth.providers.get(&slug) {
        Some(provider) => finish(&state, &oauth, provider, flow, &query, session, &headers).await,
        None => Err(AppError::NotFound),
    };
    let clear = CookieJar::new().add(flow_cookie::removal(&state));
    match outcome {
        Ok(response) => (clear, response).into_response(),
        Err(e) => (clear, e).into_response(),
    }
}

async fn finish(
    state: &AppState,
    oauth: &OAuth,
    provider: &Provider,
    flow: Option<Flow>,
    query: &HashMap<String, String>,
    session: Option<AuthUser>,
    headers: &HeaderMap,
) -> PageResult {
    let Some(flow) = flow.filter(|f| f.provider == provider.slug) else {
        return Ok(start_again(
            "This sign-in was not started in this browser, or was finished already.",
        ));
    };
    let returned_state = query.get("state").map(String::as_str).unwrap_or_default();
    if !constant_time_eq(returned_state.as_bytes(), flow.secrets.state.as_bytes()) {
        return Ok(start_again(
            "The answer from the provider does not belong to this sign-in (the state does not match).",
        ));
    }
    if flow.has_expired(state.table.now()) {
        return Ok(start_again("This sign-in took longer than ten minutes."));
    }
    if let Some(error) = query.get("error") {
        let description = query.get("error_description").map(String::as_str);
        return Ok(provider_error(&provider.name, error, description));
    }
    let Some(code) = query.get("code").cloned() else {
        return Ok(start_again("The provider sent no authorization code."));
    };
    let redirect = provider.redirect_uri(state.origin());
    let identity = match provider
        .finish(
            &oauth.http,
            &redirect,
            code,
            &flow.secrets,
            state.table.now(),
        )
        .await
    {
        Ok(identity) => identity,
        Err(e) => return Ok(provider_failed(e)),
    };
    match flow.purpose {
        Purpose::SignIn => sign_in_or_up(state, provider, identity, headers).await,
        Purpose::Link { user_id } => link(state, provider, session, &user_id, identity).await,
        Purpose::Reauth { user_id, next } => {
            let started_at = flow.started_at;
            prove(
                state, provider, session, &user_id, &next, started_at, identity,
            )
            .await
        }
    }
}

fn start_again(message: &str) -> Response {
    refused(
        StatusCode::BAD_REQUEST,
        "Sign-in could not be completed",
        format!("{message} Nobody was signed in; please start again."),
        None,
    )
}

/// Step 5.
async fn link(
    state: &AppState,
    provider: &Provider,
    session: Option<AuthUser>,
    user_id: &str,
    identity: Identity,
) -> PageResult {
    let Some(session) = session.filter(|s| s.user.id == user_id) else {
        return Ok(start_again(
            "Linking needs you to be signed in as the account that started it.",
        ));
    };
    if !is_fresh(&session.session, &state.config.sessions, state.table.now()) {
        let again = format!("/settings/link/{}", provider.slug);
        return Ok(Redirect::to(&proof_url(&again)).into_response());
    }
    let account = &identity.account;
    match link_oauth_account(&state.table, &session.user.id, account).await {
        Ok(()) => Ok(Redirect::to("/settings?done=linked").into_response()),
        Err(Error::AccountAlreadyLinked) => {
            let owner =
                find_user_id_by_oauth_account(&state.table, &account.provider, &account.subject)
                    .await?;
            if owner.as_deref() == Some(session.user.id.as_str()) {
                Ok(Redirect::to("/settings?done=already").into_response())
            } else {
                Ok(linked_elsewhere(provider))
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Step 6, for the proof `user_id` started at `started_at`, to continue at `next`.
async fn prove(
    state: &AppState,
    provider: &Provider,
    session: Option<AuthUser>,
    user_id: &str,
    next: &str,
    started_at: OffsetDateTime,
    identity: Identity,
) -> PageResult {
    let Some(current) = session.filter(|s| s.user.id == user_id) else {
        return Ok(start_again(
            "Confirming it is you needs you to be signed in as the account that started it.",
        ));
    };
    let name = &provider.name;
    if identity.authenticated_at.is_some_and(|t| t < started_at) {
        let message = format!(
            "{name} did not ask you to sign in again: it reused an earlier sign-in, which does \
             not confirm it is you now. Try again, and sign in at {name} when it asks."
        );
        return Ok(not_proved(&current, next, message));
    }
    let account = &identity.account;
    let owner =
        find_user_id_by_oauth_account(&state.table, &account.provider, &account.subject).await?;
    if owner.as_deref() != Some(current.user.id.as_str()) {
        let message = format!(
            "That {name} account is not linked to your account here, so it cannot confirm it is \
             you. Sign in with one of the accounts listed under Settings."
        );
        return Ok(not_proved(&current, next, message));
    }
    record_proof(&state.table, &current.session, vec![]).await?;
    Ok(Redirect::to(return_to(next)).into_response())
}

fn linked_elsewhere(provider: &Provider) -> Response {
    refused(
        StatusCode::CONFLICT,
        "Account linked elsewhere",
        format!(
            "That {} account already signs in to another account of this app. Unlink it there first.",
            provider.name
        ),
        None,
    )
}

/// Steps 7 and 8.
async fn sign_in_or_up(
    state: &AppState,
    provider: &Provider,
    identity: Identity,
    headers: &HeaderMap,
) -> PageResult {
    let account = &identity.account;
    if let Some(user_id) =
        find_user_id_by_oauth_account(&state.table, &account.provider, &account.subject).await?
    {
        let cookies = start_session(state, headers, &user_id, vec![], None).await?;
        return Ok((cookies, Redirect::to("/")).into_response());
    }
    let email = identity
        .verified_email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok());
    let Some(email) = email else {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "No verified email address",
            format!(
                "{} did not share a verified email address, and a new account needs one. Verify \
                 your primary email address there, then sign in again.",
                provider.name
            ),
            None,
        ));
    };
    let user = new_user(&state.table, &email, None, true);
    let (session, cookie) = new_account_session(state, headers, &user.id)?;
    match create_user_with_oauth_account(&state.table, &user, account, vec![session]).await {
        Ok(()) => Ok((CookieJar::new().add(cookie), Redirect::to("/")).into_response()),
        Err(Error::EmailTaken) => Ok(refused(
            StatusCode::CONFLICT,
            "This email already has an account",
            format!(
                "An account with {email} already exists here. Sign in the way you did before, \
                 then link {} under Settings. Accounts are never merged automatically, because \
                 that would let whoever controls the email at {} take over the account.",
                provider.name, provider.name
            ),
            None,
        )),
        Err(Error::AccountAlreadyLinked) => Ok(start_again(
            "Another sign-in with this account happened at the same moment.",
        )),
        Err(e) => Err(e.into()),
    }
}

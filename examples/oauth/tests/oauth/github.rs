//! A GitHub look-alike on 127.0.0.1: the OAuth app endpoints and the two API calls the app
//! makes, with the same answers GitHub gives (including its 200-with-an-error token answers).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use oauth::provider::{Endpoints, Provider};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use url::Url;

pub const CLIENT_ID: &str = "github-client";
const CLIENT_SECRET: &str = "github-secret";

/// Who is signed in at the fake GitHub, and whether it answers the token request.
#[derive(Clone)]
pub struct GitHubUser {
    pub id: u64,
    pub login: &'static str,
    pub email: &'static str,
    pub verified: bool,
}

#[derive(Default)]
struct Fake {
    user: Mutex<Option<GitHubUser>>,
    /// code → (PKCE challenge, redirect URI); taken by the exchange.
    codes: Mutex<HashMap<String, (String, String)>>,
    tokens: Mutex<HashMap<String, GitHubUser>>,
    fail_token: Mutex<bool>,
}

#[derive(Clone)]
pub struct FakeGitHub {
    pub base: Url,
    fake: Arc<Fake>,
}

impl FakeGitHub {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let fake = Arc::new(Fake::default());
        let app = Router::new()
            .route("/login/oauth/authorize", get(authorize))
            .route("/login/oauth/access_token", post(access_token))
            .route("/user", get(user))
            .route("/user/emails", get(emails))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, fake }
    }

    pub fn sign_in_as(&self, user: GitHubUser) {
        *self.fake.user.lock().unwrap() = Some(user);
    }

    pub fn fail_token_requests(&self) {
        *self.fake.fail_token.lock().unwrap() = true;
    }

    pub fn provider(&self) -> Provider {
        provider_at(self.base.clone())
    }
}

/// The GitHub provider configured with both base URLs at `base`.
pub fn provider_at(base: Url) -> Provider {
    Provider {
        slug: "github".into(),
        name: "GitHub".into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        endpoints: Endpoints::GitHub {
            base_url: base.clone(),
            api_url: base,
        },
    }
}

pub fn ada() -> GitHubUser {
    GitHubUser {
        id: 42,
        login: "ada-l",
        email: "ada@example.com",
        verified: true,
    }
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
}

/// GitHub redirects at once when the user has authorized the app before.
async fn authorize(State(fake): State<Arc<Fake>>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.client_id != CLIENT_ID || q.code_challenge_method != "S256" {
        return (StatusCode::BAD_REQUEST, "bad authorize request").into_response();
    }
    let code = auth_core::random::random_id();
    fake.codes
        .lock()
        .unwrap()
        .insert(code.clone(), (q.code_challenge, q.redirect_uri.clone()));
    let mut back = Url::parse(&q.redirect_uri).unwrap();
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &q.state);
    Redirect::to(back.as_str()).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

async fn access_token(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let authorized = headers
        .get("authorization")
        .is_some_and(|v| v == expected.as_str());
    let grant = fake.codes.lock().unwrap().remove(&form.code);
    let challenge = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(form.code_verifier.as_bytes()))
    };
    let valid = grant.is_some_and(|(c, r)| c == challenge && r == form.redirect_uri);
    if *fake.fail_token.lock().unwrap() || !authorized || !valid {
        // GitHub answers 200 with an error body.
        return Json(json!({ "error": "bad_verification_code" })).into_response();
    }
    let token = auth_core::random::random_secret();
    let user = fake
        .user
        .lock()
        .unwrap()
        .clone()
        .expect("a signed-in GitHub user");
    fake.tokens.lock().unwrap().insert(token.clone(), user);
    Json(json!({ "access_token": token, "token_type": "bearer", "scope": "read:user,user:email" }))
        .into_response()
}

fn bearer_user(fake: &Fake, headers: &HeaderMap) -> Option<GitHubUser> {
    let token = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    headers.get("user-agent")?;
    fake.tokens.lock().unwrap().get(token).cloned()
}

async fn user(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    match bearer_user(&fake, &headers) {
        Some(u) => Json(json!({ "id": u.id, "login": u.login })).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn emails(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    match bearer_user(&fake, &headers) {
        Some(u) => Json(json!([
            { "email": "old@example.org", "primary": false, "verified": true },
            { "email": u.email, "primary": true, "verified": u.verified },
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

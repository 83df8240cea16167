//! The OAuth example end to end: the real app on a random port, a real DynamoDB API, provider
//! servers on 127.0.0.1 (a GitHub look-alike, and the dev OpenID Connect provider with signed
//! ID tokens and a JWKS), and HTTP clients that behave like browsers.

mod accessibility;
mod accounts;
mod calls;
mod fresh_proof;
mod github;
mod helpers;
mod logs;
mod pages;
mod refusals;

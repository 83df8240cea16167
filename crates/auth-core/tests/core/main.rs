//! auth-core against the DynamoDB API: an in-memory Dynoxide per test, or the endpoint in
//! `TEST_DYNAMODB_ENDPOINT` with a table per test.

mod ceremony;
mod delete_user;
mod device;
mod email_verification;
mod emails;
mod hasher;
mod helpers;
mod infra;
mod login_throttle;
mod oauth_account;
mod passkey;
mod password_reset;
mod passwords;
mod rate_limits;
mod recovery_codes;
mod second_factors;
mod session_lifetime;
mod sessions;
mod table;
mod totp;
mod users;

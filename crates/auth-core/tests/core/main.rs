//! auth-core against the DynamoDB API: an in-memory Dynoxide per test, or the endpoint in
//! `TEST_DYNAMODB_ENDPOINT` with a table per test.

mod ceremony;
mod email_verification;
mod helpers;
mod infra;
mod oauth_account;
mod passkey;
mod password_reset;
mod passwords;
mod rate_limits;
mod sessions;
mod table;
mod users;

//! Authentication primitives on one DynamoDB table, with no web framework in sight.
//!
//! Every function takes a [`Table`], which carries the DynamoDB client, the table name and the
//! [`Clock`] that decides what "now" is (so tests move time instead of sleeping). One module per
//! concern, each short enough to read top to bottom:
//!
//! - the table: [`table`] (schema, `ensure_table`), [`clock`], [`error`], [`random`];
//! - accounts: [`email`] (canonical addresses), [`user`] (users and email claims),
//!   [`password`] (policy, Have I Been Pwned), [`hasher`] (bounded argon2id);
//! - signing in: [`credentials`] (the email + password check), [`throttle`] (growing waits
//!   after wrong passwords), [`device`] (device cookies), [`rate_limit`] (per-client limits);
//! - sessions: [`session`], [`token`] (`<uid>.<id>.<secret>` cookies);
//! - codes by email: [`one_time_code`], [`email_verification`], [`password_reset`];
//! - other ways in: [`oauth_account`], [`passkey`], [`ceremony`] (WebAuthn state);
//! - two-factor authentication: [`second_factor`] (which factors a user has; security keys
//!   and passkeys as factors), [`totp`] (authenticator apps), [`recovery_codes`],
//!   [`encryption`] (the TOTP key at rest).

pub mod ceremony;
mod claim;
pub mod clock;
pub mod credentials;
pub mod device;
pub mod email;
pub mod email_verification;
pub mod encryption;
pub mod error;
pub mod hasher;
mod item;
pub mod oauth_account;
pub mod one_time_code;
pub mod passkey;
pub mod password;
pub mod password_reset;
pub mod random;
pub mod rate_limit;
pub mod recovery_codes;
pub mod second_factor;
pub mod session;
pub mod table;
pub mod throttle;
pub mod token;
pub mod totp;
mod transaction;
pub mod user;
pub mod webauthn_credential;

pub use clock::Clock;
pub use error::{Error, Result};
pub use table::Table;
pub use transaction::TxItem;

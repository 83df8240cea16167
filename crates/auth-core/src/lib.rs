//! Authentication primitives on one DynamoDB table, with no web framework in sight.
//!
//! Each module is one concern, short enough to read top to bottom:
//! [`table`] (schema and connection), [`user`], [`session`], [`password`] and
//! [`rate_limit`]. Every function takes a [`Table`], which carries the DynamoDB client,
//! the table name and the [`Clock`] that decides what "now" is (so tests can move time).

pub mod ceremony;
mod claim;
pub mod clock;
pub mod credentials;
pub mod email_verification;
pub mod error;
pub mod oauth_account;
pub mod passkey;
pub mod password;
pub mod password_reset;
pub mod random;
pub mod rate_limit;
pub mod session;
pub mod table;
pub mod token;
pub mod user;

mod item;
mod transaction;

pub use clock::Clock;
pub use error::{Error, Result};
pub use table::Table;

//! The web side every example shares: configuration, the DynamoDB connection, the session
//! middleware and extractors, CSRF and rate-limit layers, security headers, error pages, the
//! Leptos page shell and form components. Tests start an app with `auth_testing::spawn_app`.
//!
//! An example supplies only its own routes (`Router<AppState>`); [`server::run`] adds
//! everything else around them.

pub mod account;
pub mod active_sessions;
pub mod calls;
pub mod client_ip;
pub mod code_mail;
pub mod config;
pub mod cookie;
pub mod csrf;
pub mod dynamo;
pub mod encryption_key;
pub mod error;
pub mod form;
pub mod form_error;
pub mod headers;
pub mod home;
pub mod internals;
pub mod json;
pub mod mail;
pub mod notices;
pub mod password_reset;
pub mod rate_limit;
pub mod reauth;
pub mod server;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod state;
pub mod telemetry;
pub mod view;
pub mod webauthn;

pub use config::Config;
pub use error::{AppError, PageResult};
pub use form::Form;
pub use form_error::FormError;
pub use session::{AuthUser, FirstFactorUser, MaybeUser, SignedOut};
pub use state::AppState;

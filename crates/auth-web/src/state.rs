//! The state every handler can extract.

use crate::config::Config;
use auth_core::Table;
use auth_core::hasher::Hasher;
use auth_core::password::PwnedPasswords;
use std::sync::Arc;
use url::Url;

#[derive(Clone)]
pub struct AppState {
    pub table: Table,
    pub config: Arc<Config>,
    /// The argon2id pool every password check and new password goes through.
    pub hasher: Hasher,
    /// Set when `CHECK_PWNED_PASSWORDS` is on.
    pub pwned: Option<PwnedPasswords>,
}

impl AppState {
    /// The origin the app is reached at; requests that change state must come from it.
    pub fn origin(&self) -> &Url {
        &self.config.origin
    }

    /// Cookies get `Secure` and the `__Host-` prefix when the app is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.origin().scheme() == "https"
    }
}

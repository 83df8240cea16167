//! The state every handler can extract.

use crate::config::Config;
use auth_core::Table;
use auth_core::password::PwnedPasswords;
use std::sync::Arc;
use url::Url;

#[derive(Clone)]
pub struct AppState {
    pub table: Table,
    pub config: Arc<Config>,
    /// The origin the app is reached at; requests that change state must come from it.
    pub origin: Arc<Url>,
    /// Set when `CHECK_PWNED_PASSWORDS` is on.
    pub pwned: Option<PwnedPasswords>,
}

impl AppState {
    /// Cookies get `Secure` and the `__Host-` prefix when the app is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.origin.scheme() == "https"
    }
}

//! The one way this app makes its cookies: HttpOnly, Path=/, and over https `Secure` with the
//! `__Host-` prefix (browsers then refuse the cookie from anywhere but this exact origin: no
//! subdomain can plant or overwrite it). Every cookie of every example is a [`CookieKind`].

use crate::state::AppState;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum_extra::extract::cookie::{Cookie, SameSite};

/// The cookies a response sets, re-exported so an example needs no cookie crate of its own.
pub use axum_extra::extract::cookie::CookieJar;
use time::Duration;

/// A cookie's name and how it may travel.
#[derive(Clone, Copy, Debug)]
pub struct CookieKind {
    /// The name without the `__Host-` prefix.
    pub name: &'static str,
    /// `Lax` for cookies a top-level navigation from elsewhere must carry (the session after
    /// an OAuth redirect); `Strict` for the rest.
    pub same_site: SameSite,
}

/// The sign-in session (`auth_web::session`).
pub const SESSION: CookieKind = CookieKind {
    name: "session",
    same_site: SameSite::Lax,
};

/// The device cookie (`auth_core::device`): sent only with this site's own sign-in form.
pub const DEVICE: CookieKind = CookieKind {
    name: "device",
    same_site: SameSite::Strict,
};

impl CookieKind {
    /// The name the browser stores: `__Host-<name>` over https, `<name>` otherwise.
    pub fn name(&self, state: &AppState) -> String {
        if state.secure_cookies() {
            format!("__Host-{}", self.name)
        } else {
            self.name.to_owned()
        }
    }

    /// The cookie carrying `value` for `max_age`.
    pub fn set(&self, state: &AppState, value: String, max_age: Duration) -> Cookie<'static> {
        let mut cookie = self.base(state, value);
        cookie.set_max_age(max_age);
        cookie
    }

    /// A cookie that makes the browser forget this one.
    pub fn removal(&self, state: &AppState) -> Cookie<'static> {
        let mut cookie = self.base(state, String::new());
        cookie.make_removal();
        cookie
    }

    /// The value exactly as the browser sent it. Read by hand rather than through a cookie
    /// parser, which skips values it cannot decode: those must still be seen (and cleared).
    pub fn read(&self, state: &AppState, headers: &HeaderMap) -> Option<String> {
        let name = self.name(state);
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (n, value) = pair.trim().split_once('=')?;
                (n == name).then(|| value.to_owned())
            })
    }

    fn base(&self, state: &AppState, value: String) -> Cookie<'static> {
        Cookie::build((self.name(state), value))
            .http_only(true)
            .same_site(self.same_site)
            .path("/")
            .secure(state.secure_cookies())
            .build()
    }
}

/// `response` with `cookie` appended as one more `Set-Cookie`.
pub(crate) fn append(
    mut response: axum::response::Response,
    cookie: Cookie<'static>,
) -> axum::response::Response {
    if let Ok(value) = cookie.encoded().to_string().parse() {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    response
}

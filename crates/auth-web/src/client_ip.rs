//! The client's address, the key for per-client rate limits.
//!
//! - It is the socket's peer address, unless `TRUST_PROXY` says how many proxies stand in
//!   front of the app. Each proxy appends the address it received the request from to
//!   `X-Forwarded-For`, so with `n` trusted proxies the client is the `n`-th entry from the
//!   right; entries further left are whatever the client chose to send. A header with fewer
//!   entries than that did not come through the proxies, and the socket address is used.
//! - An IPv6 client is keyed by its /64: one household or server usually gets a whole /64, and
//!   could otherwise rotate addresses inside it to get a fresh limit for every request.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key a per-client limit counts under: the IPv4 address, or the IPv6 /64.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let prefix = u128::from(v6) & (u128::MAX << 64);
                    format!("{}/64", Ipv6Addr::from(prefix))
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(client_ip(parts, state.config.trusted_proxies))
    }
}

/// The client address of a request, as described in the module docs.
pub fn client_ip(parts: &Parts, trusted_proxies: usize) -> ClientIp {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if trusted_proxies > 0
        && let Some(forwarded) = forwarded_for(&parts.headers, trusted_proxies)
    {
        return ClientIp(forwarded);
    }
    ClientIp(peer)
}

/// The `hops`-th entry from the right of all `X-Forwarded-For` headers, in order.
fn forwarded_for(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let index = entries.len().checked_sub(hops)?;
    entries[index].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(forwarded: &[&str]) -> Parts {
        let mut builder = Request::builder();
        for f in forwarded {
            builder = builder.header("x-forwarded-for", *f);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        let peer: SocketAddr = "10.0.0.7:5000".parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    fn ip(forwarded: &[&str], proxies: usize) -> String {
        client_ip(&parts(forwarded), proxies).0.to_string()
    }

    #[test]
    fn the_socket_address_is_used_unless_a_proxy_is_trusted() {
        assert_eq!(ip(&["1.2.3.4"], 0), "10.0.0.7");
    }

    #[test]
    fn with_n_proxies_the_nth_entry_from_the_right_is_the_client() {
        assert_eq!(ip(&["6.6.6.6, 1.2.3.4"], 1), "1.2.3.4");
        assert_eq!(ip(&["6.6.6.6, 1.2.3.4, 10.1.1.1"], 2), "1.2.3.4");
        assert_eq!(ip(&["6.6.6.6", "1.2.3.4, 10.1.1.1"], 2), "1.2.3.4");
    }

    #[test]
    fn too_few_entries_or_garbage_fall_back_to_the_socket() {
        assert_eq!(ip(&["1.2.3.4"], 2), "10.0.0.7");
        assert_eq!(ip(&["not an ip"], 1), "10.0.0.7");
        assert_eq!(ip(&[], 1), "10.0.0.7");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a = ClientIp("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientIp("2001:db8:1:2:bbbb::2".parse().unwrap());
        let other = ClientIp("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a.key(), "2001:db8:1:2::/64");
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), other.key());
        let mapped = ClientIp("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(mapped.key(), "192.0.2.1");
    }
}

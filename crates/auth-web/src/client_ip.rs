//! The client's IP address, the key for per-client rate limits.
//!
//! It is the socket's peer address. Only when `TRUST_PROXY` is on is `X-Forwarded-For` read,
//! and then its last entry: the one the trusted proxy appended. Earlier entries are whatever
//! the client chose to send.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(client_ip(parts, state.config.trust_proxy))
    }
}

/// The client address of a request, as described in the module docs.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> ClientIp {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if trust_proxy && let Some(forwarded) = last_forwarded_for(&parts.headers) {
        return ClientIp(forwarded);
    }
    ClientIp(peer)
}

fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    last_header
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(forwarded: Option<&str>) -> Parts {
        let mut builder = Request::builder();
        if let Some(f) = forwarded {
            builder = builder.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        let peer: SocketAddr = "10.0.0.7:5000".parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    #[test]
    fn the_socket_address_is_used_unless_a_proxy_is_trusted() {
        let ip = client_ip(&parts(Some("1.2.3.4")), false);
        assert_eq!(ip.0.to_string(), "10.0.0.7");
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_forwarded_entry_is_used() {
        let ip = client_ip(&parts(Some("6.6.6.6, 1.2.3.4")), true);
        assert_eq!(ip.0.to_string(), "1.2.3.4");
        let garbage = client_ip(&parts(Some("not an ip")), true);
        assert_eq!(garbage.0.to_string(), "10.0.0.7");
    }
}

//! Where the service is reached, and from where a request came: decided by
//! configuration and by the TCP peer, never by a header an anonymous client
//! can set.
//!
//! Absolute URLs (the `Link` header of lists) used to be built from `Host`,
//! `X-Forwarded-Host`, `X-Forwarded-Proto` and `Forwarded`, while the
//! response cache keyed on path and query only: one anonymous request
//! planted `<javascript://evil…>; rel="next"` for every later reader. Now:
//! - `CMS_PUBLIC_URL` set: every absolute URL starts with it;
//! - else, when the TCP peer is in `CMS_TRUSTED_PROXIES`: the proxy's
//!   `X-Forwarded-Proto` and `X-Forwarded-Host`, checked, and part of the
//!   response cache's key;
//! - else: no origin, and links are relative (RFC 8288 allows a URI
//!   reference, resolved against the request's URL).
//!
//! The client's address (what failed sign-ins are counted against) is the
//! peer, or, behind a trusted proxy, the nearest address in
//! `X-Forwarded-For` that is not itself a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

use crate::config::Config;

/// `scheme://host[:port]` of a request as it should appear in absolute
/// URLs; `None` when nothing trustworthy says it (links are then relative).
pub fn public_origin(
    config: &Config,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Option<String> {
    if let Some(url) = &config.public_url {
        return Some(url.clone());
    }
    if !is_trusted(config, peer.map(|p| p.ip())) {
        return None;
    }
    let proto = header(headers, "x-forwarded-proto")?.to_ascii_lowercase();
    let host = header(headers, "x-forwarded-host")?;
    (matches!(proto.as_str(), "http" | "https") && is_host(host))
        .then(|| format!("{proto}://{}", host.to_ascii_lowercase()))
}

/// The address failed password checks are counted against.
pub fn client_address(config: &Config, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let Some(peer) = peer.map(|p| p.ip()) else {
        return "unknown".to_owned();
    };
    if !is_trusted(config, Some(peer)) {
        return peer.to_string();
    }
    // Each proxy appends the address it received from: read from the
    // right, the first address that is not one of ours is the client.
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !is_trusted(config, Some(**a)))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
        .to_string()
}

fn is_trusted(config: &Config, ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| {
        let ip = ip.to_canonical();
        config.trusted_proxies.iter().any(|net| net.contains(&ip))
    })
}

/// A single header's value, when it is one plain token (no list).
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name);
    let value = values.next()?.to_str().ok()?.trim();
    (values.next().is_none() && !value.contains(',') && !value.is_empty()).then_some(value)
}

/// A host name or address with an optional port: letters, digits, dots,
/// dashes, and the brackets and colons of an IPv6 literal.
fn is_host(host: &str) -> bool {
    host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// Parses `CMS_TRUSTED_PROXIES`: comma-separated CIDRs or single addresses.
pub fn parse_trusted_proxies(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{item}' is not an IP address or CIDR such as 10.0.0.0/8"))
        })
        .collect()
}

/// Parses `CMS_PUBLIC_URL`: an http(s) URL with a host and nothing after
/// the path; kept without its trailing slash.
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("'{raw}' is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("'{raw}' must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{raw}' has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("'{raw}' must not carry credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{raw}' must not have a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `scheme://host` of this service as a request reached it: the trusted
/// public origin, else what the connection says. For absolute URLs in the
/// editor protocols' answers (`/xmlrpc.php`, `/wp-json/`, media, links).
pub fn request_origin(req: &actix_web::HttpRequest, config: &Config) -> String {
    public_origin(config, req.peer_addr(), req.headers()).unwrap_or_else(|| {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn config(vars: &[(&str, &str)]) -> Config {
        let vars: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned()).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxy: SocketAddr = "10.0.0.5:40000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:40000".parse().unwrap();
        let sent = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "www.journal.bj"),
            ("x-forwarded-for", "198.51.100.7, 10.0.0.9"),
        ]);
        let behind = config(&[("CMS_TRUSTED_PROXIES", "10.0.0.0/8, ::1")]);
        assert_eq!(
            public_origin(&behind, Some(proxy), &sent).as_deref(),
            Some("https://www.journal.bj")
        );
        assert_eq!(client_address(&behind, Some(proxy), &sent), "198.51.100.7");
        assert_eq!(public_origin(&behind, Some(stranger), &sent), None);
        assert_eq!(
            client_address(&behind, Some(stranger), &sent),
            "203.0.113.9"
        );
        let evil = headers(&[
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "evil>; rel=preload"),
        ]);
        assert_eq!(public_origin(&behind, Some(proxy), &evil), None);
        let configured = config(&[("CMS_PUBLIC_URL", "https://api.journal.bj/")]);
        assert_eq!(
            public_origin(&configured, Some(stranger), &sent).as_deref(),
            Some("https://api.journal.bj")
        );
    }

    #[test]
    fn settings_are_checked() {
        assert!(parse_public_url("javascript://evil").is_err());
        assert!(parse_public_url("https://a@b.c").is_err());
        assert!(parse_public_url("https://b.c/?x=1").is_err());
        assert_eq!(
            parse_public_url("https://journal.bj/api/").unwrap(),
            "https://journal.bj/api"
        );
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert_eq!(
            parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")
                .unwrap()
                .len(),
            2
        );
    }
}

//! Hosts: reading the host out of a URL, a `host:port`, a remote spec
//! (`user@host:path`) or a log-in target (`user@host`); telling a loopback
//! host from another machine; matching a host against a host glob; and
//! [`Dest`], where one network use goes.
//!
//! Everything here is lexical: nothing is resolved, nothing is contacted.

use clawlaw_sdk::glob;

/// Where one network use goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dest {
    /// A host name or IP address: lower-case, no port, no brackets.
    Host(String),
    /// Computed at run time (`curl "$URL"`): nobody can tell before it runs.
    Dynamic,
    /// Not named by the action (`git push origin`, a listener, a search).
    Unknown,
}

impl Dest {
    pub(crate) fn host(&self) -> Option<&str> {
        match self {
            Dest::Host(h) => Some(h),
            _ => None,
        }
    }
}

/// The host of `scheme://[user@]host[:port][/…]`, for any scheme but `file`.
pub fn url_host(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        || scheme.eq_ignore_ascii_case("file")
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_of_hostport(hostport)
}

/// The host of `host[:port]` or `[v6]:port`.
pub(crate) fn host_of_hostport(hp: &str) -> Option<String> {
    let host = match hp.strip_prefix('[') {
        Some(r) => r.split_once(']')?.0,
        None if hp.matches(':').count() > 1 => hp,
        None => hp.split(':').next().unwrap_or(""),
    };
    valid_host(host)
}

/// `h` lower-cased when it can be a host name or IP address.
pub(crate) fn valid_host(h: &str) -> Option<String> {
    let h = h.strip_suffix('.').unwrap_or(h);
    if h.is_empty() || h.starts_with(['-', '.']) || h.len() > 253 {
        return None;
    }
    let ok = if h.contains(':') {
        h.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    };
    ok.then(|| h.to_ascii_lowercase())
}

/// A host written without a scheme, `host[:port][/…]`: a URL, or a name that
/// looks like a domain (a dot and an alphabetic top-level label), an IP
/// address or `localhost`. `out.json` looks like a domain too, so callers
/// use this only where an operand is expected to be a host.
pub(crate) fn bare_host(s: &str) -> Option<String> {
    if s.contains("://") {
        return url_host(s);
    }
    if s.starts_with(['/', '.', '~', '-', '@', '$', '+', '=']) {
        return None;
    }
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    let hp = &s[..end];
    let hp = hp.rsplit_once('@').map_or(hp, |(_, h)| h);
    let h = host_of_hostport(hp)?;
    looks_like_host(&h).then_some(h)
}

fn looks_like_host(h: &str) -> bool {
    if h == "localhost" || is_ipv4(h) || h.contains(':') {
        return true;
    }
    match h.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty() && tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())
        }
        None => false,
    }
}

fn is_ipv4(h: &str) -> bool {
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The host of a remote spec `[user@]host:path` (scp, rsync, git) or a URL.
pub(crate) fn remote_spec_host(s: &str) -> Option<String> {
    if s.contains("://") {
        return url_host(s);
    }
    if s.starts_with(['/', '.', '~', '-', '$']) {
        return None;
    }
    let (hp, _) = s.split_once(':')?;
    if hp.contains('/') {
        return None;
    }
    valid_host(hp.rsplit_once('@').map_or(hp, |(_, h)| h))
}

/// The host of a log-in target `[user@]host` (ssh, sftp, telnet) or a URL.
pub(crate) fn login_host(s: &str) -> Option<String> {
    if s.contains("://") {
        return url_host(s);
    }
    if s.starts_with(['/', '.', '~', '-', '$']) {
        return None;
    }
    let s = s.split(':').next().unwrap_or(s);
    valid_host(s.rsplit_once('@').map_or(s, |(_, h)| h))
}

/// Whether a host is this machine (loopback): data sent there stays here.
pub fn is_local(h: &str) -> bool {
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "ip6-localhost"
        || h == "::1"
        || h == "0.0.0.0"
        || h == "::"
        || (h.starts_with("127.") && is_ipv4(h))
}

/// Whether `host` matches a host pattern: a glob over the lower-cased name
/// (`*.crates.io`), a `:port` on the pattern ignored. `*.example.com` also
/// matches `example.com` itself.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let p = pattern.trim().to_ascii_lowercase();
    let p = strip_port(&p);
    if p == host {
        return true;
    }
    if let Some(apex) = p.strip_prefix("*.")
        && apex == host
    {
        return true;
    }
    glob::matches(p, host)
}

/// `name:443` → `name`; IPv6 and port-less names unchanged.
pub(crate) fn strip_port(p: &str) -> &str {
    if let Some(r) = p.strip_prefix('[') {
        return r.split_once(']').map_or(p, |(h, _)| h);
    }
    match p.rsplit_once(':') {
        Some((h, port))
            if !h.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            h
        }
        _ => p,
    }
}

/// Every host of a URL in free text (code strings): `scheme://host`.
pub(crate) fn hosts_in_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |k| k + 1);
        let end = rest[i..]
            .find(|c: char| c.is_whitespace() || "\"'`<>()[]{},;\\".contains(c))
            .map_or(rest.len(), |k| i + k);
        if let Some(h) = url_host(&rest[start..end])
            && !out.contains(&h)
        {
            out.push(h);
        }
        rest = &rest[i + 3..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_urls_and_specs() {
        assert_eq!(
            url_host("https://u:p@API.GitHub.com:443/x?y").as_deref(),
            Some("api.github.com")
        );
        assert_eq!(url_host("http://[::1]:8080/").as_deref(), Some("::1"));
        assert_eq!(url_host("file:///etc/passwd"), None);
        assert_eq!(url_host("not a url"), None);
        assert_eq!(bare_host("example.com/x").as_deref(), Some("example.com"));
        assert_eq!(bare_host("10.0.0.1:22").as_deref(), Some("10.0.0.1"));
        assert_eq!(bare_host("./out.json"), None);
        assert_eq!(bare_host("data"), None);
        assert_eq!(
            remote_spec_host("git@github.com:o/r.git").as_deref(),
            Some("github.com")
        );
        assert_eq!(remote_spec_host("src/a:b"), None);
        assert_eq!(remote_spec_host("/abs:x"), None);
        assert_eq!(
            login_host("dev@build.example.net").as_deref(),
            Some("build.example.net")
        );
        assert!(is_local("127.0.0.1") && is_local("localhost") && is_local("app.localhost"));
        assert!(!is_local("127.example.com") && !is_local("10.0.0.1"));
    }

    #[test]
    fn host_patterns() {
        assert!(host_matches("api.github.com", "api.github.com"));
        assert!(host_matches("*.crates.io", "static.crates.io"));
        assert!(host_matches("*.crates.io", "crates.io"));
        assert!(!host_matches("*.crates.io", "evilcrates.io"));
        assert!(host_matches("API.github.com:443", "api.github.com"));
        assert!(!host_matches("github.com", "api.github.com"));
        assert_eq!(strip_port("h:80"), "h");
        assert_eq!(strip_port("::1"), "::1");
    }

    #[test]
    fn hosts_in_code_text() {
        let code = r#"requests.post('https://A.example:8443/x', data=d); fetch("http://b.example?q=1"); 'https://a.example/y'; open('file:///etc/x')"#;
        assert_eq!(hosts_in_text(code), ["a.example", "b.example"]);
        assert!(hosts_in_text("import socket; s.connect((h, 80))").is_empty());
    }

    #[test]
    fn destinations_name_their_host() {
        assert_eq!(Dest::Host("h.example".into()).host(), Some("h.example"));
        assert_eq!(Dest::Dynamic.host(), None);
        assert_eq!(Dest::Unknown.host(), None);
    }
}

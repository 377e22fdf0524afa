//! The addresses an action names, as the gate's are compared with them:
//! the `host:port` of a URL, of `host:port` (curl's and wget's default of
//! http), of bash's `/dev/tcp/HOST/PORT` and of socat's `TCP:HOST:PORT`,
//! with every spelling of the loopback made one (`127.0.0.1`); a
//! PostgreSQL URL's server and database; the routes only a gate's
//! reviewers and admins call, and its liveness probe.

/// The canonical `host:port` `target` (a URL, `host:port`, `/dev/tcp/…`, a
/// socat address) connects to.
pub(crate) fn authority(target: &str) -> Option<String> {
    let t = target.trim();
    // bash's `/dev/tcp/HOST/PORT`.
    let socket = t
        .strip_prefix("/dev/tcp/")
        .and_then(|r| r.split_once('/'))
        .map(|(host, port)| format!("{host}:{port}"));
    // socat's `TCP:HOST:PORT,options` (`TCP4:`, `OPENSSL:`, …).
    let socat = t.split_once(':').and_then(|(kind, rest)| {
        let kind = kind.to_ascii_uppercase();
        let kind = kind.trim_end_matches(['4', '6']);
        matches!(
            kind,
            "TCP" | "TCP-CONNECT" | "SSL" | "OPENSSL" | "OPENSSL-CONNECT"
        )
        .then(|| rest.split(',').next().unwrap_or(rest).to_string())
    });
    let t = socket.as_deref().or(socat.as_deref()).unwrap_or(t);
    if t.contains("://") {
        url_authority(t)
    } else {
        // `curl localhost:7070/v1/…`: curl and wget assume http.
        url_authority(&format!("http://{t}"))
    }
}

/// Whether `target`'s path is one only a clawlaw gate's reviewers and
/// admins call: deciding a review, or an admin route.
pub(crate) fn reviewer_route(target: &str) -> bool {
    let route = route(target);
    let parts: Vec<&str> = route.iter().map(String::as_str).collect();
    matches!(
        parts.as_slice(),
        ["v1", "reviews", _, "approve" | "deny"] | ["v1", "admin", ..]
    )
}

/// Whether `target`'s path is a gate's liveness probe (`/healthz`), which
/// answers whether it serves and nothing else.
pub(crate) fn health_probe(target: &str) -> bool {
    route(target) == ["healthz"]
}

/// The segments of `target`'s path as the client sends it and the server
/// routes it: escapes decoded (`/v1/%72eviews`), `.` and `..` segments
/// folded (curl folds them), empty ones dropped.
fn route(target: &str) -> Vec<String> {
    let t = target.trim();
    let rest = t.split_once("://").map_or(t, |(_, r)| r);
    let Some(k) = rest.find('/') else {
        return Vec::new();
    };
    let path = rest[k..].split(['?', '#']).next().unwrap_or("");
    let path = percent_decoded(path);
    let mut parts: Vec<String> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p.to_string()),
        }
    }
    parts
}

/// `text` with its `%XX` escapes decoded (invalid ones kept as written).
fn percent_decoded(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[k],
            b.get(k + 1).copied().and_then(hex),
            b.get(k + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                k += 3;
            }
            (c, _, _) => {
                out.push(c);
                k += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `host:port` of an http(s) URL, with the loopback names made one and the
/// scheme's default port filled in.
pub(crate) fn url_authority(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    Some(canonical_authority(authority, default_port))
}

/// `host:port[/database]` of a PostgreSQL URL (`postgres://u:pw@h/db`),
/// the host canonical as in [`url_authority`].
pub(crate) fn store_address(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "postgres" | "postgresql"
    ) {
        return None;
    }
    let rest = rest.split(['?', '#']).next()?;
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let authority = canonical_authority(authority.rsplit('@').next()?, 5432);
    Some(if database.is_empty() {
        authority
    } else {
        format!("{authority}/{database}")
    })
}

fn canonical_authority(authority: &str, default_port: u16) -> String {
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p))
            if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() =>
        {
            (h, p.parse::<u16>().unwrap_or(default_port))
        }
        _ => (authority, default_port),
    };
    let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let spelt = host;
    let host = host.strip_prefix("::ffff:").unwrap_or(host);
    // Every IPv6 spelling of the loopback or unspecified address
    // (`0:0:0:0:0:0:0:1`, `::ffff:7f00:1`), and public names that resolve to
    // the loopback (`localtest.me`, `lvh.me`, `127.0.0.1.nip.io`).
    let v6_loopback = spelt.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| {
        ip.is_loopback()
            || ip.is_unspecified()
            || ip
                .to_ipv4_mapped()
                .is_some_and(|v4| v4.is_loopback() || v4.is_unspecified())
    });
    let named_loopback =
        clawlaw_sdk::net::wildcard_dns_ipv4(host).is_some_and(|ip| ip >> 24 == 127 || ip == 0);
    let loopback = matches!(host, "localhost" | "::1" | "::")
        || v6_loopback
        || named_loopback
        || host.ends_with(".localhost")
        || clawlaw_sdk::net::ipv4(host).is_some_and(|ip| ip >> 24 == 127 || ip == 0);
    if loopback {
        format!("127.0.0.1:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        for target in [
            "http://localhost:7070/v1/sessions",
            "localhost:7070/v1",
            "/dev/tcp/127.0.0.1/7070",
            "TCP:127.0.0.1:7070",
            "tcp4:localhost:7070,nodelay",
            "OPENSSL:[::1]:7070,verify=0",
            "[::1]:7070",
        ] {
            assert_eq!(
                authority(target).as_deref(),
                Some("127.0.0.1:7070"),
                "{target}"
            );
        }
        // A listening address is not one connected to.
        assert_ne!(
            authority("TCP-LISTEN:7070,fork").as_deref(),
            Some("127.0.0.1:7070")
        );
        assert_eq!(authority("ftp://localhost:7070"), None);
    }

    #[test]
    fn authorities() {
        assert_eq!(
            url_authority("http://localhost:7070/v1").unwrap(),
            "127.0.0.1:7070"
        );
        assert_eq!(
            url_authority("http://[::1]:7070").unwrap(),
            "127.0.0.1:7070"
        );
        assert_eq!(
            url_authority("https://gate.example").unwrap(),
            "gate.example:443"
        );
        assert_eq!(
            url_authority("http://u:p@127.0.0.2:7070/x").unwrap(),
            "127.0.0.1:7070"
        );
        assert!(url_authority("ftp://x").is_none());
        for loopback in [
            "2130706433",
            "0x7f000001",
            "0x7f.1",
            "0177.0.0.1",
            "127.1",
            "localhost.",
            "api.localhost",
            "[::ffff:127.0.0.1]",
            "0.0.0.0",
        ] {
            assert_eq!(
                url_authority(&format!("http://{loopback}:7070/v1")).as_deref(),
                Some("127.0.0.1:7070"),
                "{loopback}"
            );
        }
        assert_eq!(
            url_authority("http://10.0.0.1:7070").as_deref(),
            Some("10.0.0.1:7070")
        );
    }
}

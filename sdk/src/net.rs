//! Network addresses as a resolver reads them: an IPv4 address in every
//! spelling `inet_aton` accepts, and the host of a URL or of a
//! `host[:port]/path` word as `curl` takes it. Policies that recognise an
//! address (the gate's own, a metadata service's) compare what these give,
//! so `127.1`, `0x7f.1` and `2130706433` are all `127.0.0.1`, and so is
//! `127.0.0.1.nip.io` ([`wildcard_dns_ipv4`]).

/// An IPv4 address in any form a resolver accepts (`inet_aton`): dotted
/// quads and their short forms (`127.1`), each part decimal, octal (`0177`)
/// or hex (`0x7f`), or one number (`2130706433`).
pub fn ipv4(host: &str) -> Option<u32> {
    let parts: Vec<u64> = host
        .split('.')
        .map(|p| {
            if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
                u64::from_str_radix(hex, 16).ok()
            } else if p.len() > 1 && p.starts_with('0') {
                u64::from_str_radix(&p[1..], 8).ok()
            } else if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    let (last, init) = parts.split_last()?;
    if init.len() > 3 || init.iter().any(|&p| p > 255) || *last >= 1 << (8 * (4 - init.len())) {
        return None;
    }
    let head = init
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &p)| acc | p << (24 - 8 * i));
    u32::try_from(head | last).ok()
}

/// The host `text` names, lower-cased, without brackets, port, trailing dot
/// or IPv4-mapped prefix (`::ffff:`): from a URL (`http://u@[::1]:80/x`) or
/// a scheme-less `host[:port][/path]` word (`169.254.169.254/latest`).
pub fn host(text: &str) -> Option<String> {
    let t = text.trim();
    let rest = t.split_once("://").map_or(t, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    let host = host.strip_prefix("::ffff:").unwrap_or(host);
    (!host.is_empty()).then(|| host.to_string())
}

/// The IPv4 address a wildcard DNS name resolves to: public services that
/// answer any name embedding an address with that address
/// (`169.254.169.254.nip.io`, `app-127-0-0-1.sslip.io`, `7f000001.nip.io`),
/// and names that always resolve to the loopback (`localtest.me`, `lvh.me`
/// and their subdomains). `None` for any other name.
pub fn wildcard_dns_ipv4(host: &str) -> Option<u32> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let loopback = ["localtest.me", "lvh.me"];
    if loopback
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    {
        return Some(0x7f00_0001);
    }
    let name = [".nip.io", ".sslip.io", ".xip.io", ".traefik.me"]
        .iter()
        .find_map(|d| host.strip_suffix(d))?;
    // The last four decimal parts of `parts`, as a dotted quad.
    let quad = |parts: &[&str]| {
        let tail = parts.get(parts.len().checked_sub(4)?..)?;
        tail.iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| ipv4(&tail.join(".")))
            .flatten()
    };
    let labels: Vec<&str> = name.split('.').collect();
    let last = labels.last()?;
    let dashed: Vec<&str> = last.split('-').collect();
    // `a.b.c.d.nip.io`, `app.a.b.c.d.nip.io`; `a-b-c-d.nip.io`,
    // `app-a-b-c-d.sslip.io`; `7f000001.nip.io` (eight hexadecimal digits).
    quad(&labels).or_else(|| quad(&dashed)).or_else(|| {
        let hex = dashed.last()?;
        (hex.len() == 8)
            .then(|| u32::from_str_radix(hex, 16).ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_dns_names_resolve_to_what_they_embed() {
        for (name, ip) in [
            ("169.254.169.254.nip.io", 0xa9fe_a9fe),
            ("app.10.0.0.1.sslip.io", 0x0a00_0001),
            ("app-127-0-0-1.sslip.io", 0x7f00_0001),
            ("7f000001.nip.io", 0x7f00_0001),
            ("localtest.me", 0x7f00_0001),
            ("gate.lvh.me.", 0x7f00_0001),
        ] {
            assert_eq!(wildcard_dns_ipv4(name), Some(ip), "{name}");
        }
        for name in [
            "nip.io",
            "example.com",
            "api.nip.io.example.com",
            "x.nip.io",
        ] {
            assert_eq!(wildcard_dns_ipv4(name), None, "{name}");
        }
    }

    #[test]
    fn every_ipv4_spelling_is_one_address() {
        for spelling in ["127.0.0.1", "127.1", "0x7f.1", "0177.0.0.1", "2130706433"] {
            assert_eq!(ipv4(spelling), Some(0x7f00_0001), "{spelling}");
        }
        assert_eq!(ipv4("10.0.0.1"), Some(0x0a00_0001));
        assert_eq!(ipv4("1.2.3.4.5"), None);
        assert_eq!(ipv4("256.1"), None);
        assert_eq!(ipv4("1.2.65536"), None);
        assert_eq!(ipv4("gate.example"), None);
    }

    #[test]
    fn hosts_come_out_of_urls_and_words() {
        assert_eq!(
            host("http://u:p@Example.COM.:8080/x").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host("169.254.169.254/latest/meta-data").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(
            host("http://[::ffff:a9fe:a9fe]/").as_deref(),
            Some("a9fe:a9fe")
        );
        assert_eq!(
            host("https://[fd00:ec2::254]:80/x").as_deref(),
            Some("fd00:ec2::254")
        );
        assert_eq!(
            host("http://[::ffff:169.254.169.254]/").as_deref(),
            Some("169.254.169.254")
        );
        assert_eq!(host(""), None);
    }
}

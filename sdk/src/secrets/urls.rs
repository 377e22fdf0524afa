//! Passwords in URLs, found by hand: `scheme://user:password@host` (also
//! IPv6 hosts), not a `${VAR}` reference or a placeholder, not a password
//! equal to the user name, and not for hosts that are development defaults
//! or reserved for documentation (`localhost`, `127.0.0.1`, `[::1]`,
//! `0.0.0.0`, `example.{com,org,net}`, names ending `.example`, `.test`,
//! `.invalid`, `.localhost`): `postgres://postgres:postgres@localhost/app` is
//! not a leak.

use super::Finding;
use super::filters::{is_placeholder_value, is_reference};
use super::redact::redact_value;
use super::text::{floor_boundary, hits, run};

/// The longest user-info (`user:password`) looked at in a URL (bytes).
const MAX_USERINFO: usize = 256;

pub(super) fn url_credentials(text: &str, add: &mut impl FnMut(Finding)) {
    if !text.contains('@') {
        return;
    }
    let b = text.as_bytes();
    let stop = |c: u8| c.is_ascii_whitespace() || b"/?#@'\"<>".contains(&c);
    for sep in hits(text, "://") {
        // The scheme: letters, digits, `+.-`, starting with a letter.
        let mut scheme = sep;
        while scheme > 0
            && (b[scheme - 1].is_ascii_alphanumeric() || b"+.-".contains(&b[scheme - 1]))
        {
            scheme -= 1;
        }
        while scheme < sep && !b[scheme].is_ascii_alphabetic() {
            scheme += 1;
        }
        if scheme == sep {
            continue;
        }
        // The user-info: up to an `@` before any of `/?#`, blanks, quotes.
        let info = sep + 3;
        let limit = floor_boundary(text, info + MAX_USERINFO);
        let at = run(&b[..limit], info, |c| !stop(c));
        if b.get(at) != Some(&b'@') {
            continue;
        }
        let Some(colon) = text[info..at].find(':').map(|i| info + i) else {
            continue;
        };
        let (user, pw) = (&text[info..colon], &text[colon + 1..at]);
        let host_end = if b.get(at + 1) == Some(&b'[') {
            (run(b, at + 1, |c| c != b']' && !c.is_ascii_whitespace()) + 1).min(b.len())
        } else {
            run(b, at + 1, |c| !stop(c) && c != b':')
        };
        let host = &text[at + 1..host_end];
        if pw.chars().count() < 4
            || host.is_empty()
            || pw.eq_ignore_ascii_case(user)
            || is_placeholder_value(pw, user)
            || is_reference(pw)
            || is_local_host(host)
        {
            continue;
        }
        add(Finding {
            kind: "url-credentials",
            range: colon + 1..at,
            excerpt: format!(
                "{}://{user}:{}@{host}",
                &text[scheme..sep],
                redact_value(pw)
            ),
        });
    }
}

fn is_local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    matches!(
        h.as_str(),
        "localhost"
            | "127.0.0.1"
            | "[::1]"
            | "0.0.0.0"
            | "example.com"
            | "example.org"
            | "example.net"
    ) || [
        ".example",
        ".test",
        ".invalid",
        ".localhost",
        ".example.com",
        ".example.org",
        ".example.net",
    ]
    .iter()
    .any(|s| h.ends_with(s))
}

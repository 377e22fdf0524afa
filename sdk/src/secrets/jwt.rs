//! JSON Web Tokens, found by hand as well as by the rule set's `jwt` rule
//! (whose kind they share): `eyJ…` `.eyJ…` `.…`, three base64url parts of
//! 13, 13 and 10 characters or more. gitleaks wants 17 or more after `ey` in
//! the header and the payload, so it misses small tokens such as
//! `{"alg":"HS256"}.{"sub":"dev"}` that still authenticate. A JWT inside a
//! dotted word or a longer run (`x.eyJ…`, `…eyJ…` repeated) is not one.

use super::Finding;
use super::filters::is_placeholder;
use super::redact::redact_value;
use super::text::{hits, run};

fn base64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// `eyJ…` `.eyJ…` `.…`: three base64url parts of 13, 13 and 10 or more.
pub(super) fn jwts(text: &str, add: &mut impl FnMut(Finding)) {
    let b = text.as_bytes();
    let mut done = 0;
    for at in hits(text, "eyJ") {
        if at < done {
            continue;
        }
        let header = run(b, at, base64url);
        // Hits inside this run are glued to it: skip them whatever happens.
        done = header;
        if at > 0 && (base64url(b[at - 1]) || b[at - 1] == b'.') {
            continue;
        }
        if header - at < 13
            || b.get(header) != Some(&b'.')
            || !text[header + 1..].starts_with("eyJ")
        {
            continue;
        }
        let payload = run(b, header + 1, base64url);
        if payload - header - 1 < 13 || b.get(payload) != Some(&b'.') {
            continue;
        }
        let end = run(b, payload + 1, base64url);
        done = end;
        if end - payload - 1 < 10 || b.get(end) == Some(&b'.') {
            continue;
        }
        if is_placeholder(&text[at..end]) {
            continue;
        }
        add(Finding {
            kind: "jwt",
            range: at..end,
            excerpt: redact_value(&text[at..end]),
        });
    }
}

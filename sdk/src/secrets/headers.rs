//! HTTP credentials in headers, found by hand: `Bearer <token>` (20
//! characters or more, with a digit or 32 long; not a `$TOKEN`/`{token}`
//! reference or a placeholder) and `Authorization: Basic <base64>` (also as
//! JSON, `"Authorization": "Basic …"`). gitleaks has these only inside
//! `curl` command lines; a gate also sees them in HTTP files, scripts and
//! tool inputs. A specific token kind found first (`ghp_…` after `Bearer`)
//! wins over these.

use super::Finding;
use super::filters::is_placeholder_value;
use super::redact::redact_value;
use super::text::{blanks, glued, hits, run};

pub(super) fn auth_headers(text: &str, lower: &str, add: &mut impl FnMut(Finding)) {
    let b = text.as_bytes();
    let lb = lower.as_bytes();
    let bearer_char = |c: u8| c.is_ascii_alphanumeric() || b"._~+/=-".contains(&c);
    // `Bearer <token>`: a token of 20 or more, with a digit or 32 long.
    for at in hits(lower, "bearer") {
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let start = blanks(b, at + 6);
        if start == at + 6 {
            continue;
        }
        let end = run(b, start, bearer_char);
        let v = &text[start..end];
        if v.len() < 20
            || glued(text, start, end, b"$%{}<>")
            || !(v.bytes().any(|c| c.is_ascii_digit()) || v.len() >= 32)
            || is_placeholder_value(v, "")
        {
            continue;
        }
        add(Finding {
            kind: "bearer-token",
            range: start..end,
            excerpt: format!("Bearer {}", redact_value(v)),
        });
    }
    // `Authorization: Basic <base64>` (also `"Authorization": "Basic …"`).
    for at in hits(lower, "authorization") {
        let mut i = at + "authorization".len();
        if matches!(b.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        i = blanks(b, i);
        if !matches!(b.get(i), Some(b':' | b'=')) {
            continue;
        }
        i = blanks(b, i + 1);
        if matches!(b.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        if !lb[i..].starts_with(b"basic") {
            continue;
        }
        let start = blanks(b, i + 5);
        if start == i + 5 {
            continue;
        }
        let mut end = run(b, start, |c| {
            c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
        });
        if end - start < 8 {
            continue;
        }
        end = run(b, end, |c| c == b'=').min(end + 2);
        let v = &text[start..end];
        if glued(text, start, end, b"$%{}<>") || is_placeholder_value(v, "") {
            continue;
        }
        add(Finding {
            kind: "basic-auth",
            range: start..end,
            excerpt: format!("Basic {}", redact_value(v)),
        });
    }
}

//! Private key blocks, found by hand rather than by gitleaks' `private-key`
//! rule: a PEM/OpenSSH/PGP `-----BEGIN … PRIVATE KEY-----` header counts only
//! when base64 key material follows it (40 characters or more, with line
//! breaks, `\n` escapes as in a JSON service-account file, and legacy
//! `Proc-Type:` headers allowed), so a parser's constant holding the header
//! alone is not a key. The finding covers the whole block, END line included.

use super::Finding;
use super::text::{floor_boundary, hits};

/// The key types a header may name before `PRIVATE KEY`.
const KEY_TYPES: &[&str] = &["RSA ", "EC ", "DSA ", "OPENSSH ", "PGP ", "ENCRYPTED "];

/// The end of a private key header starting at `at` (which holds
/// `-----BEGIN `): `-----BEGIN [TYPE ]PRIVATE KEY[ BLOCK]-----`.
fn header(text: &str, at: usize) -> Option<usize> {
    let mut rest = &text[at + "-----BEGIN ".len()..];
    if let Some(t) = KEY_TYPES.iter().find(|t| rest.starts_with(*t)) {
        rest = &rest[t.len()..];
    }
    rest = rest.strip_prefix("PRIVATE KEY")?;
    rest = rest.strip_prefix(" BLOCK").unwrap_or(rest);
    rest = rest.strip_prefix("-----")?;
    Some(text.len() - rest.len())
}

pub(super) fn private_keys(text: &str, add: &mut impl FnMut(Finding)) {
    if memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY").is_none() {
        return;
    }
    for at in hits(text, "-----BEGIN ") {
        let Some(header_end) = header(text, at) else {
            continue;
        };
        let Some(body_end) = key_material(text, header_end) else {
            continue;
        };
        // `key_material` stops at the dashes of the END line, if any.
        let end = if text[body_end..].starts_with("-----END ") {
            let from = body_end + "-----END ".len();
            let line = &text[from..floor_boundary(text, from + 64)];
            line.find("-----").map_or(body_end, |j| from + j + 5)
        } else {
            body_end
        };
        add(Finding {
            kind: "private-key",
            range: at..end,
            excerpt: format!("{}…", &text[at..header_end]),
        });
    }
}

/// Where the key material after a header ends, if there are at least 40
/// base64 characters of it (headers such as `Proc-Type:` and line breaks,
/// also escaped `\n` as in JSON, are skipped).
fn key_material(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    let mut run = 0usize;
    let mut total = 0usize;
    let mut best = 0usize;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=' {
            run += 1;
            total += 1;
            i += 1;
        } else if c == b'\\' && matches!(b.get(i + 1), Some(b'n' | b'r')) {
            best = best.max(run);
            run = 0;
            i += 2;
        } else if c == b'\n' || c == b'\r' || c == b' ' || c == b'\t' {
            best = best.max(run);
            run = 0;
            i += 1;
        } else if c == b':' || c == b',' || (c == b'-' && !text[i..].starts_with("-----")) {
            // A header line (`Proc-Type: 4,ENCRYPTED`): not key material.
            total -= run;
            run = 0;
            i += 1;
        } else {
            break;
        }
    }
    best = best.max(run);
    (best >= 40 && total >= 40).then_some(i)
}

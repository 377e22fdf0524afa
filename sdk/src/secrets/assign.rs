//! Literal credentials assigned to credential-named keys, found by hand:
//! `password=…`, `passwd: …`, `DB_PASSWORD=…`, `client_secret: …`,
//! `x-api-key: …`, `'password' => '…'`, `--password …` flags. gitleaks'
//! `generic-api-key` wants 10 characters or more of some entropy; a gate also
//! stops `PASSWORD=hunter2`. Its judgement calls:
//!
//! - the value must be a *literal*, not code or configuration indirection:
//!   empty values, values shorter than 6 characters, values with whitespace
//!   (prose: `password: "Enter your password"`), references (`${PASSWORD}`,
//!   `$PW`, `{{ .Values.pw }}`, `%(pw)s`, `<password>`), expressions
//!   (`read_password()`, `os.environ["PW"]`, `self.password`,
//!   `Option<String>`), comparisons, paths and URLs, and numbers are not;
//! - an *unquoted* value (`.env`, YAML, shell) must look like a secret rather
//!   than an identifier: it has a digit or a symbol (`hunter2`, `S3cr3t!`)
//!   and is not a `snake_case` name; so `password: String,` and
//!   `token = get_token()` are code;
//! - a *quoted* value made only of letters needs 12 or more of them
//!   (`"Passwort"` is a translation, not a password);
//! - placeholders are skipped (see [`super::filters::is_placeholder_value`]),
//!   and so is what the rule set's allowlists for `generic-api-key` (the
//!   rule this detector refines) and its global allowlist allow: key names
//!   that are not credentials (`csrf_token`, `public_token`, `key_id`, …),
//!   stopwords, references.
//!
//! A 40-character base64 value of an AWS secret-key name is reported as
//! `aws-secret-key`, anything else as `secret-assignment`.

use std::ops::Range;

use super::Finding;
use super::filters::{is_placeholder_value, is_reference};
use super::redact::redact_value;
use super::scan::generic_allows;
use super::text::{floor_boundary, hits};

/// Key endings that make an assignment a credential (lower case).
const KEY_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "secret_key",
    "secret-key",
    "secretkey",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "access-key",
    "accesskey",
    "private_key",
    "private-key",
    "privatekey",
    "token",
    "credential",
    "credentials",
];

/// Flag names (`--password value`) that take a credential (lower case).
const FLAG_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "api-key",
    "apikey",
];

pub(super) fn assignments(text: &str, lower: &str, add: &mut impl FnMut(Finding)) {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || b"_.-".contains(&c);
    for needle in ["pass", "secret", "key", "token", "credential"] {
        // Hits inside an identifier already looked at (for this needle), and
        // inside a value already reported.
        let mut done = 0;
        let mut skip = 0;
        for hit in hits(lower, needle) {
            if hit < done {
                continue;
            }
            // The whole identifier around the hit.
            let mut start = hit;
            while start > 0 && ident(b[start - 1]) {
                start -= 1;
            }
            let mut end = hit + needle.len();
            while end < b.len() && ident(b[end]) {
                end += 1;
            }
            done = end;
            if start < skip {
                continue;
            }
            let key = &lower[start..end];
            let name = &text[start..end];
            if KEY_SUFFIXES.iter().any(|s| key.ends_with(s))
                && let Some(at) = after_separator(b, end)
                && let Some((range, value)) = literal_value(text, at, name)
                && !generic_allows(text, start..range.end, value)
            {
                let aws = key.contains("secret")
                    && (key.contains("aws") || key == "secretaccesskey")
                    && value.len() == 40
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
                skip = range.end;
                add(Finding {
                    kind: if aws {
                        "aws-secret-key"
                    } else {
                        "secret-assignment"
                    },
                    excerpt: format!("{name}={}", redact_value(value)),
                    range,
                });
                continue;
            }
            // `--password value`: a flag, after a blank, then blanks.
            if key.starts_with('-')
                && (start == 0 || b[start - 1].is_ascii_whitespace())
                && FLAG_SUFFIXES.iter().any(|s| key.ends_with(s))
                && matches!(b.get(end), Some(b' ' | b'\t'))
            {
                let mut at = end;
                while matches!(b.get(at), Some(b' ' | b'\t')) {
                    at += 1;
                }
                if let Some((range, value)) = literal_value(text, at, name)
                    && !generic_allows(text, start..range.end, value)
                {
                    skip = range.end;
                    add(Finding {
                        kind: "secret-assignment",
                        excerpt: format!("{name} {}", redact_value(value)),
                        range,
                    });
                }
            }
        }
    }
}

/// After a key ending at `end`: an optional (escaped) closing quote, blanks,
/// one of `:=`, `=>`, `=`, `:`, blanks; the offset of the value.
fn after_separator(b: &[u8], end: usize) -> Option<usize> {
    let mut i = end;
    if b.get(i) == Some(&b'\\') && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
        i += 2;
    } else if matches!(b.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (b.get(i), b.get(i + 1)) {
        (Some(b':'), Some(b'=')) | (Some(b'='), Some(b'>')) => i += 2,
        (Some(b'=' | b':'), _) => i += 1,
        _ => return None,
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    Some(i)
}

/// The longest value looked at (bytes); a longer unquoted value is cut, a
/// longer quoted one is not a literal.
const MAX_VALUE: usize = 256;

/// The literal value starting at `at`, if it is one (see the module doc).
fn literal_value<'t>(text: &'t str, at: usize, key: &str) -> Option<(Range<usize>, &'t str)> {
    // Values are looked at within a bounded window, so a text made of many
    // keys costs linear time.
    let rest = &text[at..floor_boundary(text, at + MAX_VALUE)];
    let first = rest.chars().next()?;
    let (range, quoted) = match first {
        '"' | '\'' | '`' => {
            let end = closing_quote(&rest[1..], first)?;
            (at + 1..at + 1 + end, true)
        }
        '\\' if rest[1..].starts_with(['"', '\'']) => {
            let q = rest.as_bytes()[1] as char;
            let inner = &rest[2..];
            let end = inner
                .find(['\\', '\n'])
                .filter(|&i| inner[i..].starts_with(&format!("\\{q}")))?;
            (at + 2..at + 2 + end, true)
        }
        _ => {
            let end = rest
                .find(|c: char| {
                    c.is_whitespace()
                        || matches!(c, ',' | ';' | '&' | ')' | ']' | '}' | '"' | '\'' | '>')
                })
                .unwrap_or(rest.len());
            (at..at + end, false)
        }
    };
    let v = &text[range.clone()];
    let ok = if quoted {
        quoted_literal(v)
    } else {
        unquoted_literal(v)
    };
    (ok && v.chars().count() >= 6 && !is_reference(v) && !is_placeholder_value(v, key))
        .then_some((range, v))
}

/// The offset of the quote closing a string, on the same line, skipping
/// backslash escapes.
fn closing_quote(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\n' => return None,
            '\\' if !escaped => escaped = true,
            c if c == q && !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

fn quoted_literal(v: &str) -> bool {
    if v.chars().any(char::is_whitespace) {
        return false;
    }
    if v.chars().all(|c| c.is_ascii_alphabetic()) {
        return v.len() >= 12;
    }
    !v.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a value given on its own (an option's, already unquoted by the
/// shell) looks like a password, as an unquoted assignment's value must.
pub(super) fn looks_like_password(v: &str) -> bool {
    v.chars().count() >= 6
        && unquoted_literal(v)
        && !is_reference(v)
        && !is_placeholder_value(v, "password")
}

fn unquoted_literal(v: &str) -> bool {
    if v.is_empty() || v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Expressions and references.
    if v.contains(['(', '[', '{', '<', '$', '%', '`']) || v.contains("::") || v.contains("->") {
        return false;
    }
    if v.starts_with(['&', '*', '!', '=', '-', '/', '~', '.', '?', '#', '|', '+'])
        || v.contains("://")
    {
        return false;
    }
    let ident = |s: &str| {
        s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    // `self.password`, `config.db.token`: a field access.
    if v.contains('.') && v.split('.').all(ident) {
        return false;
    }
    if ident(v) {
        let digit = v.bytes().any(|b| b.is_ascii_digit());
        let snake = v.contains('_') && !v.bytes().any(|b| b.is_ascii_uppercase());
        let long = v.len() >= 24 && digit;
        return long || (digit && !snake);
    }
    true
}

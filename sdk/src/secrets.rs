//! Credential detection: in text ([`find`]) and by file location
//! ([`is_credential_path`]).
//!
//! Detection is pattern-based (no entropy guessing), tuned so ordinary code
//! that merely *talks about* credentials does not trip it. Each [`Finding`]
//! names a kind (see [`KINDS`]), the byte range of the secret in the text, and
//! a redacted excerpt that is safe to put in a decision's reason: it never
//! shows more than 4 characters (and never more than a quarter) of a secret.
//!
//! What is detected, in priority order (an overlapping later finding is
//! dropped):
//!
//! | kind | what |
//! |---|---|
//! | `private-key` | a PEM/OpenSSH/PGP private key block: `-----BEGIN … PRIVATE KEY-----` *followed by* key material (a header alone, as in a parser's constant, is not a key) |
//! | `aws-access-key` | `AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 (AWS's documented `…EXAMPLE` keys are skipped) |
//! | `aws-secret-key` | an `aws_secret_access_key` / `SecretAccessKey` assignment of 40 base64 characters |
//! | `github-token` | `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36, `github_pat_…` |
//! | `gitlab-token` | `glpat-…` |
//! | `slack-token`, `slack-webhook` | `xox[abposr]-…`, `https://hooks.slack.com/services/…` |
//! | `stripe-key` | `sk_live_…`, `rk_live_…` (test-mode keys are not secrets worth a denial) |
//! | `google-api-key` | `AIza` + 35 |
//! | `openai-key`, `anthropic-key` | `sk-proj-…`/`sk-…T3BlbkFJ…`, `sk-ant-…` |
//! | `npm-token`, `pypi-token` | `npm_` + 36, `pypi-AgEIcHlwaS5vcmc…` |
//! | `jwt` | three base64url parts, the first two starting `eyJ` |
//! | `bearer-token`, `basic-auth` | `Bearer <20+ chars>`, `Authorization: Basic <base64>` |
//! | `url-credentials` | `scheme://user:password@host` |
//! | `secret-assignment` | `password=…`, `passwd: …`, `secret=…`, `api_key=…`, `token=…` and the like (any key *ending* in such a word, `DB_PASSWORD`, `client_secret`, `x-api-key`), and `--password …` flags |
//!
//! ## Judgement calls for `secret-assignment` and `url-credentials`
//!
//! The value must be a *literal*, not code or configuration indirection:
//!
//! - not reported: empty values, values shorter than 6 characters, values
//!   with whitespace (prose: `password: "Enter your password"`), variable and
//!   template references (`${PASSWORD}`, `$PW`, `{{ .Values.pw }}`, `%(pw)s`,
//!   `<password>`), expressions (`read_password()`, `os.environ["PW"]`,
//!   `self.password`, `Option<String>`), comparisons (`password == x`), paths
//!   (`/run/secrets/db`) and URLs, numbers only;
//! - an *unquoted* value (`.env`, YAML, shell) must look like a secret rather
//!   than an identifier: it has a digit or a symbol (`hunter2`, `S3cr3t!`) and
//!   is not a `snake_case` name; so `password: String,` and
//!   `token = get_token()` are code;
//! - a *quoted* value made only of letters needs 12 or more of them
//!   (`"Passwort"` is a translation, not a password);
//! - placeholders are skipped: values containing `example`, `sample`,
//!   `placeholder`, `changeme`/`change_me`, `dummy`, `fake`, `redacted`,
//!   `your_`/`your-`/`yourpass`, `test`, `xxxx`, `****`, `...`, a value
//!   equal to the key, and common words (`password`, `secret`, `none`,
//!   `null`, `string`, …);
//! - URL credentials are skipped when the password equals the user name or is
//!   a placeholder, and for hosts `localhost`, `127.0.0.1`, `[::1]`,
//!   `0.0.0.0`, `example.{com,org,net}` and names ending `.example`, `.test`,
//!   `.invalid`, `.localhost` (development defaults such as
//!   `postgres://postgres:postgres@localhost/app`).
//!
//! Cost: linear in the text. Each detector looks for its literal needle
//! (`ghp_`, `AKIA`, `://`, `password`, …) with a substring search and only
//! then parses, by hand or with a small `^`-anchored regex on a bounded
//! window (regexes are compiled lazily, once per process, i.e. once per
//! evaluation in a fresh WebAssembly instance, and only when a needle is
//! present). Values and tokens are looked at within bounded windows (256
//! bytes for an assigned value, 512 for a token). About 10 ms per MB of
//! ordinary text natively.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex_lite::Regex;

/// Every kind [`find`] reports, with a phrase for reasons.
pub const KINDS: &[(&str, &str)] = &[
    ("private-key", "a private key"),
    ("aws-access-key", "an AWS access key id"),
    ("aws-secret-key", "an AWS secret access key"),
    ("github-token", "a GitHub token"),
    ("gitlab-token", "a GitLab token"),
    ("slack-token", "a Slack token"),
    ("slack-webhook", "a Slack webhook URL"),
    ("stripe-key", "a Stripe live key"),
    ("google-api-key", "a Google API key"),
    ("openai-key", "an OpenAI API key"),
    ("anthropic-key", "an Anthropic API key"),
    ("npm-token", "an npm token"),
    ("pypi-token", "a PyPI token"),
    ("jwt", "a JSON Web Token"),
    ("bearer-token", "a bearer token"),
    ("basic-auth", "HTTP basic credentials"),
    ("url-credentials", "a URL with an embedded password"),
    (
        "secret-assignment",
        "a literal password, secret, key or token",
    ),
];

/// The phrase [`KINDS`] gives a kind ("a credential" for an unknown one).
pub fn describe(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("a credential", |(_, d)| d)
}

/// One credential found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// One of [`KINDS`], e.g. `github-token`.
    pub kind: &'static str,
    /// Where the secret is, in bytes: the token, the assigned value, the
    /// URL's password, or the whole key block. Replace it to redact.
    pub range: Range<usize>,
    /// A redacted excerpt, safe for a reason or a log, e.g.
    /// `ghp_…(40 chars)` or `DB_PASSWORD=h…(7 chars)`.
    pub excerpt: String,
}

impl Finding {
    /// A phrase for reasons, e.g. "a GitHub token".
    pub fn description(&self) -> &'static str {
        describe(self.kind)
    }
}

/// Every credential in `text`, ordered by position, overlapping findings
/// collapsed to the most specific.
pub fn find(text: &str) -> Vec<Finding> {
    if text.len() < 8 {
        return Vec::new();
    }
    // ASCII lower-casing keeps byte offsets, so positions found in `lower`
    // index `text` too.
    let lower = text.to_ascii_lowercase();
    // Findings by start; their ranges are disjoint, so a new range overlaps
    // one only if it overlaps the last one starting before its end.
    let mut found: BTreeMap<usize, Finding> = BTreeMap::new();
    let mut add = |f: Finding| {
        let overlaps = found
            .range(..f.range.end)
            .next_back()
            .is_some_and(|(_, o)| o.range.end > f.range.start);
        if !overlaps {
            found.insert(f.range.start, f);
        }
    };
    private_keys(text, &mut add);
    for t in TOKENS {
        tokens(text, t, &mut add);
    }
    jwts(text, &mut add);
    auth_headers(text, &lower, &mut add);
    url_credentials(text, &mut add);
    assignments(text, &lower, &mut add);
    found.into_values().collect()
}

/// Whether `text` holds any credential [`find`] detects.
pub fn contains_secret(text: &str) -> bool {
    !find(text).is_empty()
}

/// `text` with every finding replaced by `[REDACTED:<kind>]`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in find(text) {
        out.push_str(&text[at..f.range.start]);
        out.push_str("[REDACTED:");
        out.push_str(f.kind);
        out.push(']');
        at = f.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A redacted rendering of a secret: at most 4 characters and at most a
/// quarter of it, then its length.
pub fn redact_value(secret: &str) -> String {
    let n = secret.chars().count();
    let show = (n / 4).min(4);
    let prefix: String = secret.chars().take(show).collect();
    format!("{prefix}…({n} chars)")
}

// Performance: `regex-lite` has no literal prefilter, so an unanchored search
// walks the whole text once per pattern (milliseconds per 100 KB, against a
// 100 ms deadline per evaluation). Every detector here therefore finds its
// literal needle with a substring search first, and runs its regex anchored
// (`^…`) at each hit only: the cost is linear in the text plus the length of
// the candidates.

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("built-in pattern is valid"))
}

/// Where `needle` (ASCII) starts in `haystack`, left to right and not
/// overlapping, as `str::match_indices` finds it. memchr's `memmem` looks for
/// the needle's rarest byte first, which on ordinary text is several times
/// faster than std's searcher; a scan runs some forty needles over the text.
fn hits<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    debug_assert!(needle.is_ascii());
    memchr::memmem::find_iter(haystack.as_bytes(), needle.as_bytes())
}

/// Whether the byte before `start` / at `end` continues a token, i.e. the
/// match is part of a longer word.
fn glued(text: &str, start: usize, end: usize, extra: &[u8]) -> bool {
    let b = text.as_bytes();
    let cont = |c: u8| c.is_ascii_alphanumeric() || extra.contains(&c);
    (start > 0 && cont(b[start - 1])) || (end < b.len() && cont(b[end]))
}

// ---------------------------------------------------------------- private keys

fn private_keys(text: &str, add: &mut impl FnMut(Finding)) {
    if memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY").is_none() {
        return;
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"^-----BEGIN ((?:RSA|EC|DSA|OPENSSH|PGP|ENCRYPTED) )?PRIVATE KEY( BLOCK)?-----",
    );
    for at in hits(text, "-----BEGIN ") {
        let Some(m) = re.find(&text[at..]) else {
            continue;
        };
        let header_end = at + m.end();
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
            excerpt: format!("{}…", m.as_str()),
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

// ---------------------------------------------------------------- fixed-format tokens

struct TokenPattern {
    kind: &'static str,
    /// Literal prefixes: a match starts at one of them.
    needles: &'static [&'static str],
    /// The pattern, anchored with `^`.
    pattern: &'static str,
    cell: &'static OnceLock<Regex>,
    /// Characters that, right before or after, mean the match is part of a
    /// longer word (besides ASCII letters and digits).
    glue: &'static [u8],
}

macro_rules! token {
    ($kind:literal, $needles:expr, $pattern:literal, $glue:expr) => {{
        static CELL: OnceLock<Regex> = OnceLock::new();
        TokenPattern {
            kind: $kind,
            needles: $needles,
            pattern: $pattern,
            cell: &CELL,
            glue: $glue,
        }
    }};
}

const TOKENS: &[TokenPattern] = &[
    token!(
        "aws-access-key",
        &["AKIA", "ASIA", "ABIA", "ACCA"],
        r"^(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}",
        b""
    ),
    token!(
        "github-token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        r"^gh[pousr]_[0-9A-Za-z]{36,255}",
        b"_"
    ),
    token!(
        "github-token",
        &["github_pat_"],
        r"^github_pat_[0-9A-Za-z_]{22,255}",
        b"_"
    ),
    token!(
        "gitlab-token",
        &["glpat-"],
        r"^glpat-[0-9A-Za-z_-]{20,}",
        b"_-"
    ),
    token!(
        "slack-webhook",
        &["https://hooks.slack.com/services/"],
        r"^https://hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]{16,}",
        b""
    ),
    token!(
        "slack-token",
        &["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"],
        r"^xox[abposr]-[0-9A-Za-z-]{10,}",
        b"-"
    ),
    token!(
        "stripe-key",
        &["sk_live_", "rk_live_"],
        r"^[rs]k_live_[0-9A-Za-z]{16,}",
        b"_"
    ),
    token!(
        "google-api-key",
        &["AIza"],
        r"^AIza[0-9A-Za-z_-]{35}",
        b"_-"
    ),
    token!(
        "anthropic-key",
        &["sk-ant-"],
        r"^sk-ant-[0-9A-Za-z_-]{20,}",
        b"_-"
    ),
    token!(
        "openai-key",
        &["sk-"],
        r"^sk-(?:(?:proj|svcacct|admin)-[0-9A-Za-z_-]{20,}|[0-9A-Za-z]{20,}T3BlbkFJ[0-9A-Za-z]{20,})",
        b"_-"
    ),
    token!("npm-token", &["npm_"], r"^npm_[0-9A-Za-z]{36}", b"_"),
    token!(
        "pypi-token",
        &["pypi-AgEIcHlwaS5vcmc"],
        r"^pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}",
        b"_-"
    ),
];

/// The longest fixed-format token looked for (bytes).
const TOKEN_WINDOW: usize = 512;

fn tokens(text: &str, t: &TokenPattern, add: &mut impl FnMut(Finding)) {
    let b = text.as_bytes();
    // The end of the run of token characters (letters, digits and the
    // pattern's glue) starting at `from`. After a rejected candidate, every
    // later hit inside that run is glued to the characters before it, so it
    // is skipped: each run is attempted once, which keeps the scan linear on
    // long base64 blobs.
    let run_end = |from: usize| {
        let mut e = from;
        while e < b.len() && (b[e].is_ascii_alphanumeric() || t.glue.contains(&b[e])) {
            e += 1;
        }
        e
    };
    for needle in t.needles {
        let mut done = 0;
        for at in hits(text, needle) {
            if at < done {
                continue;
            }
            // No token here is longer than the window; a longer run is glued.
            let window = &text[at..floor_boundary(text, at + TOKEN_WINDOW)];
            let Some(m) = regex(t.cell, t.pattern).find(window) else {
                done = run_end(at);
                continue;
            };
            let range = at..at + m.end();
            if glued(text, range.start, range.end, t.glue) {
                done = run_end(at).max(range.end);
                continue;
            }
            done = range.end;
            let s = m.as_str();
            if t.kind == "aws-access-key" && s.ends_with("EXAMPLE") {
                continue;
            }
            add(Finding {
                kind: t.kind,
                range,
                excerpt: redact_value(s),
            });
        }
    }
}

// ---------------------------------------------------------------- Authorization headers

/// The end of the run of bytes satisfying `class` from `from`.
fn run(b: &[u8], from: usize, class: impl Fn(u8) -> bool) -> usize {
    let mut e = from;
    while e < b.len() && class(b[e]) {
        e += 1;
    }
    e
}

fn blanks(b: &[u8], from: usize) -> usize {
    run(b, from, |c| c == b' ' || c == b'\t')
}

fn base64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// `eyJ…` `.eyJ…` `.…`: three base64url parts of 13, 13 and 10 or more.
fn jwts(text: &str, add: &mut impl FnMut(Finding)) {
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
        add(Finding {
            kind: "jwt",
            range: at..end,
            excerpt: redact_value(&text[at..end]),
        });
    }
}

fn auth_headers(text: &str, lower: &str, add: &mut impl FnMut(Finding)) {
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
            || is_placeholder(v, "")
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
        if glued(text, start, end, b"$%{}<>") || is_placeholder(v, "") {
            continue;
        }
        add(Finding {
            kind: "basic-auth",
            range: start..end,
            excerpt: format!("Basic {}", redact_value(v)),
        });
    }
}

// ---------------------------------------------------------------- URL credentials

/// The longest user-info (`user:password`) looked at in a URL (bytes).
const MAX_USERINFO: usize = 256;

fn url_credentials(text: &str, add: &mut impl FnMut(Finding)) {
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
            || is_placeholder(pw, user)
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

// ---------------------------------------------------------------- assignments

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

fn assignments(text: &str, lower: &str, add: &mut impl FnMut(Finding)) {
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
                if let Some((range, value)) = literal_value(text, at, name) {
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

/// The largest char boundary of `text` at or before `i` (clamped to its
/// length).
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

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
    (ok && v.chars().count() >= 6 && !is_reference(v) && !is_placeholder(v, key))
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

/// A reference to a value held elsewhere: `$X`, `${X}`, `{{ x }}`, `%(x)s`,
/// `<x>`, `#{x}`.
fn is_reference(v: &str) -> bool {
    v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.contains("%(")
        || v.contains("#{")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('%') && v.ends_with('%'))
}

/// Whether a value is a placeholder rather than a secret (see module doc).
fn is_placeholder(v: &str, key: &str) -> bool {
    let l = v.to_ascii_lowercase();
    const CONTAINS: &[&str] = &[
        "example",
        "sample",
        "placeholder",
        "changeme",
        "change_me",
        "change-me",
        "dummy",
        "fake",
        "redacted",
        "your_",
        "your-",
        "yourpass",
        "yoursecret",
        "yourtoken",
        "test",
        "xxxx",
        "****",
        "...",
        "…",
        "<",
        ">",
    ];
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "nil",
        "undefined",
        "string",
        "required",
        "optional",
        "hidden",
        "masked",
        "unset",
        "empty",
        "default",
        "foobar",
        "admin",
        "letmein",
        "qwerty",
        "p@ssw0rd",
        "pa55word",
        "passw0rd",
        "password1",
        "password123",
        "secret123",
        "abc123",
        "123456",
    ];
    if CONTAINS.iter().any(|p| l.contains(p)) || WORDS.contains(&l.as_str()) {
        return true;
    }
    let k = key.trim_start_matches('-').to_ascii_lowercase();
    if !k.is_empty() && (l == k || l.ends_with(&k) && k.len() >= 6) {
        return true;
    }
    // The same character repeated.
    let mut chars = l.chars();
    chars.next().is_some_and(|c0| chars.all(|c| c == c0))
}

// ---------------------------------------------------------------- credential files

/// Whether `path` names a file that holds credentials, by its location
/// alone; the answer is a kind id:
///
/// | kind | files |
/// |---|---|
/// | `dotenv` | `.env`, `.env.*` (not `.env.example`, `.sample`, `.template`, `.dist`, `.tmpl`, `.tpl`), `.envrc` |
/// | `aws-credentials` | `.aws/credentials` |
/// | `ssh-private-key` | `.ssh/id_*` (not `*.pub`); `id_rsa`, `id_ed25519`, … anywhere |
/// | `pem-file` | `*.pem`, except certificates (`*cert*`, `*chain*`, `ca.pem`, `*-ca.pem` unless the name also says `key`/`priv`) and the system CA stores |
/// | `key-file` | `*.key` |
/// | `pkcs12`, `java-keystore` | `*.p12`, `*.pfx`; `*.jks`, `*.keystore` |
/// | `netrc`, `npmrc`, `pypirc`, `pgpass`, `git-credentials`, `htpasswd`, `vault-token` | `.netrc`/`_netrc`, `.npmrc`, `.pypirc`, `.pgpass`, `.git-credentials`, `.htpasswd`, `.vault-token` |
/// | `docker-config` | `.docker/config.json` |
/// | `kube-config` | `.kube/config`, `kubeconfig` |
/// | `credentials-json` | `credentials.json`, `client_secret*.json` |
/// | `cargo-credentials` | `.cargo/credentials`, `.cargo/credentials.toml` |
/// | `gh-hosts` | `.config/gh/hosts.yml` |
/// | `gpg-private-key` | `.gnupg/private-keys-v1.d/*`, `secring.gpg` |
/// | `shadow` | `/etc/shadow`, `/etc/gshadow` (and their `-` backups) |
/// | `process-environment` | `/proc/<pid>/environ` |
///
/// Works on any spelling (`~/.aws/credentials`, relative or absolute): it
/// looks at the last components only; normalise first for `..` tricks.
pub fn is_credential_path(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let mut parts = p.rsplit('/');
    let name = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    let grand = parts.next().unwrap_or("");
    let lower = name.to_ascii_lowercase();

    if name == ".env" || name == ".envrc" {
        return Some("dotenv");
    }
    if let Some(rest) = name.strip_prefix(".env.") {
        const TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "tmpl", "tpl"];
        let template = rest
            .split('.')
            .any(|s| TEMPLATES.contains(&s.to_ascii_lowercase().as_str()));
        return (!template).then_some("dotenv");
    }
    match (parent, name) {
        (".aws", "credentials") => return Some("aws-credentials"),
        (".docker", "config.json") => return Some("docker-config"),
        (".kube", "config") => return Some("kube-config"),
        (".cargo", "credentials" | "credentials.toml") => return Some("cargo-credentials"),
        ("gh", "hosts.yml") if grand == ".config" => return Some("gh-hosts"),
        ("private-keys-v1.d", _) if grand == ".gnupg" => return Some("gpg-private-key"),
        ("etc", "shadow" | "gshadow" | "shadow-" | "gshadow-")
            if grand.is_empty() && p.starts_with('/') =>
        {
            return Some("shadow");
        }
        (_, "environ") if grand == "proc" => return Some("process-environment"),
        _ => {}
    }
    if parent == ".ssh" && name.starts_with("id_") && !name.ends_with(".pub") {
        return Some("ssh-private-key");
    }
    const SSH_KEYS: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ];
    if SSH_KEYS.contains(&name) {
        return Some("ssh-private-key");
    }
    let fixed = match name {
        ".netrc" | "_netrc" => Some("netrc"),
        ".npmrc" => Some("npmrc"),
        ".pypirc" => Some("pypirc"),
        ".pgpass" => Some("pgpass"),
        ".git-credentials" => Some("git-credentials"),
        ".htpasswd" => Some("htpasswd"),
        ".vault-token" => Some("vault-token"),
        "kubeconfig" => Some("kube-config"),
        "credentials.json" => Some("credentials-json"),
        "secring.gpg" => Some("gpg-private-key"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if lower.starts_with("client_secret") && lower.ends_with(".json") {
        return Some("credentials-json");
    }
    if lower.ends_with(".pem") {
        let system_store = [
            "/etc/ssl/certs/",
            "/usr/share/ca-certificates/",
            "/etc/pki/ca-trust/",
            "/usr/local/share/ca-certificates/",
        ]
        .iter()
        .any(|d| p.starts_with(d));
        let says_key = lower.contains("key") || lower.contains("priv");
        let says_cert = lower.contains("cert")
            || lower.contains("chain")
            || lower == "ca.pem"
            || lower.ends_with("-ca.pem")
            || lower.ends_with("_ca.pem")
            || lower.ends_with(".crt.pem");
        return (says_key || !(says_cert || system_store)).then_some("pem-file");
    }
    if lower.ends_with(".key") {
        return Some("key-file");
    }
    if lower.ends_with(".p12") || lower.ends_with(".pfx") {
        return Some("pkcs12");
    }
    if lower.ends_with(".jks") || lower.ends_with(".keystore") {
        return Some("java-keystore");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        find(text).into_iter().map(|f| f.kind).collect()
    }

    /// A plausible random token body (not any real credential).
    fn body(n: usize) -> String {
        "Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya"
            .chars()
            .cycle()
            .take(n)
            .collect()
    }

    const RSA: &str = concat!(
        "-----BEGIN RSA PRIV",
        "ATE KEY-----\nMIIEowIBAAKCAQEAzq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0YaZq8Xv2Lm9Rt4Wb7N\nc1Kd6Hf3Gj5Ps0YaZq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya==\n-----END RSA PRIVATE KEY-----\n"
    );

    #[test]
    fn private_key_blocks() {
        let text = format!("key:\n{RSA}done");
        let f = find(&text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, "private-key");
        assert_eq!(&text[f[0].range.clone()], RSA.trim_end());
        assert_eq!(f[0].excerpt, "-----BEGIN RSA PRIVATE KEY-----…");
        for header in [
            "PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "PGP PRIVATE KEY BLOCK",
        ] {
            let t = format!(
                "-----BEGIN {header}-----\n{}\n{}\n-----END {header}-----",
                body(64),
                body(20)
            );
            assert_eq!(kinds(&t), ["private-key"], "{header}");
        }
        // Escaped newlines, as in a JSON service-account file.
        let json = format!(
            r#"{{"private_key": "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n"}}"#,
            body(64)
        );
        assert_eq!(kinds(&json), ["private-key"]);
        // Legacy encrypted PEM with headers.
        let legacy = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n\n{}\n-----END RSA PRIVATE KEY-----",
            body(64)
        );
        assert_eq!(kinds(&legacy), ["private-key"]);
    }

    #[test]
    fn key_headers_without_material_are_not_keys() {
        assert!(find(r#"const PEM_HEADER: &str = "-----BEGIN PRIVATE KEY-----";"#).is_empty());
        assert!(
            find("if line.starts_with(\"-----BEGIN RSA PRIVATE KEY-----\") {\n    parse(line)\n}")
                .is_empty()
        );
        assert!(find("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzq8Xv2Lm9Rt4Wb7N\n-----END PUBLIC KEY-----").is_empty());
        assert!(find("-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzq8Xv2Lm9Rt4Wb7N\n-----END CERTIFICATE-----").is_empty());
    }

    #[test]
    fn cloud_and_service_tokens() {
        assert_eq!(
            kinds(concat!("export AWS_ACCESS_KEY_ID=AK", "IA2E0A8F3B244C9986")),
            ["aws-access-key"]
        );
        assert_eq!(
            kinds(concat!("id AS", "IAY34FZKBOKMUTVV7A here")),
            ["aws-access-key"]
        );
        assert!(
            find("AKIAIOSFODNN7EXAMPLE").is_empty(),
            "AWS's documented example key"
        );
        assert!(
            find(concat!("XAK", "IA2E0A8F3B244C9986")).is_empty(),
            "part of a longer word"
        );
        let secret = concat!(
            "aws_secret_access_key = Zq8Xv2Lm9Rt4",
            "Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"
        );
        let f = find(secret);
        assert_eq!(
            f.iter().map(|f| f.kind).collect::<Vec<_>>(),
            ["aws-secret-key"]
        );
        assert_eq!(
            &secret[f[0].range.clone()],
            "Zq8Xv2Lm9Rt4Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"
        );
        assert_eq!(
            kinds(r#"{"SecretAccessKey": "Zq8Xv2Lm9Rt4Wb7Nc1Kd/6Hf3Gj5Ps0YaZq8Xv2L"}"#),
            ["aws-secret-key"]
        );
        assert!(
            find("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_empty()
        );

        assert_eq!(kinds(&format!("GH=ghp_{}", body(36))), ["github-token"]);
        assert_eq!(kinds(&format!("ghs_{}", body(36))), ["github-token"]);
        assert_eq!(
            kinds(&format!("github_pat_{}_{}", body(22), body(59))),
            ["github-token"]
        );
        assert!(find("ghp_short").is_empty());
        assert_eq!(kinds(&format!("glpat-{}", body(20))), ["gitlab-token"]);
        assert_eq!(
            kinds(concat!(
                "xo",
                "xb-2048123456-2048123456789-Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3"
            )),
            ["slack-token"]
        );
        assert_eq!(
            kinds(concat!(
                "https://hooks.sl",
                "ack.com/services/T0ABC1234/B0ABC5678/Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3"
            )),
            ["slack-webhook"]
        );
        assert_eq!(kinds(&format!("sk_live_{}", body(24))), ["stripe-key"]);
        assert!(find(&format!("sk_test_{}", body(24))).is_empty());
        assert_eq!(kinds(&format!("key=AIza{}", body(35))), ["google-api-key"]);
        assert_eq!(
            kinds(&format!("sk-ant-api03-{}", body(80))),
            ["anthropic-key"]
        );
        assert_eq!(kinds(&format!("sk-proj-{}", body(60))), ["openai-key"]);
        assert_eq!(
            kinds(&format!(
                "//registry.npmjs.org/:_authToken=npm_{}",
                body(36)
            )),
            ["npm-token"]
        );
        assert_eq!(
            kinds(&format!("pypi-AgEIcHlwaS5vcmc{}", body(60))),
            ["pypi-token"]
        );
    }

    #[test]
    fn jwts_and_auth_headers() {
        let jwt =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya";
        assert_eq!(kinds(&format!("token: {jwt}")), ["jwt"]);
        let cmd = format!(
            r#"curl -H "Authorization: Bearer ghp_{}" https://api.github.com"#,
            body(36)
        );
        assert_eq!(
            kinds(&cmd),
            ["github-token"],
            "the specific kind wins over bearer-token"
        );
        let f = find("Authorization: Bearer Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya");
        assert_eq!(f[0].kind, "bearer-token");
        assert_eq!(f[0].excerpt, "Bearer Zq8X…(32 chars)");
        assert_eq!(
            kinds("Authorization: Basic dXNlcjpTM2NyM3QhOTk="),
            ["basic-auth"]
        );
        assert!(find(r#"curl -H "Authorization: Bearer $TOKEN" https://x"#).is_empty());
        assert!(find(r#"headers = {"Authorization": f"Bearer {token}"}"#).is_empty());
        assert!(find("Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE").is_empty());
        assert!(find("This is basic functionality for the bearer of the token.").is_empty());
    }

    #[test]
    fn hand_parsed_forms() {
        // IPv6 host, JSON-style basic header, long JWT, token inside a longer run.
        let t = "https://admin:S3cr3tPW9@[2001:db8::1]:8443/x";
        let f = find(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&t[f[0].range.clone()], "S3cr3tPW9");
        assert!(f[0].excerpt.ends_with("@[2001:db8::1]"), "{}", f[0].excerpt);
        assert_eq!(
            kinds(r#"{"Authorization": "Basic dXNlcjpTM2NyM3QhOTk="}"#),
            ["basic-auth"]
        );
        let long_jwt = format!("eyJhbGciOiJSUzI1NiJ9.eyJ{}.{}", body(900), body(342));
        assert_eq!(kinds(&format!("t={long_jwt};")), ["jwt"]);
        assert!(
            find(&format!("x.{long_jwt}")).is_empty(),
            "part of a dotted word"
        );
        assert!(find(&format!("{}ghp_{}", body(2000), body(40))).is_empty());
        assert!(find(&"eyJhIjoxfQ".repeat(1000)).is_empty());
        assert!(find("mybearer Zq8Xv2Lm9Rt4Wb7Nc1Kd6Hf3Gj5Ps0Ya").is_empty());
    }

    #[test]
    fn many_findings_stay_disjoint_and_ordered() {
        let text = "DB_PASSWORD=hunter2x\n".repeat(2000);
        let f = find(&text);
        assert_eq!(f.len(), 2000);
        assert!(f.windows(2).all(|w| w[0].range.end <= w[1].range.start));
    }

    #[test]
    fn url_credentials() {
        let t = "git remote add origin https://deploy:Zq8Xv2Lm9R@git.corp.internal/app.git";
        let f = find(t);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, "url-credentials");
        assert_eq!(&t[f[0].range.clone()], "Zq8Xv2Lm9R");
        assert_eq!(
            f[0].excerpt,
            "https://deploy:Zq…(10 chars)@git.corp.internal"
        );
        assert_eq!(
            kinds("redis://:s3cr3tPW9@cache.prod:6379/0"),
            ["url-credentials"]
        );
        // Development defaults and placeholders.
        assert!(find("DATABASE_URL=postgres://postgres:postgres@localhost:5432/app").is_empty());
        assert!(find("postgres://app:s3cr3tPW9@localhost/app").is_empty());
        assert!(find("https://user:password@example.com/x").is_empty());
        assert!(find("mysql://root:${MYSQL_PASSWORD}@db/app").is_empty());
        assert!(find("https://github.com/org/repo.git").is_empty());
        assert!(find("ssh://git@github.com/org/repo.git").is_empty());
    }

    #[test]
    fn literal_assignments_are_found() {
        for t in [
            "PASSWORD=hunter2",
            "DB_PASSWORD=S3cr3t!xy",
            "password = \"hunter2\"",
            "  password: 'c0rrect-h0rse'",
            r#"{"password": "hunter22"}"#,
            r#"{\"password\": \"hunter22\"}"#,
            "client_secret: 9f8e7d6c5b4a",
            "export API_KEY=ab12cd34ef56",
            "x-api-key: 8c1f2e9d7b6a",
            "$conn = ['password' => 'Tr0ub4dor&3'];",
            "db.password := \"p4ssw0rd!x\"",
            "passwd: mYp4ss99",
            "mysqladmin --password s3cr3tPW9 status",
            "app --token=Zq8Xv2Lm9Rt4",
            "SECRET_KEY=9x8c7v6b5n4m3",
            "secret_token = \"abcdefghijklmnopqrstu\"",
        ] {
            assert_eq!(kinds(t), ["secret-assignment"], "{t}");
        }
        let t = "DB_PASSWORD=hunter2 psql";
        let f = find(t);
        assert_eq!(&t[f[0].range.clone()], "hunter2");
        assert_eq!(f[0].excerpt, "DB_PASSWORD=h…(7 chars)");
    }

    #[test]
    fn ordinary_code_is_not_a_secret() {
        for t in [
            "let password = read_password();",
            "    password: String,",
            "pub password: Option<String>,",
            "token = get_token()",
            "password=${PASSWORD}",
            "password=$DB_PASSWORD",
            "password = os.environ[\"PASSWORD\"]",
            "password = os.getenv('PASSWORD')",
            "password = \"\"",
            "password = \"changeme\"",
            "password: \"<your password>\"",
            "password: \"{{ .Values.db.password }}\"",
            "password: \"Enter your password\"",
            "\"password\": \"Passwort\"",
            "\"password\": {\"type\": \"string\"}",
            "if password == \"\" { return; }",
            "if password == expected {",
            "token = self.token",
            "password = args.password",
            "access_token: Option<String>,",
            "let secret_key = derive_key(&salt);",
            "const TOKEN_URL: &str = \"https://oauth2.googleapis.com/token\";",
            "max_tokens = 4096",
            "password_file: /run/secrets/db_password",
            "secret: /run/secrets/app",
            "PASSWORD=xxxxxxxx",
            "password: ********",
            "api_key = \"test-api-key-123\"",
            "token: placeholder_value_1",
            "fn check_password(password: &str) -> bool {",
            "password = password_from_env",
            "secret = \"secret\"",
            "docker login --password-stdin",
            "pg_dump --password --host db",
            "--token \"$GITHUB_TOKEN\"",
            "refresh_token: refreshToken,",
        ] {
            assert_eq!(kinds(t), Vec::<&str>::new(), "{t}");
        }
    }

    #[test]
    fn harmless_data_is_not_a_secret() {
        let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let uuid = "550e8400-e29b-41d4-a716-446655440000";
        for t in [
            png.to_string(),
            format!("sha256:{sha}"),
            format!("checksum = \"{sha}\""),
            format!("id: {uuid}"),
            format!("request_id = \"{uuid}\""),
            "fn main() { println!(\"hello\"); }".to_string(),
            "https://docs.rs/regex-lite/latest/regex_lite/".to_string(),
            "git@github.com:org/repo.git".to_string(),
            "short".to_string(),
        ] {
            assert!(find(&t).is_empty(), "{t}: {:?}", find(&t));
        }
    }

    #[test]
    fn excerpts_never_echo_the_secret() {
        let token = format!("ghp_{}", body(36));
        let text = format!("echo {token} >> ~/.bashrc; PASSWORD=hunter2xyz; key: {RSA}");
        let found = find(&text);
        assert_eq!(found.len(), 3);
        for f in &found {
            let secret = &text[f.range.clone()];
            assert!(!f.excerpt.contains(secret), "{f:?}");
        }
        assert_eq!(redact_value("hunter2"), "h…(7 chars)");
        assert_eq!(redact_value("ab"), "…(2 chars)");
        let r = redact(&text);
        assert!(!r.contains(&token) && !r.contains("hunter2xyz") && !r.contains("MIIE"));
        assert!(r.contains("[REDACTED:github-token]") && r.contains("[REDACTED:private-key]"));
        assert!(contains_secret(&text));
        assert!(!contains_secret("plain text"));
    }

    #[test]
    fn every_kind_is_described() {
        assert_eq!(describe("github-token"), "a GitHub token");
        assert_eq!(describe("nope"), "a credential");
        let f = find("PASSWORD=hunter2");
        assert_eq!(
            f[0].description(),
            "a literal password, secret, key or token"
        );
    }

    #[test]
    fn credential_paths() {
        for (p, kind) in [
            ("/work/app/.env", "dotenv"),
            (".env", "dotenv"),
            ("/work/app/.env.local", "dotenv"),
            ("/work/app/.env.production", "dotenv"),
            ("/work/app/.envrc", "dotenv"),
            ("~/.aws/credentials", "aws-credentials"),
            ("/home/dev/.aws/credentials", "aws-credentials"),
            ("/root/.ssh/id_rsa", "ssh-private-key"),
            ("~/.ssh/id_ed25519", "ssh-private-key"),
            ("~/.ssh/id_deploy", "ssh-private-key"),
            ("/work/app/keys/id_rsa", "ssh-private-key"),
            ("/work/app/tls/server.pem", "pem-file"),
            ("/etc/letsencrypt/live/x/privkey.pem", "pem-file"),
            ("/work/app/server.key", "key-file"),
            ("/home/dev/.netrc", "netrc"),
            ("/work/app/.npmrc", "npmrc"),
            ("~/.pypirc", "pypirc"),
            ("~/.docker/config.json", "docker-config"),
            ("/home/dev/.kube/config", "kube-config"),
            ("/work/app/credentials.json", "credentials-json"),
            ("/work/app/client_secret_1234.apps.json", "credentials-json"),
            ("/work/app/cert.p12", "pkcs12"),
            ("/work/app/cert.pfx", "pkcs12"),
            ("~/.git-credentials", "git-credentials"),
            ("~/.cargo/credentials.toml", "cargo-credentials"),
            ("~/.config/gh/hosts.yml", "gh-hosts"),
            ("/etc/shadow", "shadow"),
            ("/proc/self/environ", "process-environment"),
            ("~/.gnupg/private-keys-v1.d/ABC.key", "gpg-private-key"),
        ] {
            assert_eq!(is_credential_path(p), Some(kind), "{p}");
        }
        for p in [
            "/work/app/.env.example",
            "/work/app/.env.sample",
            "/work/app/.env.template",
            "/work/app/.env.local.example",
            "/work/app/src/env.rs",
            "/work/app/.environment/x",
            "~/.ssh/id_rsa.pub",
            "~/.ssh/known_hosts",
            "~/.ssh/config",
            "~/.aws/config",
            "/work/app/src/id_utils.py",
            "/work/app/tls/cert.pem",
            "/work/app/tls/fullchain.pem",
            "/work/app/tls/ca.pem",
            "/etc/ssl/certs/ISRG_Root_X1.pem",
            "/work/app/config.json",
            "/work/app/.kube/other",
            "/work/app/Cargo.toml",
            "/work/app/src/keys.rs",
            "/work/app/shadow",
            "/proc/self/status",
            "/",
            "",
        ] {
            assert_eq!(is_credential_path(p), None, "{p}");
        }
    }
}

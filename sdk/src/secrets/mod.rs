//! Credential detection: in text ([`find`]), by file location
//! ([`is_credential_path`]), by network address: the services that hand
//! out the machine's credentials ([`is_credential_endpoint`]), and by the
//! commands that print one ([`prints_credential`]).
//!
//! Each [`Finding`] names a kind (see [`KINDS`]), the byte range of the
//! secret value in the text, and a redacted excerpt that is safe to put in a
//! decision's reason: it never shows more than 4 characters (and never more
//! than a quarter) of a secret.
//!
//! ## What is detected
//!
//! 1. **The gitleaks rule set** (`sdk/rules/gitleaks.toml`, vendored from
//!    <https://github.com/gitleaks/gitleaks>, MIT; see `sdk/rules/README.md`),
//!    consumed as data: some 220 rules for service-specific tokens and keys
//!    (`github-pat`, `aws-access-token`, `slack-bot-token`, `jwt`,
//!    `curl-auth-header`, …), each with its keywords, entropy threshold and
//!    allowlists, and the global allowlist. The kind is the rule id. How a
//!    rule is applied is `scan.rs`'s business; the engine choice, [`rules`]'.
//! 2. **The SDK's own detectors**, where they judge better than the rule set:
//!
//! | kind | what |
//! |---|---|
//! | `private-key` | a PEM/OpenSSH/PGP private key block with its key material (a header alone, as in a parser's constant, is not a key); replaces gitleaks' rule of that id |
//! | `jwt` | also JWTs with a short header or payload, which gitleaks' `jwt` rule misses |
//! | `bearer-token`, `basic-auth` | `Bearer <token>`, `Authorization: Basic <base64>` anywhere, not only in `curl` commands |
//! | `url-credentials` | `scheme://user:password@host`, except development defaults |
//! | `secret-assignment`, `aws-secret-key` | a literal assigned to a credential-named key, short ones too (`PASSWORD=hunter2`), and `--password …` flags |
//!
//! Every finding then passes placeholder checks ([`filters`]): `ghp_xxxx…`,
//! `AKIA…EXAMPLE`, `your-api-key-here`, `${TOKEN}`, runs of one character
//! or of consecutive ones, too little entropy. Overlapping findings collapse
//! to the first found, in this order: private keys, the rule set's specific
//! rules (those whose secret carries the rule's keyword first), the SDK's
//! JWT, header, URL and assignment detectors, and last the rule set's
//! `generic-api-key`.
//!
//! The rule set's path-scoped rules (Kubernetes secrets in YAML, Terraform
//! passwords, NuGet configs, Freemius keys in PHP) run only when the scan
//! knows the file: [`find_in_file`]. Its path allowlists (lock files,
//! `node_modules`, …) are not applied: a credential written there still
//! leaks.
//!
//! Cost: one Aho-Corasick pass over the lower-cased text for every rule's
//! keywords, then only the rules whose keywords occur, each compiled on
//! first use (once per process, i.e. once per evaluation in a fresh
//! WebAssembly instance) and run over the text; the hand-written detectors
//! look for literal needles first.

mod assign;
mod commands;
mod endpoints;
pub mod filters;
mod headers;
mod jwt;
mod keys;
mod options;
mod paths;
mod redact;
pub mod rules;
mod scan;
mod text;
mod urls;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

pub use commands::{is_secret_name, may_print_credential, prints_credential, secret_variable};
pub use endpoints::is_credential_endpoint;
pub use paths::{is_credential_dir, is_credential_path};
pub use redact::{redact, redact_value};

/// The kinds the SDK's own detectors report, with a phrase for reasons.
const OWN_KINDS: &[(&str, &str)] = &[
    ("private-key", "a private key"),
    ("bearer-token", "a bearer token"),
    ("basic-auth", "HTTP basic credentials"),
    ("url-credentials", "a URL with an embedded password"),
    (
        "secret-assignment",
        "a literal password, secret, key or token",
    ),
    ("aws-secret-key", "an AWS secret access key"),
    (
        "command-line-password",
        "a password given on a command line (`docker login -p`, `mysql -p…`)",
    ),
];

/// Every kind [`find`] reports, with a phrase for reasons: the SDK's own,
/// then the rule set's rule ids.
pub static KINDS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let mut kinds = OWN_KINDS.to_vec();
    for (i, r) in rules::rules().iter().enumerate() {
        if !rules::replaced(i) {
            kinds.push((r.id, r.phrase));
        }
    }
    kinds
});

/// The phrase [`KINDS`] gives a kind ("a credential" for an unknown one),
/// e.g. "a GitHub Personal Access Token" for `github-pat`.
pub fn describe(kind: &str) -> &'static str {
    OWN_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, d)| *d)
        .or_else(|| rules::by_id(kind).map(|r| r.phrase))
        .unwrap_or("a credential")
}

/// gitleaks' full description of a rule-set kind (`None` for the SDK's own
/// kinds and unknown ones), e.g. "Uncovered a GitHub Personal Access Token,
/// potentially leading to unauthorized repository access …".
pub fn rule_description(kind: &str) -> Option<&'static str> {
    rules::by_id(kind).map(|r| r.description)
}

/// One credential found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// One of [`KINDS`], e.g. `github-pat`.
    pub kind: &'static str,
    /// Where the secret is, in bytes: the secret value (a rule's secret
    /// group, the assigned value, the URL's password), or the whole key
    /// block. Replace it to redact.
    pub range: Range<usize>,
    /// A redacted excerpt, safe for a reason or a log, e.g.
    /// `ghp_…(40 chars)` or `DB_PASSWORD=h…(7 chars)`.
    pub excerpt: String,
}

impl Finding {
    /// A phrase for reasons, e.g. "a GitHub Personal Access Token".
    pub fn description(&self) -> &'static str {
        describe(self.kind)
    }
}

/// Every credential in `text`, ordered by position, overlapping findings
/// collapsed to the most specific. Path-scoped rules do not run (see
/// [`find_in_file`]).
pub fn find(text: &str) -> Vec<Finding> {
    find_with_path(None, text)
}

/// [`find`] for the content of the file at `path`: the rule set's
/// path-scoped rules (`kubernetes-secret-yaml` for `*.yaml`, …) run too.
pub fn find_in_file(path: &str, text: &str) -> Vec<Finding> {
    find_with_path(Some(path), text)
}

fn find_with_path(path: Option<&str>, text: &str) -> Vec<Finding> {
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
    keys::private_keys(text, &mut add);
    let triggered = scan::triggered(&lower);
    scan::scan(text, path, &triggered, scan::Which::Specific, &mut add);
    jwt::jwts(text, &mut add);
    headers::auth_headers(text, &lower, &mut add);
    urls::url_credentials(text, &mut add);
    options::option_passwords(text, &lower, &mut add);
    assign::assignments(text, &lower, &mut add);
    scan::scan(text, path, &triggered, scan::Which::Generic, &mut add);
    found.into_values().collect()
}

/// Builds now what a first [`find`] would otherwise build: the keyword
/// automaton, the global allowlist, and the rule set's `generic-api-key`
/// rule, which nearly every text triggers (its keywords include `key`,
/// `token`, `secret`, `auth`). A policy calls it from `validate`, which the
/// gate runs before it snapshots a pre-initialised instance, so that
/// instances start with them built: every rule (about 50 ms natively,
/// paid once per snapshot, never per evaluation), then a scan of
/// a few warm-up texts for the search caches (`WARM_UP`).
///
/// A snapshot for one evaluation ([`crate::gate::one_shot`]) gets the
/// automaton and the allowlist only: the compiled rules would double its
/// size (about 5 MB), which a one-shot process reads, authenticates and
/// copies to save compiling the few rules one text triggers, if any.
pub fn prepare() {
    let _ = rules::keywords();
    let _ = rules::global();
    options::prepare();
    LazyLock::force(&commands::PRINTER_PROGRAMS);
    if crate::gate::one_shot() {
        return;
    }
    // Every rule: under strict isolation each evaluation starts from the
    // snapshot, so a rule compiled on first use would be compiled again by
    // every evaluation that triggers it.
    for i in 0..rules::rules().len() {
        let _ = rules::compiled(i);
    }
    for text in WARM_UP {
        let _ = find(text);
    }
}

/// Texts [`prepare`] scans once: each regular expression allocates its
/// search cache on its first search, which an evaluation in a fresh
/// instance would otherwise pay for again. An ordinary text runs the
/// detectors every text runs; the second triggers the keywords most texts
/// that carry a credential have (`key`, `token`, `secret`, `password`,
/// `auth`, a bearer header, a URL with a password).
const WARM_UP: [&str; 2] = [
    "git log --oneline -5 && ls -la ./src",
    "api_key = \"0123456789abcdefghij\" token: x secret=y password=z \
     Authorization: Bearer abc.def.ghi https://user:pass@example.com/",
];

/// Whether `text` holds any credential [`find`] detects.
pub fn contains_secret(text: &str) -> bool {
    !find(text).is_empty()
}

#[cfg(test)]
mod tests;

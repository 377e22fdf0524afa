//! The gitleaks rule set as data: the tables `build.rs` generates from the
//! vendored `sdk/rules/gitleaks.toml`, each rule's patterns compiled on first
//! use, and the keyword automaton that decides which rules a text needs.
//!
//! ## The regex engine
//!
//! gitleaks writes its patterns for Go's RE2. They are compiled here with the
//! `regex` crate's byte-oriented API under `(?-u)`: ASCII `\w`, `\d`, `\s`,
//! `\b` and ASCII case folding, which is what RE2's Perl classes mean, and no
//! Unicode tables in a policy component. `regex-lite` (the SDK's engine
//! before) compiles every pattern too, but it has neither a DFA nor literal
//! prefilters: scanning 1 MiB of code with each of the 221 patterns took
//! 28 s with it against 0.47 s with `regex` (natively; the widest patterns,
//! `generic-api-key` and the `[\w.-]{0,50}?(?:name)…` family, 300–500 ms
//! each against 2–6 ms). A policy has 100 ms per evaluation, so the larger
//! component is the price: secrets-guard grew from 350 KB (regex-lite,
//! hand-written needles) to about 1.2 MB, most of it the `regex` crate's
//! lazy DFA, literal prefilters and bounded backtracker (features
//! `perf-dfa`, `perf-literal`, `perf-cache`, `perf-backtrack`; the
//! backtracker extracts capture groups from wide patterns such as
//! `generic-api-key` faster than the PikeVM (1 MiB of `api_key = …`
//! lines: 0.6 s → 0.4 s); `perf-onepass` is left out because its DFA is
//! built when a pattern is compiled, which every fresh instance pays, and
//! `perf-inline` for size), about 110 KB the rule tables.
//! Compiling all 221 patterns takes some 50 ms natively (regex-lite: 18 ms),
//! which is why rules are compiled lazily.
//!
//! A rule is compiled the first time a text holds one of its keywords, i.e.
//! at most once per WebAssembly instance; a rule whose pattern does not
//! compile is skipped (see [`broken`]).

use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::bytes::{Regex, RegexBuilder};

/// What an allowlist's regexes are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// The secret (the rule's secret group).
    Secret,
    /// The rule's whole match.
    Match,
    /// The line(s) holding the match.
    Line,
}

/// An allowlist as written in the rule set.
#[derive(Debug)]
pub(super) struct AllowlistDef {
    pub target: Target,
    /// gitleaks' `condition = "AND"`: every kind of check given must match.
    pub all: bool,
    pub regexes: &'static [&'static str],
    /// Lower case; matched as substrings of the lower-cased secret.
    pub stopwords: &'static [&'static str],
    /// File path patterns. A text scanned without a path matches none.
    pub paths: &'static [&'static str],
}

/// A rule as written in the rule set.
#[derive(Debug)]
pub(super) struct RuleDef {
    pub id: &'static str,
    /// gitleaks' sentence about the rule.
    pub description: &'static str,
    /// A noun phrase for reasons, derived from the description by `build.rs`
    /// ("a GitHub Personal Access Token").
    pub phrase: &'static str,
    pub regex: &'static str,
    /// Only files whose path matches (a text scanned without a path: never).
    pub path: Option<&'static str>,
    /// Which capture group is the secret (0: the first that matched, or the
    /// whole match when the pattern has no group).
    pub secret_group: i64,
    /// The Shannon entropy (bits per character) a secret must exceed; 0: any.
    pub entropy: f64,
    /// Lower case; the rule runs only on a text holding one of them.
    pub keywords: &'static [&'static str],
    pub allowlists: &'static [AllowlistDef],
}

include!(concat!(env!("OUT_DIR"), "/gitleaks_rules.rs"));

/// gitleaks rules the SDK's own detectors replace: its `private-key`
/// pattern takes any 64 characters after a header, where the SDK's detector
/// wants base64 key material (a header in a parser's constant is not a key).
const REPLACED: &[&str] = &["private-key"];

/// The rule set's rules, in its order (by id), without [`REPLACED`] ones.
pub(super) fn rules() -> &'static [RuleDef] {
    RULES
}

/// Whether the SDK replaces rule `i` with a detector of its own.
pub(super) fn replaced(i: usize) -> bool {
    REPLACED.contains(&RULES[i].id)
}

/// A pattern compiled the way every rule-set pattern is.
pub(super) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("(?-u){}", from_re2(pattern)))
        .size_limit(32 << 20)
        .build()
}

/// An RE2 pattern in the `regex` crate's syntax. They differ, for the rule
/// set, in one place: RE2 takes a `{` that does not start a repetition
/// (`{n}`, `{n,}`, `{n,m}`) as a literal, where `regex` wants it escaped.
fn from_re2(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.char_indices().peekable();
    let mut in_class = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some((_, e)) = chars.next() {
                    out.push(e);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` (after an optional `^`) first in a class is literal.
                if let Some(&(_, '^')) = chars.peek() {
                    out.push('^');
                    chars.next();
                }
                if let Some(&(_, ']')) = chars.peek() {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && pattern[i..].starts_with("[:") => {
                // A POSIX class such as `[:alnum:]`, copied whole.
                let end = pattern[i..].find(":]").map_or(pattern.len(), |e| i + e + 2);
                out.push_str(&pattern[i..end]);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' if !in_class && !is_repetition(&pattern[i..]) => out.push_str("\\{"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `s` starts with a repetition: `{n}`, `{n,}` or `{n,m}`.
fn is_repetition(s: &str) -> bool {
    let Some(end) = s.find('}') else {
        return false;
    };
    let inner = &s[1..end];
    let (min, max) = inner.split_once(',').unwrap_or((inner, "0"));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    !min.is_empty() && digits(min) && digits(max)
}

/// An allowlist ready to match.
pub(super) struct Allowlist {
    pub def: &'static AllowlistDef,
    /// The regexes joined into one alternation (as gitleaks does).
    pub regex: Option<Regex>,
    /// The stopwords in one automaton (the generic rule has 1,500 of them).
    pub stopwords: Option<AhoCorasick>,
}

impl Allowlist {
    fn new(def: &'static AllowlistDef) -> Result<Allowlist, regex::Error> {
        let regex = if def.regexes.is_empty() {
            None
        } else {
            let joined: Vec<String> = def.regexes.iter().map(|r| format!("(?:{r})")).collect();
            Some(compile(&joined.join("|"))?)
        };
        let stopwords = if def.stopwords.is_empty() {
            None
        } else {
            // A non-contiguous NFA builds fastest; it runs on short secrets.
            let automaton = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .build(def.stopwords)
                .expect("stopwords build an automaton");
            Some(automaton)
        };
        Ok(Allowlist {
            def,
            regex,
            stopwords,
        })
    }
}

/// A rule ready to scan with.
pub(super) struct Rule {
    pub def: &'static RuleDef,
    pub regex: Regex,
    pub allowlists: Vec<Allowlist>,
}

/// Rule `i`, compiled on first use; `None` when its patterns do not compile.
pub(super) fn compiled(i: usize) -> Option<&'static Rule> {
    static CELLS: LazyLock<Vec<OnceLock<Option<Rule>>>> =
        LazyLock::new(|| RULES.iter().map(|_| OnceLock::new()).collect());
    CELLS[i].get_or_init(|| build(&RULES[i]).ok()).as_ref()
}

fn build(def: &'static RuleDef) -> Result<Rule, regex::Error> {
    Ok(Rule {
        def,
        regex: compile(def.regex)?,
        allowlists: def
            .allowlists
            .iter()
            .map(Allowlist::new)
            .collect::<Result<_, _>>()?,
    })
}

/// The global allowlist, compiled once.
pub(super) fn global() -> &'static Allowlist {
    // `every_rule_compiles` proves this compiles; an allowlist that did not
    // would allow nothing.
    static GLOBAL: LazyLock<Allowlist> = LazyLock::new(|| {
        Allowlist::new(&GLOBAL_ALLOWLIST).unwrap_or(Allowlist {
            def: &GLOBAL_ALLOWLIST,
            regex: None,
            stopwords: None,
        })
    });
    &GLOBAL
}

/// The rules whose patterns or allowlists do not compile with
/// this engine (and are therefore skipped), with the error.
pub fn broken() -> Vec<(&'static str, String)> {
    let global = Allowlist::new(&GLOBAL_ALLOWLIST)
        .err()
        .map(|e| ("(global allowlist)", e.to_string()));
    RULES
        .iter()
        .filter_map(|def| build(def).err().map(|e| (def.id, e.to_string())))
        .chain(global)
        .collect()
}

/// Every keyword of every rule in one automaton, and for each keyword the
/// rules (indices into [`rules`]) it selects.
pub(super) struct Keywords {
    pub automaton: AhoCorasick,
    pub rules_of: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every text.
    pub always: Vec<usize>,
}

pub(super) fn keywords() -> &'static Keywords {
    static KEYWORDS: LazyLock<Keywords> = LazyLock::new(|| {
        let mut words: Vec<&'static str> = Vec::new();
        let mut rules_of: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            if replaced(i) {
                continue;
            }
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for &k in rule.keywords {
                match words.iter().position(|w| *w == k) {
                    Some(p) => rules_of[p].push(i),
                    None => {
                        words.push(k);
                        rules_of.push(vec![i]);
                    }
                }
            }
        }
        let automaton = AhoCorasick::new(&words).expect("keywords build an automaton");
        Keywords {
            automaton,
            rules_of,
            always,
        }
    });
    &KEYWORDS
}

/// Rule `id`'s definition, if the rule set has it.
pub(super) fn by_id(id: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        // A rule that does not compile is skipped at run time; this lists them.
        assert_eq!(broken(), Vec::<(&str, String)>::new());
        assert!(global().regex.is_some());
    }

    #[test]
    fn re2_literal_braces_are_escaped() {
        assert_eq!(from_re2(r"^\$(?:\d+|{\d+})$"), r"^\$(?:\d+|\{\d+})$");
        assert_eq!(from_re2(r"a{2,}b{3}c{1,4}[{]"), r"a{2,}b{3}c{1,4}[{]");
        assert_eq!(from_re2(r"\{\{x}}"), r"\{\{x}}");
        assert_eq!(from_re2(r"[[:alnum:]{]{"), r"[[:alnum:]{]\{");
        assert!(compile(r"^\$(?:\d+|{\d+})$").unwrap().is_match(b"${12}"));
    }

    #[test]
    fn the_rule_set_is_loaded() {
        assert!(RULES.len() > 200, "{} rules", RULES.len());
        assert!(RULES.windows(2).all(|w| w[0].id != w[1].id));
        let pat = RULES
            .iter()
            .find(|r| r.id == "github-pat")
            .expect("github-pat");
        assert_eq!(pat.keywords, ["ghp_"]);
        assert!(pat.entropy > 0.0);
        assert!(
            RULES
                .iter()
                .all(|r| r.keywords.iter().all(|k| *k == k.to_ascii_lowercase()))
        );
        let k = keywords();
        assert!(k.always.is_empty(), "every rule has keywords");
        assert!(k.rules_of.iter().flatten().all(|&i| !replaced(i)));
    }
}

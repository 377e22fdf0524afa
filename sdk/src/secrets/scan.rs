//! Scanning a text with the gitleaks rule set, as gitleaks does: a rule runs
//! only on a text holding one of its keywords (one Aho-Corasick pass over the
//! lower-cased text finds them all); each match's secret is the rule's secret
//! group (else its first non-empty group, else the whole match); a secret at
//! or under the rule's entropy threshold, or allowed by the global or the
//! rule's allowlists (regexes on the secret, the match or the line, and
//! stopwords), is dropped; and, beyond gitleaks, so is a placeholder (see
//! [`super::filters`]).

use std::ops::Range;

use super::Finding;
use super::filters::{entropy, is_placeholder};
use super::redact::redact_value;
use super::rules::{self, Allowlist, Rule, Target};
use super::text::floor_boundary;

/// The rule set's generic rule: run after the SDK's own assignment detector,
/// whose findings are more precise.
pub(super) const GENERIC: &str = "generic-api-key";

/// Which rules [`scan`] runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    /// Every rule but [`GENERIC`].
    Specific,
    /// [`GENERIC`] only.
    Generic,
}

/// The indices of the rules whose keywords occur in `lower` (`text`
/// ASCII-lower-cased), in rule-set order.
pub(super) fn triggered(lower: &str) -> Vec<usize> {
    let k = rules::keywords();
    let mut on = vec![false; rules::rules().len()];
    for &i in &k.always {
        on[i] = true;
    }
    let mut seen = vec![false; k.rules_of.len()];
    for m in k.automaton.find_overlapping_iter(lower) {
        let p = m.pattern().as_usize();
        if !seen[p] {
            seen[p] = true;
            for &i in &k.rules_of[p] {
                on[i] = true;
            }
        }
    }
    on.iter()
        .enumerate()
        .filter_map(|(i, &on)| on.then_some(i))
        .collect()
}

/// Every finding of the rules in `triggered` that `which` selects.
///
/// Findings whose secret carries one of its rule's keywords (`ghp_…` for
/// `github-pat`) are passed on before those found by context, where the
/// keyword is in the key name or the command around the secret
/// (`adafruit_key = …`, `curl -H "Authorization: Bearer …"`): where they
/// overlap, the token's own format names it better.
pub(super) fn scan(
    text: &str,
    path: Option<&str>,
    triggered: &[usize],
    which: Which,
    add: &mut impl FnMut(Finding),
) {
    let mut by_context = Vec::new();
    for &i in triggered {
        let def = &rules::rules()[i];
        if (def.id == GENERIC) != (which == Which::Generic) {
            continue;
        }
        if let Some(p) = def.path
            && !path.is_some_and(|path| path_matches(p, path))
        {
            continue;
        }
        let Some(rule) = rules::compiled(i) else {
            continue;
        };
        scan_rule(text, path, rule, &mut |f: Finding| {
            let secret = text[f.range.clone()].to_ascii_lowercase();
            if def.keywords.iter().any(|k| secret.contains(k)) {
                add(f);
            } else {
                by_context.push(f);
            }
        });
    }
    by_context.into_iter().for_each(add);
}

/// Whether the global allowlist or [`GENERIC`]'s allowlists allow a secret
/// found by the SDK's own assignment detector, which refines that rule;
/// `matched` is the range of the key, separator and value in `text`.
/// `GENERIC`'s regexes on the secret's shape (`^[a-zA-Z_.-]+$`: letters
/// only) are not applied: the detector judges the shape of a literal itself
/// (a quoted passphrase of 12 letters or more is a secret).
pub(super) fn generic_allows(text: &str, matched: Range<usize>, secret: &str) -> bool {
    let ctx = Context {
        path: None,
        secret,
        matched: &text[matched.clone()],
        line: line_of(text, matched),
    };
    let generic = rules::rules()
        .iter()
        .position(|r| r.id == GENERIC)
        .and_then(rules::compiled);
    allowed(rules::global(), &ctx)
        || generic.is_some_and(|rule| {
            rule.allowlists
                .iter()
                .any(|a| allowed_checking(a, &ctx, a.def.target != Target::Secret))
        })
}

fn path_matches(pattern: &str, path: &str) -> bool {
    regex::bytes::Regex::new(&format!("(?-u){pattern}"))
        .is_ok_and(|re| re.is_match(path.as_bytes()))
}

fn scan_rule(text: &str, path: Option<&str>, rule: &Rule, add: &mut impl FnMut(Finding)) {
    let b = text.as_bytes();
    for caps in rule.regex.captures_iter(b) {
        let whole = caps.get(0).expect("group 0 always matches");
        // gitleaks trims newlines off a match.
        let mut matched = whole.range();
        while matched.end > matched.start && b[matched.end - 1] == b'\n' {
            matched.end -= 1;
        }
        while matched.start < matched.end && b[matched.start] == b'\n' {
            matched.start += 1;
        }
        let group = match rule.def.secret_group {
            0 => caps.iter().skip(1).flatten().find(|m| !m.is_empty()),
            g => usize::try_from(g).ok().and_then(|g| caps.get(g)),
        };
        let secret = group.map_or(matched.clone(), |m| m.range());
        let secret = char_aligned(text, secret);
        let matched = char_aligned(text, matched);
        if secret.is_empty() {
            continue;
        }
        let value = &text[secret.clone()];
        if rule.def.entropy != 0.0 && entropy(value) <= rule.def.entropy {
            continue;
        }
        let ctx = Context {
            path,
            secret: value,
            matched: &text[matched.clone()],
            line: line_of(text, matched),
        };
        if allowed(rules::global(), &ctx)
            || rule.allowlists.iter().any(|a| allowed(a, &ctx))
            || is_placeholder(value)
        {
            continue;
        }
        add(Finding {
            kind: rule.def.id,
            excerpt: redact_value(value),
            range: secret,
        });
    }
}

/// `range` widened to char boundaries (a byte pattern may cut a character).
fn char_aligned(text: &str, range: Range<usize>) -> Range<usize> {
    let start = floor_boundary(text, range.start);
    let mut end = range.end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// How far around a match its "line" reaches at most, each way (bytes): a
/// line-target allowlist looks at the line, and one long line (minified
/// code, a repeated pattern) must not make every match cost its length.
const LINE_REACH: usize = 1024;

/// The lines holding `range`, at most [`LINE_REACH`] bytes either side.
fn line_of(text: &str, range: Range<usize>) -> &str {
    let lo = floor_boundary(text, range.start.saturating_sub(LINE_REACH));
    let hi = floor_boundary(text, range.end + LINE_REACH);
    let start = text[lo..range.start].rfind('\n').map_or(lo, |i| lo + i + 1);
    let end = text[range.end..hi].find('\n').map_or(hi, |i| range.end + i);
    &text[start..end]
}

struct Context<'t> {
    path: Option<&'t str>,
    secret: &'t str,
    matched: &'t str,
    line: &'t str,
}

/// Whether an allowlist allows a finding: any of its checks matches (or,
/// for `condition = "AND"`, every check it has). A path check never matches
/// a text scanned without a path.
fn allowed(a: &Allowlist, ctx: &Context) -> bool {
    allowed_checking(a, ctx, true)
}

/// [`allowed`], with or without the allowlist's regexes.
fn allowed_checking(a: &Allowlist, ctx: &Context, regexes: bool) -> bool {
    let def = a.def;
    let mut checks = Vec::with_capacity(3);
    if regexes && let Some(re) = &a.regex {
        let target = match def.target {
            Target::Secret => ctx.secret,
            Target::Match => ctx.matched,
            Target::Line => ctx.line,
        };
        checks.push(re.is_match(target.as_bytes()));
    }
    if let Some(stopwords) = &a.stopwords {
        let lower = ctx.secret.to_ascii_lowercase();
        checks.push(stopwords.is_match(&lower));
    }
    if !def.paths.is_empty() {
        checks.push(
            ctx.path
                .is_some_and(|p| def.paths.iter().any(|pat| path_matches(pat, p))),
        );
    }
    if def.all {
        !checks.is_empty() && checks.iter().all(|&c| c)
    } else {
        checks.iter().any(|&c| c)
    }
}

//! The checker: what every check shares. [`Checker`] holds what the walk
//! over a line has learnt (working directory, variables, protected paths)
//! and the findings, which it combines into one decision; it reports
//! findings (a core rule, a pack rule unless its pack is off, an escalation
//! unless the program is allowed) and says where a word may point and how
//! dangerous a location is. The checks themselves (`exec`, `interp`,
//! `install`, `system`, `packs/*`) extend it, and `walk.rs` drives them.

use clawlaw_sdk::shell::{Command, CommandLine, Word, var_prefix};
use clawlaw_sdk::{Decision, Verdict};
use std::ops::Range;

use crate::loc::*;
use crate::programs::*;
use crate::rules::PackRule;
use crate::settings::Settings;

/// One thing found wrong with the line.
pub(crate) struct Finding {
    verdict: Verdict,
    risk: f32,
    rule: String,
    reason: String,
}

/// A variable's possible value, with its dynamic spans.
pub(crate) type Value = (String, Vec<Range<usize>>);

/// What one command line has shown so far.
pub(crate) struct Line {
    /// How many re-parses deep (`echo … | sh`) this line is.
    pub(crate) level: usize,
    /// Per command: fed by a download through pipes.
    pub(crate) from_net: Vec<bool>,
    /// Per command: fed by a decoder through pipes.
    pub(crate) from_decoder: Vec<bool>,
    /// Files downloads saved to.
    pub(crate) downloaded: Vec<String>,
    /// The command that fetched a tree of code earlier in the line (`git
    /// clone URL`, a download extracted), when one did.
    pub(crate) fetched: Option<String>,
    /// Files written from literal text (`echo … > f`, here-documents), with
    /// that text.
    pub(crate) written: Vec<(String, String)>,
}

/// Judges one action's command line: the settings, what the walk has
/// learnt (working directory, variables), and the findings so far.
pub(crate) struct Checker<'s> {
    pub(crate) settings: &'s Settings,
    /// The working directory as given, for the effects model.
    pub(crate) cwd_text: Option<String>,
    /// Variables set earlier in the line, with their possible values.
    pub(crate) vars: Vec<(String, Vec<Value>)>,
    /// `protected_paths` from the settings, resolved.
    pub(crate) protected: Vec<Vec<String>>,
    /// The working directory of the action.
    pub(crate) cwd: Loc,
    pub(crate) findings: Vec<Finding>,
    /// How a command line found inside the one being checked is checked:
    /// the walk over a line, given by whoever starts the check, so that the
    /// checks, which find such lines, do not depend on the walk that calls
    /// them.
    check_line: CheckLine<'s>,
    /// Escalations that do not apply where the line runs: about this
    /// machine, in a container ([`CONTAINER_WAIVED`]); publishing,
    /// for a CI step ([`CI_WAIVED`]). Denials always apply.
    pub(crate) waived: &'static [&'static str],
}

/// Escalations about this machine that a container (an image being built,
/// a pod) does not touch:
/// packages installed, `sudo`, deletes outside the working tree, services
/// and start-up files changed.
pub(crate) const CONTAINER_WAIVED: &[&str] = &[
    "shell.package-install",
    "shell.privileged",
    "fs.delete-outside-workspace",
    "fs.rewrite-outside-workspace",
    "fs.file-outside-workspace",
    "shell.persistence",
];

/// What CI is for: publishing from a reviewed pipeline is the safer way
/// `hosting.publish` itself recommends.
pub(crate) const CI_WAIVED: &[&str] = &["hosting.publish"];

/// Checks a command line at a re-parse level (`walk::check_line`).
pub(crate) type CheckLine<'s> = fn(&mut Checker<'s>, &str, usize);

/// How many levels of `echo … | sh` / here-documents are re-parsed.
pub(crate) const MAX_REPARSE: usize = 2;
/// Findings kept (a hostile line could produce thousands).
pub(crate) const MAX_FINDINGS: usize = 64;

impl<'s> Checker<'s> {
    pub(crate) fn new(
        settings: &'s Settings,
        cwd: Option<&str>,
        check_line: CheckLine<'s>,
    ) -> Checker<'s> {
        let cwd_text = cwd;
        let cwd = match cwd {
            Some(d) if d.starts_with('/') => resolve_text(d, &[], &Loc::Abs(Vec::new())),
            _ => Loc::Rel(0, Vec::new()),
        };
        let protected = settings
            .protected_paths
            .iter()
            .filter_map(|p| match resolve_text(p, &[], &Loc::Abs(Vec::new())) {
                Loc::Abs(v) => Some(v),
                _ => None,
            })
            .collect();
        Checker {
            settings,
            cwd_text: cwd_text.filter(|d| d.starts_with('/')).map(str::to_string),
            vars: Vec::new(),
            protected,
            cwd,
            findings: Vec::new(),
            check_line,
            waived: &[],
        }
    }

    /// Checks a command line found inside the one being checked (an alias
    /// body, a script fed to a shell, a here-document, inline code's shell
    /// calls) as re-parse `level`.
    pub(crate) fn reparse(&mut self, line: &str, level: usize) {
        (self.check_line)(self, line, level);
    }

    pub(crate) fn push(&mut self, verdict: Verdict, risk: f32, rule: &str, what: String) {
        if self.findings.len() >= MAX_FINDINGS {
            return;
        }
        let reason = format!("{what} (rule {rule})");
        if self
            .findings
            .iter()
            .any(|f| f.rule == rule && f.reason == reason)
        {
            return;
        }
        self.findings.push(Finding {
            verdict,
            risk,
            rule: rule.to_string(),
            reason,
        });
    }

    /// Reports a pack rule, unless its pack is switched off or (for an
    /// escalation) `subject` is allowed: `what` says what would be lost, the
    /// rule adds what to do instead.
    pub(crate) fn hit(&mut self, rule: &PackRule, subject: Option<&str>, what: String) {
        if !self.settings.pack_enabled(rule.pack) {
            return;
        }
        let what = format!("{what}; {}", rule.instead);
        match rule.verdict {
            Verdict::Deny => self.deny(rule.id, what),
            _ => self.escalate(rule.id, rule.risk, subject, what),
        }
    }

    /// As [`Checker::hit`], but a denial only escalates: what it destroys
    /// is disposable by its name (a test or development database).
    pub(crate) fn hit_disposable(&mut self, rule: &PackRule, subject: Option<&str>, what: String) {
        if !self.settings.pack_enabled(rule.pack) {
            return;
        }
        let what = format!("{what}; {}", rule.instead);
        self.escalate(rule.id, rule.risk.min(0.7), subject, what);
    }

    pub(crate) fn deny(&mut self, rule: &str, what: String) {
        self.push(Verdict::Deny, 1.0, rule, what);
    }

    /// Escalates unless `subject` (`program` or `program sub`) is allowed.
    pub(crate) fn escalate(&mut self, rule: &str, risk: f32, subject: Option<&str>, what: String) {
        if self.waived.contains(&rule) {
            return;
        }
        if let Some(subject) = subject {
            let program = subject.split(' ').next().unwrap_or(subject);
            if self
                .settings
                .allow_programs
                .iter()
                .any(|a| a == subject || a == program)
            {
                return;
            }
        }
        self.push(Verdict::Escalate, risk, rule, what);
    }

    pub(crate) fn decision(mut self) -> Decision {
        self.findings
            .sort_by(|a, b| b.verdict.cmp(&a.verdict).then(b.risk.total_cmp(&a.risk)));
        let Some(top) = self.findings.first() else {
            return Decision::allow();
        };
        let mut d = match top.verdict {
            Verdict::Deny => Decision::deny(&top.rule, top.reason.clone()),
            Verdict::Escalate => {
                Decision::escalate(&top.rule, top.reason.clone()).with_risk(top.risk)
            }
            Verdict::Allow => Decision::allow_noting(&top.rule, top.reason.clone()),
        };
        for f in &self.findings[1..] {
            if !d.rules.contains(&f.rule) {
                d.rules.push(f.rule.clone());
            }
        }
        d
    }

    pub(crate) fn danger(&self, loc: &Loc) -> Option<Danger> {
        match loc {
            Loc::Abs(c) => {
                if c.is_empty() {
                    return Some(Danger::Deny("the root filesystem".into()));
                }
                if home_dir(c) {
                    return Some(Danger::Deny(if c.get(1).is_some_and(|u| u == "~") {
                        "the home directory".into()
                    } else {
                        format!("the home directory {}", loc.display())
                    }));
                }
                if let Some([d]) = in_home(c)
                    && HOME_CRITICAL.iter().any(|h| is(d, h))
                {
                    return Some(Danger::Deny(loc.display()));
                }
                if let Loc::Abs(w) = &self.cwd
                    && w.starts_with(c)
                {
                    return Some(if w.len() == c.len() {
                        Danger::Escalate(format!("the whole working directory {}", loc.display()))
                    } else {
                        Danger::Deny(format!(
                            "{}, a parent of the working directory",
                            loc.display()
                        ))
                    });
                }
                if c.len() == 1 {
                    return Some(Danger::Deny(format!(
                        "the top-level directory {}",
                        loc.display()
                    )));
                }
                if system_dir(c) {
                    return Some(Danger::Deny(format!(
                        "the system directory {}",
                        loc.display()
                    )));
                }
                if self.protected.iter().any(|p| c.starts_with(p)) {
                    return Some(Danger::Deny(format!(
                        "the protected path {}",
                        loc.display()
                    )));
                }
                None
            }
            Loc::Rel(ups, c) if c.is_empty() => Some(if *ups > 0 {
                Danger::Deny(format!(
                    "{}, a parent of the working directory",
                    loc.display()
                ))
            } else {
                Danger::Escalate("the whole working directory".into())
            }),
            _ => None,
        }
    }

    /// Where a word may point: `$VAR` set earlier in the line (`X=/`,
    /// `export X=…`, `for X in …`) is substituted; otherwise one location.
    pub(crate) fn locs(&self, word: &Word, cwd: &Loc) -> Vec<Loc> {
        let spans: Vec<Range<usize>> = word.dynamic_spans().collect();
        let text = word.text.as_str();
        if spans.first().is_some_and(|s| s.start == 0) {
            for (name, values) in &self.vars {
                let Some(n) = var_prefix(text, name) else {
                    continue;
                };
                return values
                    .iter()
                    .map(|(v, vspans)| {
                        let mut sp = vspans.clone();
                        sp.extend(
                            spans
                                .iter()
                                .filter(|r| r.start >= n)
                                .map(|r| (r.start - n + v.len())..(r.end - n + v.len())),
                        );
                        resolve_text(&format!("{v}{}", &text[n..]), &sp, cwd)
                    })
                    .collect();
            }
        }
        // `~/{.ssh,.aws}`: the shell expands the braces into one word each.
        if !word.quoted
            && let Some((open, close, texts)) = brace_expansion(text)
            && spans
                .iter()
                .all(|r| r.end <= open || (r.start >= open && r.end <= close + 1))
        {
            // Expansions before the group (`~`) keep their places; the
            // group itself is what is expanded.
            let before: Vec<Range<usize>> =
                spans.iter().filter(|r| r.end <= open).cloned().collect();
            return texts
                .iter()
                .map(|t| resolve_text(t, &before, cwd))
                .collect();
        }
        vec![resolve_text(text, &spans, cwd)]
    }

    /// Remembers variables a command sets, for [`Checker::locs`].
    pub(crate) fn record_vars(&mut self, c: &Command) {
        let value = |w: &Word| -> Value {
            // `tmp=$(mktemp -d)`: a fresh name under /tmp (unless told
            // another directory), whatever the name.
            let t = w.text.as_str();
            let fresh = (t.starts_with("$(mktemp") && t.ends_with(')'))
                || (t.starts_with("`mktemp") && t.ends_with('`'));
            if fresh && !t.contains(" -p") && !t.contains("--tmpdir") {
                return ("/tmp/tmp.mktemp".to_string(), Vec::new());
            }
            let spans = w.dynamic_spans().collect();
            (w.text.clone(), spans)
        };
        for x in c.assigned() {
            let values = x.values.iter().take(64).map(value).collect();
            self.vars.retain(|(n, _)| *n != x.name);
            if self.vars.len() < 64 {
                self.vars.push((x.name, values));
            }
        }
    }

    /// The operands of command `i` as paths; in `find -exec`, `{}` stands for
    /// what `find` finds: its start directories, or things inside them when
    /// `find` filters.
    pub(crate) fn target_locs(&self, cl: &CommandLine, i: usize, cwd: &Loc) -> Vec<(Word, Loc)> {
        let c = &cl.commands[i];
        // Directly under `find -exec`, or in a shell string it starts
        // (`find -exec sh -c 'rm "$1"' _ {} \;`).
        let scope = cl.find_of_exec(i).map(|p| find_scope(&cl.commands[p]));
        let mut out = Vec::new();
        for w in c.operands() {
            match &scope {
                Some((starts, filtered)) if w.text.contains("{}") => {
                    for s in starts {
                        for mut loc in self.locs(s, cwd) {
                            if *filtered {
                                loc.push(ANY);
                            }
                            out.push((s.clone(), loc));
                        }
                    }
                }
                _ => out.extend(self.locs(w, cwd).into_iter().map(|l| (w.clone(), l))),
            }
        }
        out
    }
}

/// Where the first `{a,b,…}` group of `text` opens and closes, and the
/// words it expands to (at most 16 alternatives), or `None` when there is
/// none.
fn brace_expansion(text: &str) -> Option<(usize, usize, Vec<String>)> {
    let open = text.find('{')?;
    let close = open + text[open..].find('}')?;
    let inner = &text[open + 1..close];
    if !inner.contains(',') || inner.contains('{') {
        return None;
    }
    let alternatives: Vec<&str> = inner.split(',').collect();
    if alternatives.len() > 16 {
        return None;
    }
    Some((
        open,
        close,
        alternatives
            .iter()
            .map(|a| format!("{}{a}{}", &text[..open], &text[close + 1..]))
            .collect(),
    ))
}

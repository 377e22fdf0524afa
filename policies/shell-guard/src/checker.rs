//! The checker: walks every command of a parsed line, dispatches it to the core
//! checks and the packs, and combines what they find into one decision.

use clawlaw_sdk::shell::{self, Command, CommandKind, CommandLine, Origin, Word};
use clawlaw_sdk::{Decision, Verdict};
use std::ops::Range;

use crate::exec::record_written;
use crate::loc::*;
use crate::programs::*;
use crate::rules::PackRule;
use crate::settings::{CustomVerdict, Settings};

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
}

/// How many levels of `echo … | sh` / here-documents are re-parsed.
pub(crate) const MAX_REPARSE: usize = 2;
/// Findings kept (a hostile line could produce thousands).
pub(crate) const MAX_FINDINGS: usize = 64;

impl<'s> Checker<'s> {
    pub(crate) fn new(settings: &'s Settings, cwd: Option<&str>) -> Checker<'s> {
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
        }
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

    pub(crate) fn deny(&mut self, rule: &str, what: String) {
        self.push(Verdict::Deny, 1.0, rule, what);
    }

    /// Escalates unless `subject` (`program` or `program sub`) is allowed.
    pub(crate) fn escalate(&mut self, rule: &str, risk: f32, subject: Option<&str>, what: String) {
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
                    && HOME_CRITICAL.contains(&d.as_str())
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
        vec![resolve_text(text, &spans, cwd)]
    }

    /// Remembers variables a command sets, for [`Checker::locs`].
    pub(crate) fn record_vars(&mut self, c: &Command) {
        let value = |w: &Word, from: usize| -> Value {
            let text = w.text.get(from..).unwrap_or("").to_string();
            let spans = w
                .dynamic_spans()
                .filter(|r| r.start >= from)
                .map(|r| (r.start - from)..(r.end - from))
                .collect();
            (text, spans)
        };
        let mut set: Vec<(String, Vec<Value>)> = Vec::new();
        if c.argv.is_empty() {
            for a in &c.assignments {
                set.push((a.name.clone(), vec![value(&a.value, 0)]));
            }
        } else if !c.program_dynamic
            && matches!(
                c.program.as_str(),
                "export" | "local" | "declare" | "typeset" | "readonly"
            )
        {
            for w in c.args() {
                if let Some(eq) = w.text.find('=')
                    && eq > 0
                    && w.text[..eq]
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    set.push((w.text[..eq].to_string(), vec![value(w, eq + 1)]));
                }
            }
        } else if c.argv[0].text == "for"
            && !c.argv[0].quoted
            && c.argv.len() >= 3
            && c.argv[2].text == "in"
        {
            let values = c.argv[3..].iter().take(64).map(|w| value(w, 0)).collect();
            set.push((c.argv[1].text.clone(), values));
        }
        for (name, values) in set {
            self.vars.retain(|(n, _)| *n != name);
            if self.vars.len() < 64 {
                self.vars.push((name, values));
            }
        }
    }

    /// The operands of a command as paths; in `find -exec`, `{}` stands for
    /// what `find` finds: its start directories, or things inside them when
    /// `find` filters.
    pub(crate) fn target_locs(&self, cl: &CommandLine, c: &Command, cwd: &Loc) -> Vec<(Word, Loc)> {
        let scope = match (c.origin, c.parent) {
            (Origin::FindExec, Some(p)) => Some(find_scope(&cl.commands[p])),
            _ => None,
        };
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

    pub(crate) fn check_line(&mut self, line: &str, level: usize) {
        let cl = shell::parse(line);
        if !cl.is_complete() {
            let issues: Vec<String> = cl.issues.iter().map(|i| i.to_string()).collect();
            let what = format!(
                "the command line cannot be parsed in full ({}), so what it would run cannot be checked",
                issues.join("; ")
            );
            if self.settings.deny_unparseable {
                self.deny("shell.unparseable", what);
            } else {
                self.escalate("shell.unparseable", 0.7, None, what);
            }
        }
        let mut line = Line {
            level,
            from_net: cl.piped_from_any(is_downloader),
            from_decoder: cl.piped_from_any(is_decoder),
            downloaded: Vec::new(),
            written: Vec::new(),
        };
        self.check_inline_code(&cl, level);
        let mut cwd = self.cwd.clone();
        for i in 0..cl.commands.len() {
            let c = &cl.commands[i];
            for r in &c.redirects {
                if r.op.writes_file() {
                    self.check_write(c, &r.target, &cwd);
                }
            }
            if c.kind != CommandKind::Simple || c.argv.is_empty() {
                if c.kind == CommandKind::Simple {
                    self.record_vars(c);
                }
                continue;
            }
            self.check_command(&cl, i, &cwd, &mut line);
            self.record_vars(c);
            record_written(c, &mut line.written);
            if matches!(c.program.as_str(), "cd" | "pushd") && !c.program_dynamic {
                cwd = match c.operands().next() {
                    None => Loc::home(),
                    Some(w) if w.text == "-" => Loc::Rel(0, Vec::new()),
                    Some(w) => match self.locs(w, &cwd).into_iter().next() {
                        Some(Loc::Unknown) | None => Loc::Rel(0, Vec::new()),
                        Some(loc) => loc,
                    },
                };
            }
        }
    }

    pub(crate) fn check_command(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, line: &mut Line) {
        let c = &cl.commands[i];
        // `find / -exec rm -rf {} +`: name the `find` too.
        let shown = match (c.origin, c.parent) {
            (Origin::FindExec, Some(p)) => show(&cl.commands[p]),
            _ => show(c),
        };
        self.check_remote_exec(cl, i, line);
        self.check_written(cl, i, line);
        if c.program == "alias" && !c.program_dynamic && line.level < MAX_REPARSE {
            for a in c.args() {
                if let Some((_, body)) = a.text.split_once('=') {
                    self.check_line(body, line.level + 1);
                }
            }
        }
        if c.program_dynamic {
            if line.level < MAX_REPARSE
                && let Some(text) = echoed_command(cl, i)
            {
                // `$(echo ls)`: the program is known after all.
                self.check_line(&text, line.level + 1);
                return;
            }
            if !self.env_setup(cl, i) {
                self.escalate(
                    "shell.dynamic-program",
                    0.6,
                    None,
                    format!("`{shown}` runs a program whose name is only known at run time, so what runs cannot be checked"),
                );
            }
            return;
        }
        self.check_settings(c, &shown);
        self.check_custom(c, &shown);
        for w in &c.wrappers {
            if PRIVILEGE_WRAPPERS.contains(&w.program.as_str()) {
                self.escalate(
                    "shell.privileged",
                    0.7,
                    Some(&w.program),
                    format!(
                        "`{shown}` runs with elevated privileges through {}",
                        w.program
                    ),
                );
            }
        }
        let p = c.program.as_str();
        if PRIVILEGE_PROGRAMS.contains(&p) {
            self.escalate(
                "shell.privileged",
                0.7,
                Some(p),
                format!("`{shown}` runs a shell or command as another user"),
            );
        }
        if ACCOUNT_PROGRAMS.contains(&p) {
            self.escalate(
                "shell.privileged",
                0.7,
                Some(p),
                format!("`{shown}` changes user accounts, credentials or capabilities"),
            );
        }
        self.check_fork_bomb(cl, i);
        self.check_filesystem(cl, i, cwd, &shown);
        self.check_system(c, cwd, &shown);
        self.check_packs(cl, i, cwd, &shown);
        self.check_install(c, &shown);
    }

    /// `eval "$(ssh-agent -s)"` and the like: a whole command produced by an
    /// environment set-up tool.
    pub(crate) fn env_setup(&self, cl: &CommandLine, i: usize) -> bool {
        let c = &cl.commands[i];
        let [word] = c.argv.as_slice() else {
            return false;
        };
        let t = word.text.as_str();
        if !((t.starts_with("$(") && t.ends_with(')')) || (t.starts_with('`') && t.ends_with('`')))
        {
            return false;
        }
        let mut owners = vec![i];
        if matches!(c.origin, Origin::Eval | Origin::ShellString)
            && let Some(p) = c.parent
        {
            owners.push(p);
        }
        let producers: Vec<&Command> = cl
            .commands
            .iter()
            .filter(|d| {
                d.origin == Origin::CommandSubstitution
                    && d.parent.is_some_and(|p| owners.contains(&p))
            })
            .collect();
        !producers.is_empty()
            && producers
                .iter()
                .all(|d| !d.program_dynamic && ENV_SETUP.contains(&d.program.as_str()))
    }

    pub(crate) fn check_settings(&mut self, c: &Command, shown: &str) {
        let mut names = vec![c.program.clone()];
        if let Some((_, sub)) = subcommand(c) {
            names.push(format!("{} {sub}", c.program));
        }
        names.extend(c.wrappers.iter().map(|w| w.program.clone()));
        let settings = self.settings;
        if let Some(entry) = settings.deny_programs.iter().find(|e| names.contains(e)) {
            self.deny(
                "shell.denied-program",
                format!("`{shown}` runs `{entry}`, which the settings deny"),
            );
        }
        if let Some(entry) = settings
            .escalate_programs
            .iter()
            .find(|e| names.contains(e))
        {
            self.escalate(
                "shell.escalated-program",
                0.6,
                None,
                format!("`{shown}` runs `{entry}`, which the settings escalate"),
            );
        }
    }

    /// Rules from the settings.
    pub(crate) fn check_custom(&mut self, c: &Command, shown: &str) {
        let settings = self.settings;
        for rule in settings.rules.iter().filter(|r| r.matches(c)) {
            let what = format!("`{shown}`: {}", rule.reason);
            match rule.verdict {
                CustomVerdict::Deny => self.deny(&rule.id, what),
                CustomVerdict::Escalate => {
                    self.escalate(&rule.id, rule.risk.unwrap_or(0.6), None, what)
                }
            }
        }
    }
}

/// The command line a command whose program is the output of `echo` or a
/// plain `printf` amounts to: `$(echo rm) -rf /` is `rm -rf /`. Only output
/// made of plain words is resolved; anything a shell would treat
/// differently (escapes, `%`, operators, globs) stays dynamic.
fn echoed_command(cl: &CommandLine, i: usize) -> Option<String> {
    let c = &cl.commands[i];
    let first = c.argv.first()?;
    let t = first.text.as_str();
    let whole = (t.starts_with("$(") && t.ends_with(')'))
        || (t.starts_with('`') && t.ends_with('`') && t.len() > 1);
    if !whole {
        return None;
    }
    let mut producers = cl
        .commands
        .iter()
        .filter(|d| d.parent == Some(i) && d.origin == Origin::CommandSubstitution);
    let producer = producers.next()?;
    if producers.next().is_some()
        || producer.program_dynamic
        || producer.piped_out
        || !producer.redirects.is_empty()
        || !matches!(producer.program.as_str(), "echo" | "printf")
    {
        return None;
    }
    let words: Vec<&Word> = producer
        .args()
        .iter()
        .filter(|w| !(producer.program == "echo" && w.text == "-n"))
        .collect();
    if words.is_empty()
        || words
            .iter()
            .any(|w| w.is_dynamic() || w.text.starts_with('-'))
    {
        return None;
    }
    let output = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let plain = |ch: char| ch.is_ascii_alphanumeric() || "_-./=:,+@".contains(ch);
    if !output.chars().all(|ch| plain(ch) || ch == ' ') || (first.quoted && output.contains(' ')) {
        return None;
    }
    let mut text = output;
    for w in c.args() {
        text.push(' ');
        if w.is_dynamic()
            && !w
                .text
                .contains(|ch: char| ch.is_whitespace() || "'\"\\;&|<>()".contains(ch))
        {
            text.push_str(&w.text);
        } else {
            text.push_str(&crate::interp::quote(&w.text));
        }
    }
    Some(text)
}

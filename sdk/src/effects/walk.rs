//! Walking a parsed line command by command: the working directory each
//! command runs in (`cd` followed through `&&`, `;`, groups and `eval`,
//! not out of subshells, substitutions and `sh -c` strings), the variables
//! assigned in the line (which are not environment reads), and [`Cx`], the
//! per-command context through which every effect is recorded.

use super::{
    Effects, EnvRead, Exec, MAX_NESTING, Net, PathEffect, Signal, Unresolved, args, commands, paths,
};
use std::collections::HashSet;

use crate::shell::{self, CommandKind, CommandLine, Origin, Word};

/// Accumulates the effects of a line and of the code nested in it.
pub(crate) struct Analyzer<'h> {
    pub out: Effects,
    pub home: Option<&'h str>,
    /// Bytes of nested code still allowed.
    pub budget: usize,
    /// The environment reads recorded, by name and command.
    pub env_seen: HashSet<(String, usize)>,
}

impl Analyzer<'_> {
    /// Analyses `line` starting in `cwd`. `anchor` is the outer command a
    /// nested line's effects are attributed to; `level` its nesting.
    pub(crate) fn line(
        &mut self,
        line: &CommandLine,
        cwd: Option<String>,
        anchor: Option<usize>,
        level: usize,
    ) {
        let n = line.commands.len();
        // The working directory each command runs in, and each shell's
        // current one (scope 0 is the line; scope p+1 the commands nested
        // in command p that do not share their parent's shell).
        let mut ran_in: Vec<Option<String>> = Vec::with_capacity(n);
        let mut scopes: Vec<Option<Option<String>>> = vec![None; n + 1];
        let mut scope_of: Vec<usize> = Vec::with_capacity(n);
        scopes[0] = Some(cwd);
        let mut assigned: HashSet<&str> = HashSet::new();
        for (i, c) in line.commands.iter().enumerate() {
            let sid = match c.parent {
                None => 0,
                Some(p) if shares_shell(c.origin) => scope_of.get(p).copied().unwrap_or(0),
                Some(p) => p + 1,
            };
            scope_of.push(sid);
            let here = match &scopes[sid] {
                Some(d) => d.clone(),
                None => {
                    let d = c.parent.and_then(|p| ran_in.get(p).cloned().flatten());
                    scopes[sid] = Some(d.clone());
                    d
                }
            };
            let at = anchor.unwrap_or(i);
            let mut cx = Cx {
                a: self,
                line,
                index: i,
                at,
                cwd: here.clone(),
                level,
            };
            let next = cx.next_cwd();
            if let Some((w, f)) = wrapper_dir(&line.commands[i]) {
                let dir = cx.targets(w, f).pop();
                cx.cwd = dir.filter(|t| !t.dynamic).map(|t| t.path);
            }
            cx.command(&assigned);
            ran_in.push(here);
            if let Some(d) = next {
                scopes[sid] = Some(d);
            }
            if c.kind == CommandKind::Simple && c.argv.is_empty() {
                assigned.extend(c.assignments.iter().map(|a| a.name.as_str()));
            } else if matches!(c.program.as_str(), "export" | "read" | "local" | "declare") {
                assigned.extend(
                    c.args()
                        .iter()
                        .map(|w| w.text.split('=').next().unwrap_or("")),
                );
            } else if c.program == "for" {
                assigned.extend(c.args().first().map(|w| w.text.as_str()));
            }
        }
    }
}

/// The directory a wrapper runs its command in: `env -C DIR`, `env
/// --chdir=DIR`, `sudo -D DIR`, `sudo --chdir=DIR`.
fn wrapper_dir(c: &shell::Command) -> Option<(&Word, usize)> {
    let mut found = None;
    for w in &c.wrappers {
        let flag = match w.program.as_str() {
            "env" => "-C",
            "sudo" => "-D",
            _ => continue,
        };
        for (k, a) in w.args.iter().enumerate() {
            if a.text == flag || a.text == "--chdir" {
                found = w.args.get(k + 1).map(|v| (v, 0));
            } else if a.text.starts_with("--chdir=") {
                found = Some((a, "--chdir=".len()));
            } else if a.text.starts_with(flag) && a.text.len() > 2 {
                found = Some((a, 2));
            }
        }
    }
    found
}

/// Whether commands nested this way run in their parent's shell (and so
/// see, and make, its `cd`s).
fn shares_shell(origin: Origin) -> bool {
    matches!(origin, Origin::Group | Origin::Eval | Origin::CaseArm)
}

/// One command being analysed.
pub(crate) struct Cx<'a, 'h> {
    pub a: &'a mut Analyzer<'h>,
    pub line: &'a CommandLine,
    /// Its index in `line`.
    pub index: usize,
    /// The index effects are attributed to.
    pub at: usize,
    pub cwd: Option<String>,
    pub level: usize,
}

/// Which list an effect goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
    Delete,
}

/// A resolved target of an operand.
pub(crate) struct Target {
    pub path: String,
    pub dynamic: bool,
    /// The operand stands for anything below `path` (a `find` root).
    pub recursive: bool,
}

/// Text that stands for the paths `xargs` appends from its input.
pub(crate) const STDIN_ARGS: &str = "\u{0}xargs-input\u{0}";

impl<'a> Cx<'a, '_> {
    pub fn cmd(&self) -> &'a shell::Command {
        &self.line.commands[self.index]
    }

    /// The targets of `text[from..]` of word `w`.
    pub fn targets(&self, w: &Word, from: usize) -> Vec<Target> {
        if w.text == STDIN_ARGS {
            return self.stdin_targets();
        }
        if from == 0 && (w.text.starts_with("<(") || w.text.starts_with(">(")) {
            return Vec::new(); // a pipe to a process substitution
        }
        if from == 0 && w.text == "{}" && self.cmd().origin == Origin::FindExec {
            let Some(find) = self.cmd().parent.map(|p| &self.line.commands[p]) else {
                return Vec::new();
            };
            return args::find_roots(find)
                .into_iter()
                .flat_map(|r| self.targets(&r, 0))
                .map(|t| Target {
                    recursive: true,
                    ..t
                })
                .collect();
        }
        let spans: Vec<std::ops::Range<usize>> = w.dynamic_spans().collect();
        let r = paths::resolve(&w.text, &spans, from, self.cwd.as_deref(), self.a.home);
        vec![Target {
            path: r.path,
            dynamic: r.dynamic,
            recursive: false,
        }]
    }

    /// What `xargs` feeds the command: an upstream `find`'s roots, an
    /// upstream `echo`'s words, or unknown paths.
    fn stdin_targets(&self) -> Vec<Target> {
        let mut out = Vec::new();
        for u in self.line.upstream(self.index) {
            let c = &self.line.commands[u];
            match c.program.as_str() {
                "find" => {
                    for r in args::find_roots(c) {
                        out.extend(self.targets(&r, 0).into_iter().map(|t| Target {
                            recursive: true,
                            ..t
                        }));
                    }
                }
                "echo" | "printf" if c.args().iter().all(|w| !w.text.starts_with('-')) => {
                    let words = c.args().iter().skip(usize::from(c.program == "printf"));
                    for w in words {
                        if !w.text.contains(char::is_whitespace) {
                            out.extend(self.targets(w, 0));
                            continue;
                        }
                        for part in w.text.split_whitespace() {
                            out.extend(self.targets(&Word::literal(part), 0));
                        }
                    }
                }
                // Filters pass on a subset of what they read.
                "grep" | "egrep" | "fgrep" | "sort" | "uniq" | "head" | "tail" | "tee" => {}
                "cat" if c.args().is_empty() => {}
                _ => {
                    out.clear();
                    break;
                }
            }
        }
        if out.is_empty() {
            out.push(Target {
                path: "*".into(),
                dynamic: true,
                recursive: false,
            });
        }
        out
    }

    /// Records the targets of `w` (from byte `from`).
    pub fn path(&mut self, kind: Kind, w: &Word, from: usize, how: &str, recursive: bool) {
        for t in self.targets(w, from) {
            self.push_path(kind, t.path, t.dynamic, recursive || t.recursive, how);
        }
    }

    pub fn push_path(
        &mut self,
        kind: Kind,
        path: String,
        dynamic: bool,
        recursive: bool,
        how: &str,
    ) {
        if kind == Kind::Write
            && matches!(
                path.as_str(),
                "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty"
            )
        {
            return;
        }
        let e = PathEffect {
            path,
            dynamic,
            recursive,
            how: how.to_string(),
            command: self.at,
        };
        let list = match kind {
            Kind::Read => &mut self.a.out.reads,
            Kind::Write => &mut self.a.out.writes,
            Kind::Delete => &mut self.a.out.deletes,
        };
        // Repeats are usually adjacent (`rm a; rm a`, a loop in code):
        // looking back a little keeps this linear on hostile input.
        if !list.iter().rev().take(16).any(|x| *x == e) {
            list.push(e);
        }
    }

    /// The working directory, as a target (for `git clean`, `tar -x`).
    pub fn cwd_path(&mut self, kind: Kind, how: &str) {
        let (path, dynamic) = match &self.cwd {
            Some(d) => (d.clone(), false),
            None => ("*".to_string(), true),
        };
        self.push_path(kind, path, dynamic, true, how);
    }

    pub fn unresolved(&mut self, why: String) {
        self.a.out.unresolved.push(Unresolved {
            command: self.at,
            why,
        });
    }

    pub fn net(&mut self, program: &str, url: Option<String>, host: Option<String>, sends: bool) {
        self.a.out.network.push(Net {
            program: program.to_string(),
            url,
            host,
            sends_data: sends,
            command: self.at,
        });
    }

    pub fn signal(&mut self, program: &str, targets: Vec<String>) {
        self.a.out.signals.push(Signal {
            program: program.to_string(),
            targets,
            command: self.at,
        });
    }

    pub fn env(&mut self, name: &str) {
        let e = EnvRead {
            name: name.to_string(),
            command: self.at,
        };
        if self.a.env_seen.insert((e.name.clone(), e.command)) {
            self.a.out.env.push(e);
        }
    }

    pub fn exec(
        &mut self,
        program: &str,
        path: Option<String>,
        args: Vec<String>,
        code: Option<String>,
    ) {
        self.a.out.executes.push(Exec {
            program: program.to_string(),
            path,
            args,
            code,
            command: self.at,
        });
    }

    /// Analyses a shell command string found in code, one level deeper.
    pub fn nested_shell(&mut self, script: &str) {
        if self.level >= MAX_NESTING || script.len() > self.a.budget {
            self.unresolved(format!(
                "`{}` runs code nested too deeply or too large to analyse",
                self.cmd().program
            ));
            return;
        }
        self.a.budget -= script.len();
        let line = shell::parse(script);
        for issue in &line.issues {
            self.unresolved(format!(
                "a command string in the code is not complete: {issue}"
            ));
        }
        let cwd = self.cwd.clone();
        self.a.line(&line, cwd, Some(self.at), self.level + 1);
    }

    /// Everything about one command.
    fn command(&mut self, assigned: &HashSet<&str>) {
        let c = self.cmd();
        for w in c.argv.iter().chain(c.redirects.iter().map(|r| &r.target)) {
            self.word_vars(w, assigned);
        }
        for a in &c.assignments {
            self.word_vars(&a.value, assigned);
        }
        for r in &c.redirects {
            if let Some(body) = &r.here_doc
                && !r.target.quoted
            {
                for name in shell_vars(body) {
                    if !assigned.contains(name) {
                        self.env(name);
                    }
                }
            }
        }
        commands::redirects(self);
        if c.kind != CommandKind::Simple || c.argv.is_empty() {
            return;
        }
        if c.program_dynamic {
            let why = format!("the program `{}` is only known at run time", c.program);
            self.unresolved(why);
            return;
        }
        commands::program(self);
    }

    /// Records the variables a word expands.
    fn word_vars(&mut self, w: &Word, assigned: &HashSet<&str>) {
        for s in w.dynamic_spans() {
            let part = &w.text[s];
            for name in shell_vars(part) {
                if !assigned.contains(name) {
                    self.env(name);
                }
            }
        }
    }

    /// The working directory after this command, when it changes it.
    fn next_cwd(&self) -> Option<Option<String>> {
        let c = self.cmd();
        if c.kind != CommandKind::Simple || c.program_dynamic {
            return None;
        }
        match c.program.as_str() {
            "cd" | "pushd" | "chdir" => {
                let dir = c.operands().next();
                Some(match dir {
                    None if c.program == "pushd" => None,
                    None => self.a.home.map(str::to_string),
                    Some(w) if w.text == "-" => None,
                    Some(w) => {
                        let t = self.targets(w, 0).pop()?;
                        (!t.dynamic).then_some(t.path)
                    }
                })
            }
            "popd" => Some(None),
            _ => None,
        }
    }
}

/// The variable names `$NAME`, `${NAME…}` expand in shell text (positional
/// and special parameters excluded).
pub(crate) fn shell_vars(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'\\' {
            k += 2;
            continue;
        }
        if b[k] != b'$' {
            k += 1;
            continue;
        }
        let mut s = k + 1;
        if b.get(s) == Some(&b'{') {
            s += 1;
            if matches!(b.get(s), Some(b'#' | b'!')) {
                s += 1;
            }
        }
        let mut e = s;
        while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'_') {
            e += 1;
        }
        if e > s && !b[s].is_ascii_digit() && &text[s..e] != "_" {
            out.push(&text[s..e]);
        }
        k = e.max(k + 1);
    }
    out
}

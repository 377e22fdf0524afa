//! The per-command context through which every effect is recorded: the
//! [`Analyzer`] state a line's effects accumulate in, [`Cx`] for the command
//! being analysed, and what its operand words stand for ([`Cx::targets`]:
//! a path resolved against the working directory, the roots of a `find`
//! for `{}`, what `xargs` appends).
//!
//! This is the bottom of the command-effects model: the tables of programs
//! (`commands.rs`, `net.rs`, `procs.rs`, `interp.rs`) record through it,
//! and the walk over a line (`walk.rs`) drives them. Shell code found while
//! analysing a command (`ssh host CMD`, `os.system(…)`) is a line of its
//! own, analysed by the walk that [`Analyzer::walk`] names.

use std::collections::HashSet;

use super::{Effects, EnvRead, Exec, MAX_NESTING, Net, PathEffect, Signal, Unresolved, paths};
use crate::shell::{self, CommandLine, Word};

/// Analyses a line with a given working directory, the outer command its
/// effects are attributed to and its nesting level (`walk::line`).
pub(crate) type Walk<'h> =
    fn(&mut Analyzer<'h>, &CommandLine, Option<String>, Option<usize>, usize);

/// Accumulates the effects of a line and of the code nested in it.
pub(crate) struct Analyzer<'h> {
    pub out: Effects,
    pub home: Option<&'h str>,
    /// Bytes of nested code still allowed.
    pub budget: usize,
    /// The environment reads recorded, by name and command.
    pub env_seen: HashSet<(String, usize)>,
    /// Variables the line assigned a value known as written (`D=~/.claude`,
    /// `for f in /var/log/*.log`), by name: the words a `$D` stands for.
    pub vars: Vec<(String, Vec<Word>)>,
    /// Links the line made (`ln -s ~/.claude d`), link → what it names: a
    /// path through one is also recorded as the path it reaches.
    pub links: Vec<(String, String)>,
    /// How a nested shell command string is analysed: the walk over a line,
    /// given by whoever starts the analysis so that the tables of programs,
    /// which find such strings, do not depend on the walk that calls them.
    pub walk: Walk<'h>,
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
        if from == 0
            && w.text == "{}"
            && let Some(find) = self
                .line
                .find_of_exec(self.index)
                .map(|p| &self.line.commands[p])
        {
            return walk_roots(find)
                .into_iter()
                .flat_map(|r| self.targets(&r, 0))
                .map(|t| Target {
                    recursive: true,
                    ..t
                })
                .collect();
        }
        if let Some((at, values)) = self.known_variable(w, from) {
            // `rm -rf "$D"` after `D=~/.claude`: each value put in.
            return values
                .iter()
                .flat_map(|v| self.targets(&w.with_value(at.clone(), v), from))
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

    /// The first expansion of `w` (from byte `from`) that is a variable the
    /// line gave known values (`$D`, `${D}`), and those values. Values that
    /// expand variables themselves are not put in, so the substitution ends.
    fn known_variable(&self, w: &Word, from: usize) -> Option<(std::ops::Range<usize>, Vec<Word>)> {
        if self.a.vars.is_empty() {
            return None;
        }
        w.dynamic_spans().filter(|r| r.start >= from).find_map(|r| {
            let t = w.text.get(r.clone())?;
            let name = t
                .strip_prefix("${")
                .and_then(|n| n.strip_suffix('}'))
                .or_else(|| t.strip_prefix('$'))?;
            let (_, values) = self.a.vars.iter().rev().find(|(n, _)| n == name)?;
            values
                .iter()
                .all(|v| !v.text.contains(['$', '`']))
                .then(|| (r, values.clone()))
        })
    }

    /// The values, as written, the line gave the variable that is the whole
    /// of `w` (`$P`, `${P}` after `P=$(pgrep x)` or in `for P in …`), when
    /// it gave any.
    pub(crate) fn variable_values(&self, w: &Word) -> Option<Vec<String>> {
        let t = w.text.as_str();
        let name = t
            .strip_prefix("${")
            .and_then(|n| n.strip_suffix('}'))
            .or_else(|| t.strip_prefix('$'))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let (_, values) = self.a.vars.iter().rev().find(|(n, _)| n == name)?;
        Some(values.iter().map(|v| v.text.clone()).collect())
    }

    /// What `xargs` feeds the command: an upstream `find`'s roots, an
    /// upstream `echo`'s words, or unknown paths.
    fn stdin_targets(&self) -> Vec<Target> {
        let mut out = Vec::new();
        for u in self.line.upstream(self.index) {
            let c = &self.line.commands[u];
            match c.program.as_str() {
                "find" => {
                    for r in find_roots(c) {
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
                // Programs that list files below directories.
                _ if let Some(roots) = listed_roots(c) => {
                    for r in roots {
                        out.extend(self.targets(&r, 0).into_iter().map(|t| Target {
                            recursive: true,
                            ..t
                        }));
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
        if !dynamic && let Some(through) = self.through_link(&path) {
            self.record(kind, through, false, recursive, how);
        }
        self.record(kind, path, dynamic, recursive, how);
    }

    fn record(&mut self, kind: Kind, path: String, dynamic: bool, recursive: bool, how: &str) {
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

    /// The path `path` reaches through a link the line made before this
    /// command (`d/settings.json` after `ln -s ~/.claude d`).
    fn through_link(&self, path: &str) -> Option<String> {
        self.a.links.iter().rev().find_map(|(link, target)| {
            let rest = path.strip_prefix(link.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then(|| {
                let joined = format!("{}{rest}", target.trim_end_matches('/'));
                if joined.is_empty() {
                    "/".to_string()
                } else {
                    joined
                }
            })
        })
    }

    /// The working directory, as a target (for `git clean`, `tar -x`).
    pub fn cwd_path(&mut self, kind: Kind, how: &str) {
        let (path, dynamic) = match &self.cwd {
            Some(d) => (d.clone(), false),
            None => ("*".to_string(), true),
        };
        self.push_path(kind, path, dynamic, true, how);
    }

    /// Records code that runs code it decodes at run time, or (`fetched`)
    /// code it fetched from the network.
    pub fn decoded(&mut self, how: String, fetched: bool) {
        self.a.out.decoded.push(super::Decoded {
            how,
            command: self.at,
            fetched,
        });
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
        self.env_read(name, false);
    }

    /// A variable read, and whether the code reading it shows its value.
    pub fn env_read(&mut self, name: &str, shown: bool) {
        if self.a.env_seen.insert((name.to_string(), self.at)) {
            self.a.out.env.push(EnvRead {
                name: name.to_string(),
                command: self.at,
                shown,
            });
        } else if shown
            && let Some(e) =
                (self.a.out.env.iter_mut()).find(|e| e.name == name && e.command == self.at)
        {
            e.shown = true;
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
            cwd: self.cwd.clone(),
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
        if self.level == 0 {
            self.a.out.shell_lines.push(super::ShellLine {
                line: script.to_string(),
                command: self.at,
            });
        }
        let line = shell::parse(script);
        for issue in &line.issues {
            self.unresolved(format!(
                "a command string in the code is not complete: {issue}"
            ));
        }
        let cwd = self.cwd.clone();
        let walk = self.a.walk;
        walk(self.a, &line, cwd, Some(self.at), self.level + 1);
    }
}

/// The directories a file-listing program lists below, when `c` is one:
/// `fd PATTERN [DIR…]`, `rg --files [DIR…]`, `rg -l PATTERN [DIR…]`,
/// `grep -rl PATTERN [DIR…]`, `git ls-files`, `git diff --name-only` (the
/// working tree); `.` when none is named.
fn listed_roots(c: &shell::Command) -> Option<Vec<Word>> {
    use super::options::parse;
    let args = c.args();
    let operands = |short: &str, long: &[&str]| -> Vec<Word> {
        parse(args, short, "", long)
            .operands
            .into_iter()
            .cloned()
            .collect()
    };
    let or_here = |mut roots: Vec<Word>| {
        if roots.is_empty() {
            roots.push(Word::literal("."));
        }
        roots
    };
    let has = |flag: &str| args.iter().any(|a| a.text == flag);
    match c.program.as_str() {
        "fd" | "fdfind" if crate::shell::fd_exec_flag(args).is_none() => {
            super::fd::fd_walk(c).map(|w| w.roots)
        }
        "rg" if has("--files") => Some(or_here(operands("gtTm", &["glob", "type", "type-not"]))),
        "rg" | "grep" | "egrep" | "fgrep"
            if args.iter().any(|a| {
                a.text == "--files-with-matches"
                    || a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('l')
            }) =>
        {
            let pattern_given = has("-e") || args.iter().any(|a| a.text.starts_with("--regexp"));
            let ops = operands("eAmBCfgt", &["regexp", "glob", "type", "max-count", "file"]);
            let skip = usize::from(!pattern_given);
            Some(or_here(ops.into_iter().skip(skip).collect()))
        }
        "git" => {
            let words: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
            let lists = matches!(words.as_slice(), ["ls-files", ..])
                || (words.first() == Some(&"diff") && words.contains(&"--name-only"));
            lists.then(|| vec![Word::literal(".")])
        }
        _ => None,
    }
}

/// The roots a file walker searches: `find`'s operands before the
/// expression, `fd`'s after its pattern, or `.` when there are none. The
/// paths a `find -exec` or `fd -x` command's `{}` stands for are below
/// them.
pub fn walk_roots(c: &shell::Command) -> Vec<Word> {
    super::fd::fd_walk(c).map_or_else(|| find_roots(c), |w| w.roots)
}

/// The roots a `find` searches: its operands before the expression, or
/// `.` when there are none.
pub(crate) fn find_roots(find: &shell::Command) -> Vec<Word> {
    let roots: Vec<Word> = find
        .args()
        .iter()
        .skip_while(|w| matches!(w.text.as_str(), "-H" | "-L" | "-P") || w.text.starts_with("-O"))
        .take_while(|w| {
            let t = w.text.as_str();
            !(matches!(t, "(" | "!" | ")" | ",") || (t.starts_with('-') && t.len() > 1))
        })
        .cloned()
        .collect();
    if roots.is_empty() {
        return vec![Word::literal(".")];
    }
    roots
}

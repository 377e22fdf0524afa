//! The scripts a session wrote, remembered so that running one later is
//! judged by what it holds.
//!
//! A write the gate let through (allowed, or approved by a reviewer and
//! proposed again) whose path or content makes it a script — a shell
//! script, a Makefile, a justfile, `package.json`, a git hook, a CI
//! workflow, a Dockerfile, a notebook: the rules of
//! [`clawlaw_sdk::implied::scripts`] — is remembered with its content
//! ([`Written::remember`]; an `Edit` of a remembered file is applied to it;
//! an edit of a file the session did not write is remembered as the
//! fragment it adds). When a later `shell.exec` runs one of them
//! ([`Written::run_by`]):
//!
//! | command | runs |
//! |---|---|
//! | `bash x.sh`, `sh x.sh`, `zsh x.sh`, `source x.sh`, `. x.sh`, `python3 x`, `node x` | the remembered file (the first operand) |
//! | `./x.sh`, `/abs/x.sh`, `dir/x.sh` | the remembered file the program names |
//! | `make [-C dir] [-f file] [target…]` | the named targets' recipes of the Makefile there (every recipe when none of the names is a target) |
//! | `just [recipe…]` | the named recipes (every recipe when none is named or found) |
//! | `npm|pnpm|yarn|bun run X`, `npm test`, `npm start` | script X with its `preX`/`postX` |
//! | `npm|pnpm|yarn|bun install`, `npm ci` | `preinstall`, `install`, `postinstall`, `prepare` |
//!
//! Paths resolve against the action's `cwd`, after any `cd dir` earlier in
//! the same line. [`evaluate`] then runs the policy set on the command and
//! on each remembered command line as a `shell.exec` (same tool, id and
//! cwd), and combines: the most severe evaluation wins, its reason names the
//! script, risk is the highest, rules and labels are unioned; counters and
//! the evidence's list of policies come from the command's own evaluation
//! (each policy's verdict and rules raised to what it answered for the
//! script). Memory is bounded: [`MAX_SCRIPTS`] files of at most
//! [`MAX_SCRIPT_BYTES`] each (a longer file keeps its first bytes), the
//! oldest forgotten first.

use std::collections::VecDeque;

use clawlaw_sdk::implied::{self, Runnable, scripts};
use clawlaw_sdk::{Action, Session, Verdict, kinds, shell};
use serde::Deserialize;

use clawlaw_engine::combine::Evaluation;
use clawlaw_engine::policy_set::PolicySet;

/// Scripts remembered per session.
pub const MAX_SCRIPTS: usize = 64;
/// Bytes of one script remembered.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;
/// Most remembered command lines judged for one action.
const MAX_RUNS: usize = 32;

/// One remembered script.
#[derive(Debug, Clone)]
struct Script {
    /// Absolute and normalised.
    path: String,
    content: String,
}

/// The scripts one session wrote, oldest first.
#[derive(Debug, Default)]
pub struct Written {
    scripts: VecDeque<Script>,
}

impl Written {
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// Remembers the scripts `action` writes, when the gate let it through.
    pub fn remember(&mut self, action: &Action, evaluation: Verdict) {
        if evaluation != Verdict::Allow {
            return;
        }
        match action.kind.as_str() {
            kinds::FILE_WRITE => self.write(action),
            kinds::TOOL_CALL => {
                for w in implied::implied(action)
                    .iter()
                    .filter(|a| a.kind == kinds::FILE_WRITE)
                {
                    self.write(w);
                }
            }
            _ => {}
        }
    }

    fn write(&mut self, action: &Action) {
        let Some(target) = action.target.clone().or_else(|| {
            ["file_path", "path", "notebook_path"]
                .iter()
                .find_map(|k| action.input_str(k))
        }) else {
            return;
        };
        let Ok(path) = clawlaw_sdk::path::normalize(&target, action.cwd.as_deref(), None) else {
            return;
        };
        let edit: Edit = action.input_as().unwrap_or_default();
        let known = self.scripts.iter().position(|s| s.path == path);
        let content = match (known, edit.replacements()) {
            (Some(i), Some(replacements)) => {
                let mut c = self.scripts[i].content.clone();
                for (old, new, all) in replacements {
                    c = match (c.contains(old.as_str()), all) {
                        (true, true) => c.replace(old.as_str(), &new),
                        (true, false) => c.replacen(old.as_str(), &new, 1),
                        (false, _) => format!("{c}\n{new}"),
                    };
                }
                c
            }
            _ => match &action.content {
                Some(c) if !c.is_empty() => c.clone(),
                _ => return,
            },
        };
        if let Some(i) = known {
            self.scripts.remove(i);
        }
        if scripts::format(&path, &content).is_none() {
            return;
        }
        let mut content = content;
        if content.len() > MAX_SCRIPT_BYTES {
            let mut cut = MAX_SCRIPT_BYTES;
            while !content.is_char_boundary(cut) {
                cut -= 1;
            }
            content.truncate(cut);
        }
        if self.scripts.len() >= MAX_SCRIPTS {
            self.scripts.pop_front();
        }
        self.scripts.push_back(Script { path, content });
    }

    fn get(&self, path: &str) -> Option<&Script> {
        self.scripts.iter().rev().find(|s| s.path == path)
    }

    /// The remembered command lines a `shell.exec` would run, each as a
    /// `shell.exec` action of its own (same id, tool and cwd) whose input
    /// names the script.
    pub fn run_by(&self, action: &Action) -> Vec<Action> {
        if self.scripts.is_empty() || action.kind != kinds::SHELL_EXEC {
            return Vec::new();
        }
        let Some(command) = action.command.as_deref() else {
            return Vec::new();
        };
        let line = shell::parse(command);
        let mut cwd = action.cwd.clone();
        let mut out = Vec::new();
        for c in &line.commands {
            if out.len() >= MAX_RUNS {
                break;
            }
            if c.program == "cd" && c.depth == 0 {
                if let Some(dir) = c.operands().next() {
                    cwd = self.resolve(&dir.text, cwd.as_deref());
                }
                continue;
            }
            for (script, runs) in self.runs_of(c, cwd.as_deref()) {
                for r in runs {
                    out.push(script_action(action, &script.path, &r));
                }
            }
        }
        out.truncate(MAX_RUNS);
        out
    }

    fn resolve(&self, path: &str, cwd: Option<&str>) -> Option<String> {
        clawlaw_sdk::path::normalize(path, cwd, None).ok()
    }

    /// The scripts one command runs, with the command lines it runs of each.
    fn runs_of(&self, c: &shell::Command, cwd: Option<&str>) -> Vec<(&Script, Vec<Runnable>)> {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        let in_dir = |dir: Option<&str>, names: &[&str]| -> Option<&Script> {
            let dir = match dir {
                Some(d) => self.resolve(d, cwd)?,
                None => cwd?.to_string(),
            };
            names
                .iter()
                .find_map(|n| self.get(&format!("{}/{n}", dir.trim_end_matches('/'))))
        };
        match c.program.as_str() {
            "make" | "gmake" => {
                let (dir, file, targets) = make_args(&args);
                let script = match file {
                    Some(f) => {
                        let base = dir.and_then(|d| self.resolve(d, cwd));
                        self.resolve(f, base.as_deref().or(cwd))
                            .and_then(|p| self.get(&p))
                    }
                    None => in_dir(dir, &["GNUmakefile", "makefile", "Makefile"]),
                };
                script
                    .map(|s| vec![(s, named(&s.path, &s.content, &targets))])
                    .unwrap_or_default()
            }
            "just" => {
                let recipes: Vec<String> = c
                    .operands()
                    .filter(|w| !w.text.contains('='))
                    .map(|w| w.text.clone())
                    .collect();
                in_dir(None, &["justfile", "Justfile", ".justfile"])
                    .map(|s| vec![(s, named(&s.path, &s.content, &recipes))])
                    .unwrap_or_default()
            }
            "npm" | "pnpm" | "yarn" | "bun" => {
                let names = package_scripts(&c.program, &args);
                if names.is_empty() {
                    return Vec::new();
                }
                in_dir(None, &["package.json"])
                    .map(|s| {
                        let runs = scripts::runnables(&s.path, &s.content)
                            .into_iter()
                            .filter(|r| r.name.as_ref().is_some_and(|n| names.contains(n)))
                            .collect();
                        vec![(s, runs)]
                    })
                    .unwrap_or_default()
            }
            "bash" | "sh" | "zsh" | "dash" | "ksh" | "source" | "." | "python" | "python3"
            | "node" | "perl" | "ruby" => {
                if c.program.ends_with("sh") && c.has_flag('c') {
                    return Vec::new();
                }
                // The first operand the session wrote (an option's value,
                // `-o pipefail`, is not a script it remembers).
                c.operands()
                    .filter_map(|w| self.resolve(&w.text, cwd))
                    .find_map(|p| self.get(&p))
                    .map(|s| vec![whole(s)])
                    .unwrap_or_default()
            }
            _ => {
                let Some(program) = c.argv.first().map(|w| w.text.as_str()) else {
                    return Vec::new();
                };
                if !program.contains('/') {
                    return Vec::new();
                }
                self.resolve(program, cwd)
                    .and_then(|p| self.get(&p))
                    .map(|s| vec![whole(s)])
                    .unwrap_or_default()
            }
        }
    }
}

/// Every command line a remembered script runs.
fn whole(s: &Script) -> (&Script, Vec<Runnable>) {
    (s, scripts::runnables(&s.path, &s.content))
}

/// The runnables of `names` (targets, recipes) in a file; every runnable
/// when no name is given or none names one of them.
fn named(path: &str, content: &str, names: &[String]) -> Vec<Runnable> {
    let all = scripts::runnables(path, content);
    let picked: Vec<Runnable> = all
        .iter()
        .filter(|r| r.name.as_ref().is_some_and(|n| names.contains(n)))
        .cloned()
        .collect();
    if picked.is_empty() { all } else { picked }
}

/// `make`'s directory (`-C`), file (`-f`) and targets.
fn make_args<'a>(args: &[&'a str]) -> (Option<&'a str>, Option<&'a str>, Vec<String>) {
    let (mut dir, mut file, mut targets) = (None, None, Vec::new());
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let value = |flag: &str, long: &[&str]| -> Option<(&'a str, usize)> {
            if a == flag {
                return args.get(i + 1).map(|v| (*v, 2));
            }
            if let Some(v) = a.strip_prefix(flag).filter(|v| !v.is_empty()) {
                return Some((v, 1));
            }
            long.iter().find_map(|l| a.strip_prefix(l)).map(|v| (v, 1))
        };
        if let Some((v, n)) = value("-C", &["--directory="]) {
            dir = Some(v);
            i += n;
        } else if let Some((v, n)) = value("-f", &["--file=", "--makefile="]) {
            file = Some(v);
            i += n;
        } else {
            if !a.starts_with('-') && !a.contains('=') {
                targets.push(a.to_string());
            }
            i += 1;
        }
    }
    (dir, file, targets)
}

/// The `package.json` scripts a package manager command runs.
fn package_scripts(program: &str, args: &[&str]) -> Vec<String> {
    let words: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let with_hooks = |name: &str| {
        vec![
            format!("pre{name}"),
            name.to_string(),
            format!("post{name}"),
        ]
    };
    match words.as_slice() {
        ["run" | "run-script" | "rum" | "urn", name, ..] => with_hooks(name),
        ["test" | "t" | "tst" | "start" | "stop" | "restart", ..] => {
            let name = match words[0] {
                "t" | "tst" => "test",
                w => w,
            };
            with_hooks(name)
        }
        [] if program == "yarn" => install_hooks(),
        ["install" | "i" | "ci" | "add" | "isntall", ..] => install_hooks(),
        [name, ..] if program != "npm" => with_hooks(name),
        _ => Vec::new(),
    }
}

fn install_hooks() -> Vec<String> {
    [
        "preinstall",
        "install",
        "postinstall",
        "prepare",
        "prepublish",
    ]
    .map(String::from)
    .to_vec()
}

/// One remembered command line as the action the policies judge.
fn script_action(action: &Action, path: &str, r: &Runnable) -> Action {
    let unit = r
        .name
        .as_deref()
        .map_or(String::new(), |n| format!(" `{n}`"));
    let origin = format!(
        "the {}{unit} of {path}, which this session wrote, would run",
        r.what
    );
    Action {
        id: action.id.clone(),
        kind: kinds::SHELL_EXEC.into(),
        tool: action.tool.clone(),
        target: None,
        command: Some(r.command.clone()),
        content: None,
        input: serde_json::json!({
            "implied_from": r.what,
            "origin": origin,
            "script": path,
        })
        .to_string(),
        cwd: action.cwd.clone(),
    }
}

/// What an `Edit`/`MultiEdit` input replaces.
#[derive(Debug, Default, Deserialize)]
struct Edit {
    old_string: Option<String>,
    new_string: Option<String>,
    #[serde(default)]
    replace_all: bool,
    #[serde(default)]
    edits: Vec<Edit>,
}

impl Edit {
    /// `(old, new, all)` for each replacement, or `None` for a whole write.
    fn replacements(self) -> Option<Vec<(String, String, bool)>> {
        let one = |e: Edit| Some((e.old_string?, e.new_string?, e.replace_all));
        if !self.edits.is_empty() {
            return self.edits.into_iter().map(one).collect();
        }
        one(self).map(|r| vec![r])
    }
}

/// Appends the items of `from` that `to` does not hold yet.
fn add_missing(to: &mut Vec<String>, from: Vec<String>) {
    for x in from {
        if !to.contains(&x) {
            to.push(x);
        }
    }
}

/// Evaluates `action` and each remembered command line it runs, and
/// combines them (see the module documentation).
pub fn evaluate(set: &PolicySet, action: &Action, view: &Session, runs: &[Action]) -> Evaluation {
    let mut e = set.evaluate(action, view);
    for run in runs {
        let s = set.evaluate(run, view);
        let origin = implied::origin(run).unwrap_or_default();
        if s.evaluation > e.evaluation {
            e.evaluation = s.evaluation;
            e.reason = format!("{origin}: {}", s.reason);
        }
        e.risk = e.risk.max(s.risk);
        add_missing(&mut e.rules, s.rules);
        add_missing(&mut e.labels, s.labels);
        for (mine, theirs) in e.policies.iter_mut().zip(s.policies) {
            if mine.policy.name != theirs.policy.name {
                continue;
            }
            if theirs.verdict > mine.verdict {
                mine.verdict = theirs.verdict;
                mine.reason = format!("{origin}: {}", theirs.reason);
            }
            mine.risk = mine.risk.max(theirs.risk);
            add_missing(&mut mine.rules, theirs.rules);
        }
    }
    e
}

#[cfg(test)]
mod tests;

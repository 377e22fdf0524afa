//! Walking a parsed line command by command: the working directory each
//! command runs in (`cd` followed through `&&`, `;`, groups and `eval`,
//! not out of subshells, substitutions and `sh -c` strings), the variables
//! assigned in the line (which are not environment reads), and, for each
//! command, its redirections and its program (`commands.rs`), recorded
//! through its [`Cx`].

use std::collections::HashSet;

use super::args::piped_source;
use super::commands;
use super::context::{Analyzer, Cx, Kind};
use super::options::parse;
use crate::shell::{self, CommandKind, CommandLine, Origin, RedirectOp, Word};

/// Analyses `line` starting in `cwd`. `anchor` is the outer command a
/// nested line's effects are attributed to; `level` its nesting.
pub(crate) fn line(
    a: &mut Analyzer<'_>,
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
            a,
            line,
            index: i,
            at,
            cwd: here.clone(),
            level,
        };
        let next = next_cwd(&cx);
        if let Some(w) = wrapper_dir(&line.commands[i]) {
            let dir = cx.targets(w, 0).pop();
            cx.cwd = dir.filter(|t| !t.dynamic).map(|t| t.path);
        }
        command(&mut cx, &assigned);
        // `A | while read p; do kill $p; done`: `$p` is what `A` prints.
        let read_from = (c.program == "read" && !c.program_dynamic)
            .then(|| line.upstream(i))
            .filter(|up| !up.is_empty())
            .map(|_| piped_source(&cx));
        ran_in.push(here);
        if let Some(d) = next {
            scopes[sid] = Some(d);
        }
        record_values(a, c, read_from);
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

/// Most variables, and values per variable, remembered for a line.
const MAX_VARS: usize = 64;
const MAX_VALUES: usize = 16;

/// The values command `c` gives variables ([`shell::Command::assigned`]:
/// `for f in /var/log/*.log` makes `$f` any of those files), and a `read`
/// fed by a pipeline (`read_from`, as `$(A)`) its names. A value added
/// to another (`NAME+=…`) is not known as written: the variable is
/// forgotten.
fn record_values(a: &mut Analyzer<'_>, c: &shell::Command, read_from: Option<String>) {
    if let Some(source) = read_from {
        for name in parse(c.args(), "adinNptu", "", &[]).operands {
            a.vars.retain(|(n, _)| *n != name.text);
            if a.vars.len() < MAX_VARS {
                a.vars
                    .push((name.text.clone(), vec![Word::literal(&source)]));
            }
        }
    }
    for x in c.assigned() {
        a.vars.retain(|(n, _)| *n != x.name);
        if !x.append && a.vars.len() < MAX_VARS {
            let values = x.values.into_iter().take(MAX_VALUES).collect();
            a.vars.push((x.name, values));
        }
    }
}

/// The directory a wrapper runs its command in: `env -C DIR`, `env
/// --chdir=DIR`, `sudo -D DIR`, `sudo --chdir=DIR`.
fn wrapper_dir(c: &shell::Command) -> Option<&Word> {
    let mut found = None;
    for w in &c.wrappers {
        let names: &[&str] = match w.program.as_str() {
            "env" => &["-C", "--chdir"],
            "sudo" => &["-D", "--chdir"],
            _ => continue,
        };
        found = w.option_values(names).last().or(found);
    }
    found
}

/// Whether commands nested this way run in their parent's shell (and so
/// see, and make, its `cd`s).
fn shares_shell(origin: Origin) -> bool {
    matches!(origin, Origin::Group | Origin::Eval | Origin::CaseArm)
}

/// Everything about one command.
fn command(cx: &mut Cx, assigned: &HashSet<&str>) {
    let c = cx.cmd();
    for w in c.argv.iter().chain(c.redirects.iter().map(|r| &r.target)) {
        word_vars(cx, w, assigned);
    }
    for a in &c.assignments {
        word_vars(cx, &a.value, assigned);
    }
    for r in &c.redirects {
        if let Some(body) = &r.here_doc
            && !r.target.quoted
        {
            for name in shell_vars(body) {
                if !assigned.contains(name) {
                    cx.env(name);
                }
            }
        }
    }
    redirects(cx);
    super::procs::entered(cx);
    if c.kind != CommandKind::Simple || c.argv.is_empty() {
        return;
    }
    if c.program_dynamic {
        let why = format!("the program `{}` is only known at run time", c.program);
        cx.unresolved(why);
        return;
    }
    commands::program(cx);
}

/// Records the variables a word expands.
fn word_vars(cx: &mut Cx, w: &Word, assigned: &HashSet<&str>) {
    for s in w.dynamic_spans() {
        let part = &w.text[s];
        for name in shell_vars(part) {
            if !assigned.contains(name) {
                cx.env(name);
            }
        }
    }
}

/// The working directory after this command, when it changes it.
fn next_cwd(cx: &Cx) -> Option<Option<String>> {
    let c = cx.cmd();
    if c.kind != CommandKind::Simple || c.program_dynamic {
        return None;
    }
    match c.program.as_str() {
        "cd" | "pushd" | "chdir" => {
            let dir = c.operands().next();
            Some(match dir {
                None if c.program == "pushd" => None,
                None => cx.a.home.map(str::to_string),
                Some(w) if w.text == "-" => None,
                Some(w) => {
                    let t = cx.targets(w, 0).pop()?;
                    (!t.dynamic).then_some(t.path)
                }
            })
        }
        "popd" => Some(None),
        _ => None,
    }
}

/// Records the effects of a command's redirections.
fn redirects(cx: &mut Cx) {
    let c = cx.cmd();
    for r in &c.redirects {
        let how = match r.op {
            RedirectOp::Write => "redirect >",
            RedirectOp::Append => "redirect >>",
            RedirectOp::Clobber => "redirect >|",
            RedirectOp::WriteAll => "redirect &>",
            RedirectOp::AppendAll => "redirect &>>",
            RedirectOp::ReadWrite => "redirect <>",
            RedirectOp::Read => "redirect <",
            _ => continue,
        };
        // bash's `/dev/tcp/HOST/PORT`: a connection, not a file.
        if let Some(rest) = r
            .target
            .text
            .strip_prefix("/dev/tcp/")
            .or_else(|| r.target.text.strip_prefix("/dev/udp/"))
        {
            let host = rest.split('/').next().unwrap_or("").to_string();
            let sends = r.op.writes_file();
            cx.net(
                "bash /dev/tcp",
                Some(r.target.text.clone()),
                Some(host),
                sends,
            );
            continue;
        }
        if matches!(r.op, RedirectOp::Read | RedirectOp::ReadWrite) {
            cx.path(Kind::Read, &r.target, 0, how, false);
        }
        if r.op.writes_file() {
            cx.path(Kind::Write, &r.target, 0, how, false);
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

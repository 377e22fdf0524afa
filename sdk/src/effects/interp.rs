//! Programs that run other programs' code: shells running a script or their
//! standard input, the interpreters of Python, Node.js, Perl, Ruby and PHP
//! running a script, inline code (`-c`, `-e`, `-p`, `-r`) or code fed on
//! standard input (`python3 - <<'EOF'`, `echo … | node`), and `go run` of
//! a program fed on standard input (`go run /dev/stdin <<< '…'`). Inline
//! code of R, Julia, Lua, Groovy, Elixir, Racket, Scala, Guile, Tcl and
//! JShell is read by what most languages share: the commands it runs and
//! the files it removes by their common names (`system("…")`,
//! `unlink("~/x", recursive = TRUE)`, `os.remove(…)`).
//!
//! Inline code is read with [`super::code`]: each call of a well-known
//! file, process or network API becomes the effect the equivalent shell
//! command would have (`shutil.rmtree('/x')` deletes `/x` recursively like
//! `rm -r /x`), and the shell commands it runs (`os.system`,
//! `child_process.execSync`, Perl's `system` and backquotes, …) are parsed
//! and analysed like the line itself. A call whose path, command or URL is
//! computed at run time, and code evaluated from a string that is not a
//! literal (`eval(x)`, `exec(s)`), is [`super::Unresolved`]; a computed path
//! is also recorded as `*`, which may touch anything. Code run from text
//! the code decodes or fetches at run time is `hidden_code`'s.

use super::apis::{Act, RECV, Uses, action, unalias};
use super::args::stdin_text;
use super::call_args::{path, shell_call};
use super::code::{self, Call, Lang, Val};
use super::context::{Cx, Kind, STDIN_ARGS};
use super::hidden_code::{decoded_code, runs_built_code};
use super::{MAX_NESTING, addresses};
use crate::shell::{self, Word};

/// Records what a shell or interpreter runs; other programs have no
/// effect here.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) {
    // `python3 -m webbrowser [-n|-t] URL`: the desktop's browser.
    if is_python(prog)
        && args.first().is_some_and(|w| w.text == "-m")
        && args.get(1).is_some_and(|w| w.text == "webbrowser")
    {
        super::net::browse(cx, prog, &args[2..]);
        return;
    }
    if prog == "go" {
        return go_run(cx, args);
    }
    let (lang, code_opts, valued, attached): (Option<Lang>, &str, &str, &str) = match prog {
        p if is_shell(p) => (None, "", "o", ""),
        p if is_python(p) => (Some(Lang::Python), "c", "WXQm", ""),
        "node" | "nodejs" | "bun" => (Some(Lang::Node), "ep", "r", ""),
        "deno" => (Some(Lang::Node), "", "", ""),
        "perl" => (Some(Lang::Perl), "eE", "", "IMmil0xCdD"),
        "ruby" | "jruby" => (Some(Lang::Ruby), "e", "rICEFx", ""),
        "php" => (Some(Lang::Php), "rBRE", "dcz", ""),
        // Languages read only by what most have in common (`apis.rs`).
        "Rscript" | "R" | "lua" | "luajit" | "lua5.1" | "lua5.2" | "lua5.3" | "lua5.4"
        | "groovy" | "elixir" | "racket" | "scala" => (Some(Lang::Other), "e", "l", ""),
        "julia" => (Some(Lang::Other), "eE", "ptJLC", ""),
        "guile" => (Some(Lang::Other), "c", "lLx", ""),
        "tclsh" | "wish" | "jshell" => (Some(Lang::Other), "", "", ""),
        _ => return,
    };
    let mut code: Vec<&str> = Vec::new();
    let mut script = None;
    let mut stdin = false;
    let mut flags = String::new();
    let mut k = 0;
    let mut ops_from = args.len();
    // Options end at the first operand: what follows belongs to the script.
    while k < args.len() {
        let w = &args[k];
        let t = w.text.as_str();
        k += 1;
        if t == "-" {
            stdin = true;
            ops_from = k;
            break;
        }
        if t == "--" {
            script = args.get(k);
            ops_from = k + 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, value) = long
                .split_once('=')
                .map_or((long, None), |(n, v)| (n, Some(v)));
            match name {
                "eval" | "print" | "command" => match value {
                    Some(v) => code.push(v),
                    None => {
                        code.extend(args.get(k).map(|w| w.text.as_str()));
                        k += 1;
                    }
                },
                "require" | "import" | "loader" | "rcfile" | "init-file" if value.is_none() => {
                    k += 1
                }
                _ => {}
            }
            continue;
        }
        if !(t.starts_with('-') || (t.starts_with('+') && lang.is_none())) || t.len() < 2 {
            if prog == "deno" && matches!(t, "run" | "eval") {
                if t == "eval" {
                    code.extend(args.get(k).map(|w| w.text.as_str()));
                    ops_from = args.len();
                    break;
                }
                continue;
            }
            if prog == "bun" && t == "run" {
                continue;
            }
            if prog == "php" && t.starts_with("-f") {
                continue;
            }
            if !code.is_empty() {
                // `perl -pi -e CODE FILE…`: the operands are the code's.
                ops_from = k - 1;
                break;
            }
            script = Some(w);
            ops_from = k;
            break;
        }
        let mut digits_until = 0;
        for (j, ch) in t.char_indices().skip(1) {
            if j < digits_until {
                continue;
            }
            let rest = &t[j + ch.len_utf8()..];
            if lang == Some(Lang::Perl) && matches!(ch, 'l' | '0') {
                // `-l[octal]`, `-0[digits]`: only digits are their value.
                digits_until = j + 1 + rest.bytes().take_while(u8::is_ascii_digit).count();
                flags.push(ch);
                continue;
            }
            if code_opts.contains(ch) {
                if rest.is_empty() {
                    code.extend(args.get(k).map(|w| w.text.as_str()));
                    k += 1;
                } else {
                    code.push(rest);
                }
                break;
            }
            if prog == "php" && ch == 'f' {
                script = if rest.is_empty() { args.get(k) } else { None };
                k += 1;
                break;
            }
            if attached.contains(ch) {
                flags.push(ch);
                break;
            }
            if valued.contains(ch) {
                if rest.is_empty() {
                    k += 1;
                }
                if ch == 'm' && lang == Some(Lang::Python) {
                    ops_from = args.len();
                    k = args.len();
                }
                break;
            }
            flags.push(ch);
        }
        if lang.is_none() && flags.contains('c') {
            // `echo 'pkill x' | xargs -0 sh -c`: the string is xargs's
            // input, read as the shell's script.
            let from_xargs = args.get(k).is_some_and(|w| w.text == STDIN_ARGS);
            if !from_xargs {
                return; // `sh -c STR`: the parser analysed STR.
            }
            stdin = true;
            break;
        }
        if !code.is_empty() && matches!(lang, Some(Lang::Python)) {
            ops_from = args.len();
            break;
        }
    }
    if lang.is_none() && flags.contains('s') {
        stdin = true;
        script = None;
    }
    if let Some(s) = script.filter(|_| code.is_empty()) {
        let path = cx.targets(s, 0).pop().map(|t| t.path);
        let rest = args[ops_from.min(args.len())..]
            .iter()
            .map(|w| w.text.clone())
            .collect();
        cx.exec(shell::basename(&s.text), path, rest, None);
        return;
    }
    let how = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let code = if code.is_empty() {
        match stdin_text(cx) {
            Ok(Some(text)) => text,
            Ok(None) if !stdin => return,
            _ => {
                cx.unresolved(format!("`{prog}` runs code read from its input"));
                return;
            }
        }
    } else {
        code.join("\n")
    };
    if let Some(e) =
        cx.a.out
            .executes
            .iter_mut()
            .rev()
            .find(|e| e.command == cx.at)
    {
        e.code = Some(code.clone());
    }
    match lang {
        None => cx.nested_shell(&code),
        Some(l) => {
            analyze(cx, l, how, &code);
            if l == Lang::Perl {
                let files = args
                    .iter()
                    .skip(ops_from)
                    .filter(|w| !w.text.starts_with('-'));
                let (kind, how) = if flags.contains('i') {
                    (Kind::Write, "perl -i")
                } else {
                    (Kind::Read, "perl")
                };
                if flags.contains('i') || flags.contains('n') || flags.contains('p') {
                    for w in files {
                        cx.path(kind, w, 0, how, false);
                    }
                }
            }
        }
    }
}

/// `go run /dev/stdin <<< 'package main; …'`: the program is read from
/// standard input, so it is analysed as code; a `go run` of files or
/// packages builds the project's own code, which the line does not show.
fn go_run(cx: &mut Cx, args: &[Word]) {
    if !go_runs_stdin(args) {
        return;
    }
    match stdin_text(cx) {
        Ok(Some(code)) => analyze(cx, Lang::Go, "go run", &code),
        _ => cx.unresolved("`go run` runs a program read from its input".to_string()),
    }
}

/// Whether `go`'s arguments run a program read from standard input (`go
/// run /dev/stdin`, `go run /dev/fd/0`).
pub fn go_runs_stdin(args: &[Word]) -> bool {
    let mut words = args.iter().map(|w| w.text.as_str());
    words.next() == Some("run") && words.any(|w| matches!(w, "/dev/stdin" | "/dev/fd/0"))
}

pub(crate) fn is_shell(p: &str) -> bool {
    matches!(
        p,
        "sh" | "bash"
            | "zsh"
            | "dash"
            | "ksh"
            | "mksh"
            | "ash"
            | "yash"
            | "fish"
            | "csh"
            | "tcsh"
            | "rbash"
    )
}

pub(super) fn is_python(p: &str) -> bool {
    let rest = p.strip_prefix("python").or_else(|| p.strip_prefix("pypy"));
    rest.is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// Scans `src` (code of `lang`, run by `how`) and records its effects.
pub(crate) fn analyze(cx: &mut Cx, lang: Lang, how: &str, src: &str) {
    if cx.level >= MAX_NESTING || src.len() > cx.a.budget {
        cx.unresolved(format!(
            "`{how}` code nested too deeply or too large to analyse"
        ));
        return;
    }
    cx.a.budget -= src.len();
    let toks = code::tokens(src, lang);
    for (var, shown) in super::environ::reads(&toks) {
        cx.env_read(&var, shown);
    }
    let toks = code::bind_constants(toks, lang);
    let (mut calls, cmds) = code::calls(&toks, lang);
    unalias(&toks, lang, &mut calls);
    let uses = Uses::of(src, lang);
    let network_before = cx.a.out.network.len();
    let mut cmds = cmds.into_iter().peekable();
    for call in &calls {
        while let Some((_, c)) = cmds.next_if(|(at, _)| *at < call.at) {
            cx.nested_shell(&c);
        }
        apply(cx, lang, how, call, uses);
        decoded_code(cx, lang, how, call, uses, analyze);
    }
    for (_, c) in cmds {
        cx.nested_shell(&c);
    }
    if cx.a.out.network.len() > network_before
        && let Some(runs) = runs_built_code(&toks, &calls)
    {
        cx.decoded(format!("{how} {runs}"), true);
    }
}

fn apply(cx: &mut Cx, lang: Lang, prog: &str, c: &Call, uses: Uses) {
    let Some(act) = action(lang, c, uses) else {
        return;
    };
    let name = c.name.join(".");
    let how = format!("{prog} {name}");
    let recv_arg = c
        .recv_call
        .as_ref()
        .and_then(|(_, a)| a.first())
        .cloned()
        .unwrap_or(Val::Unknown);
    let arg = |k: usize| {
        if k == RECV {
            recv_arg.clone()
        } else {
            c.arg(k).clone()
        }
    };
    match act {
        Act::Read(k) => {
            let v = arg(k);
            if v.as_str().is_some_and(|s| s.contains("://")) {
                addresses::record(cx, &how, &v, false);
            } else {
                path(cx, Kind::Read, &v, &how, false);
            }
        }
        Act::Write(k) => path(cx, Kind::Write, &arg(k), &how, false),
        Act::Delete(k, rec) => path(
            cx,
            Kind::Delete,
            &arg(k),
            &how,
            rec || c.mentions(&["recursive"]),
        ),
        Act::DeleteAll(k, rec) => {
            for v in c.args.iter().skip(k) {
                match v {
                    Val::List(items) => items
                        .iter()
                        .for_each(|i| path(cx, Kind::Delete, i, &how, rec)),
                    v => path(cx, Kind::Delete, v, &how, rec),
                }
            }
            if c.args.len() <= k {
                path(cx, Kind::Delete, &Val::Unknown, &how, rec);
            }
        }
        Act::Move(a, b) => {
            path(cx, Kind::Delete, &arg(a), &how, true);
            path(cx, Kind::Write, &arg(b), &how, true);
        }
        Act::Copy(a, b, rec) => {
            path(cx, Kind::Read, &arg(a), &how, rec);
            path(cx, Kind::Write, &arg(b), &how, rec);
        }
        Act::Open => {
            let p = arg(0);
            if p.as_str().is_some_and(|s| s.contains("://")) {
                return addresses::record(cx, &how, &p, false);
            }
            let mode = c.kwarg("mode").cloned().unwrap_or_else(|| c.arg(1).clone());
            let write = match (&mode, c.args.len() < 2 && c.kwarg("mode").is_none()) {
                (_, true) => lang == Lang::Ruby && c.method() == "write",
                // PHP's `c` opens for writing without truncating.
                (Val::Str(m), _) => {
                    m.contains(['w', 'a', 'x', '+']) || (lang == Lang::Php && m.contains('c'))
                }
                _ => true,
            };
            let write = write || c.method() == "write" || c.method() == "binwrite";
            path(
                cx,
                if write { Kind::Write } else { Kind::Read },
                &p,
                &how,
                false,
            );
        }
        Act::PerlOpen => {
            let (mode, target) = match (c.arg(1), c.arg(2)) {
                (Val::Str(m), t @ Val::Str(_)) if c.args.len() >= 3 => {
                    (m.trim().to_string(), t.clone())
                }
                (Val::Str(spec), _) if c.args.len() == 2 => {
                    let s = spec.trim();
                    let m: String = s
                        .chars()
                        .take_while(|ch| matches!(ch, '<' | '>' | '+' | '|' | '-'))
                        .collect();
                    (m.clone(), Val::Str(s[m.len()..].trim().to_string()))
                }
                _ => (String::new(), Val::Unknown),
            };
            let spec = c.arg(1).as_str().unwrap_or("");
            if mode.contains('|') || spec.trim_end().ends_with('|') {
                let cmd = target
                    .as_str()
                    .unwrap_or(spec)
                    .trim_end_matches('|')
                    .to_string();
                cx.nested_shell(&cmd);
            } else {
                let kind = if mode.contains(['>', '+']) || target == Val::Unknown {
                    Kind::Write
                } else {
                    Kind::Read
                };
                path(cx, kind, &target, &how, false);
            }
        }
        Act::OpenFlags(k) => {
            // `O_WRONLY | O_APPEND`; flags not known are taken to write.
            let says = |fs: &[&str]| c.words.iter().any(|w| fs.iter().any(|f| w.ends_with(f)));
            let write = !says(&["O_RDONLY"])
                || says(&["O_WRONLY", "O_RDWR", "O_APPEND", "O_TRUNC", "O_CREAT"]);
            let kind = if write { Kind::Write } else { Kind::Read };
            path(cx, kind, &arg(k), &how, false);
        }
        Act::Shell => shell_call(cx, &how, c),
        Act::Kill(k, all) => {
            let recv = [arg(RECV)];
            let from: &[Val] = if k == RECV { &recv } else { &c.args };
            let targets = from
                .iter()
                .skip(if k == RECV { 0 } else { k })
                .take(if all { usize::MAX } else { 1 })
                .map(|v| v.as_str().unwrap_or("(computed)").to_string())
                .collect::<Vec<_>>();
            cx.signal(
                &how,
                if targets.is_empty() {
                    vec!["(computed)".into()]
                } else {
                    targets
                },
            );
        }
        Act::Net => addresses::record(
            cx,
            &how,
            &addresses::of_call(c),
            c.mentions(&[
                "post",
                "put",
                "patch",
                "data",
                "json",
                "files",
                "body",
                "CURLOPT_POSTFIELDS",
            ]) || matches!(c.method(), "post" | "put" | "patch" | "post_form"),
        ),
        Act::Eval => match c.arg(0) {
            Val::Str(s) if cx.level < MAX_NESTING => {
                cx.level += 1;
                analyze(cx, lang, prog, s);
                cx.level -= 1;
            }
            _ => cx.unresolved(format!("`{how}` runs code built at run time")),
        },
    }
}

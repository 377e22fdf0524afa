//! Cargo build scripts (`build.rs`): Rust that `cargo build`, `check` and
//! `test` compile and run before the package itself, with the user's
//! rights. What such a script runs is read from its
//! `std::process::Command` builders — `Command::new("sh").arg("-c")
//! .arg("…")`, `.args(["a", "b"])`, and `.arg`/`.args` calls on a variable
//! the builder was bound to — as one command line each.
//!
//! Rust is not parsed: the reader follows string literals (plain and raw)
//! and balanced brackets, so a builder's arguments are read whatever the
//! code around them. An argument that is not a literal (`&out_dir`,
//! `format!(…)`) stands for a value only known when the script runs
//! (`"$BUILD_VALUE"`); a program that is not a literal
//! (`Command::new(env::var("RUSTC")?)`, the usual way to ask the compiler
//! for its version) is not read.

use crate::shell::quote;

use super::formats::{Found, argv_line};

/// Most command lines read from one build script.
const MAX_COMMANDS: usize = 64;
/// Most builders looked at, and most calls on one builder's variable
/// followed: with [`MAX_CALL_BYTES`], what bounds the work on hostile code.
const MAX_STEPS: usize = 256;
/// Longest call read: a bracket not closed within it is not closed.
const MAX_CALL_BYTES: usize = 64 * 1024;

/// The word standing for an argument only known when the script runs.
const RUNTIME_VALUE: &str = "\"$BUILD_VALUE\"";

/// An argument as the script gives it.
enum Arg {
    Literal(String),
    Runtime,
}

/// The command lines `build.rs` code starts.
pub fn commands(src: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut builders = 0;
    while let Some(at) = src[from..].find("Command::new(").map(|i| i + from) {
        builders += 1;
        if builders > MAX_STEPS {
            break;
        }
        let open = at + "Command::new".len();
        from = open + 1;
        let Some((args, after)) = call_args(src, open) else {
            continue;
        };
        let [Arg::Literal(program)] = args.as_slice() else {
            continue;
        };
        let mut argv = vec![Arg::Literal(program.clone())];
        let end = chain(src, after, &mut argv);
        // `let mut c = Command::new("sh");` then `c.arg("-c");` …: the
        // calls on the variable add to it.
        if let Some(name) = bound_name(&src[..at]) {
            // Up to the next builder, which may reuse the name.
            let limit = src[end..]
                .find("Command::new(")
                .map_or(src.len(), |i| i + end);
            let mut k = end;
            let method = format!("{name}.");
            let mut calls = 0;
            while let Some(i) = src[k..limit].find(&method).map(|i| i + k) {
                calls += 1;
                if calls > MAX_STEPS {
                    break;
                }
                let starts_word = !src[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                k = if starts_word {
                    chain(src, i + name.len(), &mut argv).max(i + 1)
                } else {
                    i + 1
                };
            }
        }
        out.push(Found {
            name: None,
            command: line(&argv),
        });
        if out.len() == MAX_COMMANDS {
            break;
        }
    }
    out
}

/// The command line of `argv`, spelt as the shell would read it.
fn line(argv: &[Arg]) -> String {
    let literal: Option<Vec<String>> = argv
        .iter()
        .map(|a| match a {
            Arg::Literal(s) => Some(s.clone()),
            Arg::Runtime => None,
        })
        .collect();
    match literal {
        Some(words) => argv_line(&words),
        None => argv
            .iter()
            .map(|a| match a {
                Arg::Literal(s) => quote(s),
                Arg::Runtime => RUNTIME_VALUE.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Follows `.arg(…)`/`.args(…)` (and skips any other method call) from
/// byte `at`; returns where the chain ends.
fn chain(src: &str, mut at: usize, argv: &mut Vec<Arg>) -> usize {
    loop {
        let rest = &src[at..];
        let trimmed = rest.trim_start();
        let Some(after_dot) = trimmed.strip_prefix('.') else {
            return at;
        };
        let method_at = at + (rest.len() - after_dot.len());
        let method_len = after_dot
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after_dot.len());
        let method = &after_dot[..method_len];
        let open = method_at + method_len;
        // `.status()?`, `.unwrap()`: calls, followed; a field ends the
        // chain.
        if !src[open..].starts_with('(') {
            return at;
        }
        let Some((args, after)) = call_args(src, open) else {
            return at;
        };
        match method {
            "arg" => argv.extend(args),
            // `.args(["a", "b"])`, `.args(&["a"])`, `.args(vec![…])`.
            "args" => match args.as_slice() {
                [Arg::Runtime] => argv.extend(list_items(src, open + 1, after - 1)),
                _ => argv.extend(args),
            },
            _ => {}
        }
        at = skip_question_marks(src, after);
    }
}

fn skip_question_marks(src: &str, at: usize) -> usize {
    at + src[at..].len() - src[at..].trim_start_matches('?').len()
}

/// The arguments of the call whose `(` is at byte `open`, and the byte
/// after its `)`. `None` when the brackets do not close.
fn call_args(src: &str, open: usize) -> Option<(Vec<Arg>, usize)> {
    let close = matching(src, open)?;
    let args = split_top(src, open + 1, close)
        .into_iter()
        .map(|(s, e)| literal(src[s..e].trim()).map_or(Arg::Runtime, Arg::Literal))
        .collect();
    Some((args, close + 1))
}

/// The items of the list expression between bytes `start` and `end` (`[…]`,
/// `&[…]`, `vec![…]`): each a literal or a run-time value; one run-time
/// value when it is not a list written out.
fn list_items(src: &str, start: usize, end: usize) -> Vec<Arg> {
    let lead = src[start..end].len() - src[start..end].trim_start().len();
    let expr = &src[start + lead..end];
    let body = expr.strip_prefix('&').unwrap_or(expr).trim_start();
    let body = body.strip_prefix("vec!").unwrap_or(body).trim_start();
    let open = start + lead + (expr.len() - body.len());
    if !body.starts_with('[') {
        return vec![Arg::Runtime];
    }
    match matching(src, open) {
        Some(close) => split_top(src, open + 1, close)
            .into_iter()
            .map(|(s, e)| literal(src[s..e].trim()).map_or(Arg::Runtime, Arg::Literal))
            .collect(),
        None => vec![Arg::Runtime],
    }
}

/// The byte of the bracket closing the one at `open`, string literals and
/// nested brackets skipped.
fn matching(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut k = open;
    let end = b.len().min(open.saturating_add(MAX_CALL_BYTES));
    while k < end {
        match b[k] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'"' | b'r' | b'\'' => {
                if let Some(end) = string_end(src, k).or_else(|| char_end(src, k)) {
                    k = end;
                    continue;
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// The spans of the comma-separated items between bytes `start` and `end`.
fn split_top(src: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut item = start;
    let mut k = start;
    while k < end {
        match b[k] {
            b'(' | b'[' | b'{' => {
                k = matching(src, k).map_or(end, |c| c + 1);
                continue;
            }
            b'"' | b'r' | b'\'' => {
                if let Some(e) = string_end(src, k).or_else(|| char_end(src, k)) {
                    k = e;
                    continue;
                }
            }
            b',' => {
                items.push((item, k));
                item = k + 1;
            }
            _ => {}
        }
        k += 1;
    }
    if !src[item..end].trim().is_empty() {
        items.push((item, end));
    }
    items
}

/// The byte after the string literal starting at `at` (`"…"`, `r"…"`,
/// `r#"…"#`), if one starts there.
fn string_end(src: &str, at: usize) -> Option<usize> {
    let rest = &src[at..];
    if let Some(body) = rest.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => return Some(at + 1 + i + 1),
                _ => escaped = false,
            }
        }
        return None;
    }
    // A raw string, not an identifier ending in `r`.
    let ident_before = src[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    let raw = rest.strip_prefix('r').filter(|_| !ident_before)?;
    let hashes = raw.len() - raw.trim_start_matches('#').len();
    let body = raw[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    body.find(&close)
        .map(|i| at + 1 + hashes + 1 + i + close.len())
}

/// The byte after the character literal starting at `at` (`'"'`, `'\\''`,
/// `'\u{7f}'`), if one starts there (not a lifetime).
fn char_end(src: &str, at: usize) -> Option<usize> {
    let rest = src[at..].strip_prefix('\'')?;
    let len = if let Some(esc) = rest.strip_prefix('\\') {
        match esc.chars().next()? {
            'u' => 1 + esc.find('\'').filter(|&i| i <= 10)?,
            c => 1 + c.len_utf8(),
        }
    } else {
        rest.chars().next()?.len_utf8()
    };
    rest[len..].starts_with('\'').then_some(at + 1 + len + 1)
}

/// The value of `expr` when it is a string literal, `.to_string()`/`.into()`
/// or a leading `&` aside.
fn literal(expr: &str) -> Option<String> {
    let expr = expr.trim_start_matches('&').trim();
    let expr = [".to_string()", ".to_owned()", ".into()"]
        .iter()
        .find_map(|s| expr.strip_suffix(s))
        .unwrap_or(expr);
    if string_end(expr, 0) != Some(expr.len()) {
        return None;
    }
    if let Some(raw) = expr.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        return Some(raw[hashes + 1..raw.len() - hashes - 1].to_string());
    }
    Some(unescape(&expr[1..expr.len() - 1]))
}

/// A Rust string literal's escapes read (`\n`, `\t`, `\\`, `\"`, `\'`,
/// `\0`, a line continuation); others are kept as written.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(q @ ('\\' | '"' | '\'')) => out.push(q),
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The variable a builder is bound to when the code before it ends with
/// `let NAME =` or `let mut NAME =`.
fn bound_name(before: &str) -> Option<&str> {
    let s = before
        .strip_suffix("std::process::")
        .or_else(|| before.strip_suffix("process::"))
        .unwrap_or(before);
    let s = s.trim_end().strip_suffix('=')?.trim_end();
    // `let mut c: Command =`.
    let s = match s.rsplit_once(':') {
        Some((head, ty)) if ty.trim() == "Command" => head.trim_end(),
        _ => s,
    };
    let name_at = s
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &s[name_at..];
    let head = s[..name_at].trim_end();
    let head = head.strip_suffix("mut").unwrap_or(head).trim_end();
    let is_let = head
        .strip_suffix("let")
        .is_some_and(|h| !h.ends_with(|c: char| c.is_alphanumeric() || c == '_'));
    (!name.is_empty() && is_let).then_some(name)
}

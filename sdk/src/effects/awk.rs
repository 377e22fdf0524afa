//! The commands an awk program hands to the shell: `system("…")` (literals
//! side by side joined, as awk joins them), `"…" |
//! getline`, `print … | "…"` (gawk's `|&` too). A literal command string
//! is analysed as a command line, one level deeper; a command awk computes
//! at run time (`system(cmd)`) is unresolved. And the files its `print`
//! and `printf` write (`print … > "/etc/passwd"`). And how awk's command
//! line is read: the options that take a value, and assignments among
//! the file operands.
//!
//! awk's strings are C-like, so the JavaScript tokenizer reads them; its
//! regular expressions and field references are of no interest here.

use super::code::{Lang, Tok, tokens};
use super::context::{Cx, Kind};
use crate::shell::Word;

/// awk's options that take a value (gawk's `-i`/`--include` among them):
/// short, then long.
pub(super) const SHORT: &str = "fFvi";
pub(super) const LONG: &[&str] = &["file", "field-separator", "assign", "include"];

/// Whether an awk operand is a variable assignment (`n=3`), not a file.
pub(super) fn is_assignment(t: &str) -> bool {
    t.split_once('=').is_some_and(|(name, _)| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Records what the awk program `src` runs.
pub(crate) fn program(cx: &mut Cx, src: &str) {
    let toks = tokens(src, Lang::Node);
    let is = |k: usize, c: char| toks.get(k) == Some(&Tok::Punct(c));
    let literal = |k: usize| match toks.get(k) {
        Some(Tok::Str(s, false)) => Some(s.clone()),
        _ => None,
    };
    for k in 0..toks.len() {
        let command = match &toks[k] {
            // `system("rm -rf " "~")`: literals side by side are one string.
            Tok::Ident(name) if name == "system" && is(k + 1, '(') => {
                let mut joined = String::new();
                let mut at = k + 2;
                while let Some(s) = literal(at) {
                    joined.push_str(&s);
                    at += 1;
                }
                if at > k + 2 && is(at, ')') {
                    Some(joined)
                } else {
                    cx.unresolved("`awk` runs a command it builds at run time".to_string());
                    None
                }
            }
            // `print | "sort"`, `print |& "cmd"`.
            Tok::Punct('|') if k > 0 => {
                let at = if is(k + 1, '&') { k + 2 } else { k + 1 };
                literal(at)
            }
            // `"date" | getline now`.
            Tok::Str(s, false)
                if is(k + 1, '|')
                    && matches!(toks.get(k + 2), Some(Tok::Ident(g)) if g == "getline") =>
            {
                Some(s.clone())
            }
            _ => None,
        };
        if let Some(line) = command {
            cx.nested_shell(&line);
        }
        // `print … > "/etc/passwd"`, `printf … >> "x"`: a file written. A
        // `>` inside a condition (`$1 > 5`) has no string after it.
        if is(k, '>')
            && !is(k + 1, '=')
            && toks[..k]
                .iter()
                .rev()
                .take_while(|t| !matches!(t, Tok::Punct(';' | '{' | '}' | '\n')))
                .any(|t| matches!(t, Tok::Ident(w) if w == "print" || w == "printf"))
        {
            let at = if is(k + 1, '>') { k + 2 } else { k + 1 };
            if let Some(file) = literal(at) {
                cx.path(Kind::Write, &Word::literal(file), 0, "awk print >", false);
            }
        }
    }
}

//! The commands an awk program hands to the shell: `system("…")`, `"…" |
//! getline`, `print … | "…"` (gawk's `|&` too). A literal command string
//! is analysed as a command line, one level deeper; a command awk computes
//! at run time (`system(cmd)`) is unresolved. And the files its `print`
//! and `printf` write (`print … > "/etc/passwd"`).
//!
//! awk's strings are C-like, so the JavaScript tokenizer reads them; its
//! regular expressions and field references are of no interest here.

use super::code::{Lang, Tok, tokens};
use super::context::{Cx, Kind};
use crate::shell::Word;

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
            Tok::Ident(name) if name == "system" && is(k + 1, '(') => {
                match (literal(k + 2), is(k + 3, ')')) {
                    (Some(s), true) => Some(s),
                    _ => {
                        cx.unresolved("`awk` runs a command it builds at run time".to_string());
                        None
                    }
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

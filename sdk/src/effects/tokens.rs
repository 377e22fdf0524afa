//! Source code of other languages as tokens ([`tokens`]): Python,
//! JavaScript, Perl, Ruby, PHP or Go — string literals with their escapes,
//! prefixes and interpolation, comments, identifiers, numbers, and the
//! shell-command literals of Perl, Ruby and PHP (backquotes, `qx{…}`,
//! `%x(…)`). Enough for `code.rs` to find calls and their arguments.

/// The languages whose code is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    Node,
    Perl,
    Ruby,
    Php,
    Go,
    /// A language read only by what is common to most (R, Julia, Lua,
    /// Groovy, …): calls, string literals, `+` concatenation; no comments.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    /// A string literal; `true` when it interpolates (`f"{x}"`, `"$x"`).
    Str(String, bool),
    /// A shell command literal (backquotes, `qx{}`, `%x()`).
    Cmd(String),
    /// A number literal.
    Num(String),
    Punct(char),
}

/// Tokenises `src`.
pub(crate) fn tokens(src: &str, lang: Lang) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        let hash_comment = matches!(lang, Lang::Python | Lang::Perl | Lang::Ruby | Lang::Php);
        if c.is_ascii_digit() {
            let start = k;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_' || b[k] == b'.') {
                k += 1;
            }
            out.push(Tok::Num(src[start..k].to_string()));
        } else if c == b'\n' {
            out.push(Tok::Punct('\n'));
            k += 1;
        } else if c.is_ascii_whitespace() {
            k += 1;
        } else if (c == b'#'
            && hash_comment
            && !(lang == Lang::Ruby && b.get(k + 1) == Some(&b'{')))
            || (c == b'/' && b.get(k + 1) == Some(&b'/') && c_comments(lang))
        {
            while k < b.len() && b[k] != b'\n' {
                k += 1;
            }
        } else if c == b'/' && b.get(k + 1) == Some(&b'*') && c_comments(lang) {
            k = src[k + 2..].find("*/").map_or(b.len(), |e| k + 2 + e + 2);
        } else if c == b'\''
            || c == b'"'
            || (c == b'`' && matches!(lang, Lang::Node | Lang::Go | Lang::Other))
        {
            // Go's backquotes are a raw string: no escapes.
            let raw = c == b'`' && lang == Lang::Go;
            let (text, end, interp) = quoted(src, k, lang, raw);
            out.push(Tok::Str(text, interp));
            k = end;
        } else if c == b'`' {
            let (text, end, _) = quoted(src, k, lang, false);
            out.push(Tok::Cmd(text));
            k = end;
        } else if c == b'%'
            && lang == Lang::Ruby
            && matches!(b.get(k + 1), Some(b'x' | b'q' | b'Q' | b'w'))
            && b.get(k + 2).is_some_and(|d| d.is_ascii_punctuation())
        {
            let kind = b[k + 1];
            let (text, end) = delimited(src, k + 2);
            k = end;
            out.push(match kind {
                b'x' => Tok::Cmd(text),
                _ => Tok::Str(text, kind == b'Q'),
            });
        } else if c.is_ascii_alphabetic()
            || c == b'_'
            || (c == b'$' && lang != Lang::Perl)
            || (matches!(c, b'$' | b'@' | b'%')
                && lang == Lang::Perl
                && b.get(k + 1)
                    .is_some_and(|d| d.is_ascii_alphabetic() || *d == b'_' || *d == b'{'))
        {
            let start = k;
            k += 1;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            let word = &src[start..k];
            // String prefixes (`f"…"`, `rb'…'`) and Perl's quote operators.
            let next = b.get(k).copied();
            if lang == Lang::Python
                && word.len() <= 2
                && word.bytes().all(|x| b"rRbBuUfF".contains(&x))
                && matches!(next, Some(b'\'' | b'"'))
            {
                let raw = word.contains(['r', 'R']);
                let (text, end, _) = quoted(src, k, lang, raw);
                out.push(Tok::Str(text, word.contains(['f', 'F'])));
                k = end;
            } else if lang == Lang::Perl
                && matches!(word, "q" | "qq" | "qx" | "qw")
                && next.is_some_and(|d| {
                    d.is_ascii_punctuation() && d != b'=' && d != b',' && d != b';'
                })
            {
                let (text, end) = delimited(src, k);
                k = end;
                out.push(match word {
                    "qx" => Tok::Cmd(text),
                    _ => Tok::Str(text.clone(), word == "qq" && text.contains(['$', '@'])),
                });
            } else {
                out.push(Tok::Ident(word.to_string()));
            }
        } else {
            // Go's `:=` declares as `=` assigns.
            if lang == Lang::Go && c == b':' && b.get(k + 1) == Some(&b'=') {
                out.push(Tok::Punct('='));
                k += 2;
                continue;
            }
            // `::` and `->` chain names like `.` does.
            if (c == b':' && b.get(k + 1) == Some(&b':'))
                || (c == b'-' && b.get(k + 1) == Some(&b'>'))
            {
                out.push(Tok::Punct('.'));
                k += 2;
                continue;
            }
            let ch = src[k..].chars().next().unwrap_or(' ');
            out.push(Tok::Punct(ch));
            k += ch.len_utf8();
        }
    }
    if lang == Lang::Go {
        first_of_pairs(&mut out);
    }
    out
}

/// Whether `lang` writes comments as C does (`// …`, `/* … */`).
fn c_comments(lang: Lang) -> bool {
    matches!(lang, Lang::Node | Lang::Php | Lang::Go)
}

/// Go's `home, _ := os.UserHomeDir()` and `f, err = …`, at the start of a
/// statement: the first name is what the value is bound to (the second is
/// the error), so it is kept as `home = …`.
fn first_of_pairs(toks: &mut Vec<Tok>) {
    let mut k = 0;
    while k + 3 < toks.len() {
        let starts = k == 0 || matches!(toks[k - 1], Tok::Punct(';' | '\n' | '{' | '}'));
        if starts
            && matches!(toks[k], Tok::Ident(_))
            && toks[k + 1] == Tok::Punct(',')
            && matches!(toks[k + 2], Tok::Ident(_))
            && toks[k + 3] == Tok::Punct('=')
            && toks.get(k + 4) != Some(&Tok::Punct('='))
        {
            toks.drain(k + 1..k + 3);
        }
        k += 1;
    }
}

/// A quoted literal starting at `k` (the quote): its text, the index after
/// it, and whether it interpolates.
fn quoted(src: &str, k: usize, lang: Lang, raw: bool) -> (String, usize, bool) {
    let b = src.as_bytes();
    let q = b[k];
    let triple = lang == Lang::Python && b.get(k + 1) == Some(&q) && b.get(k + 2) == Some(&q);
    let mut i = if triple { k + 3 } else { k + 1 };
    let mut text = String::new();
    let interpolates = match q {
        b'"' => matches!(lang, Lang::Perl | Lang::Ruby | Lang::Php),
        b'`' => lang != Lang::Go,
        _ => false,
    };
    let mut interp = false;
    while i < b.len() {
        let c = b[i];
        if c == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
            return (text, i + if triple { 3 } else { 1 }, interp);
        }
        if c == b'\\' && !raw && i + 1 < b.len() {
            let e = b[i + 1];
            text.push(match e {
                b'n' => '\n',
                b't' => '\t',
                b'0' => '\0',
                _ => src[i + 1..].chars().next().unwrap_or(' '),
            });
            i += 1 + src[i + 1..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        if interpolates
            && (c == b'$'
                || (c == b'#' && b.get(i + 1) == Some(&b'{'))
                || (c == b'@' && lang == Lang::Perl))
        {
            interp = true;
        }
        let ch = src[i..].chars().next().unwrap_or(' ');
        text.push(ch);
        i += ch.len_utf8();
    }
    (text, b.len(), interp)
}

/// A literal between the delimiter at `k` and its closer (`{…}`, `(…)`,
/// `/…/`), nesting counted.
fn delimited(src: &str, k: usize) -> (String, usize) {
    let b = src.as_bytes();
    let open = b[k];
    let close = match open {
        b'(' => b')',
        b'{' => b'}',
        b'[' => b']',
        b'<' => b'>',
        o => o,
    };
    let mut depth = 0usize;
    let mut i = k + 1;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == close && depth == 0 {
            return (src[k + 1..i].to_string(), i + 1);
        }
        if open != close && b[i] == open {
            depth += 1;
        } else if b[i] == close {
            depth -= 1;
        }
        i += 1;
    }
    (src[(k + 1).min(src.len())..].to_string(), b.len())
}

//! Strings built from literals by a method of a string or list: a list of
//! literals joined (`''.join([…])` in Python, `[…].join('')` in
//! JavaScript and Ruby, Perl's `join`) and a literal reversed (`'…'[::-1]`,
//! Ruby's `'…'.reverse`, JavaScript's `'…'.split('').reverse().join('')`,
//! Perl's `scalar reverse '…'`, PHP's `strrev('…')`), so that a command
//! spelled backwards or in pieces is read as the command it is.

use super::{Lang, Tok, Val, closing, eval, method_args};

/// A join of strings starting at `toks[k]`, and the index after it: a
/// separator's `.join(LIST)` (Python) or a list's `.join(SEP)`
/// (JavaScript, `,` without one; Ruby, nothing without one). `Val::Unknown` when an item is not a
/// literal; `None` when no join starts there.
pub(super) fn joined(toks: &[Tok], k: usize, lang: Lang, depth: usize) -> Option<(Val, usize)> {
    let (list, sep, end) = match &toks[k] {
        Tok::Str(sep, false) if lang == Lang::Python => {
            let args = method_args(toks, k + 1, "join")?;
            (
                eval(&toks[args.0..args.1], lang, depth + 1),
                Val::Str(sep.clone()),
                args.1 + 1,
            )
        }
        Tok::Punct('[') if matches!(lang, Lang::Node | Lang::Ruby) => {
            let close = closing(toks, k)?;
            // Ruby's `[…].join` needs no parentheses.
            let bare = lang == Lang::Ruby
                && toks.get(close + 1) == Some(&Tok::Punct('.'))
                && matches!(toks.get(close + 2), Some(Tok::Ident(m)) if m == "join")
                && toks.get(close + 3) != Some(&Tok::Punct('('));
            let args = if bare {
                (close + 3, close + 3)
            } else {
                method_args(toks, close + 1, "join")?
            };
            let sep = if args.0 == args.1 {
                Val::Str(if lang == Lang::Node { "," } else { "" }.into())
            } else {
                eval(&toks[args.0..args.1], lang, depth + 1)
            };
            let end = if bare { args.1 } else { args.1 + 1 };
            (eval(&toks[k..=close], lang, depth + 1), sep, end)
        }
        _ => return None,
    };
    let items: Option<Vec<&str>> = match &list {
        Val::List(items) => items.iter().map(Val::as_str).collect(),
        _ => None,
    };
    Some(match (items, sep.as_str()) {
        (Some(items), Some(sep)) => (Val::Str(items.join(sep)), end),
        _ => (Val::Unknown, end),
    })
}

/// A string literal reversed, starting at `toks[k]`, and the index after
/// it; `None` when no reversal of a literal starts there.
pub(super) fn reversed(toks: &[Tok], k: usize, lang: Lang) -> Option<(Val, usize)> {
    let text = |t: Option<&Tok>| match t {
        Some(Tok::Str(s, false)) => Some(s.clone()),
        _ => None,
    };
    let rev = |s: String| Val::Str(s.chars().rev().collect());
    let punct = |at: usize, c: char| toks.get(at) == Some(&Tok::Punct(c));
    let ident = |at: usize, name: &str| matches!(toks.get(at), Some(Tok::Ident(i)) if i == name);
    match lang {
        // `'…'[::-1]` (the tokens spell `::` as `.`).
        Lang::Python => {
            let s = text(toks.get(k))?;
            let colons = if punct(k + 2, '.') {
                1
            } else if punct(k + 2, ':') && punct(k + 3, ':') {
                2
            } else {
                return None;
            };
            let at = k + 2 + colons;
            let end = match (toks.get(at), toks.get(at + 1), toks.get(at + 2)) {
                (Some(Tok::Punct('-')), Some(Tok::Num(n)), Some(Tok::Punct(']'))) if n == "1" => {
                    at + 3
                }
                (Some(Tok::Num(n)), Some(Tok::Punct(']')), _) if n == "-1" => at + 2,
                _ => return None,
            };
            punct(k + 1, '[').then(|| (rev(s), end))
        }
        // `'…'.reverse`, `'…'.reverse()`
        Lang::Ruby => {
            let s = text(toks.get(k))?;
            (punct(k + 1, '.') && ident(k + 2, "reverse")).then(|| {
                let parens = punct(k + 3, '(') && punct(k + 4, ')');
                (rev(s), if parens { k + 5 } else { k + 3 })
            })
        }
        // `'…'.split('').reverse().join('')`
        Lang::Node => {
            let s = text(toks.get(k))?;
            let (a, b) = method_args(toks, k + 1, "split")?;
            let empty = |from: usize, to: usize| {
                to == from + 1 && text(toks.get(from)).is_some_and(|t| t.is_empty())
            };
            let (c, d) = method_args(toks, b + 1, "reverse")?;
            let (e, f) = method_args(toks, d + 1, "join")?;
            (empty(a, b) && c == d && empty(e, f)).then(|| (rev(s), f + 1))
        }
        // `scalar reverse '…'`, `scalar(reverse('…'))`
        Lang::Perl => {
            if !ident(k, "scalar") {
                return None;
            }
            let mut at = k + 1;
            let outer = punct(at, '(');
            at += usize::from(outer);
            if !ident(at, "reverse") {
                return None;
            }
            at += 1;
            let inner = punct(at, '(');
            at += usize::from(inner);
            let s = text(toks.get(at))?;
            at += 1;
            for open in [inner, outer] {
                if open {
                    if !punct(at, ')') {
                        return None;
                    }
                    at += 1;
                }
            }
            Some((rev(s), at))
        }
        // `strrev('…')`
        Lang::Php => {
            let s = text(toks.get(k + 2))?;
            (ident(k, "strrev") && punct(k + 1, '(') && closing(toks, k + 1) == Some(k + 3))
                .then(|| (rev(s), k + 4))
        }
        Lang::Go | Lang::Other => None,
    }
}

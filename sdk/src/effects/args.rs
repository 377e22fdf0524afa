//! What a command gets to work on besides its program: its arguments split
//! into options and operands the GNU way ([`parse`]), the arguments `xargs`
//! appends from its input ([`xargs_view`]), and the text its standard input
//! holds when the line shows it ([`stdin_text`]: a here-document, a
//! here-string, or an upstream `echo`).
//!
//! Options are read the GNU way: clustered short options (`-rf`), values
//! attached or in the next word (`-t DIR`, `-tDIR`, `--target=DIR`), options
//! after operands, `--` ending them. A caller names the short options that
//! take a value; getting one wrong misreads an operand, so the tables
//! follow the programs' manuals.

use super::context::{Cx, STDIN_ARGS};
use crate::shell::{RedirectOp, Word};

/// A command's arguments, split into options and operands.
pub(crate) struct Parsed<'w> {
    /// `(name, value)`: a short option's letter or a long one's name
    /// without dashes; the value is a word and the byte it starts at.
    pub opts: Vec<(&'w str, Option<(&'w Word, usize)>)>,
    pub operands: Vec<&'w Word>,
}

impl<'w> Parsed<'w> {
    pub fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|(n, _)| names.contains(n))
    }

    pub fn values(&self, names: &[&str]) -> Vec<(&'w Word, usize)> {
        self.opts
            .iter()
            .filter(|(n, _)| names.contains(n))
            .filter_map(|(_, v)| *v)
            .collect()
    }

    pub fn value(&self, names: &[&str]) -> Option<(&'w Word, usize)> {
        self.values(names).pop()
    }
}

/// Splits `args`: `short` are the short options taking a value, `attached`
/// those whose value may only be attached (`sed -i.bak`), `long` the long
/// options taking a value.
pub(crate) fn parse<'w>(
    args: &'w [Word],
    short: &str,
    attached: &str,
    long: &[&str],
) -> Parsed<'w> {
    let mut p = Parsed {
        opts: Vec::new(),
        operands: Vec::new(),
    };
    let mut k = 0;
    while k < args.len() {
        let w = &args[k];
        let t = w.text.as_str();
        k += 1;
        if t == "--" {
            p.operands.extend(&args[k..]);
            break;
        }
        if let Some(l) = t.strip_prefix("--") {
            match l.find('=') {
                Some(eq) => p.opts.push((&l[..eq], Some((w, eq + 3)))),
                None if long.contains(&l) => {
                    p.opts.push((l, args.get(k).map(|v| (v, 0))));
                    k += 1;
                }
                None => p.opts.push((l, None)),
            }
            continue;
        }
        if !(t.starts_with('-') && t.len() > 1)
            || w.dynamic_spans().next().is_some_and(|s| s.start == 0)
        {
            p.operands.push(w);
            continue;
        }
        for (j, ch) in t.char_indices().skip(1) {
            let name = &t[j..j + ch.len_utf8()];
            let rest = j + ch.len_utf8();
            if attached.contains(ch) {
                p.opts.push((name, (rest < t.len()).then_some((w, rest))));
                break;
            }
            if short.contains(ch) {
                if rest < t.len() {
                    p.opts.push((name, Some((w, rest))));
                } else {
                    p.opts.push((name, args.get(k).map(|v| (v, 0))));
                    k += 1;
                }
                break;
            }
            p.opts.push((name, None));
        }
    }
    p
}

/// The text a command reads on its standard input when it can be known: a
/// here-document or here-string, or the output of an upstream `echo`,
/// `printf` or `cat <<EOF`. `Err` when the input is unknown (a pipe from
/// anything else); `Ok(None)` when there is no input to speak of.
pub(crate) fn stdin_text(cx: &Cx) -> Result<Option<String>, ()> {
    let c = cx.cmd();
    for r in c.redirects.iter().rev() {
        match r.op {
            RedirectOp::HereDoc => return Ok(r.here_doc.clone()),
            RedirectOp::HereString => return Ok(Some(r.target.text.clone())),
            RedirectOp::Read => return Err(()),
            _ => {}
        }
    }
    if !c.piped_in {
        return Ok(None);
    }
    let up = cx.line.upstream(cx.index);
    let Some(&last) = up
        .iter()
        .rev()
        .find(|&&u| cx.line.commands[u].parent == c.parent)
    else {
        return Err(());
    };
    let u = &cx.line.commands[last];
    match u.program.as_str() {
        "echo" | "printf" if !u.program_dynamic => {
            let skip = usize::from(u.program == "printf");
            let words: Vec<&str> = u
                .args()
                .iter()
                .skip(skip)
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.as_str())
                .collect();
            Ok(Some(words.join(" ")))
        }
        "cat" if u.args().is_empty() => match u.redirects.iter().find_map(|r| r.here_doc.clone()) {
            Some(body) => Ok(Some(body)),
            None => Err(()),
        },
        _ => Err(()),
    }
}

/// The argv a command runs with, `xargs` input made explicit: words holding
/// the `-I` replacement string, or one word appended, stand for it.
pub(crate) fn xargs_view(cx: &mut Cx) -> Vec<Word> {
    let c = cx.cmd();
    let Some(x) = c.wrappers.iter().find(|w| w.program == "xargs") else {
        return c.argv.clone();
    };
    let a = parse(
        &x.args,
        "adEILnPs",
        "ei",
        &[
            "arg-file",
            "delimiter",
            "max-args",
            "max-procs",
            "max-chars",
        ],
    );
    let replace = match a.value(&["I"]) {
        Some((w, from)) => Some(w.text[from..].to_string()),
        None if a.has(&["i", "replace"]) => Some(
            a.value(&["i", "replace"])
                .map_or("{}".into(), |(w, f)| w.text[f..].to_string()),
        ),
        None => None,
    };
    let mut argv = c.argv.clone();
    match replace.filter(|r| !r.is_empty()) {
        Some(r) => {
            for w in argv.iter_mut().skip(1) {
                if w.text.contains(r.as_str()) {
                    *w = Word::literal(STDIN_ARGS);
                }
            }
        }
        None => argv.push(Word::literal(STDIN_ARGS)),
    }
    let known = cx.targets(&Word::literal(STDIN_ARGS), 0);
    if known.len() == 1 && known[0].path == "*" {
        cx.unresolved(format!(
            "`xargs` runs `{}` with arguments read from its input",
            c.program
        ));
    }
    argv
}

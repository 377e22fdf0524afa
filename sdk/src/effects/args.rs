//! What a command gets to work on besides its program and options: the
//! arguments `xargs` appends from its input ([`xargs_view`]), and the text
//! its standard input holds when the line shows it ([`stdin_text`]: a
//! here-document, a here-string, or an upstream `echo`), and what an
//! upstream pipeline prints, as the substitution `$(A)` it stands for
//! ([`piped_source`]).

use super::context::{Cx, STDIN_ARGS};
use super::options::parse;
use crate::shell::{Command, RedirectOp, Word, Wrapper};

/// `$(A)` for the commands `A` whose output feeds the current command's
/// standard input (`A | xargs kill`), joined as the pipeline they are.
pub(crate) fn piped_source(cx: &Cx) -> String {
    let line = cx.line;
    let words = |c: &crate::shell::Command| {
        c.argv
            .iter()
            .map(|w| crate::shell::quote(&w.text))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let feeding: Vec<String> = line
        .upstream(cx.index)
        .into_iter()
        .filter(|&j| line.commands[j].depth == cx.cmd().depth)
        .map(|j| words(&line.commands[j]))
        .collect();
    format!("$({})", feeding.join(" | "))
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
        // `printf '\162\155 -rf ~' | sh`: what printf prints, its format
        // filled and its escapes read.
        "printf" if !u.program_dynamic => {
            // `printf -- '--- a/x…'`: `--` ends printf's options.
            let args = u.args();
            let skip = usize::from(args.first().is_some_and(|w| w.text == "--"));
            let words: Vec<&str> = args[skip..].iter().map(|w| w.text.as_str()).collect();
            Ok(words
                .split_first()
                .map(|(format, rest)| crate::implied::printf(format, rest)))
        }
        "echo" if !u.program_dynamic => {
            let words: Vec<&str> = u
                .args()
                .iter()
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
    let mut argv = c.argv.clone();
    match replace_string(x) {
        Some(r) => {
            for w in argv.iter_mut().skip(1) {
                if w.text.starts_with(r.as_str()) {
                    // `rm -rf {}`: the paths the input lists.
                    *w = Word::literal(STDIN_ARGS);
                } else {
                    // `curl http://h/v1/reviews/{}/approve`: the rest of
                    // the word stays what it says.
                    *w = input_in_word(w, &r);
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

/// `c`'s argv when `xargs -I R` (or `-i`, whose `R` is `{}`) runs it: each
/// `R` in its words becomes the expansion `$XARGS_INPUT`, a line of input
/// only known at run time (`xargs -I{} dig {}.example.net` queries a name
/// made of the input). `None` when no `xargs` with a replacement string
/// runs `c`.
pub fn xargs_replaced_argv(c: &Command) -> Option<Vec<Word>> {
    let x = c.wrappers.iter().find(|w| w.program == "xargs")?;
    let r = replace_string(x)?;
    let mut argv = c.argv.clone();
    for w in argv.iter_mut().skip(1) {
        *w = input_in_word(w, &r);
    }
    Some(argv)
}

/// The replacement string of an `xargs` wrapper (`-I R`, `-i`, `--replace`).
fn replace_string(x: &Wrapper) -> Option<String> {
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
    replace.filter(|r| !r.is_empty())
}

/// `w` with every `r` in it standing for a line of input.
fn input_in_word(w: &Word, r: &str) -> Word {
    let mut w = w.clone();
    let input = Word::expansion("$XARGS_INPUT");
    let mut from = 0;
    while let Some(at) = w.text[from..].find(r).map(|i| i + from) {
        w = w.with_value(at..at + r.len(), &input);
        from = at + input.text.len();
    }
    w
}

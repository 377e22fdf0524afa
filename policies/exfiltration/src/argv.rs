//! Option scanning: a command's arguments read the way its program reads
//! them (getopt style, given which options take a value), the subcommand of
//! `git`/`gh`/`cargo`-like programs, and the destination an argument names
//! when part of it is only known at run time.

use crate::hosts::Dest;
use clawlaw_sdk::shell::Word;

/// One argument as a program reads it: an option (with its value, when it
/// takes one) or an operand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arg<'a> {
    /// The option's name without dashes (`d`, `data`); `None` for operands.
    pub(crate) opt: Option<&'a str>,
    /// The option's value or the operand; `None` for a flag.
    pub(crate) val: Option<&'a str>,
    /// The word it came from, and the value's offset in it.
    pub(crate) word: &'a Word,
    off: usize,
}

impl<'a> Arg<'a> {
    pub(crate) fn is(&self, names: &[&str]) -> bool {
        self.opt.is_some_and(|o| names.contains(&o))
    }

    /// The value's text before the first part only known at run time.
    pub(crate) fn static_val(&self) -> &'a str {
        let v = self.val.unwrap_or("");
        if !self.word.is_dynamic() {
            return v;
        }
        let cut = self.word.static_prefix().len().saturating_sub(self.off);
        v.get(..cut.min(v.len())).unwrap_or("")
    }

    pub(crate) fn dynamic(&self) -> bool {
        self.val.is_some() && self.static_val().len() < self.val.unwrap_or("").len()
    }
}

/// Options that take a value: single letters, and long names.
pub(crate) struct Spec {
    pub(crate) short: &'static str,
    pub(crate) long: &'static [&'static str],
}

pub(crate) const NO_VALUES: Spec = Spec {
    short: "",
    long: &[],
};

/// Reads `args` the way getopt would, given which options take a value.
pub(crate) fn scan<'a>(args: &'a [Word], spec: &Spec) -> Vec<Arg<'a>> {
    let mut out = Vec::new();
    let mut operands_only = false;
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        i += 1;
        if operands_only || t == "-" || !t.starts_with('-') {
            out.push(Arg {
                opt: None,
                val: Some(t),
                word: w,
                off: 0,
            });
            continue;
        }
        if t == "--" {
            operands_only = true;
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            if let Some((name, v)) = long.split_once('=') {
                out.push(Arg {
                    opt: Some(name),
                    val: Some(v),
                    word: w,
                    off: 3 + name.len(),
                });
            } else if spec.long.contains(&long) {
                let next = args.get(i);
                i += usize::from(next.is_some());
                out.push(Arg {
                    opt: Some(long),
                    val: next.map(|n| n.text.as_str()),
                    word: next.unwrap_or(w),
                    off: 0,
                });
            } else {
                out.push(Arg {
                    opt: Some(long),
                    val: None,
                    word: w,
                    off: 0,
                });
            }
            continue;
        }
        for (k, c) in t.char_indices().skip(1) {
            let name = &t[k..k + c.len_utf8()];
            if spec.short.contains(c) {
                let rest_at = k + c.len_utf8();
                if rest_at < t.len() {
                    out.push(Arg {
                        opt: Some(name),
                        val: Some(&t[rest_at..]),
                        word: w,
                        off: rest_at,
                    });
                } else {
                    let next = args.get(i);
                    i += usize::from(next.is_some());
                    out.push(Arg {
                        opt: Some(name),
                        val: next.map(|n| n.text.as_str()),
                        word: next.unwrap_or(w),
                        off: 0,
                    });
                }
                break;
            }
            out.push(Arg {
                opt: Some(name),
                val: None,
                word: w,
                off: 0,
            });
        }
    }
    out
}

pub(crate) fn operands<'a, 'b>(args: &'b [Arg<'a>]) -> impl Iterator<Item = &'b Arg<'a>> {
    args.iter().filter(|a| a.opt.is_none())
}

/// The subcommand of `git`, `gh`, `cargo`, …: the first operand, skipping
/// global options (and the values of those in `spec`) and `+toolchain`.
pub(crate) fn subcommand<'a>(args: &'a [Word], spec: &Spec) -> Option<(&'a str, &'a [Word])> {
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t.starts_with('+') {
            i += 1;
        } else if let Some(long) = t.strip_prefix("--") {
            i += if spec.long.contains(&long) { 2 } else { 1 };
        } else if t.starts_with('-') && t.len() > 1 {
            let last = t.chars().last().unwrap_or(' ');
            i += if t.len() == 2 && spec.short.contains(last) {
                2
            } else {
                1
            };
        } else {
            return Some((t, &args[i + 1..]));
        }
    }
    None
}

/// The destination an argument names, through `parse`; dynamic when the
/// host part is only known at run time. Each part known only at run time
/// stands in for text no host holds, so that `parse` finds the host where
/// the shell would (`https://x:$(gh auth token)@api.github.com/user` is
/// `api.github.com`; the `:` inside the user part is not a port), and a host
/// that holds one of those parts (`https://$H/x`, `evil$X.com`) is dynamic.
pub(crate) fn host_dest(a: &Arg, parse: fn(&str) -> Option<String>) -> Dest {
    let full = a.val.unwrap_or("");
    if !a.dynamic() {
        return parse(full).map_or(Dest::Unknown, Dest::Host);
    }
    let mut masked = String::with_capacity(full.len());
    let mut at = 0;
    for span in a.word.dynamic_spans() {
        let (start, end) = (
            span.start.saturating_sub(a.off),
            span.end.saturating_sub(a.off),
        );
        if end <= at || start >= full.len() {
            continue;
        }
        masked.push_str(&full[at..start.max(at)]);
        masked.push(RUN_TIME);
        at = end.min(full.len());
    }
    masked.push_str(&full[at..]);
    match parse(&masked) {
        Some(host) if !host.contains(RUN_TIME) => Dest::Host(host),
        _ => Dest::Dynamic,
    }
}

/// What [`host_dest`] puts where a value is only known at run time: a
/// character no host name, port or URL delimiter is made of.
const RUN_TIME: char = '\u{1}';

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    const SPEC: Spec = Spec {
        short: "o",
        long: &["output"],
    };

    fn words(line: &str) -> Vec<Word> {
        parse(line).commands[0].args().to_vec()
    }

    fn read(args: &[Arg]) -> Vec<(Option<String>, Option<String>)> {
        args.iter()
            .map(|a| (a.opt.map(str::to_string), a.val.map(str::to_string)))
            .collect()
    }

    fn pair(opt: Option<&str>, val: Option<&str>) -> (Option<String>, Option<String>) {
        (opt.map(str::to_string), val.map(str::to_string))
    }

    #[test]
    fn options_are_read_the_getopt_way() {
        let ws = words("p -vo out a --output=f --output g -- -x -");
        assert_eq!(
            read(&scan(&ws, &SPEC)),
            [
                pair(Some("v"), None),
                pair(Some("o"), Some("out")),
                pair(None, Some("a")),
                pair(Some("output"), Some("f")),
                pair(Some("output"), Some("g")),
                pair(None, Some("-x")),
                pair(None, Some("-")),
            ]
        );
        // A value attached to its short option, and one missing at the end.
        let ws = words("p -ofile -o");
        assert_eq!(
            read(&scan(&ws, &SPEC)),
            [pair(Some("o"), Some("file")), pair(Some("o"), None)]
        );
    }

    #[test]
    fn subcommands_skip_global_options_and_toolchains() {
        let spec = Spec {
            short: "C",
            long: &["git-dir"],
        };
        let ws = words("git -C app --git-dir x/.git --no-pager push origin");
        let (sub, rest) = subcommand(&ws, &spec).unwrap();
        assert_eq!(sub, "push");
        assert_eq!(rest.len(), 1);
        let ws = words("cargo +nightly -v publish");
        assert_eq!(subcommand(&ws, &NO_VALUES).unwrap().0, "publish");
        assert!(subcommand(&words("git --version"), &spec).is_none());
    }

    #[test]
    fn a_host_is_known_only_when_it_ends_before_the_first_expansion() {
        let dest = |line: &str| {
            let ws = words(line);
            let parsed = scan(&ws, &NO_VALUES);
            host_dest(&parsed[0], crate::hosts::url_host)
        };
        assert_eq!(
            dest("p https://a.example/x"),
            Dest::Host("a.example".into())
        );
        assert_eq!(
            dest("p \"https://a.example/$P\""),
            Dest::Host("a.example".into())
        );
        assert_eq!(dest("p \"https://a.$D/x\""), Dest::Dynamic);
        assert_eq!(dest("p \"https://u@$H\""), Dest::Dynamic);
        assert_eq!(dest("p '$URL'"), Dest::Unknown, "single quotes are literal");
        // A `:` in the user part is not a port: the host follows the `@`.
        assert_eq!(
            dest("p \"https://x:$(gh auth token)@api.github.com/user\""),
            Dest::Host("api.github.com".into())
        );
        assert_eq!(
            dest("p \"https://x:$T@h.example:$PORT/x\""),
            Dest::Host("h.example".into())
        );
        assert_eq!(dest("p \"https://evil$X.example/\""), Dest::Dynamic);
        assert_eq!(dest("p \"$SCHEME://$H/x\""), Dest::Dynamic);
    }
}

//! A command's arguments split into options and operands ([`parse`]), the
//! GNU way: clustered short options (`-rf`), values attached or in the
//! next word (`-t DIR`, `-tDIR`, `--target=DIR`), options after operands,
//! `--` ending them. A caller names the short options that take a value;
//! getting one wrong misreads an operand, so the tables follow the
//! programs' manuals. Programs whose options are single-dash words (Go's
//! flags, SQLite's) have their operands read by [`dash_operands`].

use crate::shell::Word;

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

/// The operands of a program whose options are single-dash words (Go's
/// and SQLite's `-namespace x`, `-cmd x`), skipping the value of each of
/// `valued`.
pub(crate) fn dash_operands<'w>(args: &'w [Word], valued: &[&str]) -> Vec<&'w Word> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        k += 1;
        if valued.contains(&t) {
            k += 1;
        } else if !t.starts_with('-') {
            out.push(&args[k - 1]);
        }
    }
    out
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

//! Reading code of other languages just enough to find the calls it makes.
//!
//! [`calls`] reads the tokens of Python, JavaScript, Perl, Ruby, PHP or Go
//! (or of another language, by what most share: `tokens.rs`'s `Other`)
//! source (`tokens.rs`) and returns every call it can see: a dotted name (`os.remove`,
//! `fs.promises.rm`, `Net::HTTP.get`, `$ua->get`) followed by `(…)` — or,
//! in Perl and Ruby, by arguments without parentheses up to the end of the
//! statement — with a method called on the result of a call
//! (`Path('/x').unlink()`) keeping that call as its receiver.
//!
//! An argument's value is known when it is built from string literals:
//! concatenated (`+`, Perl's and PHP's `.`), joined (`os.path.join`,
//! `path.join`, `File.join`, pathlib's `/`; a list's items joined, a
//! string reversed: `folds.rs`), home-expanded
//! (`os.path.expanduser`, `File.expand_path`, `os.homedir()`,
//! `Path.home()`, `$ENV{HOME}`, `process.env.HOME`, `getenv('HOME')`,
//! Go's `os.UserHomeDir()`), or
//! a list of such; a
//! variable assigned once from such an expression stands for its value
//! ([`bind_constants`]). Any other expression (a variable assigned twice or
//! from anything else, an interpolating string) is unknown, and the caller
//! reports it as unresolved rather than guessing.
//!
//! Work is linear in the length of the code: brackets are matched once, and
//! each token belongs to the argument list of one call.

/// Most tokens an argument may have to be evaluated (a path expression is
/// short); also bounds the arguments of a call without parentheses.
const MAX_EXPR: usize = 256;

mod folds;
mod home;
pub(crate) use super::tokens::{Lang, Tok, tokens};
use home::{home_interpolated, home_lookup, home_reassigned};

/// A value an argument is built to, as far as known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Str(String),
    List(Vec<Val>),
    Unknown,
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// One call found in the code.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The dotted name, split (`["os", "path", "join"]`).
    pub name: Vec<String>,
    /// The callee of the call this is a method of (`Path` in
    /// `Path('/x').unlink()`), with its arguments.
    pub recv_call: Option<(String, Vec<Val>)>,
    pub args: Vec<Val>,
    /// Keyword arguments (`mode='w'`, `shell=True`).
    pub kwargs: Vec<(String, Val)>,
    /// Identifiers and strings among the arguments (`body`, `POST`).
    pub words: Vec<String>,
    /// The index of its name's first token.
    pub at: usize,
}

impl Call {
    pub fn method(&self) -> &str {
        self.name.last().map_or("", String::as_str)
    }

    /// The name part before the method (`os` in `os.remove`), or the
    /// callee of the receiver call.
    pub fn receiver(&self) -> &str {
        match (&self.recv_call, self.name.len()) {
            // `require('node:fs/promises').rm(…)`: the module, `fs`;
            // Python's `__import__('os').system(…)` and
            // `importlib.import_module('shutil').rmtree(…)` likewise.
            (Some((r, args)), 1)
                if matches!(r.as_str(), "require" | "__import__" | "import_module") =>
            {
                match args.first() {
                    Some(Val::Str(m)) => module_name(m),
                    _ => r,
                }
            }
            (Some((r, _)), 1) => r,
            (_, n) if n >= 2 => &self.name[n - 2],
            _ => "",
        }
    }

    pub fn arg(&self, k: usize) -> &Val {
        self.args.get(k).unwrap_or(&Val::Unknown)
    }

    pub fn kwarg(&self, name: &str) -> Option<&Val> {
        self.kwargs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn mentions(&self, words: &[&str]) -> bool {
        self.words
            .iter()
            .any(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
    }
}

/// The short name of a Node module: `node:fs/promises` is `fs`.
pub(crate) fn module_name(m: &str) -> &str {
    let m = m.strip_prefix("node:").unwrap_or(m);
    m.split('/').next().unwrap_or(m)
}

/// Every call in `toks`, and every shell command literal with its token
/// index, in order.
pub(crate) fn calls(toks: &[Tok], lang: Lang) -> (Vec<Call>, Vec<(usize, String)>) {
    let n = toks.len();
    // Matching brackets, in one pass.
    let mut close = vec![usize::MAX; n];
    let mut stack: Vec<usize> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(' | '[' | '{') => stack.push(k),
            Tok::Punct(')' | ']' | '}') => {
                if let Some(o) = stack.pop() {
                    close[o] = k;
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut cmds = Vec::new();
    let mut k = 0;
    while k < n {
        if let Tok::Cmd(c) = &toks[k] {
            cmds.push((k, c.clone()));
        }
        let Tok::Ident(_) = &toks[k] else {
            k += 1;
            continue;
        };
        // A dotted name.
        let start = k;
        let mut name = Vec::new();
        while let Some(Tok::Ident(id)) = toks.get(k) {
            name.push(id.clone());
            if toks.get(k + 1) == Some(&Tok::Punct('.'))
                && matches!(toks.get(k + 2), Some(Tok::Ident(_)))
            {
                k += 2;
            } else {
                break;
            }
        }
        k += 1;
        let recv_call = match (start.checked_sub(2).map(|p| &toks[p..start]), out.last()) {
            (Some([Tok::Punct(')'), Tok::Punct('.')]), Some(prev)) => {
                let prev: &Call = prev;
                Some((prev.method().to_string(), prev.args.clone()))
            }
            _ => None,
        };
        let (lo, hi) = match toks.get(k) {
            Some(Tok::Punct('(')) if close[k] != usize::MAX => (k + 1, close[k]),
            Some(Tok::Str(..) | Tok::Ident(_) | Tok::Cmd(_) | Tok::Num(_))
                if matches!(lang, Lang::Perl | Lang::Ruby) =>
            {
                let mut e = k;
                let stop = (k + MAX_EXPR).min(n);
                while e < stop && !matches!(toks[e], Tok::Punct(';' | '\n' | '}' | ')')) {
                    e = if close.get(e).is_some_and(|&c| c != usize::MAX) {
                        close[e] + 1
                    } else {
                        e + 1
                    };
                }
                (k, e.min(stop))
            }
            _ => continue,
        };
        let mut call = Call {
            at: start,
            name,
            recv_call,
            args: Vec::new(),
            kwargs: Vec::new(),
            words: Vec::new(),
        };
        let mut a = lo;
        while a < hi {
            let mut e = a;
            while e < hi && toks[e] != Tok::Punct(',') {
                e = if close[e] != usize::MAX {
                    close[e] + 1
                } else {
                    e + 1
                };
            }
            let arg = &toks[a..e.min(hi)];
            for t in arg.iter().take(MAX_EXPR) {
                if let Tok::Ident(w) | Tok::Str(w, _) = t {
                    call.words.push(w.clone());
                }
            }
            match arg {
                [Tok::Ident(kw), Tok::Punct('=' | ':'), rest @ ..]
                    if !rest.is_empty() && rest[0] != Tok::Punct('=') =>
                {
                    call.kwargs.push((kw.clone(), eval(rest, lang, 0)))
                }
                _ => call.args.push(eval(arg, lang, 0)),
            }
            a = e + 1;
        }
        out.push(call);
        // Keep scanning inside the arguments: nested calls count too.
    }
    (out, cmds)
}

/// Most variables [`bind_constants`] follows in one piece of code.
const MAX_BINDINGS: usize = 32;

/// `toks` with each variable that is assigned once, from an expression
/// built from literals (`p = os.path.expanduser('~/.claude/x')`, `const d =
/// '/srv/' + 'data'`, `my $f = "/etc/hosts"`), replaced by that value where
/// it is used afterwards, so `open(p, 'w')` names its path. A variable
/// assigned twice, or from anything else, stays unknown.
pub(crate) fn bind_constants(toks: Vec<Tok>, lang: Lang) -> Vec<Tok> {
    let toks = home_reassigned(toks, lang);
    let starts_statement = |k: usize| {
        k == 0
            || matches!(&toks[k - 1], Tok::Punct(';' | '\n' | '{' | '}'))
            || matches!(&toks[k - 1], Tok::Ident(d) if matches!(d.as_str(), "const" | "let" | "var" | "my" | "our" | "local"))
    };
    let mut assigned: Vec<(String, usize, Option<String>)> = Vec::new();
    let mut k = 0;
    while k + 2 < toks.len() {
        if let (Tok::Ident(name), Tok::Punct('=')) = (&toks[k], &toks[k + 1])
            && toks[k + 2] != Tok::Punct('=')
            && starts_statement(k)
        {
            let (end, value) = statement_value(&toks, k + 2, lang);
            if let Some(seen) = assigned.iter_mut().find(|(n, _, _)| n == name) {
                seen.2 = None;
            } else if assigned.len() < MAX_BINDINGS {
                assigned.push((name.clone(), end, value));
            }
            k = end;
            continue;
        }
        k += 1;
    }
    // `p += '/x'` (`p .= '/x'` in Perl and PHP) after the assignment: the
    // value grows from there on, when what is appended is known too. Any
    // other change in place (`p -= …`, an append of something unknown)
    // leaves the value unknown.
    let mut appends: Vec<(String, usize, String)> = Vec::new();
    let dot_joins = matches!(lang, Lang::Perl | Lang::Php | Lang::Other);
    for k in 0..toks.len().saturating_sub(2) {
        if let [Tok::Ident(name), Tok::Punct(op), Tok::Punct('=')] = &toks[k..k + 3]
            && IN_PLACE.contains(*op)
            && let Some(seen) = assigned.iter_mut().find(|(n, _, _)| n == name)
        {
            let (end, value) = statement_value(&toks, k + 3, lang);
            let joins = *op == '+' || (*op == '.' && dot_joins);
            match value {
                Some(more) if joins && k >= seen.1 => appends.push((name.clone(), end, more)),
                _ => seen.2 = None,
            }
        }
    }
    if assigned.iter().all(|(_, _, v)| v.is_none()) {
        return toks;
    }
    let mut out = toks;
    for (name, from, value) in assigned {
        let Some(mut value) = value else { continue };
        let mut grows = appends.iter().filter(|(n, _, _)| *n == name).peekable();
        for k in from..out.len() {
            while let Some((_, at, more)) = grows.peek() {
                if *at > k {
                    break;
                }
                value.push_str(more);
                grows.next();
            }
            let changed_here = matches!(out.get(k + 1), Some(Tok::Punct(op)) if IN_PLACE.contains(*op))
                && out.get(k + 2) == Some(&Tok::Punct('='));
            let is_use = matches!(&out[k], Tok::Ident(id) if *id == name)
                && (k == 0 || out[k - 1] != Tok::Punct('.'))
                && out.get(k + 1) != Some(&Tok::Punct('='))
                && !changed_here;
            if is_use {
                out[k] = Tok::Str(value.clone(), false);
            }
        }
    }
    out
}

/// The operators of a change in place (`p += …`, `p .= …`, `p |= …`).
const IN_PLACE: &str = "+-*/.|&%";

/// The end of the statement whose value starts at `toks[from]` (its `;` or
/// line break, else the end of the code), and that value when built from
/// literals.
fn statement_value(toks: &[Tok], from: usize, lang: Lang) -> (usize, Option<String>) {
    let end = toks[from..]
        .iter()
        .position(|t| matches!(t, Tok::Punct(';' | '\n')))
        .map_or(toks.len(), |e| from + e);
    let value = match eval(&toks[from..end], lang, 0) {
        Val::Str(v) => Some(v),
        _ => None,
    };
    (end, value)
}

/// The value of an expression, when built from literals.
fn eval(toks: &[Tok], lang: Lang, depth: usize) -> Val {
    if depth > 8 || toks.is_empty() || toks.len() > MAX_EXPR {
        return Val::Unknown;
    }
    if let [
        open @ Tok::Punct('[' | '('),
        inner @ ..,
        Tok::Punct(']' | ')'),
    ] = toks
        && closing(toks, 0) == Some(toks.len() - 1)
    {
        let items = split_top(inner);
        if *open == Tok::Punct('[') || items.len() > 1 {
            let items = items.into_iter().filter(|i| !i.is_empty());
            return Val::List(items.map(|i| eval(i, lang, depth + 1)).collect());
        }
        return eval(inner, lang, depth + 1);
    }
    let concat = |t: &Tok| {
        matches!(t, Tok::Punct('+'))
            || (matches!(lang, Lang::Perl | Lang::Php | Lang::Other) && *t == Tok::Punct('.'))
    };
    let mut out = String::new();
    let mut k = 0;
    while k < toks.len() {
        let t = &toks[k];
        if concat(t) {
            k += 1;
            continue;
        }
        if *t == Tok::Punct('/') && lang == Lang::Python {
            out.push('/');
            k += 1;
            continue;
        }
        // `''.join([…])` (Python), `[…].join('')` (JavaScript), `'…'[::-1]`:
        // a string built by joining or reversing literals is that string.
        if let Some((joined, next)) =
            folds::joined(toks, k, lang, depth).or_else(|| folds::reversed(toks, k, lang))
        {
            match joined {
                Val::Str(j) => out.push_str(&j),
                _ => return Val::Unknown,
            }
            k = next;
            continue;
        }
        match t {
            Tok::Str(s, false) if s == "HOME" => return home_lookup(toks),
            Tok::Str(s, false) | Tok::Num(s) => out.push_str(s),
            Tok::Str(s, true) => match home_interpolated(s, lang) {
                Some(v) => out.push_str(&v),
                None => return Val::Unknown,
            },
            Tok::Ident(id) if matches!(id.as_str(), "HOME") => out.push('~'),
            Tok::Ident(_) => {
                // A call of a known path builder: `os.path.join(…)`.
                let mut e = k;
                while e + 2 < toks.len()
                    && toks[e + 1] == Tok::Punct('.')
                    && matches!(toks[e + 2], Tok::Ident(_))
                {
                    e += 2;
                }
                let Tok::Ident(last) = &toks[e] else {
                    return Val::Unknown;
                };
                let args_end = match toks.get(e + 1) {
                    Some(Tok::Punct('(')) => closing(toks, e + 1),
                    _ => None,
                };
                let env = toks[k..=e].iter().any(|t| matches!(t, Tok::Ident(s) if matches!(s.as_str(), "env" | "ENV" | "$ENV" | "$_SERVER" | "$_ENV" | "environ" | "getenv" | "Getenv")));
                if env
                    && toks[k..]
                        .iter()
                        .any(|t| matches!(t, Tok::Str(s, _) | Tok::Ident(s) if s == "HOME"))
                {
                    // What came before stays: Perl's `'>>' . $ENV{HOME} . '/x'`
                    // is an open mode and the path.
                    return match home_lookup(&toks[k..]) {
                        Val::Str(home) => Val::Str(out + &home),
                        other => other,
                    };
                }
                // Ruby's `Dir.home`, without parentheses.
                if args_end.is_none()
                    && lang == Lang::Ruby
                    && e == k + 2
                    && matches!(&toks[k], Tok::Ident(d) if d == "Dir")
                    && last == "home"
                {
                    out.push('~');
                    k = e + 1;
                    continue;
                }
                let Some(end) = args_end else {
                    // Perl's `glob "~/x/*"`, without parentheses.
                    if lang == Lang::Perl && last == "glob" && k == 0 {
                        return eval(&toks[e + 1..], lang, depth + 1);
                    }
                    return Val::Unknown;
                };
                // R's `file.path(…)` and `paste0(…)`, Julia's `joinpath(…)`.
                let other_join =
                    lang == Lang::Other && matches!(last.as_str(), "path" | "paste0" | "joinpath");
                let known = other_join
                    || matches!(
                        last.as_str(),
                        "homedir"
                            | "home"
                            | "gethomedir"
                            | "UserHomeDir"
                            | "ExpandEnv"
                            | "getenv"
                            | "Getenv"
                            | "expanduser"
                            | "expand_path"
                            | "resolve"
                            | "Path"
                            | "PurePath"
                            | "PosixPath"
                            | "realpath"
                            | "abspath"
                            | "normpath"
                            | "String"
                            | "str"
                            | "join"
                            | "Join"
                            | "glob"
                            | "iglob"
                    );
                if !known && toks.get(end + 1) == Some(&Tok::Punct('.')) {
                    // `require('os').homedir()`: the method decides.
                    k = end + 2;
                    continue;
                }
                let inner = &toks[e + 2..end];
                let parts: Vec<Val> = split_top(inner)
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .map(|p| eval(p, lang, depth + 1))
                    .collect();
                let strs: Option<Vec<&str>> = parts.iter().map(Val::as_str).collect();
                match (last.as_str(), strs) {
                    ("homedir" | "home" | "gethomedir" | "UserHomeDir", _) => out.push('~'),
                    // Go's `os.ExpandEnv("$HOME/.bashrc")`.
                    ("ExpandEnv", Some(v)) if v.len() == 1 => {
                        let rest = ["$HOME", "${HOME}"]
                            .iter()
                            .find_map(|h| v[0].strip_prefix(h))
                            .map_or(v[0].to_string(), |r| format!("~{r}"));
                        if rest.contains('$') {
                            return Val::Unknown;
                        }
                        out.push_str(&rest);
                    }
                    // `getenv('HOME')` (PHP, Python's `os.getenv`, Go's
                    // `os.Getenv`).
                    ("getenv" | "Getenv", Some(v)) if v == ["HOME"] => out.push('~'),
                    // Perl's `join(SEP, LIST)`.
                    ("join", Some(v)) if lang == Lang::Perl && !v.is_empty() => {
                        out.push_str(&v[1..].join(v[0]))
                    }
                    (
                        "expanduser" | "expand_path" | "resolve" | "Path" | "PurePath"
                        | "PosixPath" | "realpath" | "abspath" | "normpath" | "String" | "str"
                        | "glob" | "iglob",
                        Some(v),
                    ) if v.len() == 1 => out.push_str(v[0]),
                    // Go's `filepath.Join`, `path.Join` (not `strings.Join`).
                    ("Join", _) if !matches!(&toks[k], Tok::Ident(m) if m == "filepath" || m == "path") =>
                    {
                        return Val::Unknown;
                    }
                    ("paste0", Some(v)) if other_join => out.push_str(&v.concat()),
                    ("join" | "Join" | "resolve" | "path" | "joinpath", Some(v))
                        if !v.is_empty()
                            && (!matches!(last.as_str(), "path" | "joinpath") || other_join) =>
                    {
                        let mut j = String::new();
                        for p in v {
                            if p.starts_with('/') {
                                j.clear();
                            } else if !j.is_empty() && !j.ends_with('/') {
                                j.push('/');
                            }
                            j.push_str(p);
                        }
                        out.push_str(&j);
                    }
                    _ => return Val::Unknown,
                }
                k = end + 1;
                continue;
            }
            _ => return Val::Unknown,
        }
        k += 1;
    }
    Val::Str(out)
}

/// The bounds of the arguments of `.NAME(…)` when the tokens at `at` are
/// that call: the index after `(` and the index of its `)`.
fn method_args(toks: &[Tok], at: usize, name: &str) -> Option<(usize, usize)> {
    match (toks.get(at), toks.get(at + 1), toks.get(at + 2)) {
        (Some(Tok::Punct('.')), Some(Tok::Ident(m)), Some(Tok::Punct('('))) if m == name => {
            Some((at + 3, closing(toks, at + 2)?))
        }
        _ => None,
    }
}

/// `toks` split at the commas outside brackets.
fn split_top(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (k, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                out.push(&toks[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

/// The index of the bracket closing the one at `open`.
fn closing(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

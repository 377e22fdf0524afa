//! The home directory as code spells it: inside an interpolating string
//! (`"$ENV{HOME}/x"`, `f"{Path.home()}/x"`, `` `${os.homedir()}/x` ``), by
//! language, and looked up in the environment with what is appended to it
//! (`os.environ['HOME'] + '/x'`, `$ENV{HOME}.'/x'`). Both give `~` for the
//! home, which the path a call names keeps as its run-time part; and the
//! value code gives `HOME` itself before reading it back.

use super::{Lang, Tok, Val, statement_value};

/// The home directory spelled inside an interpolating string, by language.
const HOME_INTERPOLATIONS: &[(Lang, &str)] = &[
    (Lang::Perl, "$ENV{HOME}"),
    (Lang::Perl, "$ENV{'HOME'}"),
    (Lang::Perl, "${ENV{HOME}}"),
    (Lang::Ruby, "#{Dir.home}"),
    (Lang::Ruby, "#{Dir.home()}"),
    (Lang::Ruby, "#{ENV['HOME']}"),
    (Lang::Ruby, "#{ENV.fetch('HOME')}"),
    (Lang::Php, "{$_SERVER['HOME']}"),
    (Lang::Php, "{$_ENV['HOME']}"),
    (Lang::Php, "$_SERVER[HOME]"),
    (Lang::Node, "${process.env.HOME}"),
    (Lang::Node, "${os.homedir()}"),
    (Lang::Node, "${require('os').homedir()}"),
    (Lang::Python, "{os.path.expanduser('~')}"),
    (Lang::Python, "{os.environ['HOME']}"),
    (Lang::Python, "{os.getenv('HOME')}"),
    (Lang::Python, "{Path.home()}"),
    (Lang::Python, "{pathlib.Path.home()}"),
];

/// An interpolating string (`"$ENV{HOME}/x"`, `f"{Path.home()}/x"`,
/// `` `${os.homedir()}/x` ``) whose only interpolation is the home
/// directory: what precedes it (Perl's two-argument `open`'s mode,
/// `"+<$ENV{HOME}/x"`), `~` and the rest. Any other interpolation is
/// unknown.
pub(super) fn home_interpolated(s: &str, lang: Lang) -> Option<String> {
    let found = HOME_INTERPOLATIONS
        .iter()
        .filter(|(l, _)| *l == lang)
        .filter_map(|(_, h)| s.find(h).map(|at| (at, h.len())))
        .min();
    let (before, rest) = match found {
        Some((at, len)) => (&s[..at], (true, &s[at + len..])),
        None => ("", (false, s)),
    };
    let marks: &[&str] = match lang {
        Lang::Perl => &["$", "@"],
        Lang::Ruby => &["#{"],
        Lang::Php => &["$"],
        Lang::Node => &["${"],
        Lang::Python => &["{", "}"],
        Lang::Go => &[],
        Lang::Other => &["$", "#{"],
    };
    if marks
        .iter()
        .any(|m| rest.1.contains(m) || before.contains(m))
    {
        return None;
    }
    Some(if rest.0 {
        format!("{before}~{}", rest.1)
    } else {
        rest.1.to_string()
    })
}

/// `os.environ['HOME'] + '/x'`, `$ENV{HOME}.'/x'`, `process.env.HOME + …`:
/// the home directory and what is appended to it.
pub(super) fn home_lookup(toks: &[Tok]) -> Val {
    let at = toks
        .iter()
        .position(|t| matches!(t, Tok::Str(s, _) | Tok::Ident(s) if s == "HOME"))
        .unwrap_or(0);
    let mut out = String::from("~");
    for t in toks.iter().skip(at + 1) {
        match t {
            Tok::Str(s, false) => out.push_str(s),
            Tok::Punct(']' | '}' | ')' | '+' | '.' | '/') => {}
            _ => return Val::Unknown,
        }
    }
    Val::Str(out)
}

/// Code that sets `HOME` in its environment before reading it back
/// (`$_SERVER['HOME'] = '/tmp'; fopen($_SERVER['HOME'] . '/.bashrc', 'w')`):
/// each later lookup is the value set (unknown unless built from
/// literals), not the user's home.
pub(super) fn home_reassigned(toks: Vec<Tok>, lang: Lang) -> Vec<Tok> {
    if !toks
        .iter()
        .any(|t| matches!(t, Tok::Str(s, _) | Tok::Ident(s) if s == "HOME"))
    {
        return toks;
    }
    // Built anew, token by token, so the work stays linear.
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut set: Option<Option<String>> = None;
    let mut k = 0;
    while k < toks.len() {
        let Some(n) = env_home_at(&toks, k) else {
            out.push(toks[k].clone());
            k += 1;
            continue;
        };
        if toks.get(k + n) == Some(&Tok::Punct('='))
            && toks.get(k + n + 1) != Some(&Tok::Punct('='))
        {
            let (end, value) = statement_value(&toks, k + n + 1, lang);
            set = Some(value);
            out.extend_from_slice(&toks[k..end]);
            k = end;
        } else if let Some(value) = &set {
            // With the names that qualify it: `os.environ[…]`, `process.env.HOME`.
            while out.len() >= 2
                && out[out.len() - 1] == Tok::Punct('.')
                && matches!(out[out.len() - 2], Tok::Ident(_))
            {
                out.truncate(out.len() - 2);
            }
            out.push(match value {
                Some(v) => Tok::Str(v.clone(), false),
                None => Tok::Ident("home_set_at_run_time".into()),
            });
            k += n;
        } else {
            out.extend_from_slice(&toks[k..k + n]);
            k += n;
        }
    }
    out
}

/// The length of a lookup of the environment's `HOME` at `toks[k..]`:
/// `$ENV{HOME}`, `$_SERVER['HOME']`, `os.environ['HOME']`, `ENV['HOME']`
/// (4 tokens), `process.env.HOME` (from `env`, 3), `getenv('HOME')` (4).
fn env_home_at(toks: &[Tok], k: usize) -> Option<usize> {
    let home = |t: &Tok| matches!(t, Tok::Str(s, _) | Tok::Ident(s) if s == "HOME");
    match toks.get(k..)? {
        [
            Tok::Ident(e),
            Tok::Punct('[' | '{'),
            h,
            Tok::Punct(']' | '}'),
            ..,
        ] if matches!(
            e.as_str(),
            "$ENV" | "ENV" | "$_SERVER" | "$_ENV" | "environ"
        ) && home(h) =>
        {
            Some(4)
        }
        [Tok::Ident(e), Tok::Punct('.'), h, ..] if e == "env" && home(h) => Some(3),
        [Tok::Ident(g), Tok::Punct('('), h, Tok::Punct(')'), ..]
            if matches!(g.as_str(), "getenv" | "Getenv") && home(h) =>
        {
            Some(4)
        }
        _ => None,
    }
}

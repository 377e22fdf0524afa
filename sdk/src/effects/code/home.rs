//! The home directory as code spells it: inside an interpolating string
//! (`"$ENV{HOME}/x"`, `f"{Path.home()}/x"`, `` `${os.homedir()}/x` ``), by
//! language, and looked up in the environment with what is appended to it
//! (`os.environ['HOME'] + '/x'`, `$ENV{HOME}.'/x'`). Both give `~` for the
//! home, which the path a call names keeps as its run-time part.

use super::{Lang, Tok, Val};

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
/// directory at its start: `~` and the rest. Any other interpolation is
/// unknown.
pub(super) fn home_interpolated(s: &str, lang: Lang) -> Option<String> {
    let rest = HOME_INTERPOLATIONS
        .iter()
        .filter(|(l, _)| *l == lang)
        .find_map(|(_, h)| s.strip_prefix(h))
        .map(|r| (true, r))
        .unwrap_or((false, s));
    let marks: &[&str] = match lang {
        Lang::Perl => &["$", "@"],
        Lang::Ruby => &["#{"],
        Lang::Php => &["$"],
        Lang::Node => &["${"],
        Lang::Python => &["{", "}"],
        Lang::Go => &[],
        Lang::Other => &["$", "#{"],
    };
    if marks.iter().any(|m| rest.1.contains(m)) {
        return None;
    }
    Some(if rest.0 {
        format!("~{}", rest.1)
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

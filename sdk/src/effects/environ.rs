//! The environment variables code of other languages reads: one variable
//! by name (`os.environ['X']`, `os.environ.get('X')`, `os.getenv('X')`,
//! `process.env.X`, `process.env['X']`, Ruby's `ENV['X']` and
//! `ENV.fetch('X')`, Perl's `$ENV{X}`, PHP's `getenv('X')` and
//! `$_ENV['X']`, Go's `os.Getenv("X")`), or the whole environment when it
//! is printed, logged, dumped or serialised (`print(os.environ)`,
//! `console.log(process.env)`, `JSON.stringify(process.env)`, `p ENV`,
//! `print_r($_ENV)`, `fmt.Println(os.Environ())`) or looked up
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
    "os.Environ",
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
    "os.Getenv",
    "os.LookupEnv",
];
/// Calls that send their argument (`requests.post(u,
/// json=dict(os.environ))`): the whole environment sent is shown to whoever
/// receives it; one variable sent is that variable used (a token in a
/// request's header).
const SENT_BY: &[&str] = &[
    "post", "put", "patch", "send", "sendall", "urlopen", "fetch",
];
/// Calls whose argument is shown, printed, logged or serialised
/// (`print(os.getenv('X'))`, `Object.entries(process.env)`).
const SHOWN_BY: &[&str] = &[
    "entries",
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
    "echo",
    "Println",
    "Printf",
    "Print",
    "Fprintln",
    "Fprintf",
];

/// The variables `toks` reads, `*` for all of them, each with whether the
/// code shows it (prints, logs, serialises or sends it: `print(os.getenv('X'))`,
/// `console.log(process.env.X)`).
pub(crate) fn reads(toks: &[Tok]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut add = |v: &str, shown: bool| match out.iter_mut().find(|(o, _)| o == v) {
        Some((_, s)) => *s |= shown,
        None => out.push((v.to_string(), shown)),
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
            let var = if var.starts_with("toObject") {
                "*"
            } else {
                var
            };
            add(var, shown(toks, i, SHOWN_BY));
        } else if GETTERS.contains(&name.as_str()) {
            if toks.get(next) == Some(&Tok::Punct('(')) {
                add(lit(next + 1).unwrap_or("*"), shown(toks, i, SHOWN_BY));
            }
        } else if OBJECTS.contains(&name.as_str()) {
            match toks.get(next) {
                // `os.environ['X']`, `$ENV{X}` (a bareword key in Perl).
                Some(Tok::Punct('[' | '{')) => {
                    let key = lit(next + 1).or(match toks.get(next + 1) {
                        Some(Tok::Ident(k)) if name == "$ENV" => Some(k.as_str()),
                        _ => None,
                    });
                    add(key.unwrap_or("*"), shown(toks, i, SHOWN_BY));
                }
                _ if shown(toks, i, SHOWN_BY) || shown(toks, i, SENT_BY) => add("*", true),
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

/// Whether the name starting at `i` is shown by one of the calls `by`
/// names: an argument of one, at any depth within its statement
/// (`print(dict(os.environ))`), or the operand of one called without
/// parentheses (`p ENV`).
fn shown(toks: &[Tok], i: usize, by: &[&str]) -> bool {
    let is_show = |t: &Tok| matches!(t, Tok::Ident(name) if by.contains(&name.as_str()));
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

#[cfg(test)]
mod tests {
    use super::super::code::{Lang, tokens};
    use super::*;

    fn r(src: &str, lang: Lang) -> Vec<String> {
        reads(&tokens(src, lang))
            .into_iter()
            .map(|(v, _)| v)
            .collect()
    }

    fn shown_reads(src: &str, lang: Lang) -> Vec<String> {
        let reads = reads(&tokens(src, lang)).into_iter();
        reads.filter(|(_, s)| *s).map(|(v, _)| v).collect()
    }

    #[test]
    fn one_variable_shown() {
        assert_eq!(
            shown_reads("import os; print(os.getenv('GITHUB_TOKEN'))", Lang::Python),
            ["GITHUB_TOKEN"]
        );
        assert_eq!(
            shown_reads("console.log(process.env.NPM_TOKEN)", Lang::Node),
            ["NPM_TOKEN"]
        );
        assert_eq!(shown_reads("print $ENV{API_KEY};", Lang::Perl), ["API_KEY"]);
        assert_eq!(
            shown_reads("echo getenv('DB_PASSWORD');", Lang::Php),
            ["DB_PASSWORD"]
        );
        assert_eq!(
            shown_reads(
                "fmt.Println(os.Getenv(\"AWS_SECRET_ACCESS_KEY\"))",
                Lang::Go
            ),
            ["AWS_SECRET_ACCESS_KEY"]
        );
        // Used, not shown: a header, a client's argument, a variable.
        for (src, lang) in [
            (
                "requests.get(u, headers={'Authorization': os.environ['T']})",
                Lang::Python,
            ),
            (
                "const o = new Octokit({auth: process.env.GITHUB_TOKEN})",
                Lang::Node,
            ),
            ("t = os.getenv('T')", Lang::Python),
        ] {
            assert!(shown_reads(src, lang).is_empty(), "{src}");
        }
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

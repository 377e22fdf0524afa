//! Passwords given on a command line by a client's own short option, where
//! every process (`ps`), the shell's history and the logs see them:
//! `docker login -p VALUE` (and `podman`, `helm registry`, `oras`, `crane
//! auth`, `az`, `oc login`), `mysql -pVALUE`, `redis-cli -a VALUE`,
//! `sshpass -p VALUE`, `mongosh -p VALUE`, `sqlcmd -P VALUE`, `ldapsearch
//! -w VALUE`, `zip`/`unzip -P VALUE`, `7z -pVALUE`, `openssl … -passin
//! pass:VALUE`, `smbclient -U user%VALUE`, `htpasswd -b FILE USER VALUE`.
//! What a short option means is the client's own (`-p` is a port to most),
//! so each is read for the clients that give it this meaning; long forms
//! (`--password VALUE`) are found by [`super::assign`] for every program.
//!
//! A value counts when it is a literal that looks like a password, judged
//! as an unquoted assignment's value is (six characters or more, a digit
//! or a symbol, not a reference or a placeholder): `mysql -proot` and
//! `docker login -p "$TOKEN"` are not reported.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::Finding;
use super::assign::looks_like_password;
use super::redact::redact_value;
use crate::shell::{self, Command};

/// The words that start the commands read here (a cheap test before a line
/// is parsed): the clients' names, `login` for the registry and cloud
/// CLIs' logins, and `ldap` for the LDAP tools (`ldapsearch`, …).
const PROGRAMS: &[&str] = &[
    "login",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlcheck",
    "mysqlshow",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
    "redis-cli",
    "valkey-cli",
    "keydb-cli",
    "sshpass",
    "mongo",
    "mongosh",
    "mongodump",
    "mongorestore",
    "mongoexport",
    "mongoimport",
    "sqlcmd",
    "bcp",
    "ldap",
    "zip",
    "unzip",
    "zipcloak",
    "7z",
    "7za",
    "7zr",
    "openssl",
    "smbclient",
    "rpcclient",
    "htpasswd",
];

/// Longest line parsed for these.
const MAX_LINE: usize = 4096;

/// [`PROGRAMS`], found in one pass (the longest at each place: `mongosh`,
/// not `mongo`).
static PROGRAM_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(PROGRAMS)
        .expect("the program names are plain words")
});

/// Builds the automaton now (see [`super::prepare`]).
pub(super) fn prepare() {
    LazyLock::force(&PROGRAM_WORDS);
}

pub(super) fn option_passwords(text: &str, lower: &str, add: &mut impl FnMut(Finding)) {
    // The lines that run one of the programs, each once: only those are
    // parsed (a file's other lines are not commands).
    let b = lower.as_bytes();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for m in PROGRAM_WORDS.find_iter(lower) {
        let (k, end) = (m.start(), m.end());
        let before = k == 0
            || matches!(
                b[k - 1],
                b' ' | b'\t' | b'\n' | b'/' | b';' | b'|' | b'&' | b'(' | b'`' | b'"' | b'\''
            );
        // `ldapsearch`: the LDAP tools share their prefix.
        let after = end == b.len()
            || matches!(b[end], b' ' | b'\t' | b'\n' | b'\r')
            || &lower[k..end] == "ldap" && b[end].is_ascii_alphabetic();
        if !(before && after) || lines.last().is_some_and(|&(_, e)| k < e) {
            continue;
        }
        let start = lower[..k].rfind('\n').map_or(0, |n| n + 1);
        let stop = lower[end..].find('\n').map_or(lower.len(), |n| end + n);
        if stop - start <= MAX_LINE {
            lines.push((start, stop));
        }
    }
    for (at, stop) in lines {
        let line = &text[at..stop];
        let parsed = shell::parse(line);
        let mut from = 0;
        for c in &parsed.commands {
            let Some((value, given_to)) = password_of(c).filter(|(v, _)| looks_like_password(v))
            else {
                continue;
            };
            // Where it is written: after the name of the program given it.
            let program_at = line[from..].find(given_to).map_or(from, |k| from + k);
            let Some(k) = line[program_at..].find(value.as_str()) else {
                continue;
            };
            let k = program_at + k;
            from = k + value.len();
            add(Finding {
                kind: "command-line-password",
                excerpt: format!("{} {}", c.program, redact_value(&value)),
                range: at + k..at + k + value.len(),
            });
        }
    }
}

/// `-p VALUE` or `-pVALUE` (only the latter when `attached_only`).
fn short_value(args: &[&str], flag: &str, attached_only: bool) -> Option<String> {
    args.iter().enumerate().find_map(|(k, a)| {
        if *a == flag && !attached_only {
            args.get(k + 1).map(|v| v.to_string())
        } else {
            a.strip_prefix(flag)
                .filter(|v| !v.is_empty() && !v.starts_with('='))
                .map(str::to_string)
        }
    })
}

/// The password `c` is given by an option of its own (or of `sshpass`,
/// the wrapper it runs under), as written, and the name of the program
/// given it.
fn password_of(c: &Command) -> Option<(String, &str)> {
    if let Some(w) = c.wrappers.iter().find(|w| w.program == "sshpass")
        && let Some(v) = w.option_values(&["-p"]).next()
    {
        return Some((v.text.clone(), "sshpass"));
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let program = c.program.rsplit('/').next().unwrap_or(&c.program);
    let short = |flag: &str, attached_only: bool| short_value(&args, flag, attached_only);
    own_password(program, &args, short).map(|v| (v, c.program.as_str()))
}

/// The password a program's own options give it.
fn own_password(
    program: &str,
    args: &[&str],
    short: impl Fn(&str, bool) -> Option<String>,
) -> Option<String> {
    let logs_in = args.contains(&"login");
    match program {
        "docker" | "podman" | "nerdctl" | "buildah" | "skopeo" | "helm" | "oras" | "crane"
        | "az" | "oc"
            if logs_in =>
        {
            short("-p", false)
        }
        "mysql" | "mysqldump" | "mysqladmin" | "mysqlimport" | "mysqlcheck" | "mysqlshow"
        | "mariadb" | "mariadb-dump" | "mariadb-admin" => short("-p", true),
        "redis-cli" | "valkey-cli" | "keydb-cli" => {
            short("-a", false).or_else(|| value_of(args, "--pass"))
        }
        "sshpass" => short("-p", false),
        "mongo" | "mongosh" | "mongodump" | "mongorestore" | "mongoexport" | "mongoimport" => {
            short("-p", false)
        }
        "sqlcmd" | "bcp" => short("-P", false),
        "zip" | "unzip" | "zipcloak" => short("-P", false),
        "7z" | "7za" | "7zr" => short("-p", true),
        _ if program.starts_with("ldap") => short("-w", false),
        "openssl" => ["-passin", "-passout", "-pass", "-password"]
            .iter()
            .find_map(|o| value_of(args, o))
            .and_then(|v| v.strip_prefix("pass:").map(str::to_string)),
        "smbclient" | "rpcclient" => short("-U", false)
            .or_else(|| value_of(args, "--user"))
            .and_then(|u| u.split_once('%').map(|(_, p)| p.to_string())),
        // `htpasswd -b[n…] [FILE] USER PASSWORD`: the last operand.
        "htpasswd"
            if args
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('b')) =>
        {
            args.last()
                .filter(|a| !a.starts_with('-'))
                .map(|a| a.to_string())
        }
        _ => None,
    }
}

/// The value of `--name VALUE` or `--name=VALUE`.
fn value_of(args: &[&str], name: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(k, a)| {
        if *a == name {
            args.get(k + 1).map(|v| v.to_string())
        } else {
            a.strip_prefix(name)
                .and_then(|v| v.strip_prefix('='))
                .map(str::to_string)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        option_passwords(text, &text.to_ascii_lowercase(), &mut |f: Finding| {
            out.push(text[f.range].to_string())
        });
        out
    }

    #[test]
    fn passwords_in_client_options() {
        for (text, secret) in [
            (
                "docker login -u admin -p Zq8vN2kLp4Rt registry.acme.io",
                "Zq8vN2kLp4Rt",
            ),
            (
                "helm registry login harbor.acme.io -u ci -p Zq8vN2kLp4Rt",
                "Zq8vN2kLp4Rt",
            ),
            ("mysql -u root -pZq8vN2kLp4Rt -e 'select 1'", "Zq8vN2kLp4Rt"),
            (
                "redis-cli -h cache.acme.io -a Zq8vN2kLp4Rt ping",
                "Zq8vN2kLp4Rt",
            ),
            ("sshpass -p 'Zq8v N2k!' ssh root@203.0.113.9", "Zq8v N2k!"),
            // A password file for ssh, a password given to what it runs.
            (
                "sshpass -f ~/.pw mysql -u root -pZq8vN2kLp4Rt",
                "Zq8vN2kLp4Rt",
            ),
            (
                "mongosh mongodb://db.acme.io -u admin -p Zq8vN2kLp4Rt",
                "Zq8vN2kLp4Rt",
            ),
            (
                "sqlcmd -S db -U sa -P Zq8vN2kLp4Rt -Q 'select 1'",
                "Zq8vN2kLp4Rt",
            ),
            (
                "ldapsearch -x -D cn=admin -w Zq8vN2kLp4Rt -b dc=acme",
                "Zq8vN2kLp4Rt",
            ),
            ("zip -P Zq8vN2kLp4Rt secrets.zip notes.txt", "Zq8vN2kLp4Rt"),
            ("7z a -pZq8vN2kLp4Rt backup.7z data/", "Zq8vN2kLp4Rt"),
            (
                "openssl enc -aes-256-cbc -in a -out b -pass pass:Zq8vN2kLp4Rt",
                "Zq8vN2kLp4Rt",
            ),
            (
                "smbclient //srv/share -U admin%Zq8vN2kLp4Rt",
                "Zq8vN2kLp4Rt",
            ),
            ("htpasswd -b .htpasswd admin Zq8vN2kLp4Rt", "Zq8vN2kLp4Rt"),
        ] {
            assert_eq!(found(text), [secret], "{text}");
        }
    }

    #[test]
    fn prompts_references_and_weak_values() {
        for text in [
            "mysql -u root -p app",
            "mysql -u root -proot",
            "mysql -uroot -ppassword",
            "docker login -u ci -p \"$REGISTRY_TOKEN\" registry.acme.io",
            "docker login -u ci --password-stdin registry.acme.io",
            "docker run -p 8080:80 nginx",
            "redis-cli -p 6379 ping",
            "psql -p 5433 -U app",
            "ssh -p 2222 host",
            "zip -r out.zip dir",
            "sshpass -f ~/.pw ssh host",
            "openssl enc -pass env:PW -in a -out b",
            "docker login -u ci -p <token> registry.example.com",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}

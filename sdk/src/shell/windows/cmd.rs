//! `cmd.exe` command lines as POSIX ones: `rd /s`, `del`, `sdelete`,
//! `type`, `copy`, `move`, `findstr`, `mklink`, `setx` (and `reg add` under
//! the environment keys), `icacls`, `takeown`, `schtasks /end|/delete`, `wmic
//! … setpriority`, `netsh … portproxy add`, `format`, `shutdown`, output
//! redirected to a file, and the PowerShell-style commands `cmd` starts
//! (`taskkill`, `pssuspend`, `powershell`); every other command as
//! written, its `%VARIABLES%` expanded.

use super::super::model::quote;
use super::cmdlet;
use super::environment::persistent_variable;
use super::registry::registry_variable;
use super::text::{posix_path, posix_paths, split, unquote, words};

/// A `cmd` line as a POSIX command line.
pub(super) fn cmd_line(src: &str) -> String {
    let src = uncaret(src);
    split(&src, &["&&", "||", "&", "|"])
        .iter()
        .map(|s| cmd_command(&words(s)))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn cmd_command(w: &[String]) -> String {
    // `echo {} > .claude\settings.json`: the command, then its output
    // written to the file (a redirection's target is a path like any).
    if let Some((command, append, target)) = redirection(w) {
        let arrow = if append { ">>" } else { ">" };
        return format!("{} {arrow} {}", cmd_command(&command), posix_path(&target));
    }
    let Some((name, args)) = w.split_first() else {
        return String::new();
    };
    let name = name.to_ascii_lowercase();
    let switch = |s: &str| args.iter().any(|a| a.eq_ignore_ascii_case(s));
    // What no reading here rewrites: the words as `cmd` gives them, its
    // variables expanded.
    let as_written = || {
        w.iter()
            .map(|x| expanded(&unquote(x)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let operands = || {
        args.iter()
            .filter(|a| !a.starts_with('/'))
            .map(|a| posix_paths(&unquote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match name.as_str() {
        "rd" | "rmdir" => {
            let r = if switch("/s") { " -r" } else { "" };
            format!("rm{r} -f {}", operands())
        }
        "del" | "erase" => {
            let r = if switch("/s") { " -r" } else { "" };
            format!("rm{r} -f {}", operands())
        }
        // Sysinternals' `sdelete [-p N] [-s] PATH`: the files overwritten,
        // then deleted (`-s` below the directory), as `shred -u` and `rm -r`
        // do; `-c`/`-z` only clean a drive's free space.
        "sdelete" | "sdelete64" => {
            let flag = |f: &str| switch(&format!("-{f}")) || switch(&format!("/{f}"));
            let paths: Vec<String> = args
                .iter()
                .enumerate()
                .filter(|(k, a)| {
                    !a.starts_with(['-', '/'])
                        && !(k.checked_sub(1).and_then(|p| args.get(p))).is_some_and(|p| {
                            p.eq_ignore_ascii_case("-p") || p.eq_ignore_ascii_case("/p")
                        })
                })
                .map(|(_, a)| posix_paths(&unquote(a)))
                .collect();
            if flag("c") || flag("z") || paths.is_empty() {
                return as_written();
            }
            let r = if flag("s") || flag("r") { " -r" } else { "" };
            format!("rm{r} -f {}", paths.join(" "))
        }
        "type" => format!("cat {}", operands()),
        // `findstr /s /i PATTERN FILES`: a content search (`/s` below the
        // directory, `/i` without case; `/c:"…"` a literal pattern).
        "findstr" => {
            let flags: String = args
                .iter()
                .filter(|a| a.starts_with('/') && !a.contains(':'))
                .flat_map(|a| a[1..].chars())
                .collect::<String>()
                .to_ascii_lowercase();
            let literal = args.iter().find_map(|a| {
                a.get(..3)
                    .filter(|p| p.eq_ignore_ascii_case("/c:"))
                    .map(|_| unquote(&a[3..]))
            });
            let mut rest = args
                .iter()
                .filter(|a| !a.starts_with('/'))
                .map(|a| unquote(a));
            let Some(pattern) = literal.or_else(|| rest.next()) else {
                return as_written();
            };
            let r = if flags.contains('s') { " -r" } else { "" };
            let i = if flags.contains('i') { " -i" } else { "" };
            let files: Vec<String> = rest.map(|f| posix_path(&f)).collect();
            format!("grep{r}{i} -e {} {}", quote(&pattern), files.join(" "))
        }
        "copy" | "xcopy" | "robocopy" => format!("cp -r {}", operands()),
        "move" => format!("mv {}", operands()),
        // `mklink [/d|/j|/h] LINK TARGET`.
        "mklink" => {
            let paths: Vec<String> = args
                .iter()
                .filter(|a| !a.starts_with('/'))
                .map(|a| posix_path(&unquote(a)))
                .collect();
            match paths.as_slice() {
                [link, target] => format!("ln -sfn {target} {link}"),
                _ => as_written(),
            }
        }
        // `icacls PATH /deny Everyone:F` locks everyone out of it as `chmod
        // 000` does; `/setowner` and `takeown /f PATH` give it to another
        // owner, as `chown` does.
        "icacls" | "takeown" => {
            let target = match name.as_str() {
                "takeown" => args
                    .iter()
                    .position(|a| a.eq_ignore_ascii_case("/f"))
                    .and_then(|k| args.get(k + 1)),
                _ => args.first(),
            };
            let recursive = if switch("/r") || switch("/t") {
                " -R"
            } else {
                ""
            };
            match target.map(|t| posix_path(&unquote(t))) {
                Some(t) if switch("/deny") || switch("/remove") || switch("/inheritance:r") => {
                    format!("chmod{recursive} 000 {t}")
                }
                Some(t) if name == "takeown" || switch("/setowner") => {
                    format!("chown{recursive} \"$USER\" {t}")
                }
                _ => as_written(),
            }
        }
        // `setx NAME VALUE`: a variable every later process of the user
        // starts with, as one exported from a shell start-up file is.
        "setx" => match args
            .iter()
            .filter(|a| !a.starts_with('/'))
            .collect::<Vec<_>>()[..]
        {
            [name, value, ..] => persistent_variable(&unquote(name), &unquote(value)),
            _ => as_written(),
        },
        // `reg add HKCU\Environment /v NAME /d VALUE`: as `setx`.
        "reg" if args.first().is_some_and(|a| a.eq_ignore_ascii_case("add")) => {
            let after = |flag: &str| {
                let at = args.iter().position(|a| a.eq_ignore_ascii_case(flag))?;
                args.get(at + 1).map(|v| unquote(v))
            };
            match (args.get(1), after("/v"), after("/d")) {
                (Some(key), Some(name), Some(value)) => {
                    registry_variable(&unquote(key), &name, &value).unwrap_or_else(as_written)
                }
                _ => as_written(),
            }
        }
        // `schtasks /end /tn NAME` stops a task; `/delete` and `/change
        // /disable` keep it from running again: as a service's.
        "schtasks" if switch("/end") || switch("/delete") || switch("/disable") => {
            let task = args
                .iter()
                .position(|a| a.eq_ignore_ascii_case("/tn"))
                .and_then(|k| args.get(k + 1))
                .map(|t| unquote(t));
            match task {
                Some(t) => format!(
                    "systemctl {} {}",
                    if switch("/end") { "stop" } else { "disable" },
                    quote(t.trim_start_matches('\\'))
                ),
                None => as_written(),
            }
        }
        // `wmic process where name='x.exe' call setpriority 64`.
        "wmic" => {
            let text = w.join(" ");
            super::wmi::statement(&text, &text.to_ascii_lowercase()).unwrap_or_else(as_written)
        }
        "format" => "wipefs -a /dev/sda".to_string(),
        "shutdown" if switch("/s") || switch("/p") => "shutdown -h now".to_string(),
        "shutdown" if switch("/r") => "reboot".to_string(),
        "taskkill" | "powershell" | "pwsh" | "stop-process" | "pssuspend" | "pssuspend64" => {
            cmdlet(w)
        }
        // `netsh interface portproxy add v4tov4 listenport=P …`: a
        // listener on P that hands every connection to another address.
        "netsh" if args.iter().any(|a| a.eq_ignore_ascii_case("portproxy")) => {
            let value = |key: &str| {
                args.iter().find_map(|a| {
                    let (k, v) = a.split_once('=')?;
                    k.eq_ignore_ascii_case(key).then(|| v.to_string())
                })
            };
            match (
                value("listenport"),
                args.iter().any(|a| a.eq_ignore_ascii_case("add")),
            ) {
                (Some(port), true) => {
                    let bind = value("listenaddress").unwrap_or_else(|| "0.0.0.0".into());
                    let to = value("connectaddress").unwrap_or_else(|| "127.0.0.1".into());
                    let to_port = value("connectport").unwrap_or_else(|| port.clone());
                    format!(
                        "socat {} {}",
                        quote(&format!("TCP-LISTEN:{port},bind={bind},fork")),
                        quote(&format!("TCP:{to}:{to_port}"))
                    )
                }
                _ => as_written(),
            }
        }
        _ => as_written(),
    }
}

/// A word of a `cmd` command as the shell word with the same value: quoted,
/// and `%NAME%` the variable `cmd` expands there (`echo %GITHUB_TOKEN%`
/// prints the token, as `echo "${GITHUB_TOKEN}"` does).
fn expanded(word: &str) -> String {
    let mut out = String::from('"');
    let mut rest = word;
    let mut any = false;
    while let Some(at) = rest.find('%') {
        let after = &rest[at + 1..];
        let name = after.split('%').next().filter(|n| {
            after.len() > n.len()
                && !n.is_empty()
                && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !n.as_bytes()[0].is_ascii_digit()
        });
        let Some(name) = name else {
            push_escaped(&mut out, &rest[..=at]);
            rest = after;
            continue;
        };
        push_escaped(&mut out, &rest[..at]);
        out.push_str(&format!("${{{name}}}"));
        any = true;
        rest = &after[name.len() + 1..];
    }
    if !any {
        return quote(word);
    }
    push_escaped(&mut out, rest);
    out.push('"');
    out
}

/// `text` in a double-quoted shell word, as itself.
fn push_escaped(out: &mut String, text: &str) {
    for ch in text.chars() {
        if matches!(ch, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// `src` with `cmd`'s escape character taken away outside double quotes,
/// as `cmd` reads it: `d^el` is `del`; an escaped operator (`^>`, `^&`)
/// is a literal one, kept in quotes so that it stays one.
pub(super) fn uncaret(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut quoted = false;
    let mut chars = src.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                quoted = !quoted;
                out.push(ch);
            }
            '^' if !quoted => match chars.next() {
                Some(next @ ('>' | '<' | '|' | '&')) => {
                    out.push('"');
                    out.push(next);
                    out.push('"');
                }
                Some(next) => out.push(next),
                None => {}
            },
            _ => out.push(ch),
        }
    }
    out
}

/// An output redirection among a command's words (`> f`, `>>f`, `2> f`,
/// `echo x>>f`, PowerShell's `*>> f`): the command's words without it,
/// whether it appends, and the target, unquoted.
pub(super) fn redirection(w: &[String]) -> Option<(Vec<String>, bool, String)> {
    let (k, at) = w.iter().enumerate().find_map(|(k, a)| {
        if a.starts_with(['"', '\'']) {
            return None;
        }
        // PowerShell's `` `> `` is a literal `>`.
        a.find('>')
            .filter(|&at| !a[..at].ends_with('`'))
            .map(|at| (k, at))
    })?;
    let word = &w[k];
    // What precedes the arrow: a stream's number (`2>`), or the end of the
    // command's last word (`echo x>>f`).
    let before = &word[..at];
    let stream = before.chars().all(|c| c.is_ascii_digit() || c == '*');
    if k == 0 && stream {
        return None;
    }
    let op = &word[at..];
    let (append, attached) = match op.strip_prefix(">>") {
        Some(rest) => (true, rest),
        None => (false, &op[1..]),
    };
    let target = if attached.is_empty() {
        w.get(k + 1).cloned().unwrap_or_default()
    } else {
        attached.to_string()
    };
    let rest = if attached.is_empty() { k + 2 } else { k + 1 };
    let mut command = w[..k].to_vec();
    if !stream {
        command.push(before.to_string());
    }
    command.extend(w.get(rest..).unwrap_or(&[]).iter().cloned());
    Some((command, append, unquote(&target)))
}

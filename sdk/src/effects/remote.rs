//! Remote shells and copies: `ssh` (`sftp`, `mosh`, `telnet`) connect to
//! their host and send their input (and a remote command); the addresses
//! their forwards reach (`-L`/`-W` through a server on this machine, `-R`
//! back to this one from any); the keys and configuration they read; `scp`
//! and `rsync`, whose sources and destination are each local or remote.

use super::context::{Cx, Kind};
use super::net::{host_of, is_loopback, is_remote, stdin_sent};
use super::options::parse;
use crate::shell::Word;

/// Records the effects of `prog` when it is one of this module's programs.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    match prog {
        "ssh" | "sftp" | "mosh" | "telnet" => ssh(cx, prog, args),
        "scp" | "rsync" => copy(cx, prog, args),
        _ => return false,
    }
    true
}

fn ssh(cx: &mut Cx, prog: &str, args: &[Word]) {
    let mut k = 0;
    let valued = "bcDEeFIiJLlmOopQRSWw";
    let mut host = None;
    // `-L [bind:]port:host:hostport` and `-W host:port` reach `host` from
    // the server; `-R [bind:]port:host:hostport` reaches it from here and
    // opens it to the server's side.
    let mut forwards: Vec<(char, &str)> = Vec::new();
    while k < args.len() {
        let t = args[k].text.as_str();
        if t.starts_with('-') && t.len() > 1 {
            let last = t.chars().last().unwrap_or('-');
            if valued.contains(last) && t.len() == 2 {
                if matches!(t, "-i" | "-F")
                    && let Some(v) = args.get(k + 1)
                {
                    cx.path(Kind::Read, v, 0, "ssh -i", false);
                }
                if let (Some(v), "-L" | "-R" | "-W") = (args.get(k + 1), t) {
                    forwards.push((last, v.text.as_str()));
                }
                k += 1;
            } else if let Some(v) = t.strip_prefix("-L").or_else(|| t.strip_prefix("-R")) {
                forwards.push((t.as_bytes()[1] as char, v));
            }
            k += 1;
            continue;
        }
        host = Some(t);
        break;
    }
    let remote_cmd = k + 1 < args.len();
    let sends = stdin_sent(cx) || (prog == "ssh" && remote_cmd);
    let h = host.map(|h| host_of(&format!("ssh://{h}")).unwrap_or_default());
    let server_here = h.as_deref().is_some_and(is_loopback);
    cx.net(prog, host.map(str::to_string), h, sends);
    for (option, spec) in forwards {
        if option != 'R' && !server_here {
            continue;
        }
        if let Some(target) = forward_target(option, spec) {
            let how = format!("{prog} -{option}");
            cx.net(&how, Some(target.clone()), host_of(&target), true);
        }
    }
}

/// The `host:port` a forward's spec connects to: the last two fields of
/// `[bind:]port:host:hostport` (`-L`, `-R`; an IPv6 host in brackets), the
/// whole of `host:port` (`-W`). A socket path, or `-R port` alone (a SOCKS
/// proxy), names none.
fn forward_target(option: char, spec: &str) -> Option<String> {
    if option == 'W' {
        return Some(spec.to_string());
    }
    let (rest, port) = spec.rsplit_once(':')?;
    let host = if rest.ends_with(']') {
        &rest[rest.rfind('[')?..]
    } else {
        rest.rsplit(':').next()?
    };
    let numeric = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    (numeric && !host.is_empty() && !host.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{host}:{port}"))
}

/// `scp` and `rsync`: sources and a destination, either possibly remote.
fn copy(cx: &mut Cx, prog: &str, args: &[Word]) {
    let p = if prog == "scp" {
        parse(args, "cFiJloPSD", "", &[])
    } else {
        parse(
            args,
            "eBfTM",
            "",
            &[
                "rsh",
                "exclude",
                "include",
                "exclude-from",
                "include-from",
                "files-from",
                "filter",
                "temp-dir",
                "partial-dir",
                "log-file",
                "password-file",
                "port",
                "backup-dir",
                "suffix",
                "chmod",
                "chown",
                "compare-dest",
                "copy-dest",
                "link-dest",
                "max-size",
                "min-size",
                "timeout",
                "bwlimit",
                "out-format",
                "rsync-path",
                "iconv",
            ],
        )
    };
    for (w, f) in p.values(&[
        "i",
        "F",
        "files-from",
        "exclude-from",
        "include-from",
        "password-file",
    ]) {
        cx.path(Kind::Read, w, f, prog, false);
    }
    let Some((dest, sources)) = p.operands.split_last() else {
        return;
    };
    let dest_remote = is_remote(&dest.text);
    let delete = p.opts.iter().any(|(n, _)| n.starts_with("delete"));
    let remove_src = p.has(&["remove-source-files"]);
    let rec = prog == "rsync" || p.has(&["r"]);
    for s in sources {
        if is_remote(&s.text) {
            cx.net(prog, Some(s.text.clone()), host_of(&s.text), false);
        } else {
            cx.path(Kind::Read, s, 0, prog, rec);
            if remove_src {
                cx.path(Kind::Delete, s, 0, "rsync --remove-source-files", rec);
            }
        }
    }
    if dest_remote {
        cx.net(prog, Some(dest.text.clone()), host_of(&dest.text), true);
    } else {
        cx.path(Kind::Write, dest, 0, prog, rec);
        if delete {
            cx.path(Kind::Delete, dest, 0, "rsync --delete", true);
        }
    }
}

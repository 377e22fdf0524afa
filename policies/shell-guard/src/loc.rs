//! Where a path points, lexically, and how much is at stake there: the root,
//! home and system directories, devices, start-up files.

use clawlaw_sdk::shell::{Word, var_prefix};
use std::ops::Range;

/// Where a path points, lexically. The home directory is `/home/~`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Loc {
    Abs(Vec<String>),
    /// Relative to an unknown directory: `ups` levels up, then components.
    Rel(usize, Vec<String>),
    /// Starts with something only known at run time.
    Unknown,
}

/// A component standing for a name only known at run time.
pub(crate) const ANY: &str = "*";

impl Loc {
    pub(crate) fn home() -> Loc {
        Loc::Abs(vec!["home".into(), "~".into()])
    }

    pub(crate) fn push(&mut self, c: &str) {
        if let Loc::Abs(v) | Loc::Rel(_, v) = self {
            v.push(c.into());
        }
    }

    pub(crate) fn pop(&mut self) {
        match self {
            Loc::Abs(v) => {
                v.pop();
            }
            Loc::Rel(ups, v) => {
                if v.pop().is_none() {
                    *ups += 1;
                }
            }
            Loc::Unknown => {}
        }
    }

    pub(crate) fn display(&self) -> String {
        match self {
            Loc::Abs(v) if v.len() >= 2 && v[0] == "home" && v[1] == "~" => {
                let rest = &v[2..];
                if rest.is_empty() {
                    "~".into()
                } else {
                    format!("~/{}", rest.join("/"))
                }
            }
            Loc::Abs(v) => format!("/{}", v.join("/")),
            Loc::Rel(ups, v) => {
                let mut parts: Vec<&str> = vec![".."; *ups];
                parts.extend(v.iter().map(String::as_str));
                if parts.is_empty() {
                    ".".into()
                } else {
                    parts.join("/")
                }
            }
            Loc::Unknown => "a run-time path".into(),
        }
    }
}

/// `$TMPDIR`, `${TMPDIR}` or `${TMPDIR:-/tmp}` (any default that is itself
/// a temporary directory) at the start of `text`, followed by `/` or the
/// end: the length of the prefix. The variable names the user's temporary
/// directory, whose contents are scratch.
fn temp_prefix(text: &str) -> Option<usize> {
    let n = var_prefix(text, "TMPDIR")?;
    // `${TMPDIR:-x}` is `x` when the variable is unset: only a temporary
    // directory counts as that default; `${TMPDIR:?}` runs nothing then.
    let op = text[..n]
        .strip_prefix("${TMPDIR")
        .and_then(|o| o.strip_suffix('}'))
        .unwrap_or("");
    let op = op.strip_prefix(':').unwrap_or(op);
    let temp = match op.strip_prefix(['-', '=']) {
        Some(value) => ["/tmp", "/var/tmp"]
            .iter()
            .any(|t| value.trim_end_matches('/') == *t),
        None => true,
    };
    temp.then_some(n)
}

/// Whether `loc` is a system-wide temporary directory (`/tmp`, `/var/tmp`,
/// macOS's `/private/tmp`).
pub(crate) fn is_temp(loc: &Loc) -> bool {
    matches!(loc, Loc::Abs(v) if v == &["tmp"] || v == &["var", "tmp"] || v == &["private", "tmp"])
}

pub(crate) fn resolve(word: &Word, cwd: &Loc) -> Loc {
    let spans: Vec<Range<usize>> = word.dynamic_spans().collect();
    resolve_text(&word.text, &spans, cwd)
}

pub(crate) fn resolve_text(text: &str, spans: &[Range<usize>], cwd: &Loc) -> Loc {
    let dynamic = |a: usize, b: usize| spans.iter().any(|s| s.start < b && a < s.end);
    let (mut loc, start) = if text == "~" || text.starts_with("~/") {
        (Loc::home(), 1)
    } else if let Some(n) = var_prefix(text, "HOME") {
        (Loc::home(), n)
    } else if let Some(n) = var_prefix(text, "PWD") {
        (cwd.clone(), n)
    } else if let Some(n) = temp_prefix(text) {
        (Loc::Abs(vec!["tmp".into()]), n)
    } else if let Some(user) = text.strip_prefix('~') {
        let user = user.split('/').next().unwrap_or("");
        (Loc::Abs(vec!["home".into(), user.into()]), 1 + user.len())
    } else if text.starts_with('/') {
        (Loc::Abs(Vec::new()), 0)
    } else if dynamic(0, 1) && (text.starts_with('$') || text.starts_with('`')) {
        return Loc::Unknown;
    } else {
        (cwd.clone(), 0)
    };
    if loc == Loc::Unknown {
        return loc;
    }
    let rest = &text[start..];
    let comps: Vec<(usize, &str)> = rest
        .split('/')
        .scan(start, |off, c| {
            let here = *off;
            *off += c.len() + 1;
            Some((here, c))
        })
        .collect();
    for (k, &(off, comp)) in comps.iter().enumerate() {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if dynamic(off, off + comp.len()) {
            let last = comps[k + 1..].iter().all(|(_, c)| c.is_empty());
            let wildcard =
                comp.contains(['*', '?']) && comp.chars().all(|c| matches!(c, '*' | '?' | '.'));
            if last && wildcard && !is_temp(&loc) {
                // `dir/*`: everything in `dir`, as good as `dir` itself —
                // except for a temporary directory, whose contents are
                // scratch while the directory itself is not.
                break;
            }
            loc.push(ANY);
        } else if comp == ".." {
            loc.pop();
        } else {
            loc.push(comp);
        }
    }
    loc
}

pub(crate) fn home_dir(c: &[String]) -> bool {
    (c.len() == 2 && matches!(c[0].as_str(), "home" | "Users")) || c == ["root"]
}

/// Home-relative components, if under a home directory.
pub(crate) fn in_home(c: &[String]) -> Option<&[String]> {
    match c {
        [h, _, rest @ ..] if h == "home" || h == "Users" => Some(rest),
        [r, rest @ ..] if r == "root" => Some(rest),
        _ => None,
    }
}

pub(crate) const HOME_CRITICAL: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".config",
    ".local",
    ".aws",
    ".kube",
    "Documents",
    "Desktop",
];

/// System files that must not be written (`/usr/local` excepted).
pub(crate) fn system_file(c: &[String]) -> bool {
    match c.first().map(String::as_str) {
        Some(
            "etc" | "boot" | "bin" | "sbin" | "lib" | "lib32" | "lib64" | "libx32" | "sys" | "proc",
        ) => true,
        Some("usr") => c.get(1).is_some_and(|d| d != "local"),
        _ => false,
    }
}

/// System directories that must not be removed wholesale.
pub(crate) fn system_dir(c: &[String]) -> bool {
    system_file(c)
        || match c.first().map(String::as_str) {
            Some("dev") => true,
            Some("usr") => c.len() <= 3,
            // A service's data: `/var/lib/postgresql`, `/var/lib/docker`.
            Some("var") if c.get(1).is_some_and(|d| d == "lib") => c.len() <= 3,
            Some("var" | "System" | "Library" | "opt" | "srv") => c.len() <= 2,
            _ => false,
        }
}

/// Entries of `/dev` that are not disks to overwrite. `tcp` and `udp`
/// are bash's network redirections (`echo > /dev/tcp/h/p`,
/// a port's readiness probed), not devices: what they send is the network
/// checks' (`reverse_shell`, exfiltration), and `log` is syslog's socket.
pub(crate) const SAFE_DEVICES: &[&str] = &[
    "null", "zero", "full", "random", "urandom", "stdin", "stdout", "stderr", "fd", "shm", "pts",
    "ptmx", "console", "tcp", "udp", "log",
];

pub(crate) fn device(c: &[String]) -> bool {
    c.len() >= 2
        && c[0] == "dev"
        && !SAFE_DEVICES.contains(&c[1].as_str())
        && !c[1].starts_with("tty")
        && c[1] != ANY
}

/// What a git configuration file is, as a reason says it.
const GIT_CONFIG: &str =
    "git's configuration, whose settings can make later git commands run programs";

/// Whether a path component is `name` as a case-insensitive file system
/// (macOS's default, Windows') reads it: `~/.BashRC` is `~/.bashrc` there.
pub(crate) fn is(component: &str, name: &str) -> bool {
    component.eq_ignore_ascii_case(name)
}

/// A file whose change outlives the session: its description and risk.
/// Names are compared without case, as a case-insensitive file system
/// resolves them.
pub(crate) fn startup_file(c: &[String]) -> Option<(&'static str, f32)> {
    const SHELL: &str = "a shell start-up file, which runs in every future shell";
    // `.git/hooks/post-checkout` (not a shipped `*.sample`): run by later
    // git commands in the repository, whoever types them.
    let hook = c.windows(3).any(|w| {
        is(&w[0], ".git")
            && is(&w[1], "hooks")
            && !w[2].to_ascii_lowercase().ends_with(".sample")
            && w[2] != ANY
    });
    if hook {
        return Some((
            "a git hook, which runs on later git commands in this repository",
            0.6,
        ));
    }
    // `.git/config`, `~/.gitconfig`: settings that make git run programs
    // (`core.fsmonitor`, `core.pager`, `core.sshCommand`, `!` aliases,
    // `core.hooksPath`), written without `git config`, whose values the
    // policy reads.
    if let [.., g, f] = c
        && is(g, ".git")
        && is(f, "config")
    {
        return Some((GIT_CONFIG, 0.6));
    }
    // launchd's jobs, the user's (`~/Library/LaunchAgents`) or the
    // machine's (`/Library/LaunchDaemons`): started at every login or boot.
    if c.windows(2)
        .any(|w| is(&w[0], "Library") && (is(&w[1], "LaunchAgents") || is(&w[1], "LaunchDaemons")))
    {
        return Some((
            "a launchd job, which macOS starts at every login or boot",
            0.7,
        ));
    }
    match in_home(c)? {
        [f] if is(f, ".gitconfig") => Some((GIT_CONFIG, 0.6)),
        [a, b, f] if is(a, ".config") && is(b, "git") && is(f, "config") => Some((GIT_CONFIG, 0.6)),
        [f] if clawlaw_sdk::implied::scripts::is_shell_startup_file(f) => Some((SHELL, 0.6)),
        [d, f]
            if is(d, ".ssh")
                && ["authorized_keys", "authorized_keys2", "rc", "config"]
                    .iter()
                    .any(|s| is(f, s)) =>
        {
            Some(("SSH access to this account", 0.8))
        }
        [a, b, f] if is(a, ".config") && is(b, "fish") && is(f, "config.fish") => {
            Some((SHELL, 0.6))
        }
        [a, b, ..] if is(a, ".config") && is(b, "autostart") => {
            Some(("programs started at every login", 0.6))
        }
        // The user's systemd units, run at every login once enabled.
        [a, b, u, ..] if is(a, ".config") && is(b, "systemd") && is(u, "user") => Some((
            "a systemd user unit, which runs at every login once enabled",
            0.6,
        )),
        _ => None,
    }
}

pub(crate) enum Danger {
    Deny(String),
    Escalate(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell;

    #[test]
    fn locations() {
        let cwd = Loc::Abs(vec!["work".into(), "app".into()]);
        let r = |t: &str| resolve(&shell::parse(&format!("x {t}")).commands[0].argv[1], &cwd);
        assert_eq!(r("/"), Loc::Abs(vec![]));
        assert_eq!(r("/*"), Loc::Abs(vec![]));
        assert_eq!(r("~/"), Loc::home());
        assert_eq!(r("$HOME/*"), Loc::home());
        assert_eq!(r("\"${HOME}\""), Loc::home());
        assert_eq!(r("../.."), Loc::Abs(vec![]));
        assert_eq!(
            r("./target"),
            Loc::Abs(vec!["work".into(), "app".into(), "target".into()])
        );
        assert_eq!(r("/u*"), Loc::Abs(vec![ANY.into()]));
        assert_eq!(r("/{usr,etc}"), Loc::Abs(vec![ANY.into()]));
        assert_eq!(r("$DIR/x"), Loc::Unknown);
        let tmp = |rest: &[&str]| {
            let mut v = vec!["tmp".to_string()];
            v.extend(rest.iter().map(|s| s.to_string()));
            Loc::Abs(v)
        };
        assert_eq!(r("$TMPDIR/build"), tmp(&["build"]));
        assert_eq!(r("\"${TMPDIR}/build\""), tmp(&["build"]));
        assert_eq!(r("${TMPDIR:-/tmp}/build"), tmp(&["build"]));
        assert_eq!(r("${TMPDIR:-/}/build"), Loc::Unknown);
        assert_eq!(r("/tmp/*"), tmp(&[ANY]));
        assert_eq!(r("/tmp"), tmp(&[]));
        assert_eq!(
            r("'*'"),
            Loc::Abs(vec!["work".into(), "app".into(), "*".into()])
        );
    }
}

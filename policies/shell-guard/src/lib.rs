//! shell-guard: denies shell commands that destroy data, disks or the system, run code fetched from the network or hidden in an encoding, or fork-bomb; escalates privileged, persistent and otherwise risky ones — judged on the parsed command line, never by grepping it.
//!
//! Only `shell.exec` actions are judged (the command comes from
//! `action.command`, else the tool input's `command`); every other kind is
//! allowed. The line is parsed with [`clawlaw_sdk::shell`], so quoting,
//! `\rm`, `/bin/rm`, wrappers (`sudo`, `env`, `timeout`, `xargs`, …),
//! `sh -c '…'`, `eval`, `$(…)`, subshells, groups and `find -exec` are all
//! seen through, and every command found anywhere in the line is checked.
//!
//! ## Rules
//!
//! | rule | verdict | when |
//! |---|---|---|
//! | `shell.destructive` | DENY | `rm -r`, `find -delete`/`-exec rm`, `chmod -R`/`chown -R`, `mv`, `rsync --delete`, `git clean` aimed at `/`, a top-level directory, a home directory (`~`, `$HOME`, `/home/x`, `~/.ssh`), a system directory, a protected path, or a parent of the working directory, including by glob (`/*`, `~/*`) or brace list |
//! | `shell.destructive` | ESCALATE 0.7–0.8 | recursive delete of the whole working directory (`rm -rf *`, `rm -rf .`), of a `.git` directory, or of a path only known at run time (`rm -rf "$DIR"`) |
//! | `shell.disk` | DENY (ESCALATE 0.7–0.8) | `mkfs*`/`wipefs`/`blkdiscard`/`shred` on a device, `dd of=/dev/sd…`, any write or redirect to a block device; `mkfs` on a file and partitioning tools escalate |
//! | `shell.system-write` | DENY | writing (`>`, `tee`, `cp`/`mv`/`install`/`ln` destination, `sed -i`, `truncate`, `dd of=`), deleting or `chmod`/`chown`-ing files under `/etc`, `/boot`, `/usr` (not `/usr/local`), `/bin`, `/sbin`, `/lib*`, `/sys`, `/proc`, or a protected path |
//! | `shell.fork-bomb` | DENY | a function that starts copies of itself in a pipeline or the background (`:(){ :\|:& };:`, any name) |
//! | `shell.remote-exec` | DENY | downloaded data run as code: `curl … \| sh` (any shell or interpreter reading stdin, also through `tee`, subshells, `sudo`, `xargs`), `bash <(curl …)`, `sh -c "$(wget -O- …)"`, `eval "$(curl …)"`, a download saved then run in the same line |
//! | `shell.obfuscated-exec` | DENY | decoded data run as code (`base64 -d \| sh`, `xxd -r`, `openssl … -d`, `gunzip`) |
//! | `shell.power` | DENY | `shutdown`, `reboot`, `halt`, `poweroff`, `init 0/6`, `systemctl reboot` … |
//! | `shell.kill-all` | DENY | `kill` of PID `-1` (every process) or `1`, `killall5` |
//! | `shell.unparseable` | ESCALATE 0.7 (DENY with `deny_unparseable`) | the line cannot be parsed in full: unclosed quote or substitution, nesting too deep, too large, NUL byte |
//! | `shell.dynamic-program` | ESCALATE 0.6 | the program name is computed at run time (`$(echo rm) -rf /`, `$CMD`), except `eval "$(ssh-agent -s)"`-style environment set-up tools |
//! | `shell.privileged` | ESCALATE 0.7 | `sudo`, `doas`, `pkexec`, `run0`, `su`, `runuser`, account tools (`passwd`, `useradd`, `visudo`, …) |
//! | `shell.force-push` | ESCALATE 0.6–0.7 | `git push` with `--force`, `-f`, `--force-with-lease`, `+refspec`, `--delete`, `:branch`, `--mirror` |
//! | `shell.package-install` | ESCALATE 0.5–0.6 | system package managers changing packages (`apt`, `yum`, `dnf`, `pacman -S`, `brew install`, …), global installs (`npm -g`, `cargo install`, `go install`, `pipx`, `gem`), named packages from a registry (`pip install x`, `npm install x`, `yarn add x`) |
//! | `shell.permissions` | ESCALATE 0.6 | `chmod` making files world-writable (`777`, `o+w`) or setuid/setgid |
//! | `shell.remote-access` | ESCALATE 0.6 | `ssh`, `scp`, `sftp`, `mosh`, `telnet`, `rsync` to `host:`, `nc`, `socat` |
//! | `shell.persistence` | ESCALATE 0.6–0.8 | `crontab` (not `-l`), `systemctl`/`service` changes, `launchctl`, `at`, writes to shell start-up files (`>> ~/.bashrc`) or `~/.ssh/authorized_keys` |
//! | `shell.container` | ESCALATE 0.8 | `docker`/`podman run` with `--privileged`, host namespaces, `--cap-add ALL/SYS_ADMIN`, or mounting `/`, a system directory or the Docker socket |
//! | `shell.infrastructure` | ESCALATE 0.7 | `kubectl delete`/`drain`, `helm uninstall`, `terraform destroy`/`apply` |
//! | `shell.denied-program` | DENY | a program (or `program subcommand`) the settings deny, also as a wrapper |
//! | `shell.escalated-program` | ESCALATE 0.6 | a program (or `program subcommand`) the settings escalate |
//!
//! The strictest finding decides; its reason is reported, and every matched
//! rule is listed. Risk: 1.0 for a denial, the finding's for an escalation.
//!
//! ## Settings (all optional)
//!
//! ```json
//! {
//!   "deny_programs": ["terraform", "aws s3"],  // also matched as wrappers
//!   "escalate_programs": ["gh release"],
//!   "allow_programs": ["pip install", "ssh"],  // waive built-in escalations (never denials)
//!   "protected_paths": ["/data", "~/work"],    // treated like system directories
//!   "deny_unparseable": false                  // unparseable lines: deny instead of escalate
//! }
//! ```
//!
//! An entry is a program's basename (`pip`) or a program and its subcommand
//! (`pip install`, `git push`); `allow_programs: ["git push"]` waives the
//! force-push escalation, `["sudo"]` the privilege one. Unparseable lines,
//! dynamic programs and run-time paths cannot be waived.
//!
//! ## Judgement calls
//!
//! - `git reset --hard`, `git clean -fdx`, `git branch -D`, `npm ci`,
//!   `npm install` (no package), `pip install -r …`/`-e .`/`.`, `cargo add`,
//!   `go get` and `npx` are allowed: they act on the project. `cargo add`
//!   and `go get` only edit the manifest; `npm install x` and `pip install x`
//!   run third-party install scripts, so they escalate.
//! - A command that changes directory (`cd build && rm -rf *`) is followed
//!   through the line; after `cd "$X"` the directory is unknown and relative
//!   paths count as inside it.
//! - `find … -delete` and `find … -exec rm -r {} +` with filters (`-name`)
//!   count as deleting *inside* the start directory; without filters, the
//!   start directory itself.
//! - `echo '…' | sh`, `sh <<EOF … EOF`, `bash <<< '…'`, a script written
//!   earlier in the line (`echo '…' > x.sh && bash x.sh`, `cat > x.sh <<EOF`)
//!   and `alias` bodies are judged by parsing that text (two levels deep).
//! - Variables set earlier in the line from literals (`X=/; rm -rf $X`,
//!   `export D=$HOME`, `for d in /usr /etc; do …`) are substituted into
//!   paths; any other path starting with a variable or substitution is a
//!   run-time path.
//!
//! ## Known gaps
//!
//! The contents of files are unknown (`bash install.sh` is allowed unless
//! the same line downloaded or wrote it); variables, aliases and functions
//! from earlier actions of the session are unknown; a program name built
//! from variables (`$RM -rf /`) escalates rather than being resolved; code
//! strings of other languages (`python -c "os.system('rm -rf /')"`,
//! `perl -e`) are not parsed; `npx`, `make install` and the remote command
//! given to `ssh` are not inspected beyond their own rules; reading a raw
//! disk (`dd if=/dev/sda`) is left to other policies.

use clawlaw_sdk::shell::{self, Command, CommandKind, CommandLine, Origin, RedirectOp, Word};
use clawlaw_sdk::{Action, Decision, Info, Policy, Session, Verdict, export_policy, kinds};
use serde::Deserialize;
use std::ops::Range;

/// The policy.
pub struct ShellGuard;

/// shell-guard's settings; see the crate documentation.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Programs (or `program subcommand`) to deny.
    pub deny_programs: Vec<String>,
    /// Programs (or `program subcommand`) to escalate.
    pub escalate_programs: Vec<String>,
    /// Programs (or `program subcommand`) whose built-in escalations are
    /// waived.
    pub allow_programs: Vec<String>,
    /// More paths (absolute or `~/…`) protected like system directories.
    pub protected_paths: Vec<String>,
    /// Deny unparseable lines instead of escalating them.
    pub deny_unparseable: bool,
}

/// Every rule, with its summary.
pub const RULES: &[(&str, &str)] = &[
    (
        "shell.destructive",
        "Deny recursive deletion, moving away or recursive permission changes of the root, top-level, home or system directories, protected paths or parents of the working directory; escalate deleting the whole working directory, .git, or a path only known at run time",
    ),
    (
        "shell.disk",
        "Deny formatting, wiping or writing raw block devices (mkfs, wipefs, dd of=/dev/sda, > /dev/nvme0n1); escalate partitioning tools and mkfs on files",
    ),
    (
        "shell.system-write",
        "Deny writing, deleting or changing permissions of system files (/etc, /boot, /usr, /bin, /sbin, /lib, /sys, /proc) or protected paths",
    ),
    (
        "shell.fork-bomb",
        "Deny functions that start copies of themselves in a pipeline or the background",
    ),
    (
        "shell.remote-exec",
        "Deny running downloaded data as code: curl | sh, bash <(curl ...), sh -c \"$(wget ...)\", download then run",
    ),
    (
        "shell.obfuscated-exec",
        "Deny running decoded data as code (base64 -d | sh, xxd -r, gunzip)",
    ),
    (
        "shell.power",
        "Deny shutting down, halting or rebooting the machine",
    ),
    (
        "shell.kill-all",
        "Deny signalling every process (kill -9 -1) or init",
    ),
    (
        "shell.unparseable",
        "Escalate (or deny, by setting) command lines that cannot be parsed in full: unclosed quotes or substitutions, too deep, too large",
    ),
    (
        "shell.dynamic-program",
        "Escalate commands whose program name is only known at run time ($(echo rm), $CMD)",
    ),
    (
        "shell.privileged",
        "Escalate commands run with elevated privileges or as another user (sudo, doas, su, pkexec) and account changes",
    ),
    (
        "shell.force-push",
        "Escalate git pushes that rewrite or delete remote history (--force, --force-with-lease, +refspec, --delete)",
    ),
    (
        "shell.package-install",
        "Escalate installing software: system package managers, global installs, named packages from registries",
    ),
    (
        "shell.permissions",
        "Escalate making files world-writable or setuid/setgid (chmod 777, o+w, u+s)",
    ),
    (
        "shell.remote-access",
        "Escalate connections to other hosts (ssh, scp, sftp, rsync host:, nc, socat, telnet)",
    ),
    (
        "shell.persistence",
        "Escalate changes that outlive the session: crontab, systemctl/service changes, launchctl, at, shell start-up files, SSH authorized keys",
    ),
    (
        "shell.container",
        "Escalate containers that can reach the host (--privileged, host namespaces, mounting / or the Docker socket)",
    ),
    (
        "shell.infrastructure",
        "Escalate destructive cluster and infrastructure operations (kubectl delete, helm uninstall, terraform destroy/apply)",
    ),
    ("shell.denied-program", "Deny programs the settings deny"),
    (
        "shell.escalated-program",
        "Escalate programs the settings escalate",
    ),
];

impl Policy for ShellGuard {
    type Settings = Settings;

    fn info() -> Info {
        RULES.iter().fold(
            Info::new("shell-guard", env!("CARGO_PKG_VERSION")),
            |info, (id, summary)| info.rule(id, summary),
        )
    }

    fn validate(settings: &Settings) -> Result<(), String> {
        for (field, list) in [
            ("deny_programs", &settings.deny_programs),
            ("escalate_programs", &settings.escalate_programs),
            ("allow_programs", &settings.allow_programs),
        ] {
            for entry in list {
                let words: Vec<&str> = entry.split(' ').collect();
                if entry.trim().is_empty() {
                    return Err(format!("{field}: a program name is empty"));
                }
                if words.len() > 2
                    || words
                        .iter()
                        .any(|w| w.is_empty() || w.chars().any(char::is_whitespace))
                {
                    return Err(format!(
                        "{field}: {entry:?} must be a program or a program and one subcommand, separated by one space"
                    ));
                }
                if words[0].contains('/') {
                    return Err(format!(
                        "{field}: {entry:?}: give the program's basename, not a path"
                    ));
                }
            }
        }
        for entry in &settings.allow_programs {
            if settings.deny_programs.contains(entry) || settings.escalate_programs.contains(entry)
            {
                return Err(format!(
                    "allow_programs: {entry:?} is also denied or escalated"
                ));
            }
        }
        for p in &settings.protected_paths {
            if p.trim().is_empty() {
                return Err("protected_paths: a path is empty".into());
            }
            if !(p.starts_with('/') || p == "~" || p.starts_with("~/")) {
                return Err(format!(
                    "protected_paths: {p:?} must be absolute or start with ~/"
                ));
            }
        }
        Ok(())
    }

    fn evaluate(settings: &Settings, action: &Action, _session: &Session) -> Decision {
        if action.kind != kinds::SHELL_EXEC {
            return Decision::allow();
        }
        let Some(line) = action
            .command
            .clone()
            .or_else(|| action.input_str("command"))
        else {
            return Decision::allow();
        };
        if line.trim().is_empty() {
            return Decision::allow();
        }
        let mut checker = Checker::new(settings, action.cwd.as_deref());
        checker.check_line(&line, 0);
        checker.decision()
    }
}

export_policy!(ShellGuard);

// ---------------------------------------------------------------------------
// Locations.

/// Where a path points, lexically. The home directory is `/home/~`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loc {
    Abs(Vec<String>),
    /// Relative to an unknown directory: `ups` levels up, then components.
    Rel(usize, Vec<String>),
    /// Starts with something only known at run time.
    Unknown,
}

/// A component standing for a name only known at run time.
const ANY: &str = "*";

impl Loc {
    fn home() -> Loc {
        Loc::Abs(vec!["home".into(), "~".into()])
    }

    fn push(&mut self, c: &str) {
        if let Loc::Abs(v) | Loc::Rel(_, v) = self {
            v.push(c.into());
        }
    }

    fn pop(&mut self) {
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

    fn display(&self) -> String {
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

/// `$NAME` or `${NAME}` at the start of `text`, followed by `/` or the end:
/// the length of the prefix.
fn var_prefix(text: &str, name: &str) -> Option<usize> {
    for p in [format!("${name}"), format!("${{{name}}}")] {
        if let Some(rest) = text.strip_prefix(p.as_str())
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return Some(p.len());
        }
    }
    None
}

fn resolve(word: &Word, cwd: &Loc) -> Loc {
    let spans: Vec<Range<usize>> = word.dynamic_spans().collect();
    resolve_text(&word.text, &spans, cwd)
}

fn resolve_text(text: &str, spans: &[Range<usize>], cwd: &Loc) -> Loc {
    let dynamic = |a: usize, b: usize| spans.iter().any(|s| s.start < b && a < s.end);
    let (mut loc, start) = if text == "~" || text.starts_with("~/") {
        (Loc::home(), 1)
    } else if let Some(n) = var_prefix(text, "HOME") {
        (Loc::home(), n)
    } else if let Some(n) = var_prefix(text, "PWD") {
        (cwd.clone(), n)
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
            if last && wildcard {
                // `dir/*`: everything in `dir`, as good as `dir` itself.
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

fn home_dir(c: &[String]) -> bool {
    (c.len() == 2 && matches!(c[0].as_str(), "home" | "Users")) || c == ["root"]
}

/// Home-relative components, if under a home directory.
fn in_home(c: &[String]) -> Option<&[String]> {
    match c {
        [h, _, rest @ ..] if h == "home" || h == "Users" => Some(rest),
        [r, rest @ ..] if r == "root" => Some(rest),
        _ => None,
    }
}

const HOME_CRITICAL: &[&str] = &[
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
fn system_file(c: &[String]) -> bool {
    match c.first().map(String::as_str) {
        Some(
            "etc" | "boot" | "bin" | "sbin" | "lib" | "lib32" | "lib64" | "libx32" | "sys" | "proc",
        ) => true,
        Some("usr") => c.get(1).is_some_and(|d| d != "local"),
        _ => false,
    }
}

/// System directories that must not be removed wholesale.
fn system_dir(c: &[String]) -> bool {
    system_file(c)
        || match c.first().map(String::as_str) {
            Some("dev") => true,
            Some("usr") => c.len() <= 3,
            Some("var" | "System" | "Library" | "opt" | "srv") => c.len() <= 2,
            _ => false,
        }
}

const SAFE_DEVICES: &[&str] = &[
    "null", "zero", "full", "random", "urandom", "stdin", "stdout", "stderr", "fd", "shm", "pts",
    "ptmx", "console",
];

fn device(c: &[String]) -> bool {
    c.len() >= 2
        && c[0] == "dev"
        && !SAFE_DEVICES.contains(&c[1].as_str())
        && !c[1].starts_with("tty")
        && c[1] != ANY
}

const STARTUP_FILES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zprofile",
    ".zshenv",
    ".zlogin",
    ".kshrc",
    ".cshrc",
    ".tcshrc",
    ".xprofile",
    ".xinitrc",
];

/// A file whose change outlives the session: its description and risk.
fn startup_file(c: &[String]) -> Option<(&'static str, f32)> {
    let rest = in_home(c)?;
    match rest {
        [f] if STARTUP_FILES.contains(&f.as_str()) => Some((
            "a shell start-up file, which runs in every future shell",
            0.6,
        )),
        [d, f]
            if d == ".ssh"
                && matches!(
                    f.as_str(),
                    "authorized_keys" | "authorized_keys2" | "rc" | "config"
                ) =>
        {
            Some(("SSH access to this account", 0.8))
        }
        [a, b, f] if a == ".config" && b == "fish" && f == "config.fish" => Some((
            "a shell start-up file, which runs in every future shell",
            0.6,
        )),
        [a, b, ..] if a == ".config" && b == "autostart" => {
            Some(("programs started at every login", 0.6))
        }
        _ => None,
    }
}

enum Danger {
    Deny(String),
    Escalate(String),
}

// ---------------------------------------------------------------------------
// Program families.

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish", "csh",
    "tcsh",
];

fn is_shell(p: &str) -> bool {
    SHELLS.contains(&p)
}

fn versioned(p: &str, stem: &str) -> bool {
    p.strip_prefix(stem)
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_interpreter(p: &str) -> bool {
    is_shell(p)
        || versioned(p, "python")
        || versioned(p, "pypy")
        || versioned(p, "perl")
        || versioned(p, "ruby")
        || versioned(p, "php")
        || versioned(p, "lua")
        || versioned(p, "tclsh")
        || matches!(
            p,
            "node"
                | "nodejs"
                | "deno"
                | "bun"
                | "pwsh"
                | "powershell"
                | "osascript"
                | "Rscript"
                | "source"
                | "."
        )
}

const DOWNLOADERS: &[&str] = &[
    "curl",
    "wget",
    "fetch",
    "http",
    "https",
    "xh",
    "aria2c",
    "lwp-request",
    "lwp-download",
    "GET",
    "POST",
    "ftp",
    "tftp",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "ssh",
];

fn is_downloader(c: &Command) -> bool {
    c.kind == CommandKind::Simple && !c.program_dynamic && DOWNLOADERS.contains(&c.program.as_str())
}

fn is_decoder(c: &Command) -> bool {
    if c.kind != CommandKind::Simple || c.program_dynamic {
        return false;
    }
    match c.program.as_str() {
        "base64" | "base32" | "basenc" => {
            c.has_flag('d') || c.has_flag('D') || c.has_long("decode")
        }
        "xxd" => c.has_flag('r') || c.has_long("revert"),
        "openssl" => c.args().iter().any(|a| a.text == "-d"),
        "gzip" | "bzip2" | "xz" | "zstd" | "lzma" => c.has_flag('d') || c.has_long("decompress"),
        "uudecode" | "zcat" | "gunzip" | "bunzip2" | "bzcat" | "xzcat" | "unxz" | "zstdcat"
        | "unzstd" | "rev" => true,
        _ => false,
    }
}

/// Tools whose output is meant to be `eval`ed to set up the environment.
const ENV_SETUP: &[&str] = &[
    "ssh-agent",
    "pyenv",
    "rbenv",
    "nodenv",
    "goenv",
    "jenv",
    "direnv",
    "brew",
    "opam",
    "conda",
    "mamba",
    "micromamba",
    "starship",
    "zoxide",
    "fnm",
    "mise",
    "rtx",
    "asdf",
    "keychain",
    "dircolors",
    "lesspipe",
    "gpg-agent",
    "luarocks",
    "thefuck",
    "atuin",
    "rustup",
];

const PRIVILEGE_WRAPPERS: &[&str] = &["sudo", "doas", "pkexec", "run0"];
const PRIVILEGE_PROGRAMS: &[&str] = &[
    "sudo", "doas", "pkexec", "run0", "su", "runuser", "sudoedit",
];
const ACCOUNT_PROGRAMS: &[&str] = &[
    "passwd", "chpasswd", "useradd", "userdel", "usermod", "adduser", "deluser", "groupadd",
    "groupdel", "groupmod", "gpasswd", "visudo", "chsh", "setcap",
];

/// The first operand, skipping the values of the options in `valued`.
fn first_operand<'c>(c: &'c Command, valued: &[&str]) -> Option<(usize, &'c Word)> {
    let args = c.args();
    let mut k = 0;
    while k < args.len() {
        let a = args[k].text.as_str();
        if a == "--" {
            return args.get(k + 1).map(|w| (k + 2, w));
        }
        if a.starts_with('-') && a.len() > 1 || a.starts_with('+') && a.len() > 1 {
            if valued.contains(&a) {
                k += 1;
            }
            k += 1;
            continue;
        }
        return Some((k + 1, &args[k]));
    }
    None
}

/// The subcommand (`git push`, `docker run`): its index in argv and text.
fn subcommand(c: &Command) -> Option<(usize, &str)> {
    let valued: &[&str] = match c.program.as_str() {
        "git" => &[
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "--namespace",
            "--config-env",
            "--super-prefix",
        ],
        "docker" | "podman" | "nerdctl" => &[
            "-H",
            "--host",
            "--context",
            "-c",
            "--config",
            "-l",
            "--log-level",
        ],
        "kubectl" | "oc" => &[
            "-n",
            "--namespace",
            "--context",
            "--kubeconfig",
            "-s",
            "--server",
            "--cluster",
            "--user",
            "--as",
        ],
        "helm" => &["-n", "--namespace", "--kube-context", "--kubeconfig"],
        "terraform" | "tofu" => &["-chdir"],
        _ => &[],
    };
    first_operand(c, valued).map(|(k, w)| (k, w.text.as_str()))
}

fn show(c: &Command) -> String {
    truncate(&c.to_string(), 100)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// Where `find` starts and whether it filters what it finds.
fn find_scope(c: &Command) -> (Vec<Word>, bool) {
    let args = c.args();
    let mut k = 0;
    while k < args.len() {
        let a = args[k].text.as_str();
        if matches!(a, "-H" | "-L" | "-P") || a.starts_with("-O") {
            k += 1;
        } else if a == "-D" {
            k += 2;
        } else {
            break;
        }
    }
    let mut starts = Vec::new();
    while k < args.len() {
        let a = args[k].text.as_str();
        if a.starts_with('-') || a == "(" || a == "!" || a == ")" || a == "," {
            break;
        }
        starts.push(args[k].clone());
        k += 1;
    }
    if starts.is_empty() {
        starts.push(Word::literal("."));
    }
    const UNFILTERED: &[&str] = &[
        "-delete",
        "-depth",
        "-d",
        "-xdev",
        "-mount",
        "-print",
        "-print0",
        "-ignore_readdir_race",
        "-noleaf",
        "-follow",
        "-daystart",
        "-mindepth",
        "-maxdepth",
    ];
    let mut filtered = false;
    let mut j = k;
    while j < args.len() {
        let a = args[j].text.as_str();
        if matches!(a, "-exec" | "-execdir" | "-ok" | "-okdir") {
            // The command up to `;` or `+` is not a filter.
            while j < args.len() && !matches!(args[j].text.as_str(), ";" | "+") {
                j += 1;
            }
        } else if a == "-mindepth" || a == "-maxdepth" {
            j += 1;
        } else if !UNFILTERED.contains(&a) {
            filtered = true;
        }
        j += 1;
    }
    (starts, filtered)
}

// ---------------------------------------------------------------------------
// The checks.

struct Finding {
    verdict: Verdict,
    risk: f32,
    rule: &'static str,
    reason: String,
}

type Value = (String, Vec<Range<usize>>);

/// What one command line has shown so far.
struct Line {
    /// How many re-parses deep (`echo … | sh`) this line is.
    level: usize,
    /// Per command: fed by a download through pipes.
    from_net: Vec<bool>,
    /// Per command: fed by a decoder through pipes.
    from_decoder: Vec<bool>,
    /// Files downloads saved to.
    downloaded: Vec<String>,
    /// Files written from literal text (`echo … > f`, here-documents), with
    /// that text.
    written: Vec<(String, String)>,
}

struct Checker<'s> {
    settings: &'s Settings,
    /// Variables set earlier in the line, with their possible values.
    vars: Vec<(String, Vec<Value>)>,
    protected: Vec<Vec<String>>,
    cwd: Loc,
    findings: Vec<Finding>,
}

/// How many levels of `echo … | sh` / here-documents are re-parsed.
const MAX_REPARSE: usize = 2;
/// Findings kept (a hostile line could produce thousands).
const MAX_FINDINGS: usize = 64;

impl<'s> Checker<'s> {
    fn new(settings: &'s Settings, cwd: Option<&str>) -> Checker<'s> {
        let cwd = match cwd {
            Some(d) if d.starts_with('/') => resolve_text(d, &[], &Loc::Abs(Vec::new())),
            _ => Loc::Rel(0, Vec::new()),
        };
        let protected = settings
            .protected_paths
            .iter()
            .filter_map(|p| match resolve_text(p, &[], &Loc::Abs(Vec::new())) {
                Loc::Abs(v) => Some(v),
                _ => None,
            })
            .collect();
        Checker {
            settings,
            vars: Vec::new(),
            protected,
            cwd,
            findings: Vec::new(),
        }
    }

    fn push(&mut self, verdict: Verdict, risk: f32, rule: &'static str, what: String) {
        if self.findings.len() >= MAX_FINDINGS {
            return;
        }
        let reason = format!("{what} (rule {rule})");
        if self
            .findings
            .iter()
            .any(|f| f.rule == rule && f.reason == reason)
        {
            return;
        }
        self.findings.push(Finding {
            verdict,
            risk,
            rule,
            reason,
        });
    }

    fn deny(&mut self, rule: &'static str, what: String) {
        self.push(Verdict::Deny, 1.0, rule, what);
    }

    /// Escalates unless `subject` (`program` or `program sub`) is allowed.
    fn escalate(&mut self, rule: &'static str, risk: f32, subject: Option<&str>, what: String) {
        if let Some(subject) = subject {
            let program = subject.split(' ').next().unwrap_or(subject);
            if self
                .settings
                .allow_programs
                .iter()
                .any(|a| a == subject || a == program)
            {
                return;
            }
        }
        self.push(Verdict::Escalate, risk, rule, what);
    }

    fn decision(mut self) -> Decision {
        self.findings
            .sort_by(|a, b| b.verdict.cmp(&a.verdict).then(b.risk.total_cmp(&a.risk)));
        let Some(top) = self.findings.first() else {
            return Decision::allow();
        };
        let mut d = match top.verdict {
            Verdict::Deny => Decision::deny(top.rule, top.reason.clone()),
            Verdict::Escalate => {
                Decision::escalate(top.rule, top.reason.clone()).with_risk(top.risk)
            }
            Verdict::Allow => Decision::allow_noting(top.rule, top.reason.clone()),
        };
        for f in &self.findings[1..] {
            if !d.rules.iter().any(|r| r == f.rule) {
                d.rules.push(f.rule.to_string());
            }
        }
        d
    }

    fn danger(&self, loc: &Loc) -> Option<Danger> {
        match loc {
            Loc::Abs(c) => {
                if c.is_empty() {
                    return Some(Danger::Deny("the root filesystem".into()));
                }
                if home_dir(c) {
                    return Some(Danger::Deny(if c.get(1).is_some_and(|u| u == "~") {
                        "the home directory".into()
                    } else {
                        format!("the home directory {}", loc.display())
                    }));
                }
                if let Some([d]) = in_home(c)
                    && HOME_CRITICAL.contains(&d.as_str())
                {
                    return Some(Danger::Deny(loc.display()));
                }
                if let Loc::Abs(w) = &self.cwd
                    && w.starts_with(c)
                {
                    return Some(if w.len() == c.len() {
                        Danger::Escalate(format!("the whole working directory {}", loc.display()))
                    } else {
                        Danger::Deny(format!(
                            "{}, a parent of the working directory",
                            loc.display()
                        ))
                    });
                }
                if c.len() == 1 {
                    return Some(Danger::Deny(format!(
                        "the top-level directory {}",
                        loc.display()
                    )));
                }
                if system_dir(c) {
                    return Some(Danger::Deny(format!(
                        "the system directory {}",
                        loc.display()
                    )));
                }
                if self.protected.iter().any(|p| c.starts_with(p)) {
                    return Some(Danger::Deny(format!(
                        "the protected path {}",
                        loc.display()
                    )));
                }
                None
            }
            Loc::Rel(ups, c) if c.is_empty() => Some(if *ups > 0 {
                Danger::Deny(format!(
                    "{}, a parent of the working directory",
                    loc.display()
                ))
            } else {
                Danger::Escalate("the whole working directory".into())
            }),
            _ => None,
        }
    }

    /// Where a word may point: `$VAR` set earlier in the line (`X=/`,
    /// `export X=…`, `for X in …`) is substituted; otherwise one location.
    fn locs(&self, word: &Word, cwd: &Loc) -> Vec<Loc> {
        let spans: Vec<Range<usize>> = word.dynamic_spans().collect();
        let text = word.text.as_str();
        if spans.first().is_some_and(|s| s.start == 0) {
            for (name, values) in &self.vars {
                let Some(n) = var_prefix(text, name) else {
                    continue;
                };
                return values
                    .iter()
                    .map(|(v, vspans)| {
                        let mut sp = vspans.clone();
                        sp.extend(
                            spans
                                .iter()
                                .filter(|r| r.start >= n)
                                .map(|r| (r.start - n + v.len())..(r.end - n + v.len())),
                        );
                        resolve_text(&format!("{v}{}", &text[n..]), &sp, cwd)
                    })
                    .collect();
            }
        }
        vec![resolve_text(text, &spans, cwd)]
    }

    /// Remembers variables a command sets, for [`Checker::locs`].
    fn record_vars(&mut self, c: &Command) {
        let value = |w: &Word, from: usize| -> Value {
            let text = w.text.get(from..).unwrap_or("").to_string();
            let spans = w
                .dynamic_spans()
                .filter(|r| r.start >= from)
                .map(|r| (r.start - from)..(r.end - from))
                .collect();
            (text, spans)
        };
        let mut set: Vec<(String, Vec<Value>)> = Vec::new();
        if c.argv.is_empty() {
            for a in &c.assignments {
                set.push((a.name.clone(), vec![value(&a.value, 0)]));
            }
        } else if !c.program_dynamic
            && matches!(
                c.program.as_str(),
                "export" | "local" | "declare" | "typeset" | "readonly"
            )
        {
            for w in c.args() {
                if let Some(eq) = w.text.find('=')
                    && eq > 0
                    && w.text[..eq]
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    set.push((w.text[..eq].to_string(), vec![value(w, eq + 1)]));
                }
            }
        } else if c.argv[0].text == "for"
            && !c.argv[0].quoted
            && c.argv.len() >= 3
            && c.argv[2].text == "in"
        {
            let values = c.argv[3..].iter().take(64).map(|w| value(w, 0)).collect();
            set.push((c.argv[1].text.clone(), values));
        }
        for (name, values) in set {
            self.vars.retain(|(n, _)| *n != name);
            if self.vars.len() < 64 {
                self.vars.push((name, values));
            }
        }
    }

    /// The operands of a command as paths; in `find -exec`, `{}` stands for
    /// what `find` finds: its start directories, or things inside them when
    /// `find` filters.
    fn target_locs(&self, cl: &CommandLine, c: &Command, cwd: &Loc) -> Vec<(Word, Loc)> {
        let scope = match (c.origin, c.parent) {
            (Origin::FindExec, Some(p)) => Some(find_scope(&cl.commands[p])),
            _ => None,
        };
        let mut out = Vec::new();
        for w in c.operands() {
            match &scope {
                Some((starts, filtered)) if w.text.contains("{}") => {
                    for s in starts {
                        for mut loc in self.locs(s, cwd) {
                            if *filtered {
                                loc.push(ANY);
                            }
                            out.push((s.clone(), loc));
                        }
                    }
                }
                _ => out.extend(self.locs(w, cwd).into_iter().map(|l| (w.clone(), l))),
            }
        }
        out
    }

    fn check_line(&mut self, line: &str, level: usize) {
        let cl = shell::parse(line);
        if !cl.is_complete() {
            let issues: Vec<String> = cl.issues.iter().map(|i| i.to_string()).collect();
            let what = format!(
                "the command line cannot be parsed in full ({}), so what it would run cannot be checked",
                issues.join("; ")
            );
            if self.settings.deny_unparseable {
                self.deny("shell.unparseable", what);
            } else {
                self.escalate("shell.unparseable", 0.7, None, what);
            }
        }
        let mut line = Line {
            level,
            from_net: cl.piped_from_any(is_downloader),
            from_decoder: cl.piped_from_any(is_decoder),
            downloaded: Vec::new(),
            written: Vec::new(),
        };
        let mut cwd = self.cwd.clone();
        for i in 0..cl.commands.len() {
            let c = &cl.commands[i];
            for r in &c.redirects {
                if r.op.writes_file() {
                    self.check_write(c, &r.target, &cwd);
                }
            }
            if c.kind != CommandKind::Simple || c.argv.is_empty() {
                if c.kind == CommandKind::Simple {
                    self.record_vars(c);
                }
                continue;
            }
            self.check_command(&cl, i, &cwd, &mut line);
            self.record_vars(c);
            record_written(c, &mut line.written);
            if matches!(c.program.as_str(), "cd" | "pushd") && !c.program_dynamic {
                cwd = match c.operands().next() {
                    None => Loc::home(),
                    Some(w) if w.text == "-" => Loc::Rel(0, Vec::new()),
                    Some(w) => match self.locs(w, &cwd).into_iter().next() {
                        Some(Loc::Unknown) | None => Loc::Rel(0, Vec::new()),
                        Some(loc) => loc,
                    },
                };
            }
        }
    }

    fn check_command(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, line: &mut Line) {
        let c = &cl.commands[i];
        // `find / -exec rm -rf {} +`: name the `find` too.
        let shown = match (c.origin, c.parent) {
            (Origin::FindExec, Some(p)) => show(&cl.commands[p]),
            _ => show(c),
        };
        self.check_remote_exec(cl, i, line);
        self.check_written(cl, i, line);
        if c.program == "alias" && !c.program_dynamic && line.level < MAX_REPARSE {
            for a in c.args() {
                if let Some((_, body)) = a.text.split_once('=') {
                    self.check_line(body, line.level + 1);
                }
            }
        }
        if c.program_dynamic {
            if !self.env_setup(cl, i) {
                self.escalate(
                    "shell.dynamic-program",
                    0.6,
                    None,
                    format!("`{shown}` runs a program whose name is only known at run time, so what runs cannot be checked"),
                );
            }
            return;
        }
        self.check_settings(c, &shown);
        for w in &c.wrappers {
            if PRIVILEGE_WRAPPERS.contains(&w.program.as_str()) {
                self.escalate(
                    "shell.privileged",
                    0.7,
                    Some(&w.program),
                    format!(
                        "`{shown}` runs with elevated privileges through {}",
                        w.program
                    ),
                );
            }
        }
        let p = c.program.as_str();
        if PRIVILEGE_PROGRAMS.contains(&p) {
            self.escalate(
                "shell.privileged",
                0.7,
                Some(p),
                format!("`{shown}` runs a shell or command as another user"),
            );
        }
        if ACCOUNT_PROGRAMS.contains(&p) {
            self.escalate(
                "shell.privileged",
                0.7,
                Some(p),
                format!("`{shown}` changes user accounts, credentials or capabilities"),
            );
        }
        self.check_fork_bomb(cl, i);
        match p {
            "rm" | "unlink" | "srm" | "shred" | "rmdir" => self.check_delete(cl, i, cwd, &shown),
            "find" => self.check_find(c, cwd, &shown),
            "chmod" | "chown" | "chgrp" => self.check_perms(cl, i, cwd, &shown),
            "mv" => {
                let ops: Vec<Word> = c.operands().cloned().collect();
                if let Some((dest, sources)) = ops.split_last() {
                    for s in sources {
                        for loc in self.locs(s, cwd) {
                            if let Some(Danger::Deny(what)) = self.danger(&loc) {
                                self.deny(
                                    "shell.destructive",
                                    format!("`{shown}` would move away {what}"),
                                );
                            }
                        }
                    }
                    self.check_write(c, dest, cwd);
                }
            }
            "cp" | "install" | "ln" => {
                let dest = c
                    .args()
                    .iter()
                    .position(|a| a.text == "-t")
                    .and_then(|k| c.args().get(k + 1).cloned())
                    .or_else(|| {
                        c.args().iter().find_map(|a| {
                            a.text
                                .strip_prefix("--target-directory=")
                                .map(Word::literal)
                        })
                    })
                    .or_else(|| {
                        if c.operands().count() >= 2 {
                            c.operands().last().cloned()
                        } else {
                            None
                        }
                    });
                if let Some(dest) = dest {
                    self.check_write(c, &dest, cwd);
                }
            }
            "tee" | "truncate" => {
                for t in c.operands() {
                    self.check_write(c, t, cwd);
                }
            }
            "sed" | "perl"
                if c.has_flag('i')
                    || c.has_long("in-place")
                    || c.args().iter().any(|a| a.text.starts_with("-i")) =>
            {
                for t in c.operands() {
                    self.check_write(c, t, cwd);
                }
            }
            "dd" => {
                for a in c.args() {
                    if let Some(rest) = a.text.strip_prefix("of=") {
                        let target = Word::literal(rest);
                        self.check_write(c, &target, cwd);
                    }
                }
            }
            "rsync" => self.check_rsync(c, cwd, &shown),
            "wipefs" | "blkdiscard" if !(c.has_flag('n') || c.has_long("no-act")) => {
                self.deny(
                    "shell.disk",
                    format!("`{shown}` would erase a disk or its filesystem signatures"),
                );
            }
            "fdisk" | "sfdisk" | "cfdisk" | "parted" | "sgdisk" | "gdisk" => {
                let listing = c.has_flag('l')
                    || c.has_long("list")
                    || c.args().iter().any(|a| a.text == "print");
                if !listing {
                    self.escalate(
                        "shell.disk",
                        0.8,
                        Some(p),
                        format!("`{shown}` changes a disk's partition table"),
                    );
                }
            }
            _ if p.starts_with("mkfs")
                || matches!(p, "mke2fs" | "mkswap" | "mkdosfs" | "mkntfs") =>
            {
                let dev = c.operands().find_map(|w| match resolve(w, cwd) {
                    Loc::Abs(v) if device(&v) => Some(Loc::Abs(v).display()),
                    _ => None,
                });
                match dev {
                    Some(d) => self.deny(
                        "shell.disk",
                        format!("`{shown}` would format the device {d}"),
                    ),
                    None => self.escalate(
                        "shell.disk",
                        0.7,
                        Some(p),
                        format!("`{shown}` creates a filesystem"),
                    ),
                }
            }
            "shutdown" | "reboot" | "halt" | "poweroff"
                if !(p == "shutdown" && c.has_flag('c')) =>
            {
                self.deny(
                    "shell.power",
                    format!("`{shown}` would shut down or reboot the machine"),
                );
            }
            "init" | "telinit" if c.operands().any(|w| matches!(w.text.as_str(), "0" | "6")) => {
                self.deny(
                    "shell.power",
                    format!("`{shown}` would shut down or reboot the machine"),
                );
            }
            "kill" => self.check_kill(c, &shown),
            "killall5" => self.deny(
                "shell.kill-all",
                format!("`{shown}` would signal every process"),
            ),
            "git" => self.check_git(c, cwd, &shown),
            "ssh" | "scp" | "sftp" | "mosh" | "telnet" | "sshpass" if !c.has_flag('V') => {
                self.escalate(
                    "shell.remote-access",
                    0.6,
                    Some(p),
                    format!("`{shown}` connects to another host"),
                );
            }
            "nc" | "ncat" | "netcat" | "socat" => self.escalate(
                "shell.remote-access",
                0.6,
                Some(p),
                format!("`{shown}` opens a raw network connection or listener"),
            ),
            "crontab" => {
                let list_only = c.args().iter().all(|a| a.text == "-l" || a.text == "-u")
                    || (c.has_flag('l') && c.operands().count() <= 1);
                if !list_only {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes scheduled jobs"),
                    );
                }
            }
            "at" | "batch" | "update-rc.d" | "chkconfig" | "rc-update" => {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!("`{shown}` schedules or registers jobs that outlive the session"),
                );
            }
            "systemctl" | "service" | "launchctl" | "loginctl" => self.check_services(c, &shown),
            "docker" | "podman" | "nerdctl" => self.check_container(c, cwd, &shown),
            "kubectl" | "oc" | "helm" | "terraform" | "tofu" => self.check_infra(c, &shown),
            _ => {}
        }
        self.check_install(c, &shown);
    }

    /// `eval "$(ssh-agent -s)"` and the like: a whole command produced by an
    /// environment set-up tool.
    fn env_setup(&self, cl: &CommandLine, i: usize) -> bool {
        let c = &cl.commands[i];
        let [word] = c.argv.as_slice() else {
            return false;
        };
        let t = word.text.as_str();
        if !((t.starts_with("$(") && t.ends_with(')')) || (t.starts_with('`') && t.ends_with('`')))
        {
            return false;
        }
        let mut owners = vec![i];
        if matches!(c.origin, Origin::Eval | Origin::ShellString)
            && let Some(p) = c.parent
        {
            owners.push(p);
        }
        let producers: Vec<&Command> = cl
            .commands
            .iter()
            .filter(|d| {
                d.origin == Origin::CommandSubstitution
                    && d.parent.is_some_and(|p| owners.contains(&p))
            })
            .collect();
        !producers.is_empty()
            && producers
                .iter()
                .all(|d| !d.program_dynamic && ENV_SETUP.contains(&d.program.as_str()))
    }

    fn check_settings(&mut self, c: &Command, shown: &str) {
        let mut names = vec![c.program.clone()];
        if let Some((_, sub)) = subcommand(c) {
            names.push(format!("{} {sub}", c.program));
        }
        names.extend(c.wrappers.iter().map(|w| w.program.clone()));
        let settings = self.settings;
        if let Some(entry) = settings.deny_programs.iter().find(|e| names.contains(e)) {
            self.deny(
                "shell.denied-program",
                format!("`{shown}` runs `{entry}`, which the settings deny"),
            );
        }
        if let Some(entry) = settings
            .escalate_programs
            .iter()
            .find(|e| names.contains(e))
        {
            self.escalate(
                "shell.escalated-program",
                0.6,
                None,
                format!("`{shown}` runs `{entry}`, which the settings escalate"),
            );
        }
    }

    fn check_write(&mut self, c: &Command, target: &Word, cwd: &Loc) {
        for loc in self.locs(target, cwd) {
            self.check_write_loc(c, &loc);
        }
    }

    fn check_write_loc(&mut self, c: &Command, loc: &Loc) {
        let Loc::Abs(v) = loc else { return };
        let shown = show(c);
        let path = loc.display();
        if device(v) {
            self.deny(
                "shell.disk",
                format!("`{shown}` would overwrite the block device {path}"),
            );
        } else if system_file(v) {
            self.deny(
                "shell.system-write",
                format!("`{shown}` would overwrite the system file {path}"),
            );
        } else if let Some((what, risk)) = startup_file(v) {
            self.escalate(
                "shell.persistence",
                risk,
                None,
                format!("`{shown}` would change {path}: {what}"),
            );
        } else if self.protected.iter().any(|p| v.starts_with(p)) {
            self.deny(
                "shell.system-write",
                format!("`{shown}` would write into the protected path {path}"),
            );
        }
    }

    fn check_delete(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &str) {
        let c = &cl.commands[i];
        let recursive =
            c.program == "rm" && (c.has_flag('r') || c.has_flag('R') || c.has_long("recursive"));
        for (t, loc) in self.target_locs(cl, c, cwd) {
            if let Loc::Abs(v) = &loc {
                if c.program == "shred" && device(v) {
                    self.deny(
                        "shell.disk",
                        format!("`{shown}` would overwrite the device {}", loc.display()),
                    );
                    continue;
                }
                if !recursive && system_file(v) {
                    self.deny(
                        "shell.system-write",
                        format!("`{shown}` would delete the system file {}", loc.display()),
                    );
                    continue;
                }
                if !recursive && self.protected.iter().any(|p| v.starts_with(p)) {
                    self.deny(
                        "shell.destructive",
                        format!(
                            "`{shown}` would delete the protected file {}",
                            loc.display()
                        ),
                    );
                    continue;
                }
            }
            if !recursive {
                continue;
            }
            match self.danger(&loc) {
                Some(Danger::Deny(what)) => self.deny(
                    "shell.destructive",
                    format!("`{shown}` would delete {what}"),
                ),
                Some(Danger::Escalate(what)) => self.escalate(
                    "shell.destructive",
                    0.8,
                    None,
                    format!("`{shown}` would delete {what}"),
                ),
                None if loc == Loc::Unknown => self.escalate(
                    "shell.destructive",
                    0.7,
                    None,
                    format!(
                        "`{shown}` recursively deletes `{}`, a path only known at run time",
                        t.text
                    ),
                ),
                None if matches!(&loc, Loc::Abs(v) | Loc::Rel(_, v) if v.last().is_some_and(|l| l == ".git")) => {
                    self.escalate(
                        "shell.destructive",
                        0.7,
                        None,
                        format!(
                            "`{shown}` would delete the repository's history ({})",
                            loc.display()
                        ),
                    )
                }
                None => {}
            }
        }
        if recursive && c.has_wrapper("xargs") {
            for u in cl.upstream(i) {
                for w in cl.commands[u].args() {
                    if !(w.text.starts_with('/')
                        || w.text.starts_with('~')
                        || w.text.starts_with("$HOME"))
                    {
                        continue;
                    }
                    if let Some(Danger::Deny(what)) = self.danger(&resolve(w, cwd)) {
                        let up = show(&cl.commands[u]);
                        self.deny(
                            "shell.destructive",
                            format!("`{up} | {shown}` would delete {what}"),
                        );
                    }
                }
            }
        }
    }

    fn check_find(&mut self, c: &Command, cwd: &Loc, shown: &str) {
        if !c.args().iter().any(|a| a.text == "-delete") {
            return;
        }
        let (starts, filtered) = find_scope(c);
        let locs: Vec<(&Word, Loc)> = starts
            .iter()
            .flat_map(|s| self.locs(s, cwd).into_iter().map(move |l| (s, l)))
            .collect();
        for (s, mut loc) in locs {
            if filtered {
                loc.push(ANY);
            }
            match self.danger(&loc) {
                Some(Danger::Deny(what)) => self.deny(
                    "shell.destructive",
                    format!("`{shown}` would delete files across {what}"),
                ),
                Some(Danger::Escalate(what)) => self.escalate(
                    "shell.destructive",
                    0.8,
                    None,
                    format!("`{shown}` would delete {what}"),
                ),
                None if loc == Loc::Unknown => self.escalate(
                    "shell.destructive",
                    0.7,
                    None,
                    format!(
                        "`{shown}` deletes under `{}`, a path only known at run time",
                        s.text
                    ),
                ),
                None => {}
            }
        }
    }

    fn check_perms(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &str) {
        let c = &cl.commands[i];
        let recursive = c.has_flag('R') || c.has_long("recursive");
        let reference = c.args().iter().any(|a| a.text.starts_with("--reference"));
        let ops: Vec<(Word, Loc)> = self.target_locs(cl, c, cwd);
        let (spec, files) = if reference || ops.is_empty() {
            (None, &ops[..])
        } else {
            (Some(&ops[0].0), &ops[1..])
        };
        let what = if c.program == "chmod" {
            "permissions"
        } else {
            "ownership"
        };
        for (_, loc) in files {
            if recursive && let Some(Danger::Deny(place)) = self.danger(loc) {
                self.deny(
                    "shell.destructive",
                    format!("`{shown}` would change {what} across {place}"),
                );
            }
            if let Loc::Abs(v) = loc
                && system_file(v)
            {
                self.deny(
                    "shell.system-write",
                    format!(
                        "`{shown}` would change {what} of the system file {}",
                        loc.display()
                    ),
                );
            }
        }
        if c.program != "chmod" {
            return;
        }
        let Some(mode) = spec else { return };
        let (world, setid) = chmod_risk(&mode.text);
        if world {
            self.escalate(
                "shell.permissions",
                0.6,
                Some("chmod"),
                format!("`{shown}` makes files writable by every user"),
            );
        }
        if setid {
            self.escalate(
                "shell.permissions",
                0.6,
                Some("chmod"),
                format!("`{shown}` makes files run with their owner's or group's privileges (setuid/setgid)"),
            );
        }
    }

    fn check_rsync(&mut self, c: &Command, cwd: &Loc, shown: &str) {
        let ops: Vec<&Word> = c.operands().collect();
        let remote = ops.iter().any(|w| {
            let t = w.text.as_str();
            t.starts_with("rsync://")
                || t.split('/')
                    .next()
                    .is_some_and(|head| head.contains(':') && !t.starts_with('.'))
        }) || c
            .args()
            .iter()
            .any(|a| a.text == "-e" || a.text.starts_with("--rsh"));
        if remote {
            self.escalate(
                "shell.remote-access",
                0.6,
                Some("rsync"),
                format!("`{shown}` copies files to or from another host"),
            );
        }
        let deletes = c
            .args()
            .iter()
            .any(|a| a.text.starts_with("--delete") || a.text == "--remove-source-files");
        if let Some(dest) = ops.last().filter(|_| ops.len() >= 2) {
            let loc = resolve(dest, cwd);
            if deletes && let Some(Danger::Deny(what)) = self.danger(&loc) {
                self.deny(
                    "shell.destructive",
                    format!("`{shown}` would delete files in {what}"),
                );
            }
            self.check_write(c, dest, cwd);
        }
    }

    fn check_kill(&mut self, c: &Command, shown: &str) {
        let args = c.args();
        let mut signal = false;
        let mut after = false;
        let mut k = 0;
        while k < args.len() {
            let a = args[k].text.as_str();
            k += 1;
            if !after {
                if a == "--" {
                    after = true;
                    continue;
                }
                if a == "-l" || a == "-L" || a == "--list" || a == "--table" {
                    return;
                }
                if a == "-s" || a == "-n" || a == "--signal" {
                    k += 1;
                    signal = true;
                    continue;
                }
                if a.starts_with('-') && !signal && a.len() > 1 {
                    signal = true;
                    continue;
                }
            }
            match a {
                "-1" => {
                    self.deny(
                        "shell.kill-all",
                        format!("`{shown}` would signal every process it is allowed to"),
                    );
                }
                "1" => self.deny(
                    "shell.kill-all",
                    format!("`{shown}` would signal init (PID 1)"),
                ),
                _ => {}
            }
        }
    }

    fn check_git(&mut self, c: &Command, cwd: &Loc, shown: &str) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let rest = &c.argv[k + 1..];
        match sub {
            "push" => {
                let mut lease = false;
                let mut force = false;
                for w in rest {
                    let a = w.text.as_str();
                    if a.starts_with("--force-with-lease") || a == "--force-if-includes" {
                        lease = true;
                    } else if matches!(a, "--force" | "--mirror" | "--delete" | "--prune")
                        || (a.starts_with('-')
                            && !a.starts_with("--")
                            && (a.contains('f') || a.contains('d')))
                        || ((a.starts_with('+') || a.starts_with(':')) && a.len() > 1)
                    {
                        force = true;
                    }
                }
                if force {
                    self.escalate(
                        "shell.force-push",
                        0.7,
                        Some("git push"),
                        format!("`{shown}` rewrites or deletes history on the remote"),
                    );
                } else if lease {
                    self.escalate(
                        "shell.force-push",
                        0.6,
                        Some("git push"),
                        format!("`{shown}` may rewrite history on the remote (force with lease)"),
                    );
                }
            }
            "clean" => {
                let mut dirs: Vec<Word> = rest
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .cloned()
                    .collect();
                let globals = &c.argv[1..k];
                if let Some(p) = globals.iter().position(|w| w.text == "-C") {
                    dirs.extend(globals.get(p + 1).cloned());
                }
                for d in dirs {
                    if let Some(Danger::Deny(what)) = self.danger(&resolve(&d, cwd)) {
                        self.deny(
                            "shell.destructive",
                            format!("`{shown}` would delete untracked files across {what}"),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn check_services(&mut self, c: &Command, shown: &str) {
        let p = c.program.as_str();
        let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
        let sub = ops.first().copied().unwrap_or("");
        match p {
            "systemctl" | "loginctl" => {
                if matches!(
                    sub,
                    "poweroff"
                        | "reboot"
                        | "halt"
                        | "kexec"
                        | "soft-reboot"
                        | "suspend"
                        | "hibernate"
                        | "hybrid-sleep"
                        | "emergency"
                        | "rescue"
                ) {
                    self.deny(
                        "shell.power",
                        format!("`{shown}` would shut down, suspend or reboot the machine"),
                    );
                    return;
                }
                let read_only = sub.is_empty()
                    || sub.starts_with("list-")
                    || sub.starts_with("is-")
                    || matches!(
                        sub,
                        "status"
                            | "show"
                            | "cat"
                            | "help"
                            | "get-default"
                            | "show-environment"
                            | "show-session"
                            | "show-user"
                    );
                if !read_only && p == "systemctl" {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes system services"),
                    );
                }
            }
            "service" if ops.len() >= 2 && ops[1] != "status" => {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!("`{shown}` changes system services"),
                );
            }
            "launchctl" => {
                if matches!(
                    sub,
                    "load"
                        | "unload"
                        | "bootstrap"
                        | "bootout"
                        | "enable"
                        | "disable"
                        | "submit"
                        | "remove"
                        | "kickstart"
                ) {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes launchd jobs"),
                    );
                }
            }
            _ => {}
        }
    }

    fn check_container(&mut self, c: &Command, cwd: &Loc, shown: &str) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let mut rest = &c.argv[k + 1..];
        let sub = if sub == "container" {
            let s = rest.first().map(|w| w.text.as_str()).unwrap_or("");
            rest = rest.get(1..).unwrap_or(&[]);
            s
        } else {
            sub
        };
        if !matches!(sub, "run" | "create") {
            return;
        }
        let mut problems: Vec<String> = Vec::new();
        let mut j = 0;
        while j < rest.len() {
            let a = rest[j].text.as_str();
            if !a.starts_with('-') {
                break; // the image: what follows is the container's command
            }
            let (key, inline) = match a.split_once('=') {
                Some((key, v)) => (key, Some(v.to_string())),
                None => (a, None),
            };
            let takes = matches!(
                key,
                "--pid"
                    | "--network"
                    | "--net"
                    | "--ipc"
                    | "--uts"
                    | "--userns"
                    | "--cgroupns"
                    | "--cap-add"
                    | "-v"
                    | "--volume"
                    | "--mount"
                    | "--device"
            );
            let value = inline.or_else(|| {
                if takes {
                    rest.get(j + 1).map(|w| w.text.clone())
                } else {
                    None
                }
            });
            if takes && !a.contains('=') {
                j += 1;
            }
            j += 1;
            let v = value.unwrap_or_default();
            match key {
                "--privileged" => problems.push("--privileged".into()),
                "--pid" | "--network" | "--net" | "--ipc" | "--uts" | "--userns" | "--cgroupns"
                    if v == "host" =>
                {
                    problems.push(format!("{key}=host"))
                }
                "--cap-add"
                    if matches!(
                        v.to_ascii_uppercase().as_str(),
                        "ALL" | "SYS_ADMIN" | "CAP_SYS_ADMIN" | "SYS_PTRACE" | "SYS_MODULE"
                    ) =>
                {
                    problems.push(format!("--cap-add {v}"))
                }
                "--device" => problems.push(format!("--device {v}")),
                "-v" | "--volume" | "--mount" => {
                    let source = if key == "--mount" {
                        v.split(',')
                            .find_map(|kv| {
                                kv.strip_prefix("source=")
                                    .or_else(|| kv.strip_prefix("src="))
                            })
                            .unwrap_or("")
                            .to_string()
                    } else {
                        v.split(':').next().unwrap_or("").to_string()
                    };
                    if source.starts_with('/') || source.starts_with('~') {
                        let loc = resolve(&Word::literal(source.clone()), cwd);
                        let hit = match &loc {
                            Loc::Abs(p) => {
                                p.is_empty()
                                    || p.last().is_some_and(|l| {
                                        l == "docker.sock" || l == "containerd.sock"
                                    })
                                    || system_dir(p)
                                    || home_dir(p)
                            }
                            _ => false,
                        };
                        if hit {
                            problems.push(format!("a mount of {}", loc.display()));
                        }
                    }
                }
                _ => {}
            }
        }
        if !problems.is_empty() {
            let subject = format!("{} {sub}", c.program);
            self.escalate(
                "shell.container",
                0.8,
                Some(&subject),
                format!(
                    "`{shown}` gives the container access to the host ({})",
                    problems.join(", ")
                ),
            );
        }
    }

    fn check_infra(&mut self, c: &Command, shown: &str) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let p = c.program.as_str();
        let hit = match p {
            "kubectl" | "oc" => matches!(sub, "delete" | "drain"),
            "helm" => matches!(sub, "uninstall" | "delete" | "del" | "un"),
            "terraform" | "tofu" => {
                matches!(sub, "destroy" | "apply")
                    || c.argv[k + 1..].iter().any(|a| a.text == "-destroy")
            }
            _ => false,
        };
        if hit {
            let subject = format!("{p} {sub}");
            self.escalate(
                "shell.infrastructure",
                0.7,
                Some(&subject),
                format!("`{shown}` deletes or changes live infrastructure"),
            );
        }
    }

    fn check_install(&mut self, c: &Command, shown: &str) {
        let p = c.program.as_str();
        if matches!(p, "pacman" | "yay" | "paru") {
            self.check_pacman(c, shown);
            return;
        }
        if matches!(p, "dpkg" | "rpm") {
            let install = c.has_flag('i')
                || c.has_flag('U')
                || c.has_flag('e')
                || c.has_flag('r')
                || c.has_flag('P')
                || ["install", "upgrade", "erase", "remove", "purge"]
                    .iter()
                    .any(|l| c.has_long(l));
            if install {
                self.escalate(
                    "shell.package-install",
                    0.6,
                    Some(p),
                    format!("`{shown}` changes the system's installed packages"),
                );
            }
            return;
        }
        let Some((k, sub)) = subcommand(c).map(|(k, s)| (k, s.to_string())) else {
            return;
        };
        let rest = &c.argv[k + 1..];
        let system = || format!("`{shown}` changes the system's installed packages");
        match p {
            "apt" | "apt-get" | "aptitude" | "yum" | "dnf" | "microdnf" | "zypper" | "apk"
            | "snap" | "flatpak" | "port" | "pkg" | "emerge" | "xbps-install" => {
                let changes = matches!(
                    sub.as_str(),
                    "install"
                        | "reinstall"
                        | "remove"
                        | "purge"
                        | "erase"
                        | "upgrade"
                        | "dist-upgrade"
                        | "full-upgrade"
                        | "autoremove"
                        | "add"
                        | "del"
                        | "downgrade"
                        | "localinstall"
                        | "groupinstall"
                        | "in"
                        | "rm"
                        | "up"
                        | "dup"
                        | "build-dep"
                ) || (sub == "update"
                    && !matches!(p, "apt" | "apt-get" | "aptitude" | "apk" | "pkg"));
                if changes || p == "emerge" || p == "xbps-install" {
                    let subject = format!("{p} {sub}");
                    self.escalate("shell.package-install", 0.6, Some(&subject), system());
                }
            }
            "brew" => {
                if matches!(
                    sub.as_str(),
                    "install"
                        | "reinstall"
                        | "upgrade"
                        | "uninstall"
                        | "remove"
                        | "rm"
                        | "tap"
                        | "link"
                ) {
                    let subject = format!("brew {sub}");
                    self.escalate("shell.package-install", 0.6, Some(&subject), system());
                }
            }
            "cargo" | "go" | "gem" | "pipx" | "nix-env" => {
                let global = match p {
                    "cargo" | "go" => sub == "install",
                    "gem" => matches!(sub.as_str(), "install" | "update"),
                    "pipx" => matches!(sub.as_str(), "install" | "inject" | "upgrade" | "run"),
                    _ => sub == "install" || c.has_flag('i'),
                };
                if global {
                    let subject = format!("{p} {sub}");
                    self.escalate(
                        "shell.package-install",
                        0.6,
                        Some(&subject),
                        format!("`{shown}` installs software for the whole user or system"),
                    );
                }
            }
            "npm" | "pnpm" | "yarn" | "bun" => self.check_js_install(c, &sub, rest, shown),
            _ if versioned(p, "pip") && sub == "install" => {
                self.check_pip(p, "install", rest, shown)
            }
            _ if versioned(p, "python") || versioned(p, "pypy") => {
                let args = c.args();
                if let Some(m) = args.iter().position(|a| a.text == "-m")
                    && args.get(m + 1).is_some_and(|a| versioned(&a.text, "pip"))
                    && args.get(m + 2).is_some_and(|a| a.text == "install")
                {
                    self.check_pip("pip", "install", &args[m + 3..], shown);
                }
            }
            "uv" => {
                if sub == "pip" && rest.first().is_some_and(|a| a.text == "install") {
                    self.check_pip("uv pip", "install", &rest[1..], shown);
                } else if sub == "add" {
                    self.check_pip("uv", "add", rest, shown);
                } else if sub == "tool" && rest.first().is_some_and(|a| a.text == "install") {
                    self.escalate(
                        "shell.package-install",
                        0.6,
                        Some("uv tool"),
                        format!("`{shown}` installs software for the whole user"),
                    );
                }
            }
            "poetry" | "pipenv" | "conda" | "mamba" | "micromamba" => {
                if matches!(sub.as_str(), "add" | "install") {
                    self.check_pip(p, &sub, rest, shown);
                }
            }
            _ => {}
        }
    }

    fn check_pacman(&mut self, c: &Command, shown: &str) {
        let changes = c.args().iter().any(|a| {
            let t = a.text.as_str();
            (t.starts_with("-S") && !t[2..].contains(['s', 'i', 'l', 'g', 'p', 'c']))
                || t.starts_with("-R")
                || t.starts_with("-U")
                || t == "--sync" && !c.has_flag('s')
                || t == "--remove"
                || t == "--upgrade"
        });
        if changes {
            self.escalate(
                "shell.package-install",
                0.6,
                Some(&c.program),
                format!("`{shown}` changes the system's installed packages"),
            );
        }
    }

    fn check_js_install(&mut self, c: &Command, sub: &str, rest: &[Word], shown: &str) {
        let p = c.program.as_str();
        let (global_sub, rest) = if p == "yarn" && sub == "global" {
            (true, rest.get(1..).unwrap_or(&[]))
        } else {
            (false, rest)
        };
        let installs = matches!(
            sub,
            "install" | "i" | "add" | "in" | "ins" | "isntall" | "global"
        ) || (p == "npm" && sub.starts_with("inst"));
        if !installs {
            return;
        }
        let global = global_sub
            || c.has_flag('g')
            || c.has_long("global")
            || c.args().iter().any(|a| a.text == "--location=global");
        let mut named = Vec::new();
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if matches!(
                t,
                "-w" | "--workspace" | "--prefix" | "--registry" | "--tag" | "--cache"
            ) {
                j += 1;
                continue;
            }
            if t.starts_with('-') {
                continue;
            }
            let local = t.starts_with('.')
                || t.starts_with('/')
                || t.starts_with('~')
                || t.starts_with("file:")
                || t.starts_with("link:");
            if !local {
                named.push(t.to_string());
            }
        }
        let subject = format!("{p} {sub}");
        if global {
            self.escalate(
                "shell.package-install",
                0.6,
                Some(&subject),
                format!("`{shown}` installs packages globally"),
            );
        } else if !named.is_empty() {
            self.escalate(
                "shell.package-install",
                0.5,
                Some(&subject),
                format!(
                    "`{shown}` installs {} from a registry, running its install scripts",
                    named.join(", ")
                ),
            );
        }
    }

    fn check_pip(&mut self, p: &str, sub: &str, rest: &[Word], shown: &str) {
        const VALUED: &[&str] = &[
            "-r",
            "-c",
            "-t",
            "-i",
            "-f",
            "--requirement",
            "--constraint",
            "--target",
            "--index-url",
            "--extra-index-url",
            "--find-links",
            "--prefix",
            "--root",
            "--src",
            "--python-version",
            "--platform",
            "--implementation",
            "--abi",
            "--trusted-host",
            "--upgrade-strategy",
            "--progress-bar",
            "--log",
            "--cache-dir",
            "--cert",
            "--client-cert",
            "--proxy",
            "--retries",
            "--timeout",
            "--exists-action",
            "--report",
            "--config-settings",
            "-C",
            "--group",
            "--python",
            "--index",
            "--extra",
            "-p",
            "--optional",
            "--dev-dependency",
        ];
        let mut named = Vec::new();
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if t == "-e" || t == "--editable" {
                if let Some(v) = rest.get(j)
                    && (v.text.contains("://") || v.text.starts_with("git+"))
                {
                    named.push(v.text.clone());
                }
                j += 1;
                continue;
            }
            if VALUED.contains(&t) {
                j += 1;
                continue;
            }
            if t.starts_with('-') {
                continue;
            }
            let local = t.starts_with('.')
                || t.starts_with('/')
                || t.starts_with('~')
                || (t.contains('/') && !t.contains("://"))
                || [".whl", ".tar.gz", ".zip"].iter().any(|e| t.ends_with(e)) && !t.contains("://");
            if !local {
                named.push(t.to_string());
            }
        }
        if !named.is_empty() {
            let subject = format!("{p} {sub}");
            self.escalate(
                "shell.package-install",
                0.5,
                Some(&subject),
                format!(
                    "`{shown}` installs {} from a registry, running its install scripts",
                    truncate(&named.join(", "), 60)
                ),
            );
        }
    }

    fn check_fork_bomb(&mut self, cl: &CommandLine, i: usize) {
        let c = &cl.commands[i];
        if !(c.piped_in || c.piped_out || c.background) {
            return;
        }
        for a in cl.ancestors(i) {
            if let CommandKind::Function { name } = &cl.commands[a].kind
                && *name == c.program
            {
                self.deny(
                    "shell.fork-bomb",
                    format!("`{name}() {{ … }}` is a fork bomb: it starts copies of itself in a pipeline or in the background"),
                );
                return;
            }
        }
    }

    /// A script written earlier in the line (`echo … > x.sh && sh x.sh`) is
    /// judged by what was written into it.
    fn check_written(&mut self, cl: &CommandLine, i: usize, line: &Line) {
        let c = &cl.commands[i];
        if c.program_dynamic || line.level >= MAX_REPARSE || line.written.is_empty() {
            return;
        }
        let p = c.program.as_str();
        let script = if matches!(p, "source" | ".") {
            c.operands().next()
        } else if is_shell(p) && !c.has_flag('c') {
            script_operand(c)
        } else {
            c.argv.first().filter(|w| w.text.contains('/'))
        };
        let Some(script) = script else { return };
        let name = normalise(&script.text);
        let bodies: Vec<String> = line
            .written
            .iter()
            .filter(|(f, _)| *f == name)
            .map(|(_, body)| body.clone())
            .collect();
        for body in bodies {
            self.check_line(&body, line.level + 1);
        }
    }

    /// Downloaded or decoded data run as code.
    fn check_remote_exec(&mut self, cl: &CommandLine, i: usize, line: &mut Line) {
        let (level, from_net, from_decoder) = (line.level, &line.from_net, &line.from_decoder);
        let c = &cl.commands[i];
        let shown = show(c);
        let p = c.program.as_str();
        if !c.program_dynamic && is_interpreter(p) {
            let stdin_code = reads_stdin_code(c);
            let fed = (stdin_code && c.piped_in) || c.has_wrapper("xargs");
            if fed && from_net[i] {
                let up = cl
                    .upstream(i)
                    .into_iter()
                    .find(|&u| is_downloader(&cl.commands[u]))
                    .map(|u| show(&cl.commands[u]))
                    .unwrap_or_else(|| "a download".into());
                self.deny(
                    "shell.remote-exec",
                    format!("`{up} | {shown}` runs code downloaded from the network"),
                );
            } else if fed && from_decoder[i] {
                let up = cl
                    .upstream(i)
                    .into_iter()
                    .find(|&u| is_decoder(&cl.commands[u]))
                    .map(|u| show(&cl.commands[u]))
                    .unwrap_or_else(|| "a decoder".into());
                self.deny(
                    "shell.obfuscated-exec",
                    format!("`{up} | {shown}` runs decoded data as code, which hides what it does"),
                );
            } else if stdin_code && c.piped_in && is_shell(p) && level < MAX_REPARSE {
                // `echo '…' | sh`: judge what is echoed.
                let pipeline = &cl.pipelines[c.pipeline].commands;
                let before = pipeline
                    .iter()
                    .position(|&e| e == i)
                    .and_then(|k| k.checked_sub(1));
                if let Some(&u) = before.and_then(|k| pipeline.get(k)) {
                    let up = &cl.commands[u];
                    if matches!(up.program.as_str(), "echo" | "printf") && !up.program_dynamic {
                        let text: Vec<&str> = up.operands().map(|w| w.text.as_str()).collect();
                        self.check_line(&text.join(" "), level + 1);
                    }
                }
            }
            if stdin_code && is_shell(p) && level < MAX_REPARSE {
                for r in &c.redirects {
                    match r.op {
                        RedirectOp::HereDoc => {
                            if let Some(body) = &r.here_doc {
                                self.check_line(body, level + 1);
                            }
                        }
                        RedirectOp::HereString => self.check_line(&r.target.text, level + 1),
                        _ => {}
                    }
                }
            }
            // A script saved by a download earlier in the line.
            let script = if matches!(p, "source" | ".") {
                c.operands().next()
            } else {
                script_operand(c)
            };
            if let Some(s) = script
                && line.downloaded.contains(&normalise(&s.text))
            {
                self.deny(
                    "shell.remote-exec",
                    format!(
                        "`{shown}` runs {}, downloaded earlier in the same command line",
                        s.text
                    ),
                );
            }
        }
        if !c.program_dynamic
            && let Some(first) = c.argv.first()
            && first.text.contains('/')
            && line.downloaded.contains(&normalise(&first.text))
        {
            self.deny(
                "shell.remote-exec",
                format!(
                    "`{shown}` runs {}, downloaded earlier in the same command line",
                    first.text
                ),
            );
        }
        // A download or decoding inside a substitution that becomes code.
        let downloads = is_downloader(c);
        if downloads || is_decoder(c) {
            let mut cur = i;
            while let Some(parent) = cl.commands[cur].parent {
                let origin = cl.commands[cur].origin;
                if !matches!(
                    origin,
                    Origin::CommandSubstitution | Origin::ProcessSubstitution
                ) {
                    break;
                }
                let pc = &cl.commands[parent];
                if pc.kind == CommandKind::Simple && runs_substitution(pc, origin) {
                    let runner = show(pc);
                    if downloads {
                        self.deny(
                            "shell.remote-exec",
                            format!("`{runner}` runs code downloaded by `{shown}`"),
                        );
                    } else {
                        self.deny(
                            "shell.obfuscated-exec",
                            format!("`{runner}` runs data decoded by `{shown}` as code, which hides what it does"),
                        );
                    }
                    break;
                }
                cur = parent;
            }
        }
        if downloads {
            line.downloaded
                .extend(download_targets(c).iter().map(|t| normalise(t)));
        }
    }
}

/// Whether a command runs a substitution nested in it as code.
fn runs_substitution(pc: &Command, origin: Origin) -> bool {
    let p = pc.program.as_str();
    if pc.program_dynamic || p == "eval" || p == "source" || p == "." {
        return true;
    }
    if !is_interpreter(p) {
        return false;
    }
    match origin {
        Origin::ProcessSubstitution => true,
        _ => {
            pc.has_flag('c')
                || pc.has_flag('e')
                || pc.has_flag('E')
                || pc.has_long("eval")
                || pc.has_long("command")
                || (reads_stdin_code(pc)
                    && pc
                        .redirects
                        .iter()
                        .any(|r| matches!(r.op, RedirectOp::HereString | RedirectOp::HereDoc)))
        }
    }
}

/// Whether an interpreter reads the code it runs from standard input.
fn reads_stdin_code(c: &Command) -> bool {
    let p = c.program.as_str();
    if matches!(p, "source" | ".") {
        return c.operands().next().is_some_and(|w| {
            matches!(
                w.text.as_str(),
                "/dev/stdin" | "-" | "/dev/fd/0" | "/proc/self/fd/0"
            )
        });
    }
    let shell = is_shell(p);
    if shell && c.has_flag('s') {
        return true;
    }
    let code_flag = if shell {
        c.has_flag('c') || c.has_long("command")
    } else if versioned(p, "python") || versioned(p, "pypy") {
        c.has_flag('c') || c.has_flag('m')
    } else if matches!(p, "node" | "nodejs" | "deno" | "bun") {
        c.has_flag('e') || c.has_flag('p') || c.has_long("eval") || c.has_long("print")
    } else if versioned(p, "php") {
        c.has_flag('r')
    } else {
        c.has_flag('e') || c.has_flag('E')
    };
    if code_flag {
        return false;
    }
    match script_operand(c) {
        None => !matches!(p, "deno" | "bun"),
        Some(w) => matches!(
            w.text.as_str(),
            "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0"
        ),
    }
}

/// The script an interpreter runs, skipping option values it knows.
fn script_operand(c: &Command) -> Option<&Word> {
    let valued: &[&str] = if is_shell(c.program.as_str()) {
        &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]
    } else {
        &["-W", "-X", "-I", "-r", "--require", "-M"]
    };
    let w = first_operand(c, valued).map(|(_, w)| w)?;
    if matches!(c.program.as_str(), "deno" | "bun") && matches!(w.text.as_str(), "run" | "x") {
        return c
            .argv
            .get(c.argv.iter().position(|a| std::ptr::eq(a, w))? + 1);
    }
    Some(w)
}

/// Files a download saves: `curl -o F`, `curl -O URL`, `wget URL`,
/// `wget -O F`, `> F`.
fn download_targets(c: &Command) -> Vec<String> {
    let mut out = Vec::new();
    let args = c.args();
    let p = c.program.as_str();
    // Short options taking a value; `o`/`O` are the output file.
    let (valued, output) = match p {
        "curl" => ("HdXuAewxTbcFmryYzKECPQUDo", 'o'),
        "wget" => ("OoaPeUtTwQlARiBDIX", 'O'),
        _ => ("", '\0'),
    };
    let mut remote_name = p == "wget";
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        k += 1;
        if let Some(long) = t.strip_prefix("--") {
            let (key, value) = match long.split_once('=') {
                Some((key, v)) => (key, Some(v.to_string())),
                None => (long, None),
            };
            match (p, key) {
                ("curl", "output") | ("wget", "output-document") => {
                    remote_name = false;
                    let v = value.or_else(|| args.get(k).map(|w| w.text.clone()));
                    k += 1;
                    out.extend(v.filter(|v| v != "-"));
                }
                ("curl", "remote-name" | "remote-name-all") => remote_name = true,
                _ => {}
            }
            continue;
        }
        let Some(cluster) = t.strip_prefix('-').filter(|c| !c.is_empty()) else {
            continue;
        };
        for (j, ch) in cluster.char_indices() {
            if p == "curl" && ch == 'O' {
                remote_name = true;
            }
            if valued.contains(ch) {
                let rest = &cluster[j + 1..];
                let value = if rest.is_empty() {
                    k += 1;
                    args.get(k - 1).map(|w| w.text.clone())
                } else {
                    Some(rest.to_string())
                };
                if ch == output {
                    remote_name = false;
                    out.extend(value.filter(|v| v != "-"));
                }
                break;
            }
        }
    }
    if remote_name {
        for w in c.operands() {
            if let Some((_, path)) = w.text.split_once("://") {
                let path = path.split(['?', '#']).next().unwrap_or("");
                if let Some(name) = path
                    .rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty() && path.contains('/'))
                {
                    out.push(name.to_string());
                }
            }
        }
    }
    for r in &c.redirects {
        if matches!(
            r.op,
            RedirectOp::Write | RedirectOp::Append | RedirectOp::Clobber | RedirectOp::WriteAll
        ) && r.fd.is_none_or(|f| f == 1)
        {
            out.push(r.target.text.clone());
        }
    }
    out
}

/// Remembers literal text a command writes to a file: `echo … > f`,
/// `printf … >> f`, `cat > f <<EOF … EOF`, `tee f <<< …`.
fn record_written(c: &Command, written: &mut Vec<(String, String)>) {
    if c.kind != CommandKind::Simple || c.program_dynamic || written.len() >= 32 {
        return;
    }
    let p = c.program.as_str();
    let mut text = match p {
        "echo" | "printf" => {
            c.operands()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                + "\n"
        }
        "cat" | "tee" => match c.redirects.iter().find_map(|r| match r.op {
            RedirectOp::HereDoc => r.here_doc.clone(),
            RedirectOp::HereString => Some(r.target.text.clone() + "\n"),
            _ => None,
        }) {
            Some(t) => t,
            None => return,
        },
        _ => return,
    };
    text.truncate(1 << 16);
    let mut files: Vec<String> = c
        .redirects
        .iter()
        .filter(|r| r.op.writes_file() && r.fd.is_none_or(|f| f == 1))
        .map(|r| normalise(&r.target.text))
        .collect();
    if p == "tee" {
        files.extend(c.operands().map(|w| normalise(&w.text)));
    }
    for f in files {
        written.push((f, text.clone()));
    }
}

fn normalise(path: &str) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

/// Whether a chmod mode makes files world-writable, and whether it sets
/// setuid/setgid.
fn chmod_risk(mode: &str) -> (bool, bool) {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let v = u32::from_str_radix(mode, 8).unwrap_or(0);
        return (v & 0o002 != 0, v & 0o6000 != 0);
    }
    let mut world = false;
    let mut setid = false;
    for clause in mode.split(',') {
        let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_end];
        let ops = &clause[who_end..];
        let mut adding = false;
        for ch in ops.chars() {
            match ch {
                '+' | '=' => adding = true,
                '-' => adding = false,
                'w' if adding && (who.contains('o') || who.contains('a')) => world = true,
                's' if adding => setid = true,
                _ => {}
            }
        }
    }
    (world, setid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::testing;

    #[test]
    fn cases() {
        testing::assert_cases::<ShellGuard>(include_str!("../cases.toml"));
    }

    fn eval(cmd: &str) -> Decision {
        testing::eval::<ShellGuard>(&Action::shell(cmd).in_dir("/work/app"))
    }

    #[test]
    fn every_reported_rule_is_declared() {
        let info = ShellGuard::info();
        let declared: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        for (id, summary) in RULES {
            assert!(declared.contains(id));
            assert!(!summary.is_empty());
        }
        let source = include_str!("lib.rs");
        for part in source.split("\"shell.").skip(1) {
            let id = format!("shell.{}", part.split('"').next().unwrap());
            if id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-')
                && id.len() > 6
            {
                assert!(
                    declared.contains(&id.as_str()),
                    "{id} is reported but not declared"
                );
            }
        }
    }

    #[test]
    fn reasons_name_what_matched_and_the_rule() {
        let d = eval("rm -rf /");
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(
            d.reason,
            "`rm -rf /` would delete the root filesystem (rule shell.destructive)"
        );
        assert_eq!(d.risk, 1.0);
        let d = eval("sudo apt-get install -y jq");
        assert_eq!(d.verdict, Verdict::Escalate);
        assert!(
            d.reason.contains("sudo apt-get install -y jq"),
            "{}",
            d.reason
        );
        assert!((0.5..=0.8).contains(&d.risk));
        assert!(d.rules.contains(&"shell.privileged".to_string()));
        assert!(d.rules.contains(&"shell.package-install".to_string()));
        let d = eval("cargo test");
        assert_eq!((d.verdict, d.risk), (Verdict::Allow, 0.0));
    }

    #[test]
    fn only_shell_exec_is_judged_and_input_is_a_fallback() {
        let mut a = Action::new(kinds::FILE_WRITE);
        a.command = Some("rm -rf /".into());
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Allow);
        let mut a = Action::new(kinds::SHELL_EXEC);
        a.input = r#"{"command":"rm -rf ~"}"#.into();
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Deny);
        let a = Action::new(kinds::SHELL_EXEC);
        assert_eq!(testing::eval::<ShellGuard>(&a).verdict, Verdict::Allow);
    }

    #[test]
    fn settings_are_validated() {
        let ok = |json: &str| clawlaw_sdk::validate_settings::<ShellGuard>(json);
        assert!(ok("{}").is_ok());
        assert!(ok(r#"{"deny_programs":["terraform","aws s3"],"allow_programs":["pip install"],"protected_paths":["/data","~/work"]}"#).is_ok());
        for bad in [
            r#"{"deny_programs":[""]}"#,
            r#"{"escalate_programs":["  "]}"#,
            r#"{"allow_programs":["a b c"]}"#,
            r#"{"allow_programs":["pip  install"]}"#,
            r#"{"deny_programs":["/usr/bin/rm"]}"#,
            r#"{"deny_programs":["x"],"allow_programs":["x"]}"#,
            r#"{"protected_paths":["data"]}"#,
            r#"{"protected_paths":[""]}"#,
            r#"{"deny_program":["x"]}"#,
            r#"{"deny_unparseable":"yes"}"#,
        ] {
            assert!(ok(bad).is_err(), "{bad} should be rejected");
        }
    }

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
        assert_eq!(
            r("'*'"),
            Loc::Abs(vec!["work".into(), "app".into(), "*".into()])
        );
        assert_eq!(chmod_risk("777"), (true, false));
        assert_eq!(chmod_risk("4755"), (false, true));
        assert_eq!(chmod_risk("a+rwx"), (true, false));
        assert_eq!(chmod_risk("u+x,go-w"), (false, false));
        assert_eq!(chmod_risk("+x"), (false, false));
    }

    #[test]
    fn hostile_lines_are_decided_quickly() {
        for line in [
            "(".repeat(10_000),
            format!("{}rm -rf /", "$(".repeat(5000)),
            "a|".repeat(100_000),
            "sh|".repeat(5000),
            format!("curl x | {}", "(".repeat(100)),
            "x ".repeat(1 << 19),
            format!("{}bomb", "f(){ f|f& };".repeat(2000)),
        ] {
            let d = eval(&line);
            assert_ne!(d.verdict, Verdict::Allow, "{}", &line[..20]);
        }
    }
}

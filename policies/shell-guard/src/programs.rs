//! Program families (shells, interpreters, downloaders, decoders, privilege
//! tools) and how to read a command's subcommand and operands.

use clawlaw_sdk::shell::containers::KUBECTL_GLOBAL;
use clawlaw_sdk::shell::{Command, CommandKind, Word};

pub(crate) const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish", "csh",
    "tcsh",
];

pub(crate) fn is_shell(p: &str) -> bool {
    SHELLS.contains(&p)
}

pub(crate) fn versioned(p: &str, stem: &str) -> bool {
    p.strip_prefix(stem)
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub(crate) fn is_interpreter(p: &str) -> bool {
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
                | "R"
                | "julia"
                | "groovy"
                | "elixir"
                | "racket"
                | "scala"
                | "guile"
                | "jshell"
                | "source"
                | "."
        )
}

pub(crate) const DOWNLOADERS: &[&str] = &[
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

pub(crate) fn is_downloader(c: &Command) -> bool {
    c.kind == CommandKind::Simple && !c.program_dynamic && DOWNLOADERS.contains(&c.program.as_str())
}

pub(crate) fn is_decoder(c: &Command) -> bool {
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
        | "unzstd" | "rev" | "rot13" => true,
        // `tr 'a-z' 'n-za-m'`: a letter substitution (ROT13), not a
        // deletion (`tr -d '\r'`, which fixes a script's line endings).
        "tr" => {
            !(c.has_flag('d') || c.has_flag('s') || c.has_long("delete"))
                && c.operands().count() == 2
        }
        _ => false,
    }
}

/// Tools whose output is meant to be `eval`ed to set up the environment.
pub(crate) const ENV_SETUP: &[&str] = &[
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

/// Wrappers that run their command as another user (root, or one only
/// root may become: `runuser`, `gosu`, `su-exec`, `setuidgid`).
pub(crate) const PRIVILEGE_WRAPPERS: &[&str] = &[
    "sudo",
    "doas",
    "pkexec",
    "run0",
    "runuser",
    "gosu",
    "su-exec",
    "setuidgid",
];
pub(crate) const PRIVILEGE_PROGRAMS: &[&str] = &[
    "sudo", "doas", "pkexec", "run0", "su", "runuser", "sudoedit",
];
pub(crate) const ACCOUNT_PROGRAMS: &[&str] = &[
    "passwd", "chpasswd", "useradd", "userdel", "usermod", "adduser", "deluser", "groupadd",
    "groupdel", "groupmod", "gpasswd", "visudo", "chsh", "setcap",
];
/// Programs that change the running kernel (its modules, the kernel
/// itself) or enter another process's namespaces: what a rootkit or a
/// container escape does, and nothing a coding task needs. (`nsenter`,
/// a wrapper the shell model strips, is told by its wrapper.)
pub(crate) const KERNEL_PROGRAMS: &[&str] = &["insmod", "rmmod", "modprobe", "kexec"];

/// Programs whose words are text, file names or another command's: what
/// they are given is not a subcommand, a statement or a request of theirs
/// (`echo … reset`, `rm rm`, `find … -exec rm`, `man rm`, `grep -e 'DROP
/// TABLE'`).
#[rustfmt::skip]
pub(crate) const TEXT_PROGRAMS: &[&str] = &[
    "echo", "printf", "print", "say", "rm", "rmdir", "unlink", "shred", "cat", "ls", "touch",
    "mkdir", "cp", "mv", "ln", "install", "grep", "egrep", "fgrep", "rg", "ag", "ack", "sed",
    "awk", "gawk", "mawk", "sort", "diff", "logger",
    "uniq", "head", "tail", "wc", "cut", "tr", "tee", "test", "true", "false", "read", "export",
    "set", "unset", "alias", "eval", "exec", "source", ".", "cd", "pwd", "stat", "file", "du",
    "basename", "dirname", "realpath", "readlink", "date", "sleep", "timeout", "watch", "time",
    "nohup", "nice", "env", "sudo", "doas", "chmod", "chown", "tar", "zip", "unzip", "gzip",
    "less", "more", "vim", "vi", "nano", "emacs", "code", "open", "xdg-open", "jq", "yq",
    "find", "fd", "fdfind", "xargs", "man", "info", "tldr", "whatis", "which", "whereis", "type", "command",
    "help",
];

/// The first operand, skipping the values of the options in `valued`.
pub(crate) fn first_operand<'c>(c: &'c Command, valued: &[&str]) -> Option<(usize, &'c Word)> {
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

/// Options of `docker`, `podman` and `nerdctl` that take a value before the
/// subcommand (`docker -H tcp://host:2375 rm …`).
pub(crate) use clawlaw_sdk::shell::containers::DOCKER_GLOBAL;

/// The subcommand (`git push`, `docker run`): its index in argv and text.
pub(crate) fn subcommand(c: &Command) -> Option<(usize, &str)> {
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
        "docker" | "podman" | "nerdctl" => DOCKER_GLOBAL,
        "kubectl" | "oc" => KUBECTL_GLOBAL,
        "helm" => &["-n", "--namespace", "--kube-context", "--kubeconfig"],
        "terraform" | "tofu" => &["-chdir"],
        _ => &[],
    };
    first_operand(c, valued).map(|(k, w)| (k, w.text.as_str()))
}

pub(crate) fn show(c: &Command) -> String {
    truncate(&c.to_string(), 100)
}

/// A command as findings show it ([`show`]), written only when a finding
/// asks for it: most commands raise none, and writing every one out cost
/// more than some of the checks.
pub(crate) struct Shown<'a> {
    command: &'a Command,
    text: std::cell::OnceCell<String>,
}

impl<'a> Shown<'a> {
    pub(crate) fn new(command: &'a Command) -> Shown<'a> {
        Shown {
            command,
            text: std::cell::OnceCell::new(),
        }
    }
}

impl std::ops::Deref for Shown<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.text.get_or_init(|| show(self.command))
    }
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

/// The one exact name a `find` selects (`-name .git`, `-iname
/// node_modules`), when it names exactly one and without a glob: what it
/// acts on is that name below its starts.
pub(crate) fn find_exact_name(c: &Command) -> Option<String> {
    let args = c.args();
    let mut names = args
        .windows(2)
        .filter(|w| matches!(w[0].text.as_str(), "-name" | "-iname"))
        .map(|w| w[1].text.as_str());
    let name = names.next()?;
    (names.next().is_none() && !name.is_empty() && !name.contains(['*', '?', '[', '/']))
        .then(|| name.to_string())
}

/// Where `find` (or `fd`) starts and whether it filters what it finds.
pub(crate) fn find_scope(c: &Command) -> (Vec<Word>, bool) {
    let args = c.args();
    if let Some(fd) = clawlaw_sdk::effects::fd_walk(c) {
        return (fd.roots, fd.filters);
    }
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
        } else if a == "-type"
            && args.get(j + 1).is_some_and(|t| {
                t.text.split(',').all(|t| matches!(t, "f" | "d")) && !t.text.is_empty()
            })
        {
            // Files or directories: everything a tree holds but links,
            // sockets and devices, so not a selection.
            j += 1;
        } else if !UNFILTERED.contains(&a) {
            filtered = true;
        }
        j += 1;
    }
    (starts, filtered)
}

/// The files `sed -i` or `perl -i` edits: its operands but the script.
/// The script is the value of `-e`/`-f`/`--expression`/`--file` (Perl's
/// `-e`/`-E`, attached or in the next word); given none, the first operand
/// is the script (`sed -i '/^#/d' FILE`) or Perl's program file. A letter
/// after `-i` in a cluster is its backup suffix (`-i.bak`, `-ie`).
pub(crate) fn in_place_files(c: &Command) -> Vec<&Word> {
    let args = c.args();
    let mut files = Vec::new();
    let mut script_given = false;
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        k += 1;
        if t == "--" {
            files.extend(&args[k..]);
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, inline) = long
                .split_once('=')
                .map_or((long, false), |(n, _)| (n, true));
            if matches!(name, "expression" | "file") {
                script_given = true;
                k += usize::from(!inline);
            }
            continue;
        }
        let Some(letters) = t.strip_prefix('-').filter(|l| !l.is_empty()) else {
            files.push(&args[k - 1]);
            continue;
        };
        for (j, ch) in letters.char_indices() {
            let attached = j + 1 < letters.len();
            match ch {
                'i' => break,
                'e' | 'f' => {
                    script_given = true;
                    k += usize::from(!attached);
                    break;
                }
                'E' if c.program == "perl" => {
                    script_given = true;
                    k += usize::from(!attached);
                    break;
                }
                // Perl's options whose value is attached (`-Mstrict`, `-l0`).
                'I' | 'M' | 'm' | 'l' | '0' | 'x' | 'C' | 'd' | 'D' if c.program == "perl" => break,
                _ => {}
            }
        }
    }
    if !script_given && !files.is_empty() {
        files.remove(0);
    }
    files
}

/// The values of `c`'s options named in `names`: `-o FILE`, `-oFILE`,
/// `-sSLo FILE` (short flags run together), `--output FILE`,
/// `--output=FILE`.
pub(crate) fn option_values<'a>(
    c: &'a Command,
    names: &'a [&'a str],
) -> impl Iterator<Item = Word> + 'a {
    let args = c.args();
    args.iter().enumerate().filter_map(move |(k, a)| {
        let t = a.text.as_str();
        names.iter().find_map(|n| {
            if t == *n {
                return args.get(k + 1).cloned();
            }
            if let Some(long) = n.strip_prefix("--") {
                let v = t
                    .strip_prefix("--")?
                    .strip_prefix(long)?
                    .strip_prefix('=')?;
                return Some(Word::literal(v));
            }
            let flags = t.strip_prefix('-').filter(|f| !f.starts_with('-'))?;
            let letter = n.strip_prefix('-')?;
            let at = flags.find(letter)?;
            let attached = &flags[at + letter.len()..];
            if attached.is_empty() {
                args.get(k + 1).cloned()
            } else {
                Some(Word::literal(attached))
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::in_place_files;
    use clawlaw_sdk::shell::parse;

    fn files(line: &str) -> Vec<String> {
        let parsed = parse(line);
        in_place_files(&parsed.commands[0])
            .into_iter()
            .map(|w| w.text.clone())
            .collect()
    }

    #[test]
    fn the_files_an_in_place_edit_changes_are_its_operands_but_the_script() {
        assert_eq!(files("sed -i '/^#/d' a.conf b.conf"), ["a.conf", "b.conf"]);
        assert_eq!(files("sed -E -i '/x/d' f"), ["f"]);
        assert_eq!(files("sed -i.bak -e '/x/d' -e 's/a/b/' f"), ["f"]);
        assert_eq!(files("sed -ie 's/a/b/' f"), ["f"]);
        assert_eq!(files("sed --in-place --expression='/x/d' f g"), ["f", "g"]);
        assert_eq!(files("sed -i -f edits.sed f"), ["f"]);
        assert_eq!(files("perl -pi -e 's/a/b/' f"), ["f"]);
        assert_eq!(files("perl -i.orig -pE 's/a/b/' f"), ["f"]);
        assert_eq!(files("perl -Mstrict -i fix.pl f"), ["f"]);
        assert_eq!(files("perl -pi -e's/a/b/' -- -f"), ["-f"]);
    }
}

//! Which program a command's first word runs when that word is a path: a
//! copy or link of a program made earlier on the line (`cp /bin/rm ./safe
//! && ./safe -rf ~` runs `rm`), or the shell's own executable
//! (`/proc/self/exe -c '…'`).

use crate::shell::model::Command;

/// Most program copies a line remembers.
pub(super) const MAX_COPIES: usize = 64;

/// The directories whose files are programs on every machine.
const PROGRAM_DIRS: &[&str] = &[
    "/bin/",
    "/sbin/",
    "/usr/bin/",
    "/usr/sbin/",
    "/usr/local/bin/",
    "/usr/local/sbin/",
    "/opt/homebrew/bin/",
];

/// `cp|ln|install|mv PROGRAM DEST`, where `PROGRAM` is a file of a
/// programs directory (`/bin/rm`) or the path a lookup prints (`$(which
/// rm)`, `` `command -v rm` ``): the path the copy gets and the program's
/// name. A `DEST` ending in `/` is a directory the copy keeps its name in.
pub(super) fn program_copy(cmd: &Command) -> Option<(String, String)> {
    if !matches!(
        cmd.program.as_str(),
        "cp" | "ln" | "install" | "mv" | "rsync"
    ) {
        return None;
    }
    const VALUED: &[&str] = &[
        "-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix",
    ];
    let mut operands: Vec<&str> = Vec::new();
    let mut skip = false;
    for w in cmd.args() {
        let t = w.text.as_str();
        if skip {
            skip = false;
        } else if VALUED.contains(&t) {
            skip = true;
        } else if !t.starts_with('-') || t == "-" {
            operands.push(t);
        }
    }
    let [source, dest] = operands.as_slice() else {
        return None;
    };
    let looked_up = ["$(which ", "$(command -v ", "`which ", "`command -v "]
        .iter()
        .find_map(|p| source.strip_prefix(p))
        .map(|rest| rest.trim_end_matches([')', '`']).trim());
    let program = match looked_up {
        Some(name) => name,
        None => PROGRAM_DIRS
            .iter()
            .find_map(|d| source.strip_prefix(d))
            .filter(|name| !name.is_empty() && !name.contains('/'))?,
    };
    if program.is_empty() || program.contains(['$', '`', ' ', '/']) {
        return None;
    }
    let dest = if dest.ends_with('/') {
        format!("{dest}{program}")
    } else {
        dest.to_string()
    };
    Some((dest, program.to_string()))
}

/// Whether `path` is the executable of the shell that runs it: `/proc/self/exe`
/// (a process's own program: the shell, when the shell runs the word), or
/// the shell's by its pid (`/proc/$$/exe`, `/proc/$BASHPID/exe`).
pub(super) fn is_own_shell(path: &str) -> bool {
    path.strip_prefix("/proc/")
        .and_then(|rest| rest.strip_suffix("/exe"))
        .is_some_and(|pid| {
            matches!(
                pid,
                "self" | "thread-self" | "$$" | "${$}" | "$BASHPID" | "${BASHPID}"
            )
        })
}

/// Whether two paths as written name the same file: equal once a leading
/// `./` and repeated `/` are dropped.
pub(super) fn same_path(a: &str, b: &str) -> bool {
    let clean = |p: &str| {
        let p = p.strip_prefix("./").unwrap_or(p);
        let mut out = String::with_capacity(p.len());
        for ch in p.chars() {
            if !(ch == '/' && out.ends_with('/')) {
                out.push(ch);
            }
        }
        out
    };
    clean(a) == clean(b)
}

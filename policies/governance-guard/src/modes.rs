//! What a change of mode, owner or attributes does to access: whether it
//! keeps the owner's access and others' lack of it (`chmod -R u+w .`,
//! `chmod -R go-w .`), or takes the owner's access to a directory and all
//! below it (`chmod 000 ~/.claude`).

use clawlaw_sdk::effects::PathEffect;
use clawlaw_sdk::shell::{Command, CommandLine, Word};

/// `chmod -R u+w .`, `chmod -R go-w .`: a mode that leaves the owner its
/// access and gives nobody else write access changes nothing anyone relies
/// on below the directory, so it is judged as a change of the directory
/// itself, not of everything below it. `chmod -R 600 ~/.claude` (the
/// directories lose their search bit) and `chmod -R a+w ~/.claude` (anyone
/// may rewrite the hooks) are not.
pub(crate) fn keeps_access(line: &CommandLine, e: &PathEffect) -> bool {
    let Some(cmd) = line.commands.get(e.command) else {
        return false;
    };
    if cmd.program == "chown" {
        return chown_to_self(cmd);
    }
    if cmd.program != "chmod" {
        return false;
    }
    let Some(mode) = chmod_mode(cmd) else {
        return false;
    };
    !mode.is_dynamic() && !mode_locks_owner_out(&mode.text) && !mode_opens_write(&mode.text)
}

/// `chown -R $(id -u):$(id -g) .`, `chown -R "$USER" .`: files given back
/// to the user who runs the command (after a container wrote them as
/// root) lock nobody out. Any other owner, or one known only at run time
/// some other way, may.
fn chown_to_self(cmd: &Command) -> bool {
    let Some(spec) = cmd.args().iter().find(|w| !w.text.starts_with('-')) else {
        return false;
    };
    let owner = spec.text.split([':', '.']).next().unwrap_or("");
    matches!(
        owner,
        "$(id -u)"
            | "$(id -un)"
            | "`id -u`"
            | "`id -un`"
            | "$(whoami)"
            | "`whoami`"
            | "$USER"
            | "${USER}"
            | "$UID"
            | "${UID}"
            | "$LOGNAME"
    )
}

/// Whether a `chmod` mode gives the group or others write permission
/// (`777`, `g+w`, `a=rwx`; a bare `+w` follows the umask, which keeps it
/// from them).
fn mode_opens_write(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_digit()) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        return digits.iter().rev().take(2).any(|d| d & 0o2 != 0);
    }
    mode.split(',').any(|clause| {
        let Some(at) = clause.find(['+', '=']) else {
            return false;
        };
        let (who, perms) = (&clause[..at], &clause[at + 1..]);
        who.contains(['g', 'o', 'a']) && perms.contains('w')
    })
}

/// Whether a mode, owner or attribute change of a directory takes its
/// owner's access to what is below it: `chmod 000`, `chmod u-x`, `chmod
/// a=r`, any `chown`/`chgrp` (to another owner), `chattr` or `setfacl`. A mode that
/// keeps the owner's read and search bits (`chmod 755`, `chmod go-rwx`)
/// does not.
pub(crate) fn locks_out(line: &CommandLine, e: &PathEffect) -> bool {
    let Some(cmd) = line.commands.get(e.command) else {
        return false;
    };
    match cmd.program.as_str() {
        "chown" => !chown_to_self(cmd),
        // An ACL entry can take the owner's bits (`u::---`) or the access of
        // whoever else reads there (the gate's user, the agent's).
        "chgrp" | "chattr" | "setfacl" => true,
        "chmod" => match chmod_mode(cmd) {
            Some(mode) => mode.is_dynamic() || mode_locks_owner_out(&mode.text),
            // `--reference=FILE`: whatever mode that file has.
            None => true,
        },
        _ => false,
    }
}

/// The mode word of a `chmod`: the first argument that is not one of its
/// options (`-R`, `-v`, `-cf`, `--recursive`), so `-w` and `-rwx` are modes.
fn chmod_mode(cmd: &Command) -> Option<&Word> {
    cmd.args().iter().find(|w| {
        let t = w.text.as_str();
        let option = t.starts_with("--")
            || t.strip_prefix('-')
                .is_some_and(|f| !f.is_empty() && f.chars().all(|c| "Rcfv".contains(c)));
        !option
    })
}

/// Whether a `chmod` mode takes read or search permission from the owner.
fn mode_locks_owner_out(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_digit()) {
        // Octal: the owner's digit is the third from the right.
        let owner = mode
            .len()
            .checked_sub(3)
            .and_then(|i| mode[i..].chars().next())
            .and_then(|c| c.to_digit(8))
            .unwrap_or(0);
        return owner & 0o5 != 0o5;
    }
    mode.split(',').any(|clause| {
        let Some(at) = clause.find(['+', '-', '=']) else {
            return true;
        };
        let (who, rest) = clause.split_at(at);
        let (op, perms) = rest.split_at(1);
        let owner = who.is_empty() || who.contains(['u', 'a']);
        owner
            && match op {
                "-" => perms.contains(['r', 'x']),
                "=" => !(perms.contains('r') && perms.contains(['x', 'X'])),
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    #[test]
    fn modes_that_take_the_owners_access() {
        for mode in [
            "000",
            "0644",
            "600",
            "1600",
            "u-x",
            "a=r",
            "go-rwx,u-r",
            "u=rw",
            "=",
            "a-rwx",
        ] {
            assert!(mode_locks_owner_out(mode), "{mode}");
        }
        for mode in [
            "755", "700", "0711", "go-rwx", "u+rwx", "-w", "o-r", "u=rwx", "a=rX",
        ] {
            assert!(!mode_locks_owner_out(mode), "{mode}");
        }
    }

    #[test]
    fn modes_that_give_others_write() {
        for mode in ["777", "0666", "620", "g+w", "o=rw", "a+rwx", "u+x,go+w"] {
            assert!(mode_opens_write(mode), "{mode}");
        }
        for mode in ["755", "700", "644", "+w", "u+w", "go-w", "a-w", "o=r"] {
            assert!(!mode_opens_write(mode), "{mode}");
        }
    }

    #[test]
    fn files_given_back_to_their_user() {
        let to_self = |line: &str| chown_to_self(&parse(line).commands[0]);
        for line in [
            "chown -R $(id -u):$(id -g) .",
            "chown -R \"$USER\" .",
            "chown -R ${USER}:staff build",
            "chown $(whoami) ~/.claude",
        ] {
            assert!(to_self(line), "{line}");
        }
        for line in [
            "chown -R root:root .",
            "chown -R nobody ~/.claude",
            "chown -R $OWNER .",
        ] {
            assert!(!to_self(line), "{line}");
        }
    }

    #[test]
    fn the_mode_word_of_a_chmod() {
        let mode = |line: &str| chmod_mode(&parse(line).commands[0]).map(|w| w.text.clone());
        assert_eq!(mode("chmod -R -v 700 d").as_deref(), Some("700"));
        assert_eq!(mode("chmod -w d").as_deref(), Some("-w"));
        assert_eq!(mode("chmod -Rf -rwx d").as_deref(), Some("-rwx"));
        assert_eq!(mode("chmod --recursive u+x d").as_deref(), Some("u+x"));
    }
}

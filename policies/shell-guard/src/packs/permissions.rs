//! Mode and owner changes (`chmod`, `chown`, `chgrp`): recursive ones
//! across the root, home or system directories and any of a system file
//! (core rules `shell.destructive`, `shell.system-write`), and modes that
//! make files writable by every user or run with their owner's privileges
//! (`shell.permissions`).

use clawlaw_sdk::shell::{CommandLine, Word};

use crate::checker::Checker;
use crate::loc::*;
use crate::programs::Shown;

impl Checker<'_> {
    pub(crate) fn check_perms(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &Shown) {
        let c = &cl.commands[i];
        let recursive = c.has_flag('R') || c.has_long("recursive");
        let reference = c.args().iter().any(|a| a.text.starts_with("--reference"));
        let ops: Vec<(Word, Loc)> = self.target_locs(cl, i, cwd);
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
}

/// Whether a chmod mode makes files world-writable, and whether it sets
/// setuid/setgid.
pub(crate) fn chmod_risk(mode: &str) -> (bool, bool) {
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

    #[test]
    fn chmod_modes() {
        assert_eq!(chmod_risk("777"), (true, false));
        assert_eq!(chmod_risk("4755"), (false, true));
        assert_eq!(chmod_risk("a+rwx"), (true, false));
        assert_eq!(chmod_risk("u+x,go-w"), (false, false));
        assert_eq!(chmod_risk("+x"), (false, false));
    }
}

//! Mode and owner changes (`chmod`, `chown`, `chgrp`): recursive ones
//! across the root, home or system directories and any of a system file
//! (core rules `shell.destructive`, `shell.system-write`), and modes that
//! make files writable by every user or run with their owner's privileges,
//! or a private credential readable by other users (`shell.permissions`).

use clawlaw_sdk::secrets;
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
        if chmod_opens_reading(&mode.text) {
            for (_, loc) in files {
                let shown_path = loc.display();
                if let Some(kind) =
                    secrets::is_credential_path(&shown_path).filter(|k| OWNER_ONLY.contains(k))
                {
                    self.escalate(
                        "shell.permissions",
                        0.7,
                        Some("chmod"),
                        format!(
                            "`{shown}` makes {shown_path}, a private credential ({kind}), readable by other users"
                        ),
                    );
                }
            }
        }
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

/// Credentials their own tools want readable by their owner alone (ssh
/// refuses a private key others can read), by
/// [`secrets::is_credential_path`]'s kind. A `.env` or an `.npmrc` with
/// the usual 644 is not one of these.
const OWNER_ONLY: &[&str] = &[
    "ssh-private-key",
    "gpg-private-key",
    "pem-file",
    "key-file",
    "pkcs12",
    "aws-credentials",
    "netrc",
    "pgpass",
    "git-credentials",
    "kube-config",
    "vault-token",
    "gcloud-credentials",
    "azure-credentials",
    "shadow",
];

/// Whether a chmod mode lets the group or other users read (`644`, `o+r`,
/// `a=r`, or `+r`, which the usual umask applies to everyone).
pub(crate) fn chmod_opens_reading(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(mode, 8).is_ok_and(|v| v & 0o044 != 0);
    }
    mode.split(',').any(|clause| {
        let who_end = clause.find(['+', '=']).unwrap_or(clause.len());
        let who = &clause[..who_end];
        let others = who.is_empty() || who.contains(['g', 'o', 'a']);
        others
            && clause[who_end..]
                .split('-')
                .next()
                .is_some_and(|add| add.contains('r'))
    })
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

    #[test]
    fn modes_that_open_reading() {
        for m in [
            "644",
            "0640",
            "755",
            "o+r",
            "g+r",
            "a=r",
            "+r",
            "u=rw,go=r",
            "go+rx",
        ] {
            assert!(chmod_opens_reading(m), "{m}");
        }
        for m in [
            "600", "0400", "700", "u+r", "go-r", "u=rw,go=", "o-rwx", "+x", "u+rw",
        ] {
            assert!(!chmod_opens_reading(m), "{m}");
        }
    }
}

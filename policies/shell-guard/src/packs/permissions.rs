//! Mode, ACL and owner changes (`chmod`, `setfacl`, `chown`, `chgrp`): recursive ones
//! across the root, home or system directories and any of a system file
//! (core rules `shell.destructive`, `shell.system-write`), recursive ones
//! below a directory outside the working directory
//! (`fs.rewrite-outside-workspace`, as `fed.rs` judges a walk), and modes that
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
        let acl = c.program == "setfacl";
        let (spec, files): (Option<String>, Vec<&(Word, Loc)>) = if acl {
            // `setfacl -m u:nobody:r FILE`: the entries are an option's value.
            let spec = acl_entries(c.args());
            let files = ops
                .iter()
                .filter(|(w, _)| Some(&w.text) != spec.as_ref())
                .collect();
            (spec, files)
        } else if reference || ops.is_empty() {
            (None, ops.iter().collect())
        } else {
            (Some(ops[0].0.text.clone()), ops[1..].iter().collect())
        };
        let what = if matches!(c.program.as_str(), "chmod" | "setfacl") {
            "permissions"
        } else {
            "ownership"
        };
        for (_, loc) in &files {
            if recursive && let Some(Danger::Deny(place)) = self.danger(loc) {
                self.deny(
                    "shell.destructive",
                    format!("`{shown}` would change {what} across {place}"),
                );
            } else if recursive && !matches!(loc, Loc::Abs(v) if system_file(v)) {
                // Every file below another project or directory (`chown -R
                // nobody ~/other`), as a walk that changes each would.
                self.tree_changed(loc, &format!("`{shown}`"), &format!("{what} changed"));
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
        if c.program != "chmod" && !acl {
            return;
        }
        let Some(mode) = spec else { return };
        let risk = if acl {
            acl_risk(&mode)
        } else {
            chmod_risk(&mode)
        };
        let program = Some(c.program.as_str());
        if risk.others_read {
            for (_, loc) in &files {
                let shown_path = loc.display();
                if let Some(kind) =
                    secrets::is_credential_path(&shown_path).filter(|k| OWNER_ONLY.contains(k))
                {
                    self.escalate(
                        "shell.permissions",
                        0.7,
                        program,
                        format!(
                            "`{shown}` makes {shown_path}, a private credential ({kind}), readable by other users"
                        ),
                    );
                }
            }
        }
        if risk.world_write {
            self.escalate(
                "shell.permissions",
                0.6,
                program,
                format!("`{shown}` makes files writable by every user"),
            );
        }
        if risk.setid {
            self.escalate(
                "shell.permissions",
                0.6,
                program,
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

/// What a chmod mode grants that `shell.permissions` judges.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModeRisk {
    /// Every user may write (`777`, `o+w`, `a+rwx`).
    pub world_write: bool,
    /// Files run with their owner's or group's privileges (`4755`, `u+s`).
    pub setid: bool,
    /// The group or other users may read (`644`, `o+r`, `a=r`, or `+r`,
    /// which the usual umask applies to everyone).
    pub others_read: bool,
}

/// What a chmod mode (octal, or symbolic clauses such as `u=rw,go+r`)
/// grants.
pub(crate) fn chmod_risk(mode: &str) -> ModeRisk {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let v = u32::from_str_radix(mode, 8).unwrap_or(0);
        return ModeRisk {
            world_write: v & 0o002 != 0,
            setid: v & 0o6000 != 0,
            others_read: v & 0o044 != 0,
        };
    }
    let mut risk = ModeRisk::default();
    for clause in mode.split(',') {
        let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_end];
        let ops = &clause[who_end..];
        let others = who.is_empty() || who.contains(['g', 'o', 'a']);
        let mut adding = false;
        for ch in ops.chars() {
            match ch {
                '+' | '=' => adding = true,
                '-' => adding = false,
                'w' if adding && (who.contains('o') || who.contains('a')) => {
                    risk.world_write = true
                }
                's' if adding => risk.setid = true,
                'r' if adding && others => risk.others_read = true,
                _ => {}
            }
        }
    }
    risk
}

/// The ACL entries `setfacl` sets or adds (`-m`, `--modify`, `--set`),
/// as written; `None` when it only removes entries or reads them from a
/// file.
fn acl_entries(args: &[Word]) -> Option<String> {
    let mut k = 0;
    while let Some(w) = args.get(k) {
        let a = w.text.as_str();
        if let Some(v) = a
            .strip_prefix("--modify=")
            .or_else(|| a.strip_prefix("--set="))
        {
            return Some(v.to_string());
        }
        if matches!(a, "--modify" | "--set")
            || a.starts_with('-') && !a.starts_with("--") && a.ends_with('m')
        {
            return args.get(k + 1).map(|v| v.text.clone());
        }
        k += 1;
    }
    None
}

/// What ACL entries (`u:nobody:r,o::rw`, `d:g:staff:rx`) grant: a named
/// user's, a group's or other users' read, and other users' write (the
/// mask aside, which limits but grants nothing).
pub(crate) fn acl_risk(entries: &str) -> ModeRisk {
    let mut risk = ModeRisk::default();
    for entry in entries.split(',') {
        let entry = entry
            .strip_prefix("default:")
            .or_else(|| entry.strip_prefix("d:"))
            .unwrap_or(entry);
        let mut parts = entry.splitn(3, ':');
        let (tag, who, perms) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let other = matches!(tag, "o" | "other");
        let someone =
            other || matches!(tag, "g" | "group") || matches!(tag, "u" | "user") && !who.is_empty();
        risk.others_read |= someone && perms.contains('r');
        risk.world_write |= other && perms.contains('w');
    }
    risk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_entries_granted() {
        assert!(acl_risk("u:nobody:r").others_read);
        assert!(acl_risk("d:g:staff:rx").others_read);
        let r = acl_risk("o::rw");
        assert!(r.others_read && r.world_write);
        // The owner's own entry, a mask, or entries without read grant none.
        for e in ["u::rw", "m::r", "u:ci:x", "g::-"] {
            assert_eq!(acl_risk(e), ModeRisk::default(), "{e}");
        }
        let args: Vec<Word> = ["-R", "-m", "u:x:r", "f"]
            .into_iter()
            .map(Word::literal)
            .collect();
        assert_eq!(acl_entries(&args).as_deref(), Some("u:x:r"));
        let args: Vec<Word> = ["--set=o::r", "f"].into_iter().map(Word::literal).collect();
        assert_eq!(acl_entries(&args).as_deref(), Some("o::r"));
        let args: Vec<Word> = ["-x", "u:x", "f"].into_iter().map(Word::literal).collect();
        assert_eq!(acl_entries(&args), None);
    }

    #[test]
    fn chmod_modes() {
        let r = chmod_risk("777");
        assert_eq!((r.world_write, r.setid), (true, false), "777");
        let r = chmod_risk("4755");
        assert_eq!((r.world_write, r.setid), (false, true), "4755");
        let r = chmod_risk("a+rwx");
        assert_eq!((r.world_write, r.setid), (true, false), "a+rwx");
        let r = chmod_risk("u+x,go-w");
        assert_eq!((r.world_write, r.setid), (false, false), "u+x,go-w");
        let r = chmod_risk("+x");
        assert_eq!((r.world_write, r.setid), (false, false), "+x");
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
            // Read per operation, so a later `+r` counts.
            "-x+r",
            "+w-r+r",
            "go+rx",
        ] {
            assert!(chmod_risk(m).others_read, "{m}");
        }
        for m in [
            "600", "0400", "700", "u+r", "go-r", "u=rw,go=", "o-rwx", "+x", "u+rw",
        ] {
            assert!(!chmod_risk(m).others_read, "{m}");
        }
    }
}

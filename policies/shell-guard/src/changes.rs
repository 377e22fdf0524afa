//! Files changed by programs no pack reads itself: what the SDK's effects
//! model says they write or delete (`ex -sc '%d|x' /etc/hosts`, `7z x a.7z
//! -o/usr/bin`, `wipe -rf ~/Documents`), judged
//! as the same write or delete by `tee` or `rm` would be. The filesystem
//! pack reads `rm`, `cp`, `mv`, `tee`, `dd`, `sed -i`, … itself, and inline
//! code is read by `interp.rs`; everything else is judged by its effects,
//! so a program named on no list is judged by what it does.
//!
//! The common case costs a look at the line: effects are analysed only
//! when a command of another program names an absolute or home path, a
//! variable or a parent directory (`-o/usr/bin` and `--out=/etc/x` too).

use clawlaw_sdk::effects::{self, Effects};
use clawlaw_sdk::shell::{CommandKind, CommandLine};

use crate::checker::Checker;
use crate::interp::effect_loc;
use crate::packs::filesystem::DELETERS;
use crate::programs::is_interpreter;

/// Programs whose writes and deletes other checks read from their
/// arguments (`chattr`, an attribute and not the content, is a defence
/// judged by `defenses.rs`), and `ssh-keygen`, which asks before it
/// replaces a key.
const READ_ELSEWHERE: &[&str] = &[
    "find",
    "rimraf",
    "tar",
    "bsdtar",
    "gtar",
    "rsync",
    "zip",
    "chmod",
    "chown",
    "chgrp",
    "setfacl",
    "mv",
    "cp",
    "install",
    "ln",
    "tee",
    "truncate",
    "sed",
    "dd",
    "curl",
    "wget",
    "sysctl",
    "cd",
    "pushd",
    "echo",
    "printf",
    "cat",
    "git",
    "crontab",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "chattr",
    "ssh-keygen",
];

impl Checker<'_> {
    /// Judges what the programs of `cl` that no pack reads write and delete.
    pub(crate) fn check_other_changes(&mut self, cl: &CommandLine, fx: &mut Option<Effects>) {
        let other = |i: usize| {
            cl.commands.get(i).is_some_and(|c| {
                c.kind == CommandKind::Simple
                    && !c.program_dynamic
                    && !DELETERS.contains(&c.program.as_str())
                    && !READ_ELSEWHERE.contains(&c.program.as_str())
                    && !is_interpreter(&c.program)
            })
        };
        let names_path = |i: usize| {
            cl.commands[i].args().iter().any(|w| {
                let t = w
                    .text
                    .trim_start_matches(|c: char| c == '-' || c.is_alphanumeric());
                t.starts_with(['/', '~', '$', '=']) || t.contains("..")
            })
        };
        if !(0..cl.commands.len()).any(|i| other(i) && names_path(i)) {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        let writes: Vec<_> = fx
            .writes
            .iter()
            // Redirections are judged where the line is walked (`walk.rs`).
            .filter(|w| !w.how.starts_with("redirect"))
            .filter(|w| other(w.command) && (!w.dynamic || w.path.starts_with("~/")))
            .map(|w| (w.command, effect_loc(w)))
            .collect();
        let deletes: Vec<_> = fx
            .deletes
            .iter()
            .filter(|d| other(d.command))
            .cloned()
            .collect();
        for (command, loc) in writes {
            self.check_write_loc(&cl.commands[command], &loc);
        }
        for d in &deletes {
            self.judge_code_delete(cl, d);
        }
    }
}

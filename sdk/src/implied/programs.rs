//! Programs the agent writes to run by hand later, for the policies that
//! opt in ([`crate::Policy::JUDGE_PROGRAMS`]): a program's source (`kill.py`,
//! `tools/x.mjs`, `src/main.rs`) is the `shell.exec` of what it would run,
//! a patch (`fix.patch`) the `git apply` of it. The gate later sees
//! `python3 kill.py` or `git apply fix.patch`, not what the file holds.

use super::scripts::{self, Format};
use super::{Implied, Sink, write_content, write_path, written};
use crate::{Action, kinds};

/// Where an implied command from a written program's source comes from.
const PROGRAM: &str = "program source";

/// What the programs written by `action` or by the writes it implies
/// (`implied`) would run if they were run by hand later: a written
/// `kill.py` holding `os.system("pkill x")` is the `python3 -c …` of its
/// source ([`scripts::program`]). Not part of [`super::implied`]: a policy
/// opts in with [`crate::Policy::JUDGE_PROGRAMS`]. A file that runs by
/// itself (a `conftest.py`, a shebang script) is already a script
/// [`super::implied`] reads.
pub fn programs(action: &Action, implied: &[Action]) -> Vec<Action> {
    let mut sink = Sink {
        of: action,
        out: Vec::new(),
    };
    // `printf 'import os…' > kill.py`: the line's own literal writes.
    let line_writes = match (action.kind.as_str(), action.command.as_deref()) {
        (kinds::SHELL_EXEC, Some(command)) => written::files(command),
        _ => Vec::new(),
    };
    let line_programs = line_writes
        .into_iter()
        .filter_map(|(path, content)| Some((scripts::program(&path)?, path, content)));
    // A write's content is copied only when its name is a program's.
    let tool_programs = std::iter::once(action)
        .chain(implied)
        .filter(|a| a.kind == kinds::FILE_WRITE)
        .filter_map(|w| {
            let path = write_path(w)?;
            let f = scripts::program(&path)?;
            Some((f, path, write_content(w)?.into_owned()))
        });
    for (f, path, content) in line_programs.chain(tool_programs) {
        if scripts::format(&path, &content).is_some() {
            continue;
        }
        let origin = if f == Format::Patch {
            format!("the patch written to {path}, when applied, would run")
        } else {
            format!("the program written to {path}, when run, would run")
        };
        for r in scripts::runnables_of(f, &content) {
            let origin = origin.clone();
            let mut exec = Implied::exec(r.command, origin, PROGRAM);
            exec.later = true;
            sink.push(exec);
        }
        if sink.full() {
            break;
        }
    }
    sink.out
}

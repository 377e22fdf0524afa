//! What stands in for the gate or its hook without touching their files: a
//! definition left in a shell start-up file that every later shell runs
//! (an alias or function named like the gate's programs, its variables
//! pointed elsewhere, a preloaded library), and a server started on the
//! gate's port, which answers the hook as the gate once it is down.

use clawlaw_sdk::gate::{FULL_COMMAND_SUFFIX, HOOK_FORWARDER_SUFFIX};
use clawlaw_sdk::shell::{self, CommandKind, CommandLine};

use crate::Context;
use crate::findings::Finding;

/// What a line sets up for the commands after it, when it stays (a shell
/// start-up file, a script sourced later): an alias or a function named
/// like the gate's programs (`alias clawlaw-hook=true`: the hook settings
/// run it by name), the gate's variables pointed elsewhere (`export
/// CLAWLAW_GATE=http://10.0.0.5:7070`), and a library preloaded into every
/// program, the hook included (`LD_PRELOAD`).
pub fn standing(ctx: &Context, command: &str) -> Vec<Finding> {
    let line = shell::parse(command);
    let gate_name = |n: &str| {
        let n = n.trim_matches(['\'', '"']);
        ctx.d.processes.iter().any(|p| {
            n == p
                || n.strip_prefix(p.as_str()).is_some_and(|rest| {
                    rest == HOOK_FORWARDER_SUFFIX || rest == FULL_COMMAND_SUFFIX
                })
        })
    };
    let mut out = Vec::new();
    for c in &line.commands {
        if let CommandKind::Function { name } = &c.kind
            && gate_name(name)
        {
            out.push(Finding::standing(&format!(
                "a shell function named `{name}`"
            )));
        }
        if c.program == "alias" {
            for a in c.args() {
                if let Some((name, _)) = a.text.split_once('=')
                    && gate_name(name)
                {
                    out.push(Finding::standing(&format!("an alias named `{name}`")));
                }
            }
        }
        let exported = c.assignments.iter().map(|a| a.name.as_str()).chain(
            (matches!(
                c.program.as_str(),
                "export" | "declare" | "typeset" | "setenv"
            ))
            .then(|| {
                c.args()
                    .iter()
                    .filter_map(|w| w.text.split_once('=').map(|(n, _)| n))
            })
            .into_iter()
            .flatten(),
        );
        for name in exported {
            if name.starts_with("CLAWLAW_")
                || matches!(name, "LD_PRELOAD" | "LD_AUDIT" | "DYLD_INSERT_LIBRARIES")
            {
                out.push(Finding::standing(&format!(
                    "`{name}` set for every later program"
                )));
            }
        }
    }
    out
}

/// Whether an implied action's origin ("the script written to
/// /home/dev/.bashrc would run") names a file shells run at start (or
/// direnv at every `cd`): a Makefile's `LD_PRELOAD=… ./test` is not one.
pub fn names_startup_file(origin: &str) -> bool {
    // Beside the shell's own: direnv's `.envrc` (run at every `cd`) and
    // fish's configuration. In any case: `~/.BashRC` is `~/.bashrc` on a
    // case-insensitive file system.
    let origin = origin.to_ascii_lowercase();
    clawlaw_sdk::implied::scripts::SHELL_STARTUP_FILES
        .iter()
        .chain(&[".envrc", "config.fish"])
        .any(|f| origin.contains(f))
}

/// What takes the gate's port ([`crate::listeners`]): a server started on
/// it (`python3 -m http.server 7070`, `nc -lk 7070`, `docker run -p
/// 7070:80`, a tunnel's local end, inline code's listener) answers the
/// hook as the gate once the gate is down, and would allow everything; a
/// NAT rule that redirects it answers while the gate runs.
pub fn squats(ctx: &Context, line: &CommandLine, out: &mut Vec<Finding>) {
    let ports = ctx.gate_ports();
    if ports.is_empty() {
        return;
    }
    for c in &line.commands {
        if let Some(port) = crate::listeners::ports(c)
            .into_iter()
            .find(|p| ports.contains(p))
        {
            out.push(Finding::impersonate(
                &c.program,
                &format!("listening on {port}, the gate's port"),
            ));
        }
    }
}

//! A sparse checkout that leaves an agent's settings directory out of the
//! work tree: `git sparse-checkout set src` (or `init`, whose cone holds
//! only the files at the top) removes every directory it does not list
//! from the checkout, `.claude/` with the project's hook settings among
//! them, while git still tracks it. Listing an agent's directory, or
//! everything (`/*`), keeps it.

use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::CommandLine;

use crate::Context;
use crate::agents::AGENTS;
use crate::findings::Finding;

/// The `git sparse-checkout set|init` commands of `line` that
/// remove a protected agent directory of the work tree they run in.
pub fn judge(ctx: &Context, line: &CommandLine, cwd: Option<&str>, out: &mut Vec<Finding>) {
    for c in line
        .commands
        .iter()
        .filter(|c| c.program == "git" && !c.program_dynamic)
    {
        let words: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        let Some(at) = words.iter().position(|w| *w == "sparse-checkout") else {
            continue;
        };
        let rest = &words[at + 1..];
        let Some(verb) = rest.first().filter(|v| matches!(**v, "set" | "init")) else {
            continue;
        };
        let patterns: Vec<&str> = rest[1..]
            .iter()
            .copied()
            .filter(|p| !p.starts_with('-'))
            .collect();
        // `git -C DIR sparse-checkout …` works in DIR.
        let dir = words[..at]
            .windows(2)
            .find(|w| w[0] == "-C")
            .map(|w| w[1])
            .or(cwd);
        let Some(Ok(root)) = dir.map(|d| normalize(d, cwd, ctx.home.as_deref())) else {
            continue;
        };
        // Everything kept, or an agent's directory listed (the one that
        // governs this work tree kept on purpose; which others exist is
        // not known here).
        let kept = patterns.iter().any(|p| {
            let p = p.trim_start_matches('/').trim_end_matches(['*', '/']);
            p.is_empty()
                || p == "."
                || AGENTS
                    .iter()
                    .any(|a| p == a.dir || p.starts_with(&format!("{}/", a.dir)))
        });
        if kept {
            continue;
        }
        let removed = AGENTS.iter().find_map(|a| {
            let path = format!("{}/{}", root.trim_end_matches('/'), a.dir);
            Some((ctx.d.protected.removal_hit(&path)?, path))
        });
        if let Some((h, path)) = removed {
            let how = format!("git sparse-checkout {verb}");
            out.push(Finding::change(h, &how, "remove from the work tree", &path));
        }
    }
}

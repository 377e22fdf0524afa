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
    // fish's configuration.
    clawlaw_sdk::implied::scripts::SHELL_STARTUP_FILES
        .iter()
        .chain(&[".envrc", "config.fish"])
        .any(|f| origin.contains(f))
}

/// A server started on the gate's port (`python3 -m http.server 7070`,
/// `nc -lk 7070`, `socat TCP-LISTEN:7070,fork …`, `docker run -p 7070:80`):
/// once the gate is down, whatever answers there answers the hook as the
/// gate, and would allow everything.
pub fn squats(ctx: &Context, line: &CommandLine, out: &mut Vec<Finding>) {
    let ports = ctx.gate_ports();
    if ports.is_empty() {
        return;
    }
    for c in &line.commands {
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        if let Some(port) = listening_ports(&c.program, &args)
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

/// The ports a command listens on, as far as its arguments say: a
/// `--port`/`--listen`/`--bind`/`-p` value of a server (not of a client
/// such as `ssh -p`), `python -m http.server PORT`, `nc -l PORT`,
/// `socat TCP-LISTEN:PORT`, `php -S host:PORT`, a container's published
/// `-p HOST:CONTAINER`.
fn listening_ports(program: &str, args: &[&str]) -> Vec<u16> {
    const CLIENTS: &[&str] = &[
        "ssh",
        "scp",
        "sftp",
        "curl",
        "wget",
        "psql",
        "mysql",
        "redis-cli",
        "mongosh",
        "telnet",
        "kill",
        "fuser",
        "lsof",
        "ss",
        "netstat",
        "git",
    ];
    if CLIENTS.contains(&program) {
        return Vec::new();
    }
    let port = |s: &str| s.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
    let mut out = Vec::new();
    let listener = match program {
        "nc" | "ncat" | "netcat" => args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('l')),
        _ => true,
    };
    if !listener {
        return out;
    }
    for (k, a) in args.iter().enumerate() {
        let next = args.get(k + 1).copied().unwrap_or("");
        match *a {
            "--port" | "--listen" | "--bind" | "--host-port" | "-p" | "-P" | "-l" | "-S" => {
                // `docker run -p 7070:80`: the host's side comes first.
                let value = if program == "docker" || program == "podman" {
                    next.split(':').rev().nth(1).unwrap_or(next)
                } else {
                    next
                };
                out.extend(port(value));
            }
            "http.server" | "SimpleHTTPServer" => out.extend(port(next)),
            _ => {
                if let Some(v) = a
                    .strip_prefix("--port=")
                    .or_else(|| a.strip_prefix("--listen="))
                    .or_else(|| a.strip_prefix("--bind="))
                {
                    out.extend(port(v));
                }
                let upper = a.to_ascii_uppercase();
                if let Some(rest) = upper
                    .strip_prefix("TCP-LISTEN:")
                    .or_else(|| upper.strip_prefix("TCP4-LISTEN:"))
                    .or_else(|| upper.strip_prefix("TCP6-LISTEN:"))
                {
                    out.extend(port(rest.split(',').next().unwrap_or("")));
                }
                // `nc -l 7070`: the bare port operand of a listener.
                if matches!(program, "nc" | "ncat" | "netcat") {
                    out.extend(a.parse::<u16>().ok());
                }
            }
        }
    }
    out
}

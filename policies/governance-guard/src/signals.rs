//! Whether the signals a command line sends reach the gate: what `kill`,
//! `pkill`, `killall`, `fuser -k`, `ss -K`, the port killers, the
//! container CLIs, `taskkill`, the service managers and the orchestrators
//! stop or take control of (the SDK's [`clawlaw_sdk::effects::Signal`]s),
//! each target judged by what it names ([`crate::processes`]): a pid, a
//! name pattern, a port, a file the gate runs or holds, a container, a unit.

use clawlaw_sdk::effects::{Effects, SUPERVISORS};
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::CommandLine;

use crate::Context;
use crate::findings::Finding;
use crate::processes::{GateProcesses, Reach};
use crate::protected::Owner;

/// Every stop of the gate's processes `line` makes, into `out`.
pub fn judge(
    ctx: &Context,
    line: &CommandLine,
    fx: &Effects,
    cwd: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let ports = ctx.gate_ports();
    let gate = GateProcesses {
        names: &ctx.d.processes,
        pids: &ctx.facts.pids,
        ports: &ports,
    };
    // `kill -9 -1`: after a signal, `-1` is every process the user may
    // signal, the gate included (read here: it looks like an option).
    for cmd in line.commands.iter().filter(|c| c.program == "kill") {
        let args = cmd.args();
        if args.len() >= 2 && args.last().is_some_and(|a| a.text == "-1") {
            out.push(Finding::stop("kill", "-1 (every process of the user)"));
        }
    }
    for s in &fx.signals {
        let cmd = line.commands.get(s.command);
        let flag = |c: char| cmd.is_some_and(|c2| c2.program == s.program && c2.has_flag(c));
        let long = |n: &str| cmd.is_some_and(|c2| c2.program == s.program && c2.has_long(n));
        let mut reaches = Vec::new();
        match s.program.as_str() {
            "pkill" | "pgrep" | "skill" | "snice" => {
                if flag('u') || flag('U') || long("euid") || long("uid") {
                    reaches.push(Reach::Gate("every process of a user".into()));
                }
                let full = flag('f') || long("full");
                let exact = flag('x') || long("exact");
                reaches.extend(s.targets.iter().map(|t| gate.pattern(t, full, exact)));
            }
            "killall" => {
                if flag('u') || long("user") {
                    reaches.push(Reach::Gate("every process of a user".into()));
                }
                let regex = flag('r') || long("regexp");
                reaches.extend(s.targets.iter().map(|t| gate.pattern(t, false, !regex)));
            }
            "kill" => reaches.extend(s.targets.iter().map(|t| gate.kill_target(t))),
            "ss" => reaches.extend(s.targets.iter().map(|t| gate.by_port(t))),
            // A port (`7070/tcp`), or a file: what runs the gate's binary
            // or holds its evidence open is the gate.
            "fuser" => reaches.extend(s.targets.iter().map(|t| {
                let file = t.starts_with(['/', '.', '~']) || t.contains('/') && !is_port_spec(t);
                let gate_file = file
                    && normalize(t, cwd, ctx.home.as_deref())
                        .ok()
                        .and_then(|path| ctx.d.protected.change_hit(&path))
                        .is_some_and(|h| matches!(h.owner, Owner::Gate | Owner::Impostor));
                if gate_file {
                    Reach::Gate(t.clone())
                } else if file {
                    Reach::Other
                } else {
                    gate.by_port(t)
                }
            })),
            // Containers are not the gate's processes unless named for it,
            // or listed by a name, label or image of its.
            "docker" | "podman" | "nerdctl" => {
                reaches.extend(s.targets.iter().map(|t| gate.container(t)))
            }
            // `taskkill /IM clawlaw.exe`, `/IM claw*`, `/PID 4242`.
            "taskkill" => reaches.extend(s.targets.iter().map(|t| {
                if t.bytes().all(|b| b.is_ascii_digit()) {
                    gate.kill_target(t)
                } else {
                    gate.image(t)
                }
            })),
            "kill-port" | "killport" | "fkill" => reaches.extend(s.targets.iter().map(|t| {
                if is_port_spec(t) {
                    gate.by_port(t)
                } else if t.bytes().all(|b| b.is_ascii_digit()) {
                    gate.kill_target(t)
                } else {
                    gate.pattern(t, false, false)
                }
            })),
            _ => reaches.extend(s.targets.iter().map(|t| {
                if t == "(computed)" {
                    // `os.kill(int(p), 9) for p in check_output(['pgrep',
                    // 'clawlaw'])`: a pid the code computes, in a command
                    // that names the gate's processes, is taken to be theirs.
                    let names_gate =
                        cmd.is_some_and(|c| c.args().iter().any(|w| gate.mentions_name(&w.text)));
                    // Pids found by searching the machine's processes
                    // (`/proc`, `psutil.process_iter()`, `pgrep`) may be
                    // the gate's whatever the search matches.
                    let searches = cmd.is_some_and(|c| {
                        c.args().iter().any(|w| {
                            ["/proc", "process_iter", "pgrep", "pidof", "ps -", "ps aux"]
                                .iter()
                                .any(|s| w.text.contains(s))
                        })
                    });
                    if names_gate {
                        Reach::Gate(format!("a process `{}` computes", s.program))
                    } else if searches {
                        Reach::Unknown(format!("a process `{}` finds by searching", s.program))
                    } else {
                        Reach::Other
                    }
                } else if t == "*" && SUPERVISORS.contains(&s.program.as_str()) {
                    // `pm2 kill`, `supervisorctl stop all`: the gate among
                    // them only if that supervisor runs it.
                    Reach::Unknown(format!("every service {} runs", s.program))
                } else if t == "*" {
                    Reach::Gate("every process".into())
                } else if t.chars().all(|c| c.is_ascii_digit() || c == '-') {
                    gate.kill_target(t)
                } else {
                    gate.unit(t)
                }
            })),
        }
        for r in reaches {
            match r {
                Reach::Gate(target) => out.push(Finding::stop(&s.program, &target)),
                Reach::Unknown(target) => out.push(Finding::stop_unknown(&s.program, &target)),
                Reach::Other => {}
            }
        }
    }
}

/// `fuser`'s `PORT[,RHOST][,RPORT][/PROTO]`, e.g. `7070/tcp`.
fn is_port_spec(t: &str) -> bool {
    let (spec, proto) = t.split_once('/').unwrap_or((t, "tcp"));
    matches!(proto, "tcp" | "udp" | "sctp")
        && spec
            .split(',')
            .next()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

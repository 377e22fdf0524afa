//! Processes and services a command stops or signals (and `ps e`, which
//! shows their environments): `kill`, `pkill`, `killall`, `systemctl
//! stop|kill|disable|mask|restart|edit|set-property`, `service X stop`,
//! `launchctl unload|bootout|remove`, Windows' `taskkill`, `sc stop` and
//! `net stop`, `reboot`; the processes it kills by what they use (`fuser -k
//! PORT/tcp`, `fuser -k FILE`, `ss -K … port …`) and the ones it attaches to
//! or controls by pid (`gdb -p`, `strace -p`, `gcore`, `prlimit --pid`,
//! `renice -p`, `taskset -p`) or enters the namespaces of (`nsenter -t N`);
//! the port killers (`kill-port 7070`, `killport`, `fkill :7070`); and the
//! commands that list the whole environment (`env`, `printenv`, `export
//! -p`, `set`, `declare -x`).
//!
//! `A | xargs kill` signals what `A` prints: its target is `$(A)`, as in
//! `kill $(A)`.
//!
//! What an orchestrator stops (`kubectl delete`, `helm uninstall`, `docker
//! compose stop`, …) is read by [`super::workloads`], the containers a
//! container CLI stops or controls by [`super::containers`], the services
//! another process supervisor stops (`supervisorctl`, `pm2`, `sv`, …) by
//! [`super::supervisors`].

use super::args::{piped_source, stdin_text};
use super::context::{Cx, Kind, STDIN_ARGS};
use super::net::host_of;
use super::options::parse;
use crate::implied::schedulers::cron_job;
use crate::shell::Word;

/// Records the effects of `prog` when it is one of this module's programs.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    if super::workloads::program(cx, prog, args) || super::supervisors::program(cx, prog, args) {
        return true;
    }
    match prog {
        "kill" | "pkill" | "killall" | "skill" => kill(cx, prog, args),
        "fuser" | "ss" => by_use(cx, prog, args),
        "kill-port" | "killport" | "fkill" => port_killer(cx, prog, args),
        "gdb" | "strace" | "ltrace" | "gcore" | "prlimit" | "renice" | "ionice" | "taskset"
        | "chrt" | "cpulimit" | "reptyr" | "choom" => by_pid(cx, prog, args),
        "systemctl" | "service" | "launchctl" => services(cx, prog, args),
        "docker" | "podman" | "nerdctl" => super::containers::program(cx, prog, args),
        "reboot" | "shutdown" | "halt" | "poweroff" => cx.signal(prog, vec!["*".into()]),
        // Halt, reboot, and single-user mode (which stops every service
        // and session to leave one root shell).
        "init" | "telinit"
            if args
                .first()
                .is_some_and(|w| matches!(w.text.as_str(), "0" | "6" | "1" | "s" | "S")) =>
        {
            cx.signal(prog, vec!["*".into()])
        }
        // `loginctl kill-user dev`, `terminate-session 3`: every process of
        // a user, a session or a seat.
        "loginctl"
            if args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "terminate-user"
                        | "kill-user"
                        | "terminate-session"
                        | "kill-session"
                        | "terminate-seat"
                        | "kill-seat"
                )
            }) =>
        {
            cx.signal(prog, vec!["*".into()])
        }
        // `echo 'pkill clawlaw' | at now + 5 minutes`: what runs later is
        // this line's doing too. `crontab -` (or no file) takes its table
        // from the input.
        "at" | "batch"
            if !args
                .iter()
                .any(|w| matches!(w.text.as_str(), "-l" | "-r" | "-d" | "-c")) =>
        {
            if let Ok(Some(text)) = stdin_text(cx) {
                cx.nested_shell(&text);
            }
        }
        "crontab"
            if args
                .iter()
                .all(|w| w.text == "-" || w.text.starts_with("-u")) =>
        {
            for text in scheduled_table(cx) {
                for job in text.lines().filter_map(|l| cron_job(l, false)) {
                    cx.nested_shell(&job);
                }
            }
        }
        _ if lists_environment(prog, args) => cx.env("*"),
        "printenv" => {
            for w in parse(args, "", "", &[]).operands {
                cx.env(&w.text);
            }
        }
        "env" | "export" | "set" | "declare" | "typeset" | "compgen" => {}
        _ => return windows(cx, prog, args),
    }
    true
}

/// Whether `prog` given `args` prints the whole environment, where the
/// agent's API keys and tokens live: `env` with only options and
/// assignments, `printenv` with no names, `export` or `export -p`, `set`
/// alone, `declare`/`typeset` with only options (`-x`, `-p`), `compgen -v`
/// or `-e`, and `ps` with BSD-style options that include `e` (`ps eww`,
/// `ps auxe`: every listed process's environment).
pub fn lists_environment(prog: &str, args: &[Word]) -> bool {
    match prog {
        "printenv" => parse(args, "", "", &[]).operands.is_empty(),
        "ps" => args.first().is_some_and(|w| {
            w.text.contains('e') && w.text.bytes().all(|b| b.is_ascii_alphabetic())
        }),
        "env" => args
            .iter()
            .all(|w| w.text.starts_with('-') || w.text.contains('=')),
        "export" => args.is_empty() || args.iter().all(|w| w.text == "-p"),
        "set" => args.is_empty(),
        "compgen" => args.iter().any(|w| matches!(w.text.as_str(), "-v" | "-e")),
        "declare" | "typeset" => args.iter().all(|w| w.text.starts_with('-')),
        _ => false,
    }
}

/// The processes whose namespaces a wrapper enters (`nsenter -t PID …`,
/// `nsenter --target=PID`): what it runs then sees that process's mounts,
/// network and neighbours, which is control of it. Recorded as a signal
/// named `nsenter` whose targets are the pids.
pub(crate) fn entered(cx: &mut Cx) {
    let mut pids = Vec::new();
    for w in cx.cmd().wrappers.iter().filter(|w| w.program == "nsenter") {
        let p = parse(
            &w.args,
            "tSG",
            "muinpUCTrw",
            &["target", "setuid", "setgid"],
        );
        pids.extend(
            p.values(&["t", "target"])
                .into_iter()
                .map(|(w, f)| w.text[f..].to_string()),
        );
    }
    if !pids.is_empty() {
        cx.signal("nsenter", pids);
    }
}

/// Windows' stoppers (the program's name in any case, with or without
/// `.exe`): `taskkill /IM NAME` and `/PID N` (signals named `taskkill`,
/// whose `/IM` targets may hold `*`), `sc [\\server] stop|pause|delete|config
/// NAME` and `net stop|pause NAME` (signals named `sc` and `net`).
fn windows(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    // Every other program comes here: those that cannot be one of these
    // leave before anything is allocated.
    if !matches!(prog.len(), 2..=12)
        || !matches!(
            prog.as_bytes()[0].to_ascii_lowercase(),
            b't' | b's' | b'n' | b'w'
        )
    {
        return false;
    }
    let lower = prog.to_ascii_lowercase();
    let name = lower.strip_suffix(".exe").unwrap_or(&lower);
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let verb = |v: &str, verbs: &[&str]| verbs.contains(&v.to_ascii_lowercase().as_str());
    let targets: Vec<String> = match (name, words.as_slice()) {
        ("taskkill", _) => words
            .windows(2)
            .filter(|p| {
                let option = p[0].to_ascii_lowercase();
                matches!(option.trim_start_matches(['/', '-']), "im" | "pid")
                    && p[0].starts_with(['/', '-'])
            })
            .map(|p| p[1].to_string())
            .collect(),
        ("sc", _) => {
            let on_server = words.first().is_some_and(|w| w.starts_with('\\'));
            match &words[usize::from(on_server)..] {
                [v, service, ..] if verb(v, SC_STOPS) => vec![service.to_string()],
                _ => return false,
            }
        }
        ("net", [v, service, ..]) if verb(v, &["stop", "pause"]) => vec![service.to_string()],
        // `wmic process where "name='clawlaw.exe'" delete`, `… call
        // terminate`: the processes its `where` clause selects.
        ("wmic", [p, rest @ ..])
            if p.eq_ignore_ascii_case("process")
                && rest.iter().any(|w| verb(w, &["delete", "terminate"])) =>
        {
            let clause = rest.join(" ");
            let targets: Vec<String> = clause
                .split(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')')
                .filter_map(|term| {
                    let (key, value) = term.split_once('=')?;
                    let value = value.trim_matches(['\'', '"']);
                    let value = value.strip_suffix(".exe").unwrap_or(value);
                    matches!(
                        key.to_ascii_lowercase().as_str(),
                        "name" | "processid" | "caption"
                    )
                    .then(|| value.to_string())
                })
                .filter(|v| !v.is_empty())
                .collect();
            // A clause on anything else (`commandline like '%x%'`)
            // selects processes computed when it runs.
            if targets.is_empty() {
                vec!["(computed)".to_string()]
            } else {
                targets
            }
        }
        _ => return false,
    };
    if !targets.is_empty() {
        cx.signal(name, targets);
    }
    true
}

/// `sc` verbs that stop a service or change what it runs.
const SC_STOPS: &[&str] = &["stop", "pause", "delete", "config", "failure", "sdset"];

fn kill(cx: &mut Cx, prog: &str, args: &[Word]) {
    // A signal spec (`-9`, `-KILL`, `-SIGTERM`) is the first word only, so
    // that `-HUP` is not read as `-H -U -P`.
    let is_sig = |t: &str| {
        t.len() > 1
            && t.starts_with('-')
            && t[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && (t.len() > 2 || t[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    // After it, `kill`'s negative numbers are process groups, not options
    // (`kill -9 -4242`, `kill -s TERM -4242`), as is a group given by a
    // substitution or a variable (`kill -9 -$(pgrep clawlaw)`, `kill -9
    // -$PPID`), and everything after `--` is a target (`kill -- -4242`).
    let group = |t: &str| {
        t.starts_with("-$")
            || t.starts_with("-`")
            || t.len() > 1 && t[1..].bytes().all(|b| b.is_ascii_digit())
    };
    let end = args.iter().position(|w| w.text == "--");
    let mut groups: Vec<String> = Vec::new();
    let mut rest: Vec<Word> = Vec::new();
    for (k, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if end.is_some_and(|e| k > e) {
            groups.push(w.text.clone());
        } else if k == 0 && is_sig(t) || Some(k) == end {
            continue;
        } else if prog == "kill" && t.starts_with('-') && group(t) {
            groups.push(w.text.clone());
        } else {
            rest.push(w.clone());
        }
    }
    let p = match prog {
        "kill" => parse(&rest, "sn", "", &["signal"]),
        "killall" => parse(
            &rest,
            "sunoyY",
            "",
            &["signal", "user", "older-than", "younger-than"],
        ),
        _ => parse(
            &rest,
            "sugGPtFUcn",
            "",
            &[
                "signal", "euid", "uid", "group", "pgroup", "parent", "session", "terminal",
                "pidfile", "ns", "nslist",
            ],
        ),
    };
    if prog == "kill" && p.has(&["l", "L", "list", "table"]) {
        return;
    }
    for (w, f) in p.values(&["F", "pidfile"]) {
        cx.path(Kind::Read, w, f, prog, false);
    }
    // `P=$(pgrep x); kill $P`, `for p in $(pgrep x); do kill $p; done`:
    // the values the line gave the variable.
    let mut targets: Vec<String> = p
        .operands
        .iter()
        .flat_map(|w| {
            if w.text == STDIN_ARGS {
                vec![piped_source(cx)]
            } else {
                cx.variable_values(w)
                    .unwrap_or_else(|| vec![w.text.clone()])
            }
        })
        .collect();
    targets.extend(groups);
    if targets.is_empty() {
        // `pkill -u bob`: every process matching the options.
        if let Some((_, v)) = p
            .opts
            .iter()
            .find(|(n, v)| v.is_some() && !matches!(*n, "s" | "signal"))
        {
            targets.extend(v.map(|(w, f)| w.text[f..].to_string()));
        }
    }
    if !targets.is_empty() {
        cx.signal(prog, targets);
    }
}

/// `fuser -k` (the processes using a port or file: `7070/tcp`, `-n tcp
/// 7070`, `/srv/clawlaw/evidence`) and `ss -K` (the sockets its filter
/// selects: `ss -K sport = :7070`): their targets are the ports (`PORT/tcp`)
/// and files they select by, or the filter's words.
fn by_use(cx: &mut Cx, prog: &str, args: &[Word]) {
    if prog == "ss" {
        let p = parse(args, "fAFN", "", &["family", "query", "filter", "net"]);
        if p.has(&["K", "kill"]) {
            let filter: Vec<String> = p.operands.iter().map(|w| w.text.clone()).collect();
            cx.signal(prog, vec![filter.join(" ")]);
        }
        return;
    }
    let p = parse(args, "nMsS", "", &["namespace"]);
    if !p.has(&["k", "kill"]) {
        return;
    }
    let space = p
        .value(&["n", "namespace"])
        .map(|(w, f)| w.text[f..].to_string());
    let targets = p
        .operands
        .iter()
        .map(|w| match &space {
            Some(ns) if !w.text.contains('/') => format!("{}/{ns}", w.text),
            _ => w.text.clone(),
        })
        .collect();
    cx.signal(prog, targets);
}

/// The port killers (`kill-port 7070`, `npx kill-port --port 7070,8080`,
/// `killport 7070`, `fkill :7070 node 4242`): they kill what listens on
/// the ports they are given (targets `PORT/tcp`, as `fuser`'s), and
/// `fkill` the processes it is given by pid or name too.
fn port_killer(cx: &mut Cx, prog: &str, args: &[Word]) {
    let p = match prog {
        "kill-port" => parse(args, "pm", "", &["port", "method"]),
        "killport" => parse(args, "sm", "", &["signal", "mode"]),
        _ => parse(args, "", "", &[]),
    };
    let mut ports: Vec<String> = p
        .values(&["p", "port"])
        .iter()
        .flat_map(|(w, f)| w.text[*f..].split(',').map(str::to_string))
        .collect();
    let mut targets = Vec::new();
    for w in &p.operands {
        let t = w.text.as_str();
        match t.strip_prefix(':') {
            Some(port) => ports.push(port.to_string()),
            None if prog != "fkill" => ports.extend(t.split(',').map(str::to_string)),
            None => targets.push(t.to_string()),
        }
    }
    targets.extend(
        ports
            .into_iter()
            .filter(|port| !port.is_empty())
            .map(|port| format!("{port}/tcp")),
    );
    if !targets.is_empty() {
        cx.signal(prog, targets);
    }
}

/// Debuggers, tracers and schedulers given a running process by pid
/// (`gdb -p N`, `strace -p N`, `gcore N`, `prlimit --pid N`, `renice -n 5
/// -p N`, `taskset -p MASK N`, `chrt -i -p 0 N`, which leaves it only the
/// time no other process wants, `choom -p N -n 1000`, which makes it the
/// out-of-memory killer's first choice): they stop, read or change that
/// process.
fn by_pid(cx: &mut Cx, prog: &str, args: &[Word]) {
    let pids: Vec<String> = match prog {
        "gcore" | "reptyr" => parse(args, "o", "", &[])
            .operands
            .iter()
            .map(|w| w.text.clone())
            .collect(),
        // `taskset -p [MASK] N`, `chrt [POLICY] -p [PRIORITY] N`: the pid
        // is the last operand.
        "taskset" | "chrt" => {
            let p = parse(args, "", "", &[]);
            if !p.has(&["p", "pid"]) {
                return;
            }
            p.operands
                .last()
                .map(|w| w.text.clone())
                .into_iter()
                .collect()
        }
        "renice" => {
            let p = parse(args, "ngu", "", &["priority", "group", "user"]);
            if !p.has(&["p", "pid"]) && p.has(&["g", "u", "group", "user"]) {
                return;
            }
            // The operands are pids (`-p` is the default); an old-style
            // leading priority (`renice 19 -p N`) is read as one too, which
            // names no process of the gate's.
            p.operands.iter().map(|w| w.text.clone()).collect()
        }
        _ => {
            let p = parse(
                args,
                "pecoOsxbBiEIPaluU",
                "",
                &[
                    "pid",
                    "eval-command",
                    "command",
                    "output",
                    "limit",
                    "nofile",
                    "cpu",
                ],
            );
            p.values(&["p", "pid"])
                .into_iter()
                .map(|(w, f)| w.text[f..].to_string())
                .collect()
        }
    };
    if !pids.is_empty() {
        cx.signal(prog, pids);
    }
}

fn services(cx: &mut Cx, prog: &str, args: &[Word]) {
    let p = parse(
        args,
        "stpHMn",
        "",
        &[
            "signal",
            "type",
            "property",
            "host",
            "machine",
            "lines",
            "output",
            "kill-whom",
            "state",
            "root",
        ],
    );
    if let Some((w, f)) = p.value(&["H", "host"]) {
        cx.net(
            prog,
            Some(w.text[f..].to_string()),
            host_of(&w.text[f..]),
            false,
        );
    }
    let ops: Vec<&str> = p.operands.iter().map(|w| w.text.as_str()).collect();
    let stop = |v: &str| {
        matches!(
            v,
            "stop"
                | "kill"
                | "disable"
                | "mask"
                | "restart"
                | "try-restart"
                | "reload-or-restart"
                | "try-reload-or-restart"
                | "condrestart"
                | "force-reload"
                | "force-stop"
                | "freeze"
                | "edit"
                | "set-property"
                | "revert"
                | "unload"
                | "bootout"
                | "remove"
        )
    };
    let targets: Option<Vec<String>> = match (prog, ops.as_slice()) {
        ("systemctl", [v, ..])
            if matches!(
                *v,
                "poweroff"
                    | "reboot"
                    | "halt"
                    | "kexec"
                    | "rescue"
                    | "emergency"
                    | "isolate"
                    | "suspend"
                    | "hibernate"
                    // The service manager itself (`systemctl --user exit`):
                    // every unit it runs.
                    | "exit"
            ) =>
        {
            Some(vec!["*".into()])
        }
        ("systemctl" | "launchctl", [v, units @ ..]) if stop(v) => {
            let skip = usize::from(prog == "launchctl" && *v == "kill");
            Some(
                units
                    .iter()
                    .skip(skip)
                    .map(|u| match *u {
                        STDIN_ARGS => piped_source(cx),
                        u if prog == "systemctl" && holds_every_unit(u) => "*".to_string(),
                        u => u.to_string(),
                    })
                    .collect(),
            )
        }
        ("service", [unit, v, ..]) if stop(v) => Some(vec![unit.to_string()]),
        _ => None,
    };
    if let Some(t) = targets.filter(|t| !t.is_empty()) {
        cx.signal(prog, t);
    }
}

/// A systemd unit that holds every service or process of a user or a
/// session: stopping it stops them all (`default.target`, `user@1000.service`,
/// `user-1000.slice`, `session-3.scope`, a pattern matching every unit).
fn holds_every_unit(unit: &str) -> bool {
    let u = unit.trim_matches(['\'', '"']);
    matches!(
        u,
        "*" | "*.service"
            | "default.target"
            | "multi-user.target"
            | "graphical.target"
            | "graphical-session.target"
            | "basic.target"
            | "user.slice"
    ) || (u.starts_with("user@") && u.ends_with(".service"))
        || (u.starts_with("user-") && u.ends_with(".slice"))
        || (u.starts_with("session-") && u.ends_with(".scope"))
}

/// The crontab a `crontab -` reads: its input when the line shows it, else
/// what every `echo`/`printf` before it in its pipeline prints (`(crontab
/// -l; echo '* * * * * job') | crontab -`).
fn scheduled_table(cx: &Cx) -> Vec<String> {
    if let Ok(Some(text)) = stdin_text(cx) {
        return vec![text];
    }
    cx.line
        .upstream(cx.index)
        .iter()
        .map(|&u| &cx.line.commands[u])
        .filter(|u| matches!(u.program.as_str(), "echo" | "printf") && !u.program_dynamic)
        .map(|u| {
            u.args()
                .iter()
                .skip(usize::from(u.program == "printf"))
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.replace("\\n", "\n"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

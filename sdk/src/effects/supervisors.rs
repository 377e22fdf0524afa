//! Services a process supervisor stops through its control program, as
//! `systemctl stop` does for systemd's ([`super::procs`]): supervisord
//! (`supervisorctl stop NAME|all`, `shutdown`), PM2 (`pm2 stop|delete
//! NAME|all`, `pm2 kill`), runit (`sv down SERVICE`), s6 (`s6-svc -d DIR`,
//! `s6-rc -d change NAME`), OpenRC (`rc-service NAME stop`), Homebrew's
//! services (`brew services stop NAME`), forever, Monit and Circus. Each
//! is a signal ([`super::Signal`]) whose targets are the services by name
//! (a service directory by its last component); `*` when it stops every
//! service the supervisor runs, or the supervisor itself.

use super::context::Cx;
use super::options::parse;
use crate::shell::Word;

/// The supervisors' control programs: a signal from one of them reaches
/// only the services that supervisor runs (its `*` is all of those, not
/// every process of the machine).
pub const SUPERVISORS: &[&str] = &[
    "supervisorctl",
    "pm2",
    "forever",
    "monit",
    "circusctl",
    "sv",
    "runsvctrl",
    "s6-svc",
    "s6-rc",
    "rc-service",
    "brew",
];

/// Whether `prog` is a supervisor's control program; records what it stops.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    let targets = match prog {
        "supervisorctl" => supervisorctl(args),
        "pm2" | "forever" | "monit" | "circusctl" => by_verb(prog, args),
        "sv" | "runsvctrl" => runit(args),
        "s6-svc" => s6_svc(args),
        "s6-rc" => s6_rc(args),
        "rc-service" => named_then_verb(prog, args),
        "brew" if args.first().is_some_and(|w| w.text == "services") => named_then_verb(prog, args),
        _ => return false,
    };
    if let Some(t) = targets.filter(|t| !t.is_empty()) {
        cx.signal(prog, t);
    }
    true
}

/// Words that stop, restart or remove a service, in the supervisors' own
/// spellings.
fn stops(verb: &str) -> bool {
    matches!(
        verb,
        "stop"
            | "restart"
            | "remove"
            | "delete"
            | "del"
            | "kill"
            | "signal"
            | "stopall"
            | "quit"
            | "shutdown"
            | "zap"
    )
}

/// Whether `verb` restarts rather than stops: every service restarted
/// (`pm2 restart all` after a change) comes back, the gate too; one named
/// is still stopped and started again under the agent's eyes.
fn restarts(verb: &str) -> bool {
    matches!(verb, "restart" | "restartall" | "t" | "term")
}

/// The services `verb` stops among `ops`, by name: `all` is every service,
/// except for a restart ([`restarts`]).
fn stopped(verb: &str, ops: &[&str]) -> Vec<String> {
    let mut out = names(ops);
    if restarts(verb) {
        out.retain(|n| n != "*");
    }
    out
}

/// A service's name as its words give it: `all` (and an empty list where
/// the verb takes every one) is every service.
fn names(ops: &[&str]) -> Vec<String> {
    ops.iter()
        .map(|n| match *n {
            "all" | "--all" => "*".to_string(),
            // A service directory (`/etc/service/clawlaw`) or a group's
            // member (`gate:clawlaw`): its name.
            n => n
                .trim_end_matches('/')
                .rsplit(['/', ':'])
                .next()
                .unwrap_or(n)
                .to_string(),
        })
        .collect()
}

/// `supervisorctl [-c FILE] [-s URL] stop|restart|remove NAME…|all`,
/// `signal SIG NAME…`, and `shutdown` (supervisord itself).
fn supervisorctl(args: &[Word]) -> Option<Vec<String>> {
    let p = parse(
        args,
        "csupr",
        "",
        &[
            "configuration",
            "serverurl",
            "username",
            "password",
            "history-file",
        ],
    );
    let ops: Vec<&str> = p.operands.iter().map(|w| w.text.as_str()).collect();
    match ops.as_slice() {
        ["shutdown", ..] => Some(vec!["*".into()]),
        ["signal", _, rest @ ..] => Some(names(rest)),
        [v, rest @ ..] if stops(v) => Some(stopped(v, rest)),
        _ => None,
    }
}

/// `pm2 stop|delete|restart NAME|all`, `pm2 kill` (the daemon and all it
/// runs); `forever stop NAME`, `forever stopall`; `monit stop NAME|all`,
/// `monit quit`; `circusctl stop [NAME]`, `circusctl quit`.
fn by_verb(prog: &str, args: &[Word]) -> Option<Vec<String>> {
    let ops: Vec<&str> = args
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (verb, rest) = ops.split_first()?;
    if !stops(verb) {
        return None;
    }
    let everything = match prog {
        "pm2" => *verb == "kill",
        "forever" => *verb == "stopall",
        "monit" => *verb == "quit",
        _ => *verb == "quit" || rest.is_empty(),
    };
    if everything {
        Some(vec!["*".into()])
    } else {
        Some(stopped(verb, rest))
    }
}

/// `sv down|stop|kill|exit|restart|term|force-stop … SERVICE…` (runit; a
/// command's first letter is enough: `sv d clawlaw`).
fn runit(args: &[Word]) -> Option<Vec<String>> {
    let ops: Vec<&str> = args
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (verb, services) = ops.split_first()?;
    let stopping = verb.starts_with("force-")
        || matches!(
            *verb,
            "down"
                | "d"
                | "stop"
                | "kill"
                | "k"
                | "exit"
                | "x"
                | "restart"
                | "t"
                | "term"
                | "shutdown"
                | "p"
                | "pause"
        );
    stopping.then(|| stopped(verb, services))
}

/// `s6-svc -d|-D|-k|-t|-x|-X|-r|-p DIR…`: down, killed, terminated or
/// exiting.
fn s6_svc(args: &[Word]) -> Option<Vec<String>> {
    let mut stopping = false;
    let mut dirs = Vec::new();
    for a in args.iter().map(|w| w.text.as_str()) {
        match a.strip_prefix('-') {
            Some(flags) if !flags.starts_with('-') => {
                // `-T 5000`'s value and `-wD`'s wait are no stop.
                stopping |= flags
                    .trim_start_matches('w')
                    .chars()
                    .any(|c| "dDktxXrqp".contains(c));
            }
            _ => dirs.push(a),
        }
    }
    stopping.then(|| names(&dirs))
}

/// `s6-rc -d change NAME…` (down), `s6-rc -da change` (every service).
fn s6_rc(args: &[Word]) -> Option<Vec<String>> {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let flags: String = words
        .iter()
        .filter_map(|w| w.strip_prefix('-'))
        .filter(|f| !f.starts_with('-'))
        .collect();
    let at = words.iter().position(|w| *w == "change")?;
    if !flags.contains('d') {
        return None;
    }
    let services: Vec<&str> = words[at + 1..].to_vec();
    if flags.contains('a') || services.is_empty() {
        Some(vec!["*".into()])
    } else {
        Some(names(&services))
    }
}

/// `rc-service [--ifstarted] NAME stop|restart|zap` (OpenRC) and `brew
/// services stop|kill|restart NAME|--all` (Homebrew).
fn named_then_verb(prog: &str, args: &[Word]) -> Option<Vec<String>> {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if prog == "brew" {
        let [sub, verb, rest @ ..] = words.as_slice() else {
            return None;
        };
        return (*sub == "services" && stops(verb)).then(|| stopped(verb, rest));
    }
    let ops: Vec<&str> = words
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    match ops.as_slice() {
        [name, verb, ..] if stops(verb) => Some(names(&[name])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    fn stopped(cmd: &str) -> Vec<String> {
        crate::effects::of(cmd, Some("/w"), Some("/home/u"))
            .signals
            .into_iter()
            .flat_map(|s| s.targets)
            .collect()
    }

    #[test]
    fn services_stopped_by_name_or_all() {
        for (cmd, want) in [
            ("supervisorctl stop clawlaw", "clawlaw"),
            ("supervisorctl -c /etc/s.conf stop gate:clawlaw", "clawlaw"),
            ("supervisorctl stop all", "*"),
            ("supervisorctl shutdown", "*"),
            ("pm2 stop clawlaw", "clawlaw"),
            ("pm2 delete all", "*"),
            ("pm2 kill", "*"),
            ("sv down /etc/service/clawlaw", "clawlaw"),
            ("sv d clawlaw", "clawlaw"),
            ("sv force-stop clawlaw", "clawlaw"),
            ("s6-svc -d /run/service/clawlaw", "clawlaw"),
            ("s6-svc -wD -d /run/service/clawlaw/", "clawlaw"),
            ("s6-rc -d change clawlaw", "clawlaw"),
            ("s6-rc -da change", "*"),
            ("rc-service clawlaw stop", "clawlaw"),
            ("rc-service --ifstarted clawlaw restart", "clawlaw"),
            ("brew services stop clawlaw", "clawlaw"),
            ("brew services kill --all", "*"),
            ("forever stopall", "*"),
            ("monit stop all", "*"),
            ("circusctl quit", "*"),
        ] {
            assert_eq!(stopped(cmd), vec![want.to_string()], "{cmd}");
        }
    }

    #[test]
    fn what_starts_or_only_asks_stops_nothing() {
        for cmd in [
            "supervisorctl status",
            "supervisorctl start clawlaw",
            "pm2 list",
            "pm2 start app.js",
            "pm2 logs",
            "sv status clawlaw",
            "sv up clawlaw",
            "s6-svc -u /run/service/clawlaw",
            "s6-rc -u change clawlaw",
            "rc-service clawlaw status",
            "pm2 restart all",
            "supervisorctl restart all",
            "forever restartall",
            "brew services list",
            "brew install jq",
            "monit status",
        ] {
            assert!(stopped(cmd).is_empty(), "{cmd}");
        }
    }
}

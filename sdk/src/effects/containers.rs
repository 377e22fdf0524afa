//! Containers a container CLI (`docker`, `podman`, `nerdctl`) stops or takes
//! control of: `stop`, `kill`, `rm`, `pause`, `restart` (with or without the
//! `container` group), `update` (its CPU, memory and process limits: a
//! container given 0.01 of a CPU or 6 MB serves no one), `network
//! disconnect NET CTR…` (cut off from its callers) and `exec CTR …` (a
//! command run inside it, with its files, tokens and processes). Each is a
//! signal ([`super::Signal`]) whose targets are the containers as the
//! command names them; `A | xargs docker stop` stops `$(A)`. A copy into a
//! container (`docker cp x CTR:/path`) is read with the other copies, in
//! [`super::commands`].
//!
//! A container `run` or `create` reads the host paths it bind-mounts
//! (recursively: the image may read anything below them), its command's
//! writes and deletes below a writable mount's target are the host's files
//! mounted there, and its command
//! signals this machine's processes when it shares their namespace
//! (`--pid=host`) and connects from this machine when it shares its network
//! (`--network=host`).
//!
//! Compose's services are read by [`super::workloads`].

use super::args::piped_source;
use super::context::{Cx, Kind, STDIN_ARGS};
use super::net::host_of;
use super::options::parse;
use crate::shell::Word;
use crate::shell::containers::{
    BindMount, ContainerRun, DOCKER_EXEC_VALUED, DOCKER_GLOBAL, bind_mounts, container_run,
    first_operand,
};

/// How the `how` of a bind mount's read ends (`docker run -v (mounted)`):
/// what [`super::PathEffect::is_bind_mount`] looks for.
pub(crate) const MOUNTED: &str = " (mounted)";

/// What the command a container runs does to this host through the host
/// namespaces it shares: with `--pid=host` its signals reach this
/// machine's processes (`docker run --pid=host alpine pkill clawlaw`), with
/// `--network=host` its connections leave from this machine (its
/// `127.0.0.1` is this one's). Its files are the image's, not read here.
fn host_namespaces(cx: &mut Cx, run: &ContainerRun) {
    let (pids, network) = (run.shares_host("pid"), run.shares_host("network"));
    if run.command.is_empty() || !(pids || network) {
        return;
    }
    let inside = super::of(&run.command_text(), None, None);
    if pids {
        for s in inside.signals {
            cx.signal(&s.program, s.targets);
        }
    }
    if network {
        for n in inside.network {
            cx.net(&n.program, n.url, n.host, n.sends_data);
        }
    }
}

/// What the command a container runs writes and deletes on this host
/// through its writable bind mounts: `docker run -v "$PWD:/w" alpine rm
/// /w/.claude/settings.json` deletes the host's `./.claude/settings.json`.
/// The command's paths are read as the container sees them (relative ones
/// from its `-w`/`--workdir`); one below a mount's target is the host path
/// mounted there, and a recursive change of a directory above a target
/// (`rm -rf /`) reaches the whole mount. Every other path is the image's own.
fn through_mounts(cx: &mut Cx, prog: &str, run: &ContainerRun, mounts: &[BindMount]) {
    if run.command.is_empty() {
        return;
    }
    let mounts: Vec<(String, super::context::Target)> = mounts
        .iter()
        .filter(|m| m.writable)
        .filter_map(|m| {
            let target = crate::path::normalize(m.target.as_deref()?, None, None).ok()?;
            let source = cx.targets(&m.source, 0).into_iter().next()?;
            (target != "/").then_some((target, source))
        })
        .collect();
    if mounts.is_empty() {
        return;
    }
    let workdir = run
        .options
        .iter()
        .enumerate()
        .find_map(|(k, o)| match *o {
            "-w" | "--workdir" => run.options.get(k + 1).copied(),
            _ => o
                .strip_prefix("--workdir=")
                .or_else(|| o.strip_prefix("-w")),
        })
        .filter(|w| w.starts_with('/'));
    let inside = super::of(&run.command_text(), workdir, None);
    let changes = [
        (Kind::Write, &inside.writes),
        (Kind::Delete, &inside.deletes),
    ];
    for (kind, effects) in changes {
        for e in effects.iter() {
            for (target, source) in &mounts {
                let host = if let Some(rest) = e.path.strip_prefix(target.as_str()) {
                    if !(rest.is_empty() || rest.starts_with('/')) {
                        continue;
                    }
                    match rest {
                        "" => source.path.clone(),
                        _ => format!("{}{rest}", source.path.trim_end_matches('/')),
                    }
                } else if e.recursive && crate::path::is_within(target, &e.path) {
                    source.path.clone()
                } else {
                    continue;
                };
                let how = format!("{prog} run: {} (through a mount)", e.how);
                let recursive = e.recursive || e.path.len() < target.len();
                cx.push_path(kind, host, source.dynamic || e.dynamic, recursive, &how);
            }
        }
    }
}

/// Records the daemon `prog` connects to (`-H tcp://host:2375`) and the
/// containers it stops or controls.
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) {
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let first = first_operand(&texts, DOCKER_GLOBAL);
    let globals = &args[..first.map_or(args.len(), |(k, _)| k - 1)];
    if let Some((w, f)) = parse(
        globals,
        "Hcl",
        "",
        &["host", "context", "config", "log-level"],
    )
    .value(&["H", "host"])
    {
        let url = &w.text[f..];
        cx.net(prog, Some(url.to_string()), host_of(url), false);
    }
    let Some((mut k, mut verb)) = first else {
        return;
    };
    if verb == "container" {
        let Some((j, v)) = first_operand(&texts[k..], &[]) else {
            return;
        };
        (k, verb) = (k + j, v);
    }
    let rest = &args[k..];
    if matches!(verb, "run" | "create") {
        // What the container is given of the host's files, it reads (and
        // whatever image it runs does with them).
        let mounts = bind_mounts(cx.cmd());
        for m in &mounts {
            let how = format!("{prog} {verb} {}{MOUNTED}", m.option);
            cx.path(Kind::Read, &m.source, 0, &how, true);
        }
        if let Some(run) = container_run(cx.cmd()) {
            host_namespaces(cx, &run);
            through_mounts(cx, prog, &run, &mounts);
        }
        return;
    }
    let targets: Vec<&Word> = match verb {
        "stop" | "restart" => parse(rest, "ts", "", &["time", "timeout", "signal"]).operands,
        "kill" => parse(rest, "s", "", &["signal"]).operands,
        "rm" | "pause" => parse(rest, "", "", &[]).operands,
        // `docker rename OLD NEW`: a container renamed escapes whatever
        // names it; the one renamed is controlled.
        "rename" => parse(rest, "", "", &[])
            .operands
            .into_iter()
            .take(1)
            .collect(),
        // Every limit `update` sets takes a value.
        "update" => parse(rest, "mc", "", &UPDATE_VALUED).operands,
        "network" => match parse(rest, "", "", &[]).operands.as_slice() {
            [sub, _network, containers @ ..] if sub.text == "disconnect" => containers.to_vec(),
            _ => return,
        },
        "exec" => {
            let texts: Vec<&str> = rest.iter().map(|w| w.text.as_str()).collect();
            match first_operand(&texts, DOCKER_EXEC_VALUED) {
                Some((j, _)) => vec![&rest[j - 1]],
                None => return,
            }
        }
        _ => return,
    };
    let targets: Vec<String> = targets
        .into_iter()
        .map(|w| match w.text.as_str() {
            STDIN_ARGS => piped_source(cx),
            t => t.to_string(),
        })
        .collect();
    if !targets.is_empty() {
        cx.signal(prog, targets);
    }
}

/// `docker update`'s long options (all take a value).
const UPDATE_VALUED: [&str; 17] = [
    "cpus",
    "cpu-shares",
    "cpu-period",
    "cpu-quota",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cpuset-cpus",
    "cpuset-mems",
    "memory",
    "memory-swap",
    "memory-reservation",
    "kernel-memory",
    "pids-limit",
    "blkio-weight",
    "restart",
    "device-read-bps",
    "device-write-bps",
];

#[cfg(test)]
mod tests {
    use crate::effects::tests::{fx, one, signals};

    #[test]
    fn stops_and_controls() {
        assert_eq!(
            signals("docker stop -t 5 web db"),
            one("docker", &["web", "db"])
        );
        assert_eq!(
            signals("docker container kill -s KILL gate"),
            one("docker", &["gate"])
        );
        assert_eq!(signals("podman rm -f gate"), one("podman", &["gate"]));
        assert_eq!(
            signals("docker -H tcp://h:2375 pause gate"),
            one("docker", &["gate"])
        );
        assert_eq!(
            signals("docker update --cpus 0.01 -m 6m gate"),
            one("docker", &["gate"])
        );
        assert_eq!(
            signals("nerdctl container update --memory=6m gate"),
            one("nerdctl", &["gate"])
        );
        assert_eq!(
            signals("docker network disconnect -f bridge gate"),
            one("docker", &["gate"])
        );
        assert_eq!(
            signals("docker exec -u root -e A=1 gate sh -c 'id'"),
            one("docker", &["gate"])
        );
        assert_eq!(
            signals("docker ps -q | xargs docker stop"),
            one("docker", &["$(docker ps -q)"])
        );
    }

    #[test]
    fn a_container_sharing_the_hosts_namespaces_acts_on_the_host() {
        assert_eq!(
            signals("docker run --rm --pid=host alpine pkill -x clawlaw"),
            one("pkill", &["clawlaw"])
        );
        assert_eq!(
            signals("podman container run --pid host -e A=1 alpine sh -c 'kill 4242'"),
            one("kill", &["4242"])
        );
        let e = crate::effects::tests::fx(
            "docker run --network=host curlimages/curl curl -s http://127.0.0.1:7070/v1/health",
        );
        assert_eq!(e.network.len(), 1);
        assert_eq!(e.network[0].host.as_deref(), Some("127.0.0.1"));
        // Its own namespaces: the host's processes and loopback are not its.
        assert!(signals("docker run --rm alpine pkill clawlaw").is_empty());
        assert!(
            crate::effects::tests::fx("docker run alpine wget -q http://localhost:7070/")
                .network
                .is_empty()
        );
        // The image's command only: options' values are not commands.
        assert!(signals("docker run --pid=host --name kill alpine true").is_empty());
    }

    #[test]
    fn reads_and_starts_are_not_signals() {
        for line in [
            "docker ps -a",
            "docker logs gate",
            "docker inspect gate",
            "docker network ls",
            "docker network connect bridge gate",
            "docker run --rm alpine true",
            "docker start gate",
            "docker container ls",
        ] {
            assert_eq!(signals(line), vec![], "{line}");
        }
    }

    /// `(path, recursive)` of each effect of a list.
    type Listed = Vec<(String, bool)>;

    /// The writes and the deletes of `line`, listed.
    fn changes(line: &str) -> (Listed, Listed) {
        let e = fx(line);
        let list = |l: &[crate::effects::PathEffect]| {
            l.iter()
                .map(|e| (e.path.clone(), e.recursive))
                .collect::<Vec<_>>()
        };
        (list(&e.writes), list(&e.deletes))
    }

    #[test]
    fn a_containers_command_changes_the_host_through_its_mounts() {
        let own = |p: &str, r: bool| vec![(p.to_string(), r)];
        assert_eq!(
            changes(r#"docker run --rm -v "$PWD:/w" alpine rm /w/.claude/settings.json"#),
            (vec![], own("/work/app/.claude/settings.json", false))
        );
        // Relative to its working directory, through its shell.
        assert_eq!(
            changes(r#"podman run -v "$PWD:/w" -w /w alpine sh -c 'echo {} > .claude/x.json'"#),
            (own("/work/app/.claude/x.json", false), vec![])
        );
        // A directory above the mount's target removed takes the mount.
        assert_eq!(
            changes("docker run -v ~/.claude:/root/.claude img rm -rf /root"),
            (vec![], own("/home/u/.claude", true))
        );
        assert_eq!(
            changes("docker run -v /:/host img rm -rf /host/etc"),
            (vec![], own("/etc", true))
        );
    }

    #[test]
    fn a_containers_own_files_and_read_only_mounts_are_not_the_hosts() {
        for line in [
            "docker run --rm -v ~/.claude:/c:ro alpine rm /c/settings.json",
            r#"docker run --rm -v "$PWD:/w" alpine sh -c 'rm -rf /tmp/* /var/cache'"#,
            r#"docker run --rm -v "$PWD:/src" -w /src rust:1 cargo build"#,
            "docker run --rm alpine rm -rf /",
        ] {
            assert_eq!(changes(line), (vec![], vec![]), "{line}");
        }
    }
}

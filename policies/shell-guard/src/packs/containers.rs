//! The containers pack: Docker, Podman and nerdctl commands that delete data
//! (volumes, pruned images and build cache, every container at once,
//! `compose down -v`), stop every running container at once, take a
//! swarm's services down (`swarm leave --force`, `stack rm`, `service rm`:
//! `shell.infrastructure`), or give a container the host (`--privileged`,
//! host namespaces, mounting `/` or the Docker socket: the core rule
//! `shell.container`).

use clawlaw_sdk::shell::containers::container_run;
use clawlaw_sdk::shell::{Command, CommandLine, Word};

use crate::checker::Checker;
use crate::loc::*;
use crate::packs::{arg_texts, positionals};
use crate::programs::*;
use crate::rules::containers::{DELETE_VOLUMES, PRUNE, REMOVE_ALL, STOP_ALL};

/// Options of `docker compose` and `docker-compose` that take a value before
/// its subcommand (`docker compose -f prod.yml down -v`), beside the engine's
/// own ([`DOCKER_GLOBAL`]).
const COMPOSE_VALUED: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--project-directory",
    "--env-file",
    "--profile",
    "--ansi",
];

impl Checker<'_> {
    pub(crate) fn check_container(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &Shown) {
        let c = &cl.commands[i];
        self.check_container_data(cl, i, shown);
        self.check_container_host(c, cwd, shown);
    }

    /// Deleting containers' data: prunes, volumes, everything at once.
    fn check_container_data(&mut self, cl: &CommandLine, i: usize, shown: &Shown) {
        let c = &cl.commands[i];
        let args = arg_texts(c);
        let valued: Vec<&str> = DOCKER_GLOBAL
            .iter()
            .chain(COMPOSE_VALUED)
            .copied()
            .collect();
        let pos = positionals(&args, &valued);
        let compose = c.program.ends_with("-compose");
        let (object, verb) = match pos.as_slice() {
            _ if compose => ("compose", pos.first().copied().unwrap_or("")),
            ["compose", v, ..] => ("compose", *v),
            [
                o @ ("system" | "container" | "image" | "volume" | "network" | "builder" | "buildx"
                | "pod"),
                v,
                ..,
            ] => (*o, *v),
            [v, ..] => ("", *v),
            [] => return,
        };
        let flag = |short: char, long: &str| c.has_flag(short) || c.has_long(long);
        let subject = format!(
            "{} {}",
            c.program,
            if object.is_empty() { verb } else { object }
        );
        let subject = Some(subject.as_str());
        // `docker swarm leave --force` (a manager takes the swarm's state
        // with it), `docker stack rm`, `docker service rm`: the services of
        // a cluster go down.
        let swarm_down = match pos.as_slice() {
            ["swarm", "leave", ..] => flag('f', "force"),
            ["stack" | "service", "rm" | "remove" | "down", ..] => true,
            _ => false,
        };
        if swarm_down {
            self.escalate(
                "shell.infrastructure",
                0.7,
                subject,
                format!("`{shown}` takes a swarm's services down; check with `docker service ls` and remove the ones you mean"),
            );
        }
        match (object, verb) {
            ("compose", "down" | "rm") if flag('v', "volumes") => self.hit(
                &DELETE_VOLUMES,
                subject,
                format!("`{shown}` deletes the project's volumes and the data in them"),
            ),
            ("volume", "rm" | "remove" | "prune") => self.hit(
                &DELETE_VOLUMES,
                subject,
                format!("`{shown}` deletes volumes and the data in them"),
            ),
            ("system", "reset") => self.hit(
                &DELETE_VOLUMES,
                subject,
                format!("`{shown}` deletes every container, image, volume and network, and the data in the volumes"),
            ),
            ("system", "prune") if c.has_long("volumes") => self.hit(
                &DELETE_VOLUMES,
                subject,
                format!("`{shown}` deletes every unused volume and its data, with stopped containers, images and the build cache"),
            ),
            ("system" | "container" | "image" | "network" | "builder" | "buildx", "prune") => self.hit(
                &PRUNE,
                subject,
                format!("`{shown}` deletes every stopped container, unused image, network or cached layer it finds"),
            ),
            ("" | "container" | "image" | "pod", "rm" | "rmi" | "remove" | "stop" | "kill") => {
                // Operands produced by a listing (`$(docker ps -aq)`) or piped
                // from one (`docker ps -q | xargs docker rm`), or Podman's
                // `--all` (`podman pod rm -fa` too): everything.
                let listed = c.operands().skip(1).any(|w| lists_all(&w.text))
                    || (c.has_wrapper("xargs")
                        && cl.upstream(i).iter().any(|&u| {
                            let up = &cl.commands[u];
                            matches!(up.program.as_str(), "docker" | "podman" | "nerdctl")
                                && lists_all(&up.to_string())
                        }))
                    || c.program != "docker" && flag('a', "all");
                if listed && matches!(verb, "stop" | "kill") {
                    self.hit(
                        &STOP_ALL,
                        subject,
                        format!("`{shown}` stops every running container the listing returns, not ones you named"),
                    );
                } else if listed {
                    self.hit(
                        &REMOVE_ALL,
                        subject,
                        format!("`{shown}` removes every container or image the listing returns, not ones you named"),
                    );
                }
                if verb == "rm" && flag('v', "volumes") {
                    self.hit(
                        &DELETE_VOLUMES,
                        subject,
                        format!("`{shown}` also deletes the containers' anonymous volumes"),
                    );
                }
            }
            _ => {}
        }
    }

    /// Containers given the host.
    fn check_container_host(&mut self, c: &Command, cwd: &Loc, shown: &Shown) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let mut rest = &c.argv[k + 1..];
        let sub = if sub == "container" {
            let s = rest.first().map(|w| w.text.as_str()).unwrap_or("");
            rest = rest.get(1..).unwrap_or(&[]);
            s
        } else {
            sub
        };
        if !matches!(sub, "run" | "create") {
            return;
        }
        // The options before the image: for `docker|podman|nerdctl run`
        // the SDK knows which take a value (`-e A=1 --privileged`: the
        // value is not the image); Compose's `run` is read up to its first
        // operand, the service.
        let run = container_run(c);
        let bounded = run.is_some();
        let options: Vec<&str> = match run {
            Some(run) => run.options,
            None => rest.iter().map(|w| w.text.as_str()).collect(),
        };
        let mut problems: Vec<String> = Vec::new();
        let mut j = 0;
        while j < options.len() {
            let a = options[j];
            if !a.starts_with('-') {
                if bounded {
                    // The value of an option that takes one.
                    j += 1;
                    continue;
                }
                break; // the image: what follows is the container's command
            }
            let (key, inline) = match a.split_once('=') {
                Some((key, v)) => (key, Some(v.to_string())),
                None => (a, None),
            };
            let takes = matches!(
                key,
                "--pid"
                    | "--network"
                    | "--net"
                    | "--ipc"
                    | "--uts"
                    | "--userns"
                    | "--cgroupns"
                    | "--cap-add"
                    | "-v"
                    | "--volume"
                    | "--mount"
                    | "--device"
            );
            let value = inline.or_else(|| {
                if takes {
                    options.get(j + 1).map(|w| w.to_string())
                } else {
                    None
                }
            });
            if takes && !a.contains('=') {
                j += 1;
            }
            j += 1;
            let v = value.unwrap_or_default();
            match key {
                "--privileged" => problems.push("--privileged".into()),
                "--pid" | "--network" | "--net" | "--ipc" | "--uts" | "--userns" | "--cgroupns"
                    if v == "host" =>
                {
                    problems.push(format!("{key}=host"))
                }
                "--cap-add"
                    if matches!(
                        v.to_ascii_uppercase().as_str(),
                        "ALL" | "SYS_ADMIN" | "CAP_SYS_ADMIN" | "SYS_PTRACE" | "SYS_MODULE"
                    ) =>
                {
                    problems.push(format!("--cap-add {v}"))
                }
                "--device" => problems.push(format!("--device {v}")),
                "-v" | "--volume" | "--mount" => {
                    let source = if key == "--mount" {
                        v.split(',')
                            .find_map(|kv| {
                                kv.strip_prefix("source=")
                                    .or_else(|| kv.strip_prefix("src="))
                            })
                            .unwrap_or("")
                            .to_string()
                    } else {
                        v.split(':').next().unwrap_or("").to_string()
                    };
                    if source.starts_with('/') || source.starts_with('~') {
                        let loc = resolve(&Word::literal(source.clone()), cwd);
                        let hit = match &loc {
                            Loc::Abs(p) => {
                                p.is_empty()
                                    || p.last().is_some_and(|l| {
                                        l == "docker.sock" || l == "containerd.sock"
                                    })
                                    || system_dir(p)
                                    || home_dir(p)
                            }
                            _ => false,
                        };
                        if hit {
                            problems.push(format!("a mount of {}", loc.display()));
                        }
                    }
                }
                _ => {}
            }
        }
        if !problems.is_empty() {
            let subject = format!("{} {sub}", c.program);
            self.escalate(
                "shell.container",
                0.8,
                Some(&subject),
                format!(
                    "`{shown}` gives the container access to the host ({})",
                    problems.join(", ")
                ),
            );
        }
    }
}

/// Whether `text` lists every container or image: `docker ps -q`,
/// `docker images -q`, `docker container ls -aq`, `docker volume ls -q`.
fn lists_all(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|ch: char| ch.is_whitespace() || matches!(ch, '(' | ')' | '`' | '$'))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        matches!(w[0], "docker" | "podman" | "nerdctl")
            && matches!(w[1], "ps" | "images" | "container" | "image" | "volume")
    }) && words
        .iter()
        .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('q') || *w == "--quiet")
        && !words
            .iter()
            .any(|w| w.starts_with("--filter") || *w == "-f")
}

#[cfg(test)]
mod tests {
    use super::lists_all;

    #[test]
    fn listings_of_everything() {
        assert!(lists_all("$(docker ps -aq)"));
        assert!(lists_all("`podman images -q`"));
        assert!(lists_all("docker container ls --quiet --all"));
        assert!(!lists_all("$(docker ps -aq --filter name=test)"));
        assert!(!lists_all("$(docker ps)"));
        assert!(!lists_all("web-1"));
    }
}

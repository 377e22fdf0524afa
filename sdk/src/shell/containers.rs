//! What a container CLI asks of a container: the command it runs inside a
//! container or pod, the host paths `run` and `create` bind-mount into one
//! ([`bind_mounts`]), and the host namespaces and command a `run` gives it
//! ([`container_run`]).
//!
//! The command a container CLI runs inside a container or pod: `kubectl
//! [globals] exec [opts] POD -- CMD…` (and `oc`), `docker|podman|nerdctl
//! [globals] exec [opts] CTR CMD…`, and `docker compose` (`docker-compose`,
//! `podman-compose`) `exec [opts] SVC CMD…`. The argv it returns runs there
//! without a shell of this line: shell-guard checks it as a command typed
//! here, the credential printers read `env` run there as the container's
//! environment printed.

use super::model::{Command, CommandLine, Word, requote};
use super::parse;

/// Options of `docker`, `podman` and `nerdctl` that take a value before the
/// subcommand (`docker -H tcp://host:2375 exec …`).
pub const DOCKER_GLOBAL: &[&str] = &[
    "-H",
    "--host",
    "--context",
    "-c",
    "--config",
    "-l",
    "--log-level",
];

/// Options of `kubectl` and `oc` that take a value before the subcommand.
pub const KUBECTL_GLOBAL: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "-s",
    "--server",
    "--cluster",
    "--user",
    "--as",
];

/// `docker exec` options that take a value.
pub(crate) const DOCKER_EXEC_VALUED: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--detach-keys",
];

/// `compose exec` options that take a value.
const COMPOSE_EXEC_VALUED: &[&str] = &["-e", "--env", "-u", "--user", "-w", "--workdir", "--index"];

/// The argv `c` runs inside a container or pod, when it is a container
/// CLI's `exec` that names one (`None` otherwise, and for an `exec` with no
/// command).
pub fn run_inside(c: &Command) -> Option<Vec<&str>> {
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let argv = match c.program.as_str() {
        "kubectl" | "oc" => {
            // `kubectl [globals] exec [opts] POD [-c CTR] -- CMD ARGS…`
            let (k, sub) = first_operand(&args, KUBECTL_GLOBAL)?;
            let dash = args.iter().position(|a| *a == "--")?;
            (sub == "exec" && k <= dash).then(|| &args[dash + 1..])?
        }
        "docker" | "podman" | "nerdctl" => {
            let (k, sub) = first_operand(&args, DOCKER_GLOBAL)?;
            match sub {
                "exec" => after_target(&args[k..], DOCKER_EXEC_VALUED)?,
                "compose" => compose_exec(&args[k..])?,
                _ => return None,
            }
        }
        "docker-compose" | "podman-compose" => compose_exec(&args)?,
        _ => return None,
    };
    (!argv.is_empty()).then(|| argv.to_vec())
}

/// The first operand of `args` (skipping options and the values of those
/// in `valued`): the index just after it, and its text.
pub(crate) fn first_operand<'a>(args: &[&'a str], valued: &[&str]) -> Option<(usize, &'a str)> {
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if a == "--" {
            return args.get(k + 1).map(|w| (k + 2, *w));
        }
        if a.len() > 1 && (a.starts_with('-') || a.starts_with('+')) {
            k += if valued.contains(&a) { 2 } else { 1 };
            continue;
        }
        return Some((k + 1, a));
    }
    None
}

/// `compose [globals] exec [opts] SERVICE CMD…` (the words after `compose`).
fn compose_exec<'s, 'a>(args: &'s [&'a str]) -> Option<&'s [&'a str]> {
    let k = args.iter().position(|a| *a == "exec")?;
    after_target(&args[k + 1..], COMPOSE_EXEC_VALUED)
}

/// The words after the first operand (the container, service or host),
/// skipping options and the values of those in `valued`.
pub fn after_target<'s, 'a>(args: &'s [&'a str], valued: &[&str]) -> Option<&'s [&'a str]> {
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        if a == "--" {
            k += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        k += if valued.contains(&a) { 2 } else { 1 };
    }
    // args[k] is the target; what follows is the command.
    args.get(k + 1..)
}

/// `docker|podman|nerdctl run|create` options that take a value. One not
/// listed (and written apart from its value) makes its value read as the
/// image, and the image as the command.
pub const DOCKER_RUN_VALUED: &[&str] = &[
    "-a",
    "--attach",
    "--add-host",
    "--annotation",
    "--blkio-weight",
    "--cap-add",
    "--cap-drop",
    "--cgroup-parent",
    "--cgroupns",
    "--cidfile",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "-c",
    "--cpus",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--device",
    "--device-cgroup-rule",
    "--dns",
    "--dns-option",
    "--dns-search",
    "--domainname",
    "--entrypoint",
    "-e",
    "--env",
    "--env-file",
    "--expose",
    "--gpus",
    "--group-add",
    "--health-cmd",
    "--health-interval",
    "--health-retries",
    "--health-start-period",
    "--health-timeout",
    "-h",
    "--hostname",
    "--ip",
    "--ip6",
    "--ipc",
    "--isolation",
    "--kernel-memory",
    "-l",
    "--label",
    "--label-file",
    "--link",
    "--log-driver",
    "--log-opt",
    "--mac-address",
    "-m",
    "--memory",
    "--memory-reservation",
    "--memory-swap",
    "--mount",
    "--name",
    "--network",
    "--net",
    "--network-alias",
    "--pid",
    "--pids-limit",
    "--platform",
    "-p",
    "--publish",
    "--pull",
    "--restart",
    "--runtime",
    "--security-opt",
    "--shm-size",
    "--stop-signal",
    "--stop-timeout",
    "--storage-opt",
    "--sysctl",
    "--tmpfs",
    "--ulimit",
    "-u",
    "--user",
    "--userns",
    "--uts",
    "-v",
    "--volume",
    "--volume-driver",
    "--volumes-from",
    "-w",
    "--workdir",
];

/// What a container `run` or `create` asks for: its options (before the
/// image), the image, and the command the image is given (after it; empty
/// when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerRun<'a> {
    pub options: Vec<&'a str>,
    pub image: &'a str,
    pub command: Vec<&'a str>,
}

impl ContainerRun<'_> {
    /// Whether the container shares the host's `namespace` (`pid`,
    /// `network`, `ipc`, `uts`): `--pid=host`, `--pid host`, `--net=host`.
    pub fn shares_host(&self, namespace: &str) -> bool {
        let names: &[&str] = match namespace {
            "network" => &["--network", "--net"],
            "pid" => &["--pid"],
            "ipc" => &["--ipc"],
            "uts" => &["--uts"],
            _ => &[],
        };
        self.options.iter().enumerate().any(|(k, o)| {
            names.iter().any(|n| {
                o.strip_prefix(n).is_some_and(|rest| {
                    rest == "=host" || rest.is_empty() && self.options.get(k + 1) == Some(&"host")
                })
            })
        })
    }

    /// The command the image is given, written as a command line (each
    /// word requoted, its expansions kept): what the container's shell or
    /// entrypoint runs, to be read as a line of its own. Empty when none.
    pub fn command_text(&self) -> String {
        let words: Vec<String> = self.command.iter().map(|w| requote(w)).collect();
        words.join(" ")
    }

    /// [`Self::command_text`] parsed: the container's command with its
    /// shell strings, wrappers and pipes seen through
    /// (`docker run img sh -c 'timeout 9 claude -p x'` runs `claude`).
    pub fn command_line(&self) -> CommandLine {
        parse(&self.command_text())
    }
}

/// The options and command of `c` when it is `docker|podman|nerdctl
/// [globals] [container] run|create [opts] IMAGE [CMD…]`.
pub fn container_run(c: &Command) -> Option<ContainerRun<'_>> {
    if !matches!(c.program.as_str(), "docker" | "podman" | "nerdctl") {
        return None;
    }
    let texts: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let (mut k, mut verb) = first_operand(&texts, DOCKER_GLOBAL)?;
    if verb == "container" {
        let (j, v) = first_operand(&texts[k..], &[])?;
        (k, verb) = (k + j, v);
    }
    if !matches!(verb, "run" | "create") {
        return None;
    }
    let rest = &texts[k..];
    let (image_end, image) = first_operand(rest, DOCKER_RUN_VALUED)?;
    Some(ContainerRun {
        options: rest[..image_end - 1].to_vec(),
        image,
        command: rest[image_end..].to_vec(),
    })
}

/// A host path a container is given: a bind mount of `docker|podman|nerdctl
/// run|create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindMount {
    /// The option that asks for it (`-v`, `--volume`, `--mount`).
    pub option: String,
    /// The host path, as a word of its own (its `~` and variables kept).
    pub source: Word,
    /// Not made read-only (`:ro`, `readonly`).
    pub writable: bool,
    /// Where the container sees it (`DST` of `-v SRC:DST`, `target=`/`dst=`
    /// of `--mount`), when the spec says.
    pub target: Option<String>,
    /// The index in the command's arguments ([`Command::args`]) of the word
    /// that holds the spec (`~/.ssh:/s` after `-v`, or `-v~/.ssh:/s`).
    pub word: usize,
}

/// The bind mounts `c` asks for when it is a container CLI's `run` or
/// `create` (also `container run`, `compose run`): `-v SRC:DST[:opts]` (`--volume`), `--mount
/// type=bind,source=SRC[,readonly]`. A named volume (`data:/var/lib`) is not
/// a host path and not listed.
pub fn bind_mounts(c: &Command) -> Vec<BindMount> {
    if !matches!(
        c.program.as_str(),
        "docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose"
    ) {
        return Vec::new();
    }
    let args = c.args();
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    // `run`, `create`, `container run`, `compose run`.
    let runs = first_operand(&texts, DOCKER_GLOBAL)
        .is_some_and(|(_, sub)| matches!(sub, "run" | "create"))
        || texts
            .windows(2)
            .any(|w| matches!(w[0], "container" | "compose") && matches!(w[1], "run" | "create"));
    if !runs {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, a) in texts.iter().enumerate() {
        let (option, word, from) = match *a {
            "-v" | "--volume" | "--mount" => match args.get(k + 1) {
                Some(_) => (*a, k + 1, 0),
                None => continue,
            },
            _ => match ["--volume=", "--mount=", "-v"]
                .iter()
                .find(|p| a.starts_with(*p) && a.len() > p.len())
            {
                Some(p) => (p.trim_end_matches('='), k, p.len()),
                None => continue,
            },
        };
        let spec = &args[word].text[from..];
        if let Some((start, len, writable)) = bind_source(spec) {
            let at = from + start;
            out.push(BindMount {
                option: option.to_string(),
                source: args[word].head(at + len).tail(at),
                writable,
                target: bind_target(spec),
                word,
            });
        }
    }
    out
}

/// Where in a mount spec the host path is (byte offset and length) and
/// whether the mount is writable: `SRC:DST[:opts]` (`-v`) or
/// `type=bind,source=SRC,…` (`--mount`).
fn bind_source(spec: &str) -> Option<(usize, usize, bool)> {
    if spec.contains("source=") || spec.contains("src=") || spec.contains("type=") {
        let mut source = None;
        let mut writable = true;
        let mut at = 0;
        for field in spec.split(',') {
            match field.split_once('=') {
                Some((key @ ("source" | "src"), v)) => source = Some((at + key.len() + 1, v.len())),
                Some(("readonly" | "ro", v)) => writable = v == "false" || v == "0",
                None if matches!(field, "readonly" | "ro") => writable = false,
                _ => {}
            }
            at += field.len() + 1;
        }
        return source.map(|(s, l)| (s, l, writable));
    }
    let mut parts = spec.split(':');
    let source = parts.next()?;
    let _target = parts.next()?;
    let writable = !parts
        .next()
        .is_some_and(|o| o.split(',').any(|o| o == "ro"));
    // A named volume (`data:/var/lib`) is not a host path.
    let host = source.starts_with(['/', '.', '~', '$']);
    host.then_some((0, source.len(), writable))
}

/// Where a mount spec puts the host path in the container: `DST` of
/// `SRC:DST[:opts]`, `target=`/`destination=`/`dst=` of `--mount`.
fn bind_target(spec: &str) -> Option<String> {
    if spec.contains('=') {
        return spec
            .split(',')
            .find_map(|field| match field.split_once('=') {
                Some(("target" | "destination" | "dst", v)) => Some(v.to_string()),
                _ => None,
            });
    }
    spec.split(':').nth(1).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::{bind_mounts, container_run, run_inside};
    use crate::shell::parse;

    #[test]
    fn bind_mounts_of_run_and_create() {
        let mounts = |line: &str| -> Vec<(String, String, bool)> {
            let parsed = parse(line);
            bind_mounts(&parsed.commands[0])
                .into_iter()
                .map(|m| (m.option, m.source.text, m.writable))
                .collect()
        };
        let one = |o: &str, s: &str, w: bool| vec![(o.to_string(), s.to_string(), w)];
        assert_eq!(
            mounts("docker run -v ~/.aws:/a alpine"),
            one("-v", "~/.aws", true)
        );
        assert_eq!(
            mounts("podman create --volume=$PWD:/src:ro img"),
            one("--volume", "$PWD", false)
        );
        assert_eq!(
            mounts("docker run --mount type=bind,source=/etc,target=/e,readonly img"),
            one("--mount", "/etc", false)
        );
        assert_eq!(
            mounts("docker -H tcp://h:1 container run -v/srv:/srv img"),
            one("-v", "/srv", true)
        );
        assert_eq!(
            mounts("docker compose run -v ~/.claude:/c svc sh"),
            one("-v", "~/.claude", true)
        );
        assert!(mounts("docker run -v data:/var/lib/x img").is_empty());
        let targets = |line: &str| -> Vec<Option<String>> {
            bind_mounts(&parse(line).commands[0])
                .into_iter()
                .map(|m| m.target)
                .collect()
        };
        assert_eq!(
            targets("docker run -v ~/.aws:/a:ro --mount type=bind,src=/etc,dst=/e img"),
            [Some("/a".to_string()), Some("/e".to_string())]
        );
        assert!(mounts("docker exec -v x:/y c ls").is_empty());
        // The source keeps its expansions: `~` is still the home.
        let parsed = parse("docker run -v ~/.ssh:/k img");
        assert!(bind_mounts(&parsed.commands[0])[0].source.is_dynamic());
        // Each mount knows the argument its spec is in.
        let words = |line: &str| -> Vec<usize> {
            bind_mounts(&parse(line).commands[0])
                .into_iter()
                .map(|m| m.word)
                .collect()
        };
        assert_eq!(
            words("docker run --rm -v ~/.aws:/a -v/etc:/e --mount=type=bind,src=/x,dst=/y img"),
            [3, 4, 5]
        );
    }

    #[test]
    fn the_command_a_run_gives_its_container() {
        let parsed =
            parse(r#"docker run --rm -v "$PWD:/w" img sh -c 'cd /w && timeout 9 claude -p "$X"'"#);
        let run = container_run(&parsed.commands[0]).unwrap();
        assert_eq!(run.image, "img");
        assert_eq!(
            run.command_text(),
            r#"sh -c 'cd /w && timeout 9 claude -p "$X"'"#
        );
        let programs: Vec<String> = run
            .command_line()
            .commands
            .into_iter()
            .map(|c| c.program)
            .collect();
        assert!(programs.iter().any(|p| p == "claude"), "{programs:?}");
        // An expansion stays one: `$HOME` is the container's home.
        let parsed = parse("docker run img ls $HOME/x");
        let run = container_run(&parsed.commands[0]).unwrap();
        assert_eq!(run.command_text(), r#"ls "$HOME/x""#);
        let parsed = parse("docker run img");
        assert!(
            container_run(&parsed.commands[0])
                .unwrap()
                .command_line()
                .commands
                .is_empty()
        );
    }

    fn inside(line: &str) -> Option<Vec<String>> {
        let parsed = parse(line);
        run_inside(&parsed.commands[0]).map(|v| v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn the_command_after_the_container() {
        assert_eq!(
            inside("kubectl -n prod exec -it deploy/api -c app -- rm -rf /data").unwrap(),
            ["rm", "-rf", "/data"]
        );
        assert_eq!(
            inside("docker -H tcp://h:2375 exec -u root -e A=1 -it db env").unwrap(),
            ["env"]
        );
        assert_eq!(
            inside("docker compose exec -T web sh -c 'rm -rf /srv'").unwrap(),
            ["sh", "-c", "rm -rf /srv"]
        );
        assert_eq!(
            inside("podman-compose exec db printenv").unwrap(),
            ["printenv"]
        );
        for line in [
            "kubectl get pods -- x",
            "kubectl exec -it pod",
            "docker run --rm alpine env",
            "docker exec -it db",
        ] {
            assert_eq!(inside(line), None, "{line}");
        }
    }
}

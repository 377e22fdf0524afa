//! The command a container CLI runs inside a container or pod: `kubectl
//! [globals] exec [opts] POD -- CMD…` (and `oc`), `docker|podman|nerdctl
//! [globals] exec [opts] CTR CMD…`, and `docker compose` (`docker-compose`,
//! `podman-compose`) `exec [opts] SVC CMD…`. The argv it returns runs there
//! without a shell of this line: shell-guard checks it as a command typed
//! here, the credential printers read `env` run there as the container's
//! environment printed.

use super::model::Command;

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

#[cfg(test)]
mod tests {
    use super::run_inside;
    use crate::shell::parse;

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

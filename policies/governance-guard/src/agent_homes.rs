//! Agents started where the user's configuration does not reach them: as
//! another user (`sudo -u bob claude`, `su bob -c 'codex exec …'`,
//! `runuser -u bob -- gemini`), whose home holds another user's settings or
//! none; with the environment emptied or the home unset (`env -i claude`,
//! `env -u HOME claude`), so that it finds no home to load settings from;
//! and inside a container (`docker run -v $PWD:/w node npx
//! @anthropic-ai/claude-code …`), where neither the user's settings nor
//! the hook program exist. Each would run without the hooks that send its
//! actions to the gate.

use clawlaw_sdk::shell::containers::container_run;
use clawlaw_sdk::shell::{Command, CommandLine, Origin, Wrapper};

/// Wrappers that run a command as another user, and whether the user is
/// their first operand (`gosu bob cmd`) rather than an option's value
/// (`sudo -u bob cmd`); without one, the user is root.
const USER_SWITCHES: &[(&str, bool)] = &[
    ("sudo", false),
    ("doas", false),
    ("pkexec", false),
    ("run0", false),
    ("runuser", false),
    ("gosu", true),
    ("su-exec", true),
    ("setuidgid", true),
];

/// The user a command runs as when one of its wrappers, or a command whose
/// shell string it is part of (`su bob -c '…'`), switches to another user
/// than the owner of `home`: the user's name (`root` when none is given).
pub fn other_user(line: &CommandLine, index: usize, home: Option<&str>) -> Option<String> {
    let me = home.and_then(|h| h.trim_end_matches('/').rsplit('/').next());
    let mut at = Some(index);
    let mut first = true;
    while let Some(i) = at {
        let c = line.commands.get(i)?;
        // A shell string run by `su bob -c`: its commands run as bob.
        let user = c.wrappers.iter().find_map(wrapper_user).or_else(|| {
            let words: Vec<&str> = c.args().iter().map(|a| a.text.as_str()).collect();
            (!first).then(|| su_user(&c.program, &words)).flatten()
        });
        if let Some(user) = user {
            return (Some(user.as_str()) != me).then_some(user);
        }
        first = false;
        at = if c.origin == Origin::ShellString {
            c.parent
        } else {
            None
        };
    }
    None
}

/// The user a wrapper runs its command as, if it switches user: its `-u
/// USER`/`--user USER`, its first operand for those that take the user so
/// (`gosu bob cmd`), otherwise `root`.
fn wrapper_user(w: &Wrapper) -> Option<String> {
    let (_, by_operand) = USER_SWITCHES.iter().find(|(p, _)| *p == w.program)?;
    let named = w.option_values(&["-u", "--user"]).next();
    let operand = w.operands.first().filter(|_| *by_operand);
    Some(
        named
            .or(operand)
            .map_or("root".to_string(), |u| u.text.clone()),
    )
}

/// The user `su` (or `runuser` in its `su` form) runs its `-c` string as,
/// given its own words: the first operand (`su bob -c CMD`, `su - bob`,
/// `su -s /bin/sh bob`), or `root`.
fn su_user(program: &str, words: &[&str]) -> Option<String> {
    if !matches!(program, "su" | "runuser") {
        return None;
    }
    let mut k = 0;
    while k < words.len() {
        match words[k] {
            "-c" | "--command" | "-s" | "--shell" | "-g" | "--group" | "-G" => k += 2,
            w if w.starts_with('-') => k += 1,
            w => return Some(w.to_string()),
        }
    }
    Some("root".to_string())
}

/// How `c`'s `env` wrapper leaves the agent without a home to load its
/// settings from: the environment emptied (`env -i`, `env -`) with no
/// `HOME` given back, or `HOME` unset (`env -u HOME`).
pub fn home_unset(c: &Command) -> Option<String> {
    let home_given = c.assignments.iter().any(|a| a.name == "HOME");
    for w in c.wrappers.iter().filter(|w| w.program == "env") {
        if w.has_option(&["-i", "-", "--ignore-environment"]) && !home_given {
            return Some("env -i".to_string());
        }
        if w.option_values(&["-u", "--unset"])
            .any(|v| v.text == "HOME")
        {
            return Some("env -u HOME".to_string());
        }
    }
    None
}

/// The agent a container started by `c` runs (`docker run IMAGE claude
/// …`, `… npx @anthropic-ai/claude-code`, `… sh -c 'codex exec …'`), as
/// `is_agent` names it: the container's command is read as a command line,
/// so its wrappers, package runners and shell strings are seen through.
pub fn in_container(c: &Command, is_agent: &dyn Fn(&str) -> bool) -> Option<String> {
    container_run(c)?
        .command_line()
        .commands
        .iter()
        .find(|c| is_agent(&c.program))
        .map(|c| c.program.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_of(cmd: &str) -> Option<String> {
        let line = clawlaw_sdk::shell::parse(cmd);
        let i = line
            .commands
            .iter()
            .position(|c| c.program == "claude")
            .unwrap();
        other_user(&line, i, Some("/home/dev"))
    }

    #[test]
    fn users_switched_to() {
        for (cmd, user) in [
            ("sudo -u bob claude -p x", "bob"),
            ("sudo claude -p x", "root"),
            ("sudo --user=bob claude", "bob"),
            ("sudo -ubob claude", "bob"),
            ("sudo -E --user bob claude", "bob"),
            ("su - bob -c 'claude -p x'", "bob"),
            ("doas -u bob claude", "bob"),
            ("runuser -u bob -- claude -p x", "bob"),
            ("su bob -c 'claude -p x'", "bob"),
            ("su -c 'claude -p x'", "root"),
            ("gosu bob claude", "bob"),
            ("sudo -u bob bash -c 'cd /w && claude -p x'", "bob"),
        ] {
            assert_eq!(user_of(cmd).as_deref(), Some(user), "{cmd}");
        }
        for cmd in [
            "claude -p x",
            "sudo -u dev claude -p x",
            "bash -c 'claude -p x'",
            "nohup claude -p x",
        ] {
            assert_eq!(user_of(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn homes_unset() {
        let of = |cmd: &str| home_unset(&clawlaw_sdk::shell::parse(cmd).commands[0]);
        for cmd in [
            "env -i claude -p x",
            "env - claude",
            "env --ignore-environment PATH=/usr/bin claude",
            "env -u HOME claude",
            "env --unset=HOME claude",
            "env -vi claude",
        ] {
            assert!(of(cmd).is_some(), "{cmd}");
        }
        for cmd in [
            "env -i HOME=/home/dev PATH=/usr/bin claude",
            "env -u OPENAI_API_KEY claude",
            "env -uCI_JOB_TOKEN claude",
            "env FOO=1 claude",
            "claude -p x",
        ] {
            assert_eq!(of(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn agents_in_containers() {
        let agent = |p: &str| matches!(p, "claude" | "codex" | "claude-code");
        let of = |cmd: &str| in_container(&clawlaw_sdk::shell::parse(cmd).commands[0], &agent);
        for cmd in [
            "docker run --rm -v $PWD:/w -w /w node:22 npx -y @anthropic-ai/claude-code -p x",
            "docker run -it img claude -p x",
            "podman run img /usr/local/bin/codex exec x",
            "docker run img sh -c 'npm i -g x && claude -p x'",
            "docker run img npm exec -- claude -p x",
            "docker run img timeout 600 claude -p x",
            "docker run img bash -lc 'cd /w; exec codex exec x'",
        ] {
            assert!(of(cmd).is_some(), "{cmd}");
        }
        for cmd in [
            "docker run --rm node:22 npm test",
            "docker run img grep claude notes.txt",
            "docker ps",
            "docker exec ctr claude -p x",
        ] {
            assert_eq!(of(cmd), None, "{cmd}");
        }
    }
}

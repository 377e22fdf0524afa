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
use clawlaw_sdk::shell::{Command, CommandLine, Origin};

/// Wrappers and programs that run a command as another user, and whether
/// the user is their first operand (`gosu bob cmd`) rather than an option's
/// value (`sudo -u bob cmd`); without one, the user is root.
const USER_SWITCHES: &[(&str, bool)] = &[
    ("sudo", false),
    ("doas", false),
    ("pkexec", false),
    ("run0", false),
    ("runuser", false),
    ("su", true),
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
        for w in &c.wrappers {
            let words: Vec<&str> = w.args.iter().map(|a| a.text.as_str()).collect();
            if let Some(user) = switched_to(&w.program, &words) {
                return (Some(user.as_str()) != me).then_some(user);
            }
        }
        // A shell string run by `su bob -c`: its commands run as bob.
        if !first {
            let words: Vec<&str> = c.args().iter().map(|a| a.text.as_str()).collect();
            if let Some(user) = switched_to(&c.program, &words) {
                return (Some(user.as_str()) != me).then_some(user);
            }
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

/// The user `program` switches to, given its own words: `-u USER`,
/// `--user=USER`, `--user USER`, or its first operand for those that take
/// the user so; `root` when it names none.
fn switched_to(program: &str, words: &[&str]) -> Option<String> {
    let (_, by_operand) = USER_SWITCHES.iter().find(|(p, _)| *p == program)?;
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        if let Some(user) = w.strip_prefix("--user=") {
            return Some(user.to_string());
        }
        if matches!(w, "-u" | "--user") {
            return words.get(k + 1).map(|u| u.to_string());
        }
        // `su -c CMD bob`, `su -s /bin/sh bob`: options with values.
        if matches!(
            w,
            "-c" | "--command" | "-s" | "--shell" | "-g" | "--group" | "-G"
        ) {
            k += 2;
            continue;
        }
        // `su - bob`, `su -l bob`: a login shell for the user that follows.
        if *by_operand && !w.starts_with('-') {
            return Some(w.to_string());
        }
        k += 1;
    }
    Some("root".to_string())
}

/// How `c`'s `env` wrapper leaves the agent without a home to load its
/// settings from: the environment emptied (`env -i`, `env -`) with no
/// `HOME` given back, or `HOME` unset (`env -u HOME`).
pub fn home_unset(c: &Command) -> Option<String> {
    let home_given = c.assignments.iter().any(|a| a.name == "HOME");
    for w in c.wrappers.iter().filter(|w| w.program == "env") {
        let words: Vec<&str> = w.args.iter().map(|a| a.text.as_str()).collect();
        for (k, a) in words.iter().enumerate() {
            // `-i`, or `-i` among short options (`-vi`) before one that
            // takes a value (`-uNAME`, `-CDIR`, `-SSTRING`).
            let emptied = matches!(*a, "-" | "--ignore-environment")
                || a.strip_prefix('-').is_some_and(|flags| {
                    !flags.starts_with('-')
                        && flags
                            .chars()
                            .take_while(|c| !matches!(c, 'u' | 'C' | 'S'))
                            .any(|c| c == 'i')
                });
            let unset = matches!(*a, "-uHOME" | "--unset=HOME")
                || matches!(*a, "-u" | "--unset") && words.get(k + 1) == Some(&"HOME");
            if emptied && !home_given {
                return Some(format!("env {a}"));
            }
            if unset {
                return Some("env -u HOME".to_string());
            }
        }
    }
    None
}

/// The agent a container started by `c` runs (`docker run IMAGE claude
/// …`, `… npx @anthropic-ai/claude-code`, `… sh -c 'codex exec …'`), as
/// `is_agent` names it.
pub fn in_container(c: &Command, is_agent: &dyn Fn(&str) -> bool) -> Option<String> {
    let run = container_run(c)?;
    let mut words = run.command.iter().copied();
    let first = words.next()?;
    let runs = |w: &str| is_agent(w) || is_agent(w.rsplit('/').next().unwrap_or(w));
    if runs(first) {
        return Some(first.to_string());
    }
    let rest: Vec<&str> = words.collect();
    // A package runner (`npx -y @openai/codex`, `npm exec -- claude`,
    // `pipx run aider-chat`): its first operand is the program.
    let after_runner = match (first, rest.first().copied()) {
        ("npx" | "bunx" | "pnpx" | "uvx", _) => Some(&rest[..]),
        ("npm" | "pnpm" | "yarn" | "bun" | "pipx", Some("exec" | "dlx" | "run" | "x")) => {
            Some(&rest[1..])
        }
        _ => None,
    };
    if let Some(words) = after_runner
        && let Some(program) = words.iter().find(|w| !w.starts_with('-'))
        && runs(program)
    {
        return Some(program.to_string());
    }
    // A shell given a command line (`sh -c 'claude -p …'`).
    if matches!(first, "sh" | "bash" | "zsh" | "dash" | "ash")
        && let Some(k) = rest.iter().position(|w| *w == "-c" || *w == "-lc")
        && let Some(script) = rest.get(k + 1)
    {
        let inner = clawlaw_sdk::shell::parse(script);
        return inner
            .commands
            .iter()
            .find(|c| runs(&c.program))
            .map(|c| c.program.clone());
    }
    None
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

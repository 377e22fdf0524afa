//! A `tools/call` as the actions it amounts to.
//!
//! Every call is at least a `tool.call` named `mcp__<server>__<tool>` (the
//! hook adapters' name for MCP tools), its input `{"server", "tool",
//! "arguments"}`. Calls whose tool and arguments have the shape of the
//! reference servers' tools are mapped to what they do instead, so the
//! bundled policies judge them as they judge an agent's own file, shell
//! and web tools. The shape decides, not the server's name: a server
//! cannot dodge the file policies by calling itself something else.
//! Where a hook tool does the same thing, its mapping
//! ([`clawlaw_hooks::tools::map`]) is reused on the arguments renamed.
//!
//! | tools (reference server) | actions |
//! |---|---|
//! | `read_file`, `read_text_file`, `read_media_file`, `get_file_info` (filesystem) | `file.read` of `path` |
//! | `read_multiple_files` | one `file.read` per entry of `paths` |
//! | `list_directory`, `list_directory_with_sizes`, `directory_tree`, `search_files` | `file.read` of `path` |
//! | `write_file` | `file.write` of `path` with `content` |
//! | `edit_file` | `file.write` of `path`, content every `edits[].newText` |
//! | `create_directory` | `file.write` of `path` |
//! | `move_file` | `file.delete` of `source`, then `file.write` of `destination` |
//! | `git_*` with `repo_path` (git) | `shell.exec` of the `git` command it runs |
//! | `fetch` and `*fetch*` tools with a `url` (fetch) | `net.request` of `url` |
//! | shell-like tools (`*shell*`, `*command*`, `*exec*`, `bash`, `terminal`) with a `command` | `shell.exec` of `command` (and `args`) |
//! | anything else | `tool.call` |
//!
//! A call with several effects is several actions, judged in order; the
//! call runs only if every one is allowed.

use clawlaw_hooks::tools::{Mapped, map};
use clawlaw_sdk::shell::quote;
use clawlaw_sdk::{ActionRequest, kinds};
use serde_json::{Value, json};

/// The largest number of actions one call is split into; past it the call
/// is one `tool.call` (still judged, with every argument in its input).
pub const MAX_EFFECTS: usize = 64;

/// The tool name an MCP tool has in actions (and in hook adapters).
pub fn tool_name(server: &str, tool: &str) -> String {
    format!("mcp__{server}__{tool}")
}

/// The actions one `tools/call` amounts to, ids `<call_id>`, then
/// `<call_id>.2`, `<call_id>.3`…
pub fn actions(
    server: &str,
    tool: &str,
    arguments: &Value,
    call_id: &str,
    cwd: Option<&str>,
) -> Vec<ActionRequest> {
    let input = json!({"server": server, "tool": tool, "arguments": arguments});
    let mut effects = effects(tool, arguments);
    if effects.is_empty() || effects.len() > MAX_EFFECTS {
        effects = vec![Mapped {
            kind: kinds::TOOL_CALL,
            ..Mapped::default()
        }];
    }
    effects
        .into_iter()
        .enumerate()
        .map(|(i, m)| ActionRequest {
            id: Some(if i == 0 {
                call_id.to_string()
            } else {
                format!("{call_id}.{}", i + 1)
            }),
            kind: m.kind.to_string(),
            tool: Some(tool_name(server, tool)),
            target: m.target,
            command: m.command,
            content: m.content,
            input: Some(input.clone()),
            cwd: cwd.map(str::to_string),
        })
        .collect()
}

/// What a call does, when its shape is a known one; empty otherwise.
fn effects(tool: &str, args: &Value) -> Vec<Mapped> {
    let s = |name: &str| args.get(name).and_then(Value::as_str).map(str::to_string);
    let hook = |hook_tool: &str, input: Value| map(hook_tool, &input).ok().into_iter().collect();
    let file = |kind, target: String, content: Option<String>| Mapped {
        kind,
        target: Some(target),
        content,
        ..Mapped::default()
    };
    let lower = tool.to_ascii_lowercase();
    match (lower.as_str(), s("path")) {
        ("read_file" | "read_text_file" | "read_media_file" | "get_file_info", Some(path)) => {
            return hook("Read", json!({ "file_path": path }));
        }
        (
            "list_directory" | "list_directory_with_sizes" | "directory_tree" | "search_files",
            Some(path),
        ) => return hook("LS", json!({ "path": path })),
        ("write_file", Some(path)) => {
            return hook(
                "Write",
                json!({"file_path": path, "content": s("content").unwrap_or_default()}),
            );
        }
        ("edit_file", Some(path)) => {
            let new: Vec<String> = args
                .get("edits")
                .and_then(Value::as_array)
                .map(|edits| {
                    edits
                        .iter()
                        .filter_map(|e| e.get("newText").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            return vec![file(kinds::FILE_WRITE, path, Some(new.join("\n")))];
        }
        ("create_directory", Some(path)) => return vec![file(kinds::FILE_WRITE, path, None)],
        _ => {}
    }
    if lower == "read_multiple_files"
        && let Some(paths) = args.get("paths").and_then(Value::as_array)
    {
        return paths
            .iter()
            .filter_map(Value::as_str)
            .flat_map(|p| hook("Read", json!({ "file_path": p })))
            .collect();
    }
    if lower == "move_file"
        && let (Some(from), Some(to)) = (s("source"), s("destination"))
    {
        return vec![
            file(kinds::FILE_DELETE, from, None),
            file(kinds::FILE_WRITE, to, None),
        ];
    }
    if let Some(sub) = lower.strip_prefix("git_")
        && let Some(repo) = s("repo_path")
    {
        return hook("Bash", json!({ "command": git_command(sub, &repo, args) }));
    }
    if lower.contains("fetch")
        && let Some(url) = s("url")
    {
        return hook("WebFetch", json!({ "url": url }));
    }
    if is_shell_like(&lower)
        && let Some(command) = shell_command(args)
    {
        return hook("Bash", json!({ "command": command }));
    }
    Vec::new()
}

fn is_shell_like(tool: &str) -> bool {
    ["shell", "command", "exec", "bash", "terminal"]
        .iter()
        .any(|w| tool.contains(w))
}

/// A shell-like tool's command as the hook `Bash` tool takes it: a
/// string, or an argv list (with the words of `args` appended), which the
/// hook mapping turns into a command line (`["bash", "-c", s]` is `s`).
fn shell_command(args: &Value) -> Option<Value> {
    let words = |v: &Value| -> Option<Vec<Value>> {
        v.as_array()?
            .iter()
            .map(|w| w.as_str().map(|s| Value::String(s.to_string())))
            .collect()
    };
    let extra = match args.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(a) => words(a)?,
    };
    match args.get("command")? {
        Value::String(c) if extra.is_empty() => Some(Value::String(c.clone())),
        Value::String(c) => {
            let mut line = c.clone();
            for w in &extra {
                line.push(' ');
                line.push_str(&quote(w.as_str().unwrap_or_default()));
            }
            Some(Value::String(line))
        }
        list @ Value::Array(_) => {
            let mut argv = words(list)?;
            argv.extend(extra);
            Some(Value::Array(argv))
        }
        _ => None,
    }
}

/// The `git` command line a reference git server tool runs: the
/// subcommand from its name, its string and list arguments as options.
fn git_command(sub: &str, repo: &str, args: &Value) -> String {
    let mut words = vec!["git".to_string(), "-C".into(), quote(repo)];
    match sub {
        "init" => return format!("git init {}", quote(repo)),
        "status" => words.push("status".into()),
        "diff_unstaged" => words.push("diff".into()),
        "diff_staged" => words.extend(["diff".into(), "--cached".into()]),
        _ => words.push(sub.replace('_', "-")),
    }
    let Some(obj) = args.as_object() else {
        return words.join(" ");
    };
    for (k, v) in obj.iter().filter(|(k, _)| k.as_str() != "repo_path") {
        match (k.as_str(), v) {
            ("message", Value::String(m)) => words.extend(["-m".into(), quote(m)]),
            ("files", Value::Array(files)) => {
                words.push("--".into());
                words.extend(files.iter().filter_map(Value::as_str).map(quote));
            }
            (_, Value::String(s)) => words.push(quote(s)),
            (_, Value::Number(n)) => words.push(format!("--{}={n}", k.replace('_', "-"))),
            _ => {}
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(tool: &str, args: Value) -> ActionRequest {
        let mut a = actions("srv", tool, &args, "c1", Some("/w"));
        assert_eq!(a.len(), 1, "{a:?}");
        a.remove(0)
    }

    #[test]
    fn filesystem_tools_are_file_actions() {
        let r = one("read_text_file", json!({"path": "/w/a.txt", "head": 3}));
        assert_eq!(
            (r.kind.as_str(), r.target.as_deref()),
            ("file.read", Some("/w/a.txt"))
        );
        assert_eq!(r.tool.as_deref(), Some("mcp__srv__read_text_file"));
        assert_eq!(r.input.as_ref().unwrap()["arguments"]["head"], 3);
        let w = one("write_file", json!({"path": "/w/b", "content": "hi"}));
        assert_eq!(
            (w.kind.as_str(), w.content.as_deref()),
            ("file.write", Some("hi"))
        );
        let e = one(
            "edit_file",
            json!({"path": "/w/b", "edits": [{"oldText": "a", "newText": "b"}, {"oldText": "c", "newText": "d"}]}),
        );
        assert_eq!(
            (e.kind.as_str(), e.content.as_deref()),
            ("file.write", Some("b\nd"))
        );
        assert_eq!(
            one("list_directory", json!({"path": "/w"})).kind,
            "file.read"
        );
        assert_eq!(
            one("create_directory", json!({"path": "/w/d"})).kind,
            "file.write"
        );
    }

    #[test]
    fn calls_with_several_effects_are_several_actions() {
        let m = actions(
            "fs",
            "move_file",
            &json!({"source": "/w/a", "destination": "/w/b"}),
            "c",
            None,
        );
        let got: Vec<_> = m
            .iter()
            .map(|a| {
                (
                    a.id.as_deref().unwrap(),
                    a.kind.as_str(),
                    a.target.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![("c", "file.delete", "/w/a"), ("c.2", "file.write", "/w/b")]
        );
        let r = actions(
            "fs",
            "read_multiple_files",
            &json!({"paths": ["/a", "/b", "/c"]}),
            "c",
            None,
        );
        assert_eq!(
            r.iter()
                .map(|a| a.target.clone().unwrap())
                .collect::<Vec<_>>(),
            ["/a", "/b", "/c"]
        );
    }

    #[test]
    fn git_fetch_and_shell_tools_are_what_they_run() {
        let c = one(
            "git_commit",
            json!({"repo_path": "/w/r", "message": "it's done"}),
        );
        assert_eq!(c.kind, "shell.exec");
        assert_eq!(
            c.command.as_deref(),
            Some(r"git -C /w/r commit -m 'it'\''s done'")
        );
        let a = one(
            "git_add",
            json!({"repo_path": "/w/r", "files": ["a b", "c"]}),
        );
        assert_eq!(a.command.as_deref(), Some("git -C /w/r add -- 'a b' c"));
        let f = one(
            "fetch",
            json!({"url": "https://example.com/x", "max_length": 5}),
        );
        assert_eq!(
            (f.kind.as_str(), f.target.as_deref()),
            ("net.request", Some("https://example.com/x"))
        );
        let s = one(
            "execute_command",
            json!({"command": "rm", "args": ["-rf", "/"]}),
        );
        assert_eq!(
            (s.kind.as_str(), s.command.as_deref()),
            ("shell.exec", Some("rm -rf /"))
        );
        let s = one(
            "run_shell",
            json!({"command": ["bash", "-lc", "curl x | sh"]}),
        );
        assert_eq!(s.command.as_deref(), Some("curl x | sh"));
    }

    #[test]
    fn other_tools_and_odd_shapes_are_tool_calls() {
        assert_eq!(one("create_issue", json!({"title": "x"})).kind, "tool.call");
        // A known name with the wrong argument shape is still judged, as a tool call.
        assert_eq!(one("write_file", json!({"path": 3})).kind, "tool.call");
        assert_eq!(
            one("execute_command", json!({"command": 3})).kind,
            "tool.call"
        );
        let many: Vec<String> = (0..100).map(|i| format!("/f{i}")).collect();
        let big = actions(
            "fs",
            "read_multiple_files",
            &json!({ "paths": many }),
            "c",
            None,
        );
        assert_eq!(big.len(), 1);
        assert_eq!(big[0].kind, "tool.call");
    }
}

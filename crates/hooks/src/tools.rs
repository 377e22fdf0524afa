//! Tool calls to actions: which action kind each agent tool is, and which
//! of its input fields are the target, command and content policies read.
//! The tool's full input always travels along as `input`.
//!
//! | tools | kind | target | command / content |
//! |---|---|---|---|
//! | `Bash` (Claude Code, Codex), `run_shell_command` (Gemini) | `shell.exec` (its `cwd` the input's `workdir` or `directory` when it names one) | — | `command` |
//! | `Write`, `write_file` | `file.write` | `file_path` | `content` |
//! | `Edit`, `replace` | `file.write` | `file_path` | `new_string` |
//! | `MultiEdit` | `file.write` | `file_path` | every `edits[].new_string`, one per line |
//! | `NotebookEdit` | `file.write` | `notebook_path` | `new_source` |
//! | `apply_patch` (Codex) | `file.write` | the first file the patch names outside the working directory, else its first (every other file it changes is an implied write or delete of its own: `clawlaw_sdk::implied`) | the patch |
//! | `Read`, `read_file` | `file.read` | `file_path` (`absolute_path`) | — |
//! | `Glob`, `Grep`, `LS`, `glob`, `search_file_content`, `grep_search`, `list_directory`, `read_many_files` | `file.read` | `path` (`dir_path`, first of `paths`: the others are implied reads of their own), else `pattern` | — |
//! | `WebFetch` | `net.request` | `url` | — |
//! | `web_fetch` (Gemini) | `net.request` | first URL in `prompt` | — |
//! | `WebSearch`, `google_web_search` | `net.request` | — | content: `query` |
//! | `mcp__<server>__<tool>` | `tool.call` | — | — |
//! | anything else | `tool.call` | — | — |
//!
//! Unknown tools are never dropped and never allowed by default: they are a
//! `tool.call` with the raw input, for the policies to judge. A known tool
//! whose key field is missing or of the wrong type is a [`HookError`] (the
//! adapters deny it): its input is not what the tool takes.

use clawlaw_sdk::shell::quote;
use clawlaw_sdk::{ActionRequest, kinds};
use serde_json::Value;

use super::HookError;

/// The action fields a tool call fills.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    pub kind: &'static str,
    pub target: Option<String>,
    pub command: Option<String>,
    pub content: Option<String>,
}

/// Maps one tool call to its action fields.
pub fn map(tool: &str, input: &Value) -> Result<Mapped, HookError> {
    let m = |kind| Mapped {
        kind,
        ..Mapped::default()
    };
    Ok(match tool {
        "Bash" | "run_shell_command" => Mapped {
            command: Some(shell_command(input)?),
            ..m(kinds::SHELL_EXEC)
        },
        "Write" | "write_file" => Mapped {
            target: Some(field(input, "file_path")?),
            content: Some(field(input, "content")?),
            ..m(kinds::FILE_WRITE)
        },
        "Edit" | "replace" => Mapped {
            target: Some(field(input, "file_path")?),
            content: Some(field(input, "new_string")?),
            ..m(kinds::FILE_WRITE)
        },
        "MultiEdit" => {
            let edits = input
                .get("edits")
                .and_then(Value::as_array)
                .ok_or_else(|| HookError::field("tool_input.edits", "expected a list of edits"))?;
            let mut content = Vec::with_capacity(edits.len());
            for e in edits {
                content.push(field(e, "new_string").map_err(|_| {
                    HookError::field("tool_input.edits[].new_string", "expected a string")
                })?);
            }
            Mapped {
                target: Some(field(input, "file_path")?),
                content: Some(content.join("\n")),
                ..m(kinds::FILE_WRITE)
            }
        }
        "NotebookEdit" => Mapped {
            target: Some(field(input, "notebook_path")?),
            content: optional(input, "new_source")?,
            ..m(kinds::FILE_WRITE)
        },
        "apply_patch" => {
            let patch = first_field(input, &["command", "input"])?;
            Mapped {
                target: patch_target(&patch),
                content: Some(patch),
                ..m(kinds::FILE_WRITE)
            }
        }
        "Read" | "read_file" => Mapped {
            target: Some(first_field(input, &["file_path", "absolute_path"])?),
            ..m(kinds::FILE_READ)
        },
        "Glob"
        | "Grep"
        | "LS"
        | "glob"
        | "search_file_content"
        | "grep_search"
        | "list_directory"
        | "read_many_files" => Mapped {
            target: search_target(input)?,
            ..m(kinds::FILE_READ)
        },
        "WebFetch" => Mapped {
            target: Some(field(input, "url")?),
            ..m(kinds::NET_REQUEST)
        },
        "web_fetch" => Mapped {
            target: first_url(&first_field(input, &["prompt", "url"])?),
            ..m(kinds::NET_REQUEST)
        },
        "WebSearch" | "google_web_search" => Mapped {
            content: Some(field(input, "query")?),
            ..m(kinds::NET_REQUEST)
        },
        _ => m(kinds::TOOL_CALL),
    })
}

/// The whole action for a tool call.
pub fn action(
    id: String,
    tool: &str,
    input: &Value,
    cwd: Option<&str>,
) -> Result<ActionRequest, HookError> {
    let m = map(tool, input)?;
    // A shell tool that runs its command elsewhere: there.
    let cwd = match m.kind {
        kinds::SHELL_EXEC => shell_dir(input, cwd)?.or_else(|| cwd.map(str::to_string)),
        _ => cwd.map(str::to_string),
    };
    Ok(ActionRequest {
        id: Some(id),
        kind: m.kind.to_string(),
        tool: Some(tool.to_string()),
        target: m.target,
        command: m.command,
        content: m.content,
        input: Some(input.clone()),
        cwd,
    })
}

/// The directory a shell tool's input says its command runs in: Codex's
/// `workdir`, Gemini CLI's `directory` (relative to the session's), a
/// `cwd`. `None` when it names none.
fn shell_dir(input: &Value, cwd: Option<&str>) -> Result<Option<String>, HookError> {
    for name in ["workdir", "directory", "cwd"] {
        match input.get(name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(d)) if d.is_empty() => continue,
            Some(Value::String(d)) => {
                return Ok(Some(match cwd {
                    Some(base) if !d.starts_with('/') && !d.starts_with('~') => {
                        format!("{}/{d}", base.trim_end_matches('/'))
                    }
                    _ => d.clone(),
                }));
            }
            Some(_) => {
                return Err(HookError::field(
                    &format!("tool_input.{name}"),
                    "expected a string",
                ));
            }
        }
    }
    Ok(None)
}

fn field(input: &Value, name: &str) -> Result<String, HookError> {
    match input.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(HookError::field(
            &format!("tool_input.{name}"),
            "expected a string",
        )),
        None => Err(HookError::field(&format!("tool_input.{name}"), "missing")),
    }
}

/// The first of `names` present; the error names the first.
fn first_field(input: &Value, names: &[&str]) -> Result<String, HookError> {
    match names.iter().find(|n| input.get(**n).is_some()) {
        Some(n) => field(input, n),
        None => field(input, names[0]),
    }
}

fn optional(input: &Value, name: &str) -> Result<Option<String>, HookError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => field(input, name).map(Some),
    }
}

/// A shell command: a string, or an argv list (Codex's `["bash", "-lc",
/// "…"]` is the script itself; other lists are joined, each word quoted
/// when it needs to be).
fn shell_command(input: &Value) -> Result<String, HookError> {
    match input.get("command") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(words)) => {
            let words: Option<Vec<&str>> = words.iter().map(Value::as_str).collect();
            let words = words.ok_or_else(|| {
                HookError::field(
                    "tool_input.command",
                    "expected a string or a list of strings",
                )
            })?;
            match words.as_slice() {
                [shell, flag, script]
                    if matches!(*shell, "bash" | "sh" | "zsh" | "/bin/bash" | "/bin/sh")
                        && matches!(*flag, "-c" | "-lc") =>
                {
                    Ok(script.to_string())
                }
                _ => Ok(words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")),
            }
        }
        Some(_) => Err(HookError::field(
            "tool_input.command",
            "expected a string or a list of strings",
        )),
        None => Err(HookError::field("tool_input.command", "missing")),
    }
}

fn search_target(input: &Value) -> Result<Option<String>, HookError> {
    for name in ["path", "dir_path", "directory"] {
        if let Some(p) = optional(input, name)? {
            return Ok(Some(p));
        }
    }
    if let Some(first) = input
        .get("paths")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .and_then(Value::as_str)
    {
        return Ok(Some(first.to_string()));
    }
    optional(input, "pattern")
}

/// The files a Codex patch adds, updates, deletes or moves to, in order.
pub fn patch_files(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter_map(|l| {
            [
                "*** Add File: ",
                "*** Update File: ",
                "*** Delete File: ",
                "*** Move to: ",
            ]
            .iter()
            .find_map(|p| l.strip_prefix(p))
        })
        .map(|p| p.trim().to_string())
        .collect()
}

/// The file a patch's action targets: the first one that leaves the
/// working directory (absolute, or climbing with `..`), else the first.
/// Policies that judge one path see the riskiest; all are in `input`.
fn patch_target(patch: &str) -> Option<String> {
    let files = patch_files(patch);
    files
        .iter()
        .find(|f| f.starts_with('/') || f.split('/').any(|c| c == ".."))
        .or(files.first())
        .cloned()
}

fn first_url(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')'))
        .collect();
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_maps_each_tool() {
        let cases = [
            ("Bash", json!({"command": "ls"}), kinds::SHELL_EXEC),
            (
                "Write",
                json!({"file_path": "/a", "content": "x"}),
                kinds::FILE_WRITE,
            ),
            ("Glob", json!({"pattern": "**/*.rs"}), kinds::FILE_READ),
            ("WebSearch", json!({"query": "q"}), kinds::NET_REQUEST),
            ("mcp__github__create_issue", json!({}), kinds::TOOL_CALL),
            ("SomethingNew", json!({"x": 1}), kinds::TOOL_CALL),
        ];
        for (tool, input, kind) in cases {
            assert_eq!(map(tool, &input).unwrap().kind, kind, "{tool}");
        }
    }

    #[test]
    fn a_shell_tool_runs_where_its_input_says() {
        let cwd = |tool: &str, input: Value| {
            action("1".into(), tool, &input, Some("/work/app"))
                .unwrap()
                .cwd
        };
        // Codex's `workdir`, Gemini CLI's `directory` (relative to the
        // session's working directory).
        assert_eq!(
            cwd(
                "Bash",
                json!({"command": ["bash", "-lc", "rm -rf ."], "workdir": "/home/dev"})
            ),
            Some("/home/dev".into())
        );
        assert_eq!(
            cwd(
                "run_shell_command",
                json!({"command": "ls", "directory": "pkg/a"})
            ),
            Some("/work/app/pkg/a".into())
        );
        assert_eq!(
            cwd("Bash", json!({"command": "ls"})),
            Some("/work/app".into())
        );
        // Not a shell tool: the session's.
        assert_eq!(
            cwd("Read", json!({"file_path": "/x", "workdir": "/"})),
            Some("/work/app".into())
        );
        assert!(
            action(
                "1".into(),
                "Bash",
                &json!({"command": "ls", "workdir": 7}),
                None
            )
            .is_err()
        );
    }

    #[test]
    fn codex_argv_commands_become_scripts() {
        let c = |v| shell_command(&json!({ "command": v })).unwrap();
        assert_eq!(c(json!(["bash", "-lc", "rm -rf /"])), "rm -rf /");
        assert_eq!(
            c(json!(["git", "commit", "-m", "it's"])),
            r"git commit -m 'it'\''s'"
        );
        assert!(shell_command(&json!({"command": 3})).is_err());
    }

    #[test]
    fn patches_name_their_files() {
        let p = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-x\n+y\n*** Add File: /etc/hosts\n+1\n*** End Patch";
        assert_eq!(patch_files(p), vec!["src/a.rs", "/etc/hosts"]);
        assert_eq!(patch_target(p).as_deref(), Some("/etc/hosts"));
        assert_eq!(
            first_url("summarise https://example.com/a?b=1 please").as_deref(),
            Some("https://example.com/a?b=1")
        );
    }

    #[test]
    fn known_tools_with_bad_inputs_are_errors() {
        assert!(map("Write", &json!({"file_path": "/a"})).is_err());
        assert!(map("Read", &json!({"file_path": 1})).is_err());
        assert!(map("MultiEdit", &json!({"file_path": "/a", "edits": [{}]})).is_err());
    }
}

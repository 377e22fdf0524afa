//! Cursor's hooks (`.cursor/hooks.json` or `~/.cursor/hooks.json`).
//!
//! What this relies on (Cursor hooks documentation, 1.7+):
//!
//! - Every input carries `hook_event_name`, `conversation_id` (the session),
//!   `generation_id` (one agent turn) and `workspace_roots`.
//! - `beforeShellExecution` adds `command` and `cwd`;
//!   `afterShellExecution` adds `command` and `output`.
//! - `beforeMCPExecution` adds `tool_name`, `tool_input` (a JSON object, or
//!   that object as a JSON string) and the server's `url` or `command`;
//!   `afterMCPExecution` adds `result_json`.
//! - `beforeReadFile` adds `file_path` and `content` (what is about to be
//!   sent to the model, so it is the action's content).
//! - `beforeSubmitPrompt` adds `prompt`; `{"continue": false}` refuses it.
//! - `before*` answers are `{"permission": "allow" | "deny" | "ask",
//!   "user_message": "…", "agent_message": "…"}`; `beforeReadFile` takes
//!   `permission` only and has no "ask", so an ESCALATE there is a deny.
//! - Cursor has no hook before a file edit (only `afterFileEdit`), so file
//!   writes cannot be governed before they happen; `afterFileEdit` is
//!   answered neutrally.
//! - There is no call id: a call's id is a digest of its conversation,
//!   generation, and command or tool and input, the same in its `before*`
//!   and `after*` events.
//!
//! An unreadable input is answered with a JSON object that denies every
//! `before*` event at once (`permission: deny` and `continue: false`).

use serde_json::{Value, json};

use super::{Answer, Event, EventKind, HookError, HookInput, Reply, opt_str, req_str};

pub fn event_kind(name: &str) -> EventKind {
    match name {
        "beforeShellExecution" | "beforeMCPExecution" => EventKind::PreTool {
            name: name.into(),
            can_ask: true,
        },
        "beforeReadFile" => EventKind::PreTool {
            name: name.into(),
            can_ask: false,
        },
        "beforeSubmitPrompt" => EventKind::Prompt { name: name.into() },
        _ => EventKind::Neutral { name: name.into() },
    }
}

pub fn parse(v: &Value) -> Result<HookInput, HookError> {
    let name = req_str(v, "hook_event_name")?;
    let session_id = super::session_id(v, "conversation_id")?;
    let generation = opt_str(v, "generation_id")?.unwrap_or("");
    let cwd = match opt_str(v, "cwd")? {
        Some(c) => Some(c.to_string()),
        None => v
            .get("workspace_roots")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let id = |parts: &[&str]| {
        let mut all = vec![session_id.as_str(), generation];
        all.extend_from_slice(parts);
        super::call_id(None, &all)
    };
    let event = match name {
        "beforeSubmitPrompt" => Event::Prompt {
            prompt: req_str(v, "prompt")?.to_string(),
        },
        "beforeShellExecution" | "afterShellExecution" => {
            let command = req_str(v, "command")?;
            let action_id = id(&["shell", command]);
            if name == "beforeShellExecution" {
                let input = json!({ "command": command });
                let mut action = super::tools::action(action_id, "Bash", &input, cwd.as_deref())?;
                action.tool = Some("Shell".into());
                Event::PreTool { action }
            } else {
                Event::PostTool {
                    action_id,
                    tool: "Shell".into(),
                    response: json!({ "output": v.get("output"), "duration": v.get("duration") }),
                }
            }
        }
        "beforeMCPExecution" | "afterMCPExecution" => {
            let tool = req_str(v, "tool_name")?;
            let input = match v.get("tool_input") {
                None | Some(Value::Null) => json!({}),
                Some(Value::String(s)) => {
                    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
                }
                Some(other) => other.clone(),
            };
            let action_id = id(&["mcp", tool, &input.to_string()]);
            if name == "beforeMCPExecution" {
                let server = opt_str(v, "url")?.or(opt_str(v, "command")?);
                let mut action = super::tools::action(action_id, tool, &input, cwd.as_deref())?;
                action.kind = clawlaw_sdk::kinds::TOOL_CALL.into();
                action.target = server.map(str::to_string);
                action.command = None;
                action.content = None;
                Event::PreTool { action }
            } else {
                Event::PostTool {
                    action_id,
                    tool: tool.to_string(),
                    response: v.get("result_json").cloned().unwrap_or(Value::Null),
                }
            }
        }
        "beforeReadFile" => {
            let path = req_str(v, "file_path")?;
            let content = opt_str(v, "content")?;
            let input = json!({ "file_path": path });
            let mut action =
                super::tools::action(id(&["read", path]), "Read", &input, cwd.as_deref())?;
            action.content = content.map(str::to_string);
            Event::PreTool { action }
        }
        _ => Event::Other,
    };
    Ok(HookInput {
        session_id,
        cwd,
        kind: event_kind(name),
        event,
    })
}

pub fn render(event: &EventKind, answer: &Answer) -> Reply {
    let permission = |p: &str, reason: &str, read_file: bool| {
        if read_file {
            Reply::json(json!({ "permission": p }))
        } else {
            Reply::json(json!({ "permission": p, "user_message": reason, "agent_message": reason }))
        }
    };
    match (event, answer) {
        (EventKind::PreTool { name, .. }, a) => {
            let read_file = name == "beforeReadFile";
            match a {
                Answer::Allow { reason } => permission("allow", reason, read_file),
                Answer::Ask { reason } if !read_file => permission("ask", reason, false),
                Answer::Deny { reason } | Answer::Ask { reason } => {
                    permission("deny", reason, read_file)
                }
                Answer::Continue { .. } => permission("allow", "", read_file),
            }
        }
        (EventKind::Prompt { .. }, Answer::Deny { reason }) => {
            Reply::json(json!({ "continue": false, "user_message": reason }))
        }
        (EventKind::Prompt { .. }, _) => Reply::json(json!({ "continue": true })),
        (EventKind::Unknown, Answer::Deny { reason } | Answer::Ask { reason }) => {
            Reply::json(json!({
                "permission": "deny",
                "continue": false,
                "user_message": reason,
                "agent_message": reason,
            }))
        }
        _ => Reply::json(json!({})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Agent;

    #[test]
    fn mcp_inputs_given_as_strings_are_parsed() {
        let input = Agent::Cursor
            .parse(
                br#"{"hook_event_name":"beforeMCPExecution","conversation_id":"c","generation_id":"g",
                "workspace_roots":["/w"],"tool_name":"query","tool_input":"{\"sql\":\"select 1\"}",
                "url":"http://localhost:3000"}"#,
            )
            .unwrap();
        let Event::PreTool { action } = input.event else {
            panic!()
        };
        assert_eq!(action.kind, "tool.call");
        assert_eq!(action.input, Some(json!({"sql": "select 1"})));
        assert_eq!(action.target.as_deref(), Some("http://localhost:3000"));
        assert_eq!(action.cwd.as_deref(), Some("/w"));
    }

    #[test]
    fn read_file_cannot_ask() {
        let kind = event_kind("beforeReadFile");
        let r = render(&kind, &Answer::Ask { reason: "r".into() });
        assert_eq!(r.json.unwrap(), json!({"permission": "deny"}));
    }
}

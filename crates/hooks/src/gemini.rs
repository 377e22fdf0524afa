//! Google Gemini CLI's hooks (`settings.json` → `hooks`).
//!
//! What this relies on (Gemini CLI `docs/hooks/reference.md`):
//!
//! - Every input carries `session_id`, `transcript_path`, `cwd`,
//!   `hook_event_name` and `timestamp`.
//! - `BeforeTool`/`AfterTool` add `tool_name` (built-in names such as
//!   `run_shell_command`, `write_file`, `replace`, `read_file`, `glob`,
//!   `search_file_content`, `web_fetch`, `google_web_search`; MCP tools
//!   `mcp__<server>__<tool>`, with `mcp_context`) and `tool_input`;
//!   `AfterTool` adds `tool_response`. There is no call id, so a call's id
//!   is a digest of its session, tool and input (identical calls in one
//!   session share it; the latest gets the outcome).
//! - `BeforeAgent` carries the user's `prompt`.
//! - The answer is JSON on stdout with exit 0: `decision` `"allow"` or
//!   `"deny"` (alias `"block"`) and `reason`; `systemMessage` is shown to
//!   the user. There is no "ask": an ESCALATE is a deny naming the review.
//! - Exit code 2 blocks with stderr as the reason; other exit codes are a
//!   warning and execution continues (fail open).

use serde_json::{Value, json};

use super::{Answer, Event, EventKind, HookError, HookInput, Reply, opt_str, req_str};

pub fn event_kind(name: &str) -> EventKind {
    match name {
        "BeforeTool" => EventKind::PreTool {
            name: name.into(),
            can_ask: false,
        },
        "BeforeAgent" => EventKind::Prompt { name: name.into() },
        _ => EventKind::Neutral { name: name.into() },
    }
}

pub fn parse(v: &Value) -> Result<HookInput, HookError> {
    let name = req_str(v, "hook_event_name")?;
    let session_id = super::session_id(v, "session_id")?;
    let cwd = opt_str(v, "cwd")?.map(str::to_string);
    let event = match name {
        "SessionStart" => Event::SessionStart,
        "BeforeAgent" => Event::Prompt {
            prompt: req_str(v, "prompt")?.to_string(),
        },
        "BeforeTool" | "AfterTool" => {
            let tool = req_str(v, "tool_name")?;
            let input = super::tool_input(v)?;
            let id = super::call_id(None, &[&session_id, tool, &input.to_string()]);
            super::tool_call(name == "BeforeTool", id, tool, &input, v, cwd.as_deref())?
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
    match (event, answer) {
        (EventKind::PreTool { .. }, Answer::Allow { reason }) => {
            Reply::json(json!({ "decision": "allow", "reason": reason }))
        }
        (
            EventKind::PreTool { .. } | EventKind::Prompt { .. },
            Answer::Deny { reason } | Answer::Ask { reason },
        ) => Reply::json(json!({ "decision": "deny", "reason": reason })),
        (EventKind::Unknown, Answer::Deny { reason } | Answer::Ask { reason }) => {
            Reply::block_exit(reason)
        }
        (_, Answer::Deny { reason })
        | (
            _,
            Answer::Continue {
                warning: Some(reason),
            },
        ) => Reply::json(json!({ "systemMessage": reason })),
        _ => Reply::json(json!({})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Agent;

    #[test]
    fn before_and_after_tool_agree_on_the_call_id() {
        let before = Agent::Gemini
            .parse(
                br#"{"session_id":"g","cwd":"/w","hook_event_name":"BeforeTool","timestamp":"1",
                "tool_name":"run_shell_command","tool_input":{"command":"ls"}}"#,
            )
            .unwrap();
        let after = Agent::Gemini
            .parse(br#"{"session_id":"g","cwd":"/w","hook_event_name":"AfterTool","timestamp":"2",
                "tool_name":"run_shell_command","tool_input":{"command":"ls"},"tool_response":{"ok":1}}"#)
            .unwrap();
        let (Event::PreTool { action }, Event::PostTool { action_id, .. }) =
            (before.event, after.event)
        else {
            panic!()
        };
        assert_eq!(action.id.as_deref(), Some(action_id.as_str()));
        assert_eq!(action.kind, "shell.exec");
    }
}

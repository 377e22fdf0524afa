//! Claude Code's hooks (`settings.json` → `hooks`, `"type": "command"` or
//! `"type": "http"`).
//!
//! What this relies on (Claude Code hooks reference, as of v2.1):
//!
//! - Every input carries `session_id`, `transcript_path`, `cwd`,
//!   `permission_mode` and `hook_event_name`.
//! - `PreToolUse` adds `tool_name`, `tool_input` (the tool's arguments; file
//!   paths absolute) and `tool_use_id`; the answer is
//!   `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
//!   "permissionDecision": "allow" | "deny" | "ask",
//!   "permissionDecisionReason": "…"}}` on stdout with exit 0. `deny` shows
//!   the reason to Claude, `ask` shows it to the user in the permission
//!   prompt, `allow` skips the prompt.
//! - `PostToolUse` adds `tool_response` (and the same `tool_use_id`).
//! - `UserPromptSubmit` adds `prompt`; `{"decision": "block", "reason": "…"}`
//!   refuses the prompt.
//! - `SessionStart` adds `source` (`startup`, `resume`, `clear`, `compact`).
//! - `systemMessage` (any event) is shown to the user.
//! - Exit code 2 blocks (stderr is the reason) on every blocking event; any
//!   other non-zero exit, a crash, a missing binary or a timeout (60 s by
//!   default) is a non-blocking error and **the tool runs anyway**. HTTP
//!   hooks fail open the same way on connection errors, timeouts and
//!   non-2xx answers, so the gate answers them 200 with a deny body.
//!
//! Tool names follow [`super::tools`]; `mcp__<server>__<tool>` is a
//! `tool.call`.

use serde_json::{Value, json};

use super::{Answer, Event, EventKind, HookError, HookInput, Reply, opt_str, req_str};

pub fn event_kind(name: &str) -> EventKind {
    match name {
        "PreToolUse" => EventKind::PreTool {
            name: name.into(),
            can_ask: true,
        },
        "UserPromptSubmit" => EventKind::Prompt { name: name.into() },
        _ => EventKind::Neutral { name: name.into() },
    }
}

pub fn parse(v: &Value) -> Result<HookInput, HookError> {
    parse_claude_shaped(v, event_kind)
}

/// Parses the input shape Claude Code defined and Codex CLI follows.
pub(crate) fn parse_claude_shaped(
    v: &Value,
    kind_of: fn(&str) -> EventKind,
) -> Result<HookInput, HookError> {
    let name = req_str(v, "hook_event_name")?;
    let session_id = super::session_id(v, "session_id")?;
    let cwd = opt_str(v, "cwd")?.map(str::to_string);
    let kind = kind_of(name);
    let event = match name {
        "SessionStart" => Event::SessionStart,
        "UserPromptSubmit" => Event::Prompt {
            prompt: req_str(v, "prompt")?.to_string(),
        },
        "PreToolUse" | "PostToolUse" => {
            let tool = req_str(v, "tool_name")?;
            let input = super::tool_input(v)?;
            let id = super::call_id(
                opt_str(v, "tool_use_id")?,
                &[
                    &session_id,
                    opt_str(v, "turn_id")?.unwrap_or(""),
                    tool,
                    &input.to_string(),
                ],
            );
            super::tool_call(name == "PreToolUse", id, tool, &input, v, cwd.as_deref())?
        }
        _ => Event::Other,
    };
    Ok(HookInput {
        session_id,
        cwd,
        kind,
        event,
    })
}

pub fn render(event: &EventKind, answer: &Answer) -> Reply {
    match (event, answer) {
        (EventKind::PreTool { name, .. }, Answer::Allow { reason }) => {
            pre_tool(name, "allow", reason)
        }
        (EventKind::PreTool { name, .. }, Answer::Deny { reason }) => {
            pre_tool(name, "deny", reason)
        }
        (EventKind::PreTool { name, .. }, Answer::Ask { reason }) => pre_tool(name, "ask", reason),
        (EventKind::Unknown, Answer::Deny { reason } | Answer::Ask { reason }) => {
            Reply::block_exit(reason)
        }
        _ => common(event, answer),
    }
}

/// Answers shared by Claude Code and Codex outside pre-tool decisions.
pub(crate) fn common(event: &EventKind, answer: &Answer) -> Reply {
    match (event, answer) {
        (EventKind::Prompt { .. }, Answer::Deny { reason }) => {
            Reply::json(json!({ "decision": "block", "reason": reason }))
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

pub(crate) fn pre_tool(event: &str, decision: &str, reason: &str) -> Reply {
    Reply::json(json!({
        "hookSpecificOutput": {
            "hookEventName": event,
            "permissionDecision": decision,
            "permissionDecisionReason": reason,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Agent;

    #[test]
    fn a_pre_tool_use_becomes_an_action() {
        let input = Agent::ClaudeCode
            .parse(
                br#"{"session_id":"s1","transcript_path":"/t","cwd":"/w","permission_mode":"default",
                "hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},
                "tool_use_id":"toolu_1"}"#,
            )
            .unwrap();
        let Event::PreTool { action } = input.event else {
            panic!("{:?}", input.event)
        };
        assert_eq!(action.kind, "shell.exec");
        assert_eq!(action.id.as_deref(), Some("toolu_1"));
        assert_eq!(action.command.as_deref(), Some("ls"));
        assert_eq!(action.cwd.as_deref(), Some("/w"));
    }

    #[test]
    fn unreadable_input_blocks_with_exit_2() {
        let r = crate::fail(Agent::ClaudeCode, &EventKind::Unknown, "garbage");
        assert_eq!(r.exit_code, 2);
        assert!(r.stderr.unwrap().contains("garbage"));
        assert!(Agent::ClaudeCode.parse(b"[1]").is_err());
    }
}

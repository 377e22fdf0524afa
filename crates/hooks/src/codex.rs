//! OpenAI Codex CLI's hooks (`~/.codex/hooks.json`), which follow Claude
//! Code's shape.
//!
//! What this relies on (Codex hooks documentation and its hook schemas):
//!
//! - Inputs carry `session_id`, `turn_id`, `transcript_path`, `cwd`,
//!   `hook_event_name` and `model`; `PreToolUse`/`PostToolUse` add
//!   `tool_name`, `tool_input` and `tool_use_id`, `PostToolUse` adds
//!   `tool_response`, `UserPromptSubmit` adds `prompt`.
//! - Shell calls are `tool_name: "Bash"` with `tool_input.command`; file
//!   edits are `apply_patch` with the patch text in `tool_input.command`;
//!   MCP tools are `mcp__<server>__<tool>`.
//! - `PreToolUse` honours only `permissionDecision: "deny"` (with
//!   `permissionDecisionReason`); `allow` and `ask` are not supported by
//!   released versions, so an ALLOW is an empty `{}` (no objection) and an
//!   ESCALATE is a deny naming the pending review (or, with
//!   `--wait-review`, the reviewer's answer).
//! - Exit code 2 with the reason on stderr blocks; other failures are
//!   non-blocking (fail open), as in Claude Code.

use serde_json::{Value, json};

use super::claude_code::{common, parse_claude_shaped, pre_tool};
use super::{Answer, EventKind, HookError, HookInput, Reply};

pub fn event_kind(name: &str) -> EventKind {
    match name {
        "PreToolUse" => EventKind::PreTool {
            name: name.into(),
            can_ask: false,
        },
        "UserPromptSubmit" => EventKind::Prompt { name: name.into() },
        _ => EventKind::Neutral { name: name.into() },
    }
}

pub fn parse(v: &Value) -> Result<HookInput, HookError> {
    parse_claude_shaped(v, event_kind)
}

pub fn render(event: &EventKind, answer: &Answer) -> Reply {
    match (event, answer) {
        (EventKind::PreTool { .. }, Answer::Allow { .. }) => Reply::json(json!({})),
        (EventKind::PreTool { name, .. }, Answer::Deny { reason } | Answer::Ask { reason }) => {
            pre_tool(name, "deny", reason)
        }
        (EventKind::Unknown, Answer::Deny { reason } | Answer::Ask { reason }) => {
            Reply::block_exit(reason)
        }
        _ => common(event, answer),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Agent, Event};

    #[test]
    fn apply_patch_is_a_file_write_and_escalations_cannot_ask() {
        let input = Agent::Codex
            .parse(
                br#"{"session_id":"s","turn_id":"t1","cwd":"/w","hook_event_name":"PreToolUse",
                "tool_name":"apply_patch","tool_input":{"command":"*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch"}}"#,
            )
            .unwrap();
        let Event::PreTool { action } = &input.event else {
            panic!()
        };
        assert_eq!(action.kind, "file.write");
        assert_eq!(action.target.as_deref(), Some("a.txt"));
        let answer = crate::answer_for(
            &input.kind,
            clawlaw_sdk::Verdict::Escalate,
            "why",
            &[],
            Some("r1"),
        );
        let out = Agent::Codex.render(&input.kind, &answer).json.unwrap();
        assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
        assert!(
            out["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .unwrap()
                .contains("r1")
        );
    }
}

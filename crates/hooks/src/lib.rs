//! # clawlaw-hooks
//!
//! Agent hooks: what coding agents send before and after each tool call,
//! normalised into the gate's [`ActionRequest`], and the gate's verdict
//! rendered back in the agent's own answer format.
//!
//! One module per agent parses its hook JSON into a [`HookInput`] and renders
//! an [`Answer`] as a [`Reply`] (stdout JSON, stderr, exit code); [`tools`]
//! maps tool names and inputs to action kinds for all of them. The command
//! adapter (`clawlaw hook <agent>`) and the gate's `POST /v1/hooks/{agent}`
//! route both sit on top of this crate. It knows agents' formats only: it
//! must not depend on the engine, the gate or the CLI (the `clap` feature
//! only lets the CLI take an [`Agent`] as an argument).
//!
//! | agent | pre-tool events | ask? | prompt event | post-tool events |
//! |---|---|---|---|---|
//! | [`claude_code`] | `PreToolUse` | yes | `UserPromptSubmit` | `PostToolUse` |
//! | [`codex`] | `PreToolUse` | no: ESCALATE is a deny naming the review | `UserPromptSubmit` | `PostToolUse` |
//! | [`gemini`] | `BeforeTool` | no: as Codex | `BeforeAgent` | `AfterTool` |
//! | [`cursor`] | `beforeShellExecution`, `beforeMCPExecution`, `beforeReadFile` | yes, except `beforeReadFile` | `beforeSubmitPrompt` | `afterShellExecution`, `afterMCPExecution` |
//!
//! Every agent treats a crashed, silent or slow hook as a non-blocking error
//! and runs the tool anyway (fails open), so nothing here may fail silently:
//! input that cannot be parsed is a [`HookError`], which the adapters answer
//! with an explicit deny ([`fail`]).

pub mod claude_code;
pub mod codex;
pub mod cursor;
pub mod gemini;
pub mod tools;

use clawlaw_sdk::ActionRequest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The agents with a hook adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Agent {
    /// Anthropic Claude Code (`settings.json` hooks).
    ClaudeCode,
    /// OpenAI Codex CLI (`hooks.json`, Claude-compatible).
    Codex,
    /// Google Gemini CLI (`settings.json` hooks).
    Gemini,
    /// Cursor (`hooks.json`).
    Cursor,
}

impl Agent {
    /// The name used on the command line and in `/v1/hooks/{agent}`.
    pub fn name(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Cursor => "cursor",
        }
    }

    /// Whether every pre-tool event of this agent can ask its user (so an
    /// ESCALATE is always answered `ask`, and a post-tool event for an
    /// escalated action means the user said yes).
    pub fn always_asks(self) -> bool {
        match self {
            Agent::ClaudeCode => true,
            // Cursor cannot ask before reading a file; Codex and Gemini CLI never.
            Agent::Cursor | Agent::Codex | Agent::Gemini => false,
        }
    }

    pub fn from_name(name: &str) -> Option<Agent> {
        [
            Agent::ClaudeCode,
            Agent::Codex,
            Agent::Gemini,
            Agent::Cursor,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }

    /// Parses one hook input.
    pub fn parse(self, bytes: &[u8]) -> Result<HookInput, HookError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| HookError::Json(format!("hook input is not JSON: {e}")))?;
        if !value.is_object() {
            return Err(HookError::Json("hook input is not a JSON object".into()));
        }
        match self {
            Agent::ClaudeCode => claude_code::parse(&value),
            Agent::Codex => codex::parse(&value),
            Agent::Gemini => gemini::parse(&value),
            Agent::Cursor => cursor::parse(&value),
        }
    }

    /// Renders an answer to an event in this agent's format.
    pub fn render(self, event: &EventKind, answer: &Answer) -> Reply {
        match self {
            Agent::ClaudeCode => claude_code::render(event, answer),
            Agent::Codex => codex::render(event, answer),
            Agent::Gemini => gemini::render(event, answer),
            Agent::Cursor => cursor::render(event, answer),
        }
    }

    /// The event name a hook input declares, read leniently so that even an
    /// input that fails to parse in full is answered in the right format.
    pub fn sniff_event(self, bytes: &[u8]) -> EventKind {
        let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
            return EventKind::Unknown;
        };
        match value.get("hook_event_name").and_then(Value::as_str) {
            Some(name) => self.event_kind(name),
            None => EventKind::Unknown,
        }
    }

    /// How an event of this agent is answered.
    pub fn event_kind(self, name: &str) -> EventKind {
        match self {
            Agent::ClaudeCode => claude_code::event_kind(name),
            Agent::Codex => codex::event_kind(name),
            Agent::Gemini => gemini::event_kind(name),
            Agent::Cursor => cursor::event_kind(name),
        }
    }
}

/// A hook input, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct HookInput {
    /// The agent's session (Cursor: conversation) id.
    pub session_id: String,
    pub cwd: Option<String>,
    pub kind: EventKind,
    pub event: Event,
}

/// What a hook input reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A session started or resumed.
    SessionStart,
    /// The user submitted a prompt: it becomes the session's current prompt.
    Prompt { prompt: String },
    /// A tool is about to run: decide.
    PreTool { action: ActionRequest },
    /// A tool ran: its outcome. `action_id` is the id its pre-tool event gave.
    PostTool {
        action_id: String,
        tool: String,
        response: Value,
    },
    /// An event the gate does not govern; answered neutrally.
    Other,
}

/// How an event is answered, whatever it reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// Before a tool runs: allow, deny or (where `can_ask`) ask.
    PreTool { name: String, can_ask: bool },
    /// A prompt: it may be blocked.
    Prompt { name: String },
    /// Anything else: cannot be blocked; warnings only.
    Neutral { name: String },
    /// The input was unreadable: the agent's generic blocking answer.
    Unknown,
}

/// What the gate (or a failure) says about an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Allow {
        reason: String,
    },
    Deny {
        reason: String,
    },
    /// A human at the agent's own prompt decides.
    Ask {
        reason: String,
    },
    /// Nothing to decide (e.g. an outcome was recorded); `warning` is shown
    /// to the user when something went wrong.
    Continue {
        warning: Option<String>,
    },
}

/// An answer as the agent reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Printed on stdout (HTTP: the response body); `None` prints nothing.
    pub json: Option<Value>,
    /// Printed on stderr (for exit code 2, the agent shows it as the reason).
    pub stderr: Option<String>,
    pub exit_code: u8,
}

impl Reply {
    pub fn json(json: Value) -> Reply {
        Reply {
            json: Some(json),
            stderr: None,
            exit_code: 0,
        }
    }

    /// Exit code 2 with the reason on stderr: the blocking convention of
    /// Claude Code, Codex and Gemini CLI for any event.
    pub fn block_exit(reason: &str) -> Reply {
        Reply {
            json: None,
            stderr: Some(reason.to_string()),
            exit_code: 2,
        }
    }

    /// The reply as an HTTP body: JSON only, since HTTP hooks have no exit
    /// code (an exit-2 reply becomes the agent's generic JSON deny).
    pub fn http_body(self, agent: Agent) -> Value {
        match self.json {
            Some(v) => v,
            None => {
                let reason = self.stderr.unwrap_or_else(|| "denied".into());
                let kind = agent.event_kind(default_pre_tool_event(agent));
                agent
                    .render(&kind, &Answer::Deny { reason })
                    .json
                    .unwrap_or_else(|| json!({}))
            }
        }
    }
}

fn default_pre_tool_event(agent: Agent) -> &'static str {
    match agent {
        Agent::ClaudeCode | Agent::Codex => "PreToolUse",
        Agent::Gemini => "BeforeTool",
        Agent::Cursor => "beforeShellExecution",
    }
}

/// Why a hook input could not be read; always answered with a deny.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error("{0}")]
    Json(String),
    #[error("hook input field `{field}`: {problem}")]
    Field { field: String, problem: String },
}

impl HookError {
    pub fn field(field: &str, problem: impl Into<String>) -> HookError {
        HookError::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// The explicit fail-closed answer to `event`: deny a tool, block a prompt,
/// warn on anything that cannot be blocked, exit 2 when the input was
/// unreadable (or its JSON deny, for agents without that convention).
pub fn fail(agent: Agent, event: &EventKind, reason: &str) -> Reply {
    let reason = format!("clawlaw failed closed: {reason}");
    agent.render(event, &Answer::Deny { reason })
}

/// The answer a gate's verdict gives. ESCALATE is `ask` where the event can
/// ask, else a deny that names the review a reviewer can approve.
pub fn answer_for(
    event: &EventKind,
    verdict: clawlaw_sdk::Verdict,
    reason: &str,
    rules: &[String],
    review_id: Option<&str>,
) -> Answer {
    use clawlaw_sdk::Verdict;
    let rules = if rules.is_empty() {
        String::new()
    } else {
        format!(" [{}]", rules.join(", "))
    };
    match verdict {
        Verdict::Allow => Answer::Allow {
            reason: format!("clawlaw: allowed: {reason}{rules}"),
        },
        Verdict::Deny => Answer::Deny {
            reason: format!("clawlaw: denied: {reason}{rules}"),
        },
        Verdict::Escalate => {
            let review = review_id
                .map(|id| format!(" (review {id})"))
                .unwrap_or_default();
            match event {
                EventKind::PreTool { can_ask: true, .. } => Answer::Ask {
                    reason: format!("clawlaw: needs a human decision: {reason}{rules}{review}"),
                },
                _ if review_id.is_some() => Answer::Deny {
                    reason: format!(
                        "clawlaw: needs a reviewer's approval: {reason}{rules}{review}; \
                         retry once a reviewer has approved it"
                    ),
                },
                _ => Answer::Deny {
                    reason: format!(
                        "clawlaw: needs a human's approval, which this hook cannot ask for \
                         here: {reason}{rules}"
                    ),
                },
            }
        }
    }
}

// ------------------------------------------------------------ shared parsing

/// A required string field.
pub(crate) fn req_str<'a>(v: &'a Value, field: &str) -> Result<&'a str, HookError> {
    match v.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(HookError::field(field, "expected a string")),
        None => Err(HookError::field(field, "missing")),
    }
}

/// An optional string field (present with another type is an error).
pub(crate) fn opt_str<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, HookError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(HookError::field(field, "expected a string")),
    }
}

/// A tool call's `tool_input`: an object, or `{}` when absent.
pub(crate) fn tool_input(v: &Value) -> Result<Value, HookError> {
    match v.get("tool_input") {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(o @ Value::Object(_)) => Ok(o.clone()),
        Some(_) => Err(HookError::field("tool_input", "expected an object")),
    }
}

/// One tool call as its pre-tool event (`before`: an action to decide) or
/// its post-tool event (the `tool_response` it reported is the outcome).
pub(crate) fn tool_call(
    before: bool,
    id: String,
    tool: &str,
    input: &Value,
    v: &Value,
    cwd: Option<&str>,
) -> Result<Event, HookError> {
    Ok(if before {
        Event::PreTool {
            action: tools::action(id, tool, input, cwd)?,
        }
    } else {
        Event::PostTool {
            action_id: id,
            tool: tool.to_string(),
            response: v.get("tool_response").cloned().unwrap_or(Value::Null),
        }
    })
}

/// The session id: required, printable, bounded.
pub(crate) fn session_id(v: &Value, field: &str) -> Result<String, HookError> {
    let id = req_str(v, field)?;
    if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
        return Err(HookError::field(
            field,
            "expected 1-256 printable characters",
        ));
    }
    Ok(id.to_string())
}

/// The id of one tool call: the agent's own when it gives a usable one,
/// else a digest of what identifies the call, so that the pre- and
/// post-tool events of one call agree without shared state.
pub(crate) fn call_id(given: Option<&str>, parts: &[&str]) -> String {
    if let Some(id) = given
        && !id.is_empty()
        && id.len() <= 128
        && !id.chars().any(char::is_control)
    {
        return id.to_string();
    }
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    format!("call-{}", &hex::encode(h.finalize())[..32])
}

/// The largest tool response kept whole in an outcome; past it only its
/// size, digest and head are kept.
pub const MAX_OUTCOME_BYTES: usize = 64 << 10;

/// A tool's response as the evidence keeps it (bounded).
pub fn outcome_value(agent: Agent, tool: &str, response: &Value) -> Value {
    let text = response.to_string();
    let response = if text.len() <= MAX_OUTCOME_BYTES {
        response.clone()
    } else {
        let mut end = 4096;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        json!({
            "truncated": true,
            "bytes": text.len(),
            "sha256": hex::encode(Sha256::digest(text.as_bytes())),
            "head": &text[..end],
        })
    };
    json!({ "agent": agent.name(), "tool": tool, "tool_response": response })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_prefer_the_agents_and_are_stable_otherwise() {
        assert_eq!(call_id(Some("toolu_1"), &["x"]), "toolu_1");
        let a = call_id(None, &["s", "Bash", "{}"]);
        assert_eq!(a, call_id(Some(""), &["s", "Bash", "{}"]));
        assert_ne!(a, call_id(None, &["s", "Bash", "{ }"]));
        // Length-prefixed: moving a boundary changes the id.
        assert_ne!(call_id(None, &["ab", "c"]), call_id(None, &["a", "bc"]));
        assert!(a.starts_with("call-") && a.len() == 37);
    }

    #[test]
    fn agents_round_trip_their_names() {
        for a in [
            Agent::ClaudeCode,
            Agent::Codex,
            Agent::Gemini,
            Agent::Cursor,
        ] {
            assert_eq!(Agent::from_name(a.name()), Some(a));
        }
        assert_eq!(Agent::from_name("vim"), None);
    }

    #[test]
    fn huge_outcomes_are_bounded() {
        let big = Value::String("é".repeat(MAX_OUTCOME_BYTES));
        let v = outcome_value(Agent::ClaudeCode, "Read", &big);
        assert_eq!(v["tool_response"]["truncated"], true);
        assert!(v.to_string().len() < 10_000);
        let small = outcome_value(Agent::ClaudeCode, "Read", &json!({"ok": true}));
        assert_eq!(small["tool_response"], json!({"ok": true}));
    }
}

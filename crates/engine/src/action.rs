//! The action as a request carries it: JSON, bounded in size, checked field
//! by field, turned into the contract's [`Action`]. A malformed action is an
//! [`ActionError`] that says which field and what was expected; the gate
//! answers it with DENY.

use clawlaw_sdk::Action;
pub use clawlaw_sdk::ActionRequest;

/// The largest action the gate accepts by default, in bytes of JSON.
pub const DEFAULT_MAX_ACTION_BYTES: usize = 4 << 20;

/// Why an action was refused before any policy saw it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActionError {
    #[error("action is {bytes} bytes, over the limit of {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    #[error("action is not valid JSON for an action: {0}")]
    Json(String),
    #[error("action field `{field}`: {problem}")]
    Field {
        field: &'static str,
        problem: String,
    },
}

/// Parses an action from JSON bytes, refusing more than `max_bytes`.
pub fn parse_request(bytes: &[u8], max_bytes: usize) -> Result<ActionRequest, ActionError> {
    if bytes.len() > max_bytes {
        return Err(ActionError::TooLarge {
            bytes: bytes.len(),
            limit: max_bytes,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| ActionError::Json(e.to_string()))
}

/// Checks a request's fields and produces the action policies see.
/// `fallback_id` names the action when the request gave no id.
pub fn check(
    request: &ActionRequest,
    fallback_id: impl FnOnce() -> String,
) -> Result<Action, ActionError> {
    let field = |field, problem: &str| ActionError::Field {
        field,
        problem: problem.to_string(),
    };
    if !is_kind(&request.kind) {
        return Err(field(
            "kind",
            "expected a dotted lower-case name such as `file.write` or `shell.exec`",
        ));
    }
    if let Some(id) = &request.id
        && (id.is_empty() || id.len() > 128 || id.chars().any(char::is_control))
    {
        return Err(field("id", "expected 1-128 printable characters"));
    }
    if let Some(tool) = &request.tool
        && (tool.len() > 256 || tool.chars().any(char::is_control))
    {
        return Err(field("tool", "expected at most 256 printable characters"));
    }
    if let Some(cwd) = &request.cwd
        && !cwd.starts_with('/')
    {
        return Err(field("cwd", "expected an absolute path"));
    }
    Ok(request.to_action(fallback_id))
}

/// Parses and checks an action in one step.
pub fn parse_action(
    bytes: &[u8],
    max_bytes: usize,
    fallback_id: impl FnOnce() -> String,
) -> Result<Action, ActionError> {
    check(&parse_request(bytes, max_bytes)?, fallback_id)
}

fn is_kind(kind: &str) -> bool {
    (1..=64).contains(&kind.len())
        && kind.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Action, ActionError> {
        parse_action(json.as_bytes(), DEFAULT_MAX_ACTION_BYTES, || {
            "generated".into()
        })
    }

    #[test]
    fn a_minimal_action_gets_defaults() {
        let a = parse(r#"{"kind":"shell.exec","command":"cargo test"}"#).unwrap();
        assert_eq!(a.id, "generated");
        assert_eq!(a.tool, "");
        assert_eq!(a.input, "{}");
        assert_eq!(a.command.as_deref(), Some("cargo test"));
    }

    #[test]
    fn input_is_kept_as_json_text() {
        let a =
            parse(r#"{"kind":"file.write","input":{"file_path":"/w/a","content":"x"}}"#).unwrap();
        assert_eq!(a.input_str("file_path").as_deref(), Some("/w/a"));
    }

    #[test]
    fn malformed_actions_say_what_is_wrong() {
        assert!(matches!(parse("not json"), Err(ActionError::Json(_))));
        let missing = parse(r#"{"command":"ls"}"#).unwrap_err().to_string();
        assert!(missing.contains("missing field `kind`"), "{missing}");
        let wrong_type = parse(r#"{"kind":"shell.exec","command":42}"#)
            .unwrap_err()
            .to_string();
        assert!(wrong_type.contains("invalid type"), "{wrong_type}");
        let unknown = parse(r#"{"kind":"shell.exec","comand":"ls"}"#)
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown field `comand`"), "{unknown}");
        assert_eq!(
            parse(r#"{"kind":"Shell Exec"}"#),
            Err(ActionError::Field {
                field: "kind",
                problem: "expected a dotted lower-case name such as `file.write` or `shell.exec`"
                    .into()
            })
        );
        assert!(matches!(
            parse(r#"{"kind":"file.read","cwd":"relative"}"#),
            Err(ActionError::Field { field: "cwd", .. })
        ));
        assert!(matches!(
            parse(r#"{"kind":"file.read","id":""}"#),
            Err(ActionError::Field { field: "id", .. })
        ));
    }

    #[test]
    fn oversized_actions_are_refused_before_parsing() {
        let big = format!(
            r#"{{"kind":"file.write","content":"{}"}}"#,
            "a".repeat(10 << 20)
        );
        assert_eq!(
            parse(&big),
            Err(ActionError::TooLarge {
                bytes: big.len(),
                limit: DEFAULT_MAX_ACTION_BYTES
            })
        );
    }
}

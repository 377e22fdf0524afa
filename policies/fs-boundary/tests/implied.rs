//! fs-boundary judges what a tool call carries, natively, through the SDK's
//! implied actions: the reason says which tool would touch which path.

use clawlaw_sdk::{Action, Session, Verdict, evaluate_json, kinds};
use fs_boundary::FsBoundary;
use serde_json::json;

const SETTINGS: &str = r#"{"roots": ["/work/app"], "home": "/home/dev"}"#;

fn call(tool: &str, input: serde_json::Value) -> Action {
    Action {
        tool: tool.into(),
        input: input.to_string(),
        cwd: Some("/work/app".into()),
        ..Action::new(kinds::TOOL_CALL)
    }
}

#[test]
fn an_mcp_write_to_etc_hosts_is_denied_naming_the_tool() {
    let a = call(
        "mcp__filesystem__write_file",
        json!({"path": "/etc/hosts", "content": "203.0.113.9 github.com"}),
    );
    let d = evaluate_json::<FsBoundary>(SETTINGS, &a, &Session::default());
    assert_eq!(d.verdict, Verdict::Deny);
    assert!(
        d.reason
            .starts_with("`mcp__filesystem__write_file` writes /etc/hosts: "),
        "{}",
        d.reason
    );
    assert!(d.reason.contains("protected"), "{}", d.reason);
    assert!(d.counters.is_empty());
}

#[test]
fn the_same_tool_inside_the_workspace_is_allowed() {
    let a = call(
        "mcp__filesystem__write_file",
        json!({"path": "src/lib.rs", "content": "pub fn x() {}"}),
    );
    let d = evaluate_json::<FsBoundary>(SETTINGS, &a, &Session::default());
    assert_eq!(d.verdict, Verdict::Allow, "{}", d.reason);
}

#[test]
fn a_read_many_tool_is_denied_for_the_one_path_outside() {
    let a = call(
        "mcp__filesystem__read_multiple_files",
        json!({"paths": ["/work/app/a.rs", "/home/dev/.ssh/id_ed25519"]}),
    );
    let d = evaluate_json::<FsBoundary>(SETTINGS, &a, &Session::default());
    assert_eq!(d.verdict, Verdict::Deny);
    assert!(
        d.reason.contains("/home/dev/.ssh/id_ed25519"),
        "{}",
        d.reason
    );
}

//! One-shot processes (`clawlaw hook --policies`, `clawlaw eval`) start from
//! the pre-initialised snapshots the compile cache keeps: the first call
//! takes them, the next ones load them — governance-guard's too, whose
//! settings carry the gate's facts, so those facts must not change from one
//! call to the next (a process's own pid would).

use crate::common;
use crate::common::pre_tool_use;

use std::process::{Command, Output};

use serde_json::Value;

const POLICIES: &[&str] = &["governance-guard", "shell-guard"];

/// One `clawlaw hook claude-code --policies` call on `command`, with the
/// engine's log.
fn call(policies: &std::path::Path, cache: &std::path::Path, command: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    cmd.args(["hook", "claude-code", "--policies"])
        .arg(policies)
        // The first call compiles and snapshots (a debug build is slow).
        .args(["--timeout-ms", "600000"])
        .env("CLAWLAW_CACHE_DIR", cache)
        .env_remove("CLAWLAW_TOKEN")
        .env("RUST_LOG", "info");
    common::run_with_input(&mut cmd, &pre_tool_use(command))
}

fn decision(out: &Output) -> String {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    v.pointer("/hookSpecificOutput/permissionDecision")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The engine's "policy loaded" lines.
fn loaded(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("policy loaded"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_next_calls_start_from_the_snapshots_the_first_one_took() {
    let policies = tempfile::tempdir().unwrap();
    for name in POLICIES {
        let file = common::component(name);
        std::fs::copy(&file, policies.path().join(file.file_name().unwrap())).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();

    let first = call(policies.path(), cache.path(), "cargo test --workspace");
    assert_eq!(decision(&first), "allow");
    let lines = loaded(&first);
    assert_eq!(lines.len(), POLICIES.len(), "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("preinitialized=true") && l.contains("cached=false")),
        "the first call compiles and snapshots: {lines:?}"
    );

    for (command, expected) in [("cargo test --workspace", "allow"), ("rm -rf /", "deny")] {
        let next = call(policies.path(), cache.path(), command);
        assert_eq!(decision(&next), expected, "{command}");
        let lines = loaded(&next);
        assert_eq!(lines.len(), POLICIES.len(), "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.contains("preinitialized=true") && l.contains("cached=true")),
            "every policy, governance-guard with its facts included, starts from the cached snapshot: {lines:?}"
        );
    }

    // Without the compile cache nothing is snapshotted: every call would
    // take the snapshots again.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    cmd.args(["hook", "claude-code", "--no-cache", "--policies"])
        .arg(policies.path())
        .args(["--timeout-ms", "600000"])
        .env_remove("CLAWLAW_TOKEN")
        .env("RUST_LOG", "info");
    let uncached = common::run_with_input(&mut cmd, &pre_tool_use("rm -rf /"));
    assert_eq!(decision(&uncached), "deny");
    let lines = loaded(&uncached);
    assert!(
        lines.iter().all(|l| l.contains("preinitialized=false")),
        "{lines:?}"
    );
}

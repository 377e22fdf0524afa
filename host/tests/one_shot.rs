//! One-shot processes (`clawlaw hook --policies`, `clawlaw eval`) start from
//! the pre-initialised snapshots the compile cache keeps: the first call
//! takes them, the next ones load them — governance-guard's too, whose
//! settings carry the gate's facts, so those facts must not change from one
//! call to the next (a process's own pid would). And once the cache knows
//! which kinds each policy judges, they load only the policies that judge
//! their action.

use crate::common;
use crate::common::pre_tool_use;

use std::process::{Command, Output};

use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_engine::{Session, Verdict};
use clawlaw_gate::config::SetConfig;
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

/// `clawlaw eval` of `action` (JSON) against `policies`, with the engine's
/// log.
fn eval(policies: &std::path::Path, cache: &std::path::Path, action: &Value) -> (Value, Output) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlaw"));
    cmd.args(["eval", "--compact", "--action", "-", "--policy"])
        .arg(policies)
        .env("CLAWLAW_CACHE_DIR", cache)
        .env("RUST_LOG", "info");
    let out = common::run_with_input(&mut cmd, action.to_string().as_bytes());
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (v, out)
}

fn names(v: &Value, field: &str) -> Vec<String> {
    let mut names: Vec<String> = v[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} in {v}"))
        .iter()
        .map(|p| {
            p.pointer("/policy/name")
                .or_else(|| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

/// Once the compile cache knows which kinds each policy judges (the first
/// load records every policy's `info`), a one-shot call loads only the
/// policies that judge its action, lists the others as skipped, and
/// decides as the whole set would; an action of another kind loads its own.
#[test]
fn policies_judging_other_kinds_are_left_out_once_known() {
    let policies = tempfile::tempdir().unwrap();
    for name in ["deploy-guard", "fs-boundary", "shell-guard"] {
        let file = common::component(name);
        std::fs::copy(&file, policies.path().join(file.file_name().unwrap())).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let shell = serde_json::json!({"kind": "shell.exec", "tool": "Bash", "command": "rm -rf /", "cwd": "/work/app"});

    let (first, out) = eval(policies.path(), cache.path(), &shell);
    assert_eq!(first["evaluation"], "DENY", "{first}");
    assert_eq!(loaded(&out).len(), 3, "nothing is known yet: all load");

    let (next, out) = eval(policies.path(), cache.path(), &shell);
    assert_eq!(next["evaluation"], "DENY", "{next}");
    assert_eq!(next["rules"], first["rules"], "the same decision");
    let lines = loaded(&out);
    assert!(
        lines.len() == 1 && lines[0].contains("shell-guard"),
        "only the policy judging shell.exec loads: {lines:?}"
    );
    assert_eq!(names(&next, "policies"), ["shell-guard"]);
    assert_eq!(names(&next, "skipped"), ["deploy-guard", "fs-boundary"]);

    let pod = serde_json::json!({"kind": "k8s.apply", "tool": "Bash", "cwd": "/work/app",
        "content": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: \"app:1\", securityContext: {privileged: true}}]\n"});
    let (k8s, out) = eval(policies.path(), cache.path(), &pod);
    assert_eq!(k8s["evaluation"], "ESCALATE", "{k8s}");
    assert!(
        k8s["rules"].to_string().contains("deploy.privileged"),
        "{k8s}"
    );
    let lines = loaded(&out);
    assert!(
        lines.len() == 1 && lines[0].contains("deploy-guard"),
        "{lines:?}"
    );
    assert_eq!(names(&k8s, "skipped"), ["fs-boundary", "shell-guard"]);
}

/// A set loaded for one kind and asked about another fails closed: each
/// policy left out that judges that kind is a fault, not a silent allow.
#[test]
fn a_set_loaded_for_one_kind_denies_what_it_left_out() {
    let engine = common::engine();
    let path = common::component("deploy-guard");
    let text = format!(
        "version = 1\n[[policy]]\npath = {:?}\n",
        path.to_str().unwrap()
    );
    let spec =
        SetConfig::from_config_text(&text, std::path::Path::new("/nonexistent/clawlaw.toml"))
            .unwrap()
            .set;
    // The first load records deploy-guard's info; the next one knows it
    // judges only k8s.apply.
    PolicySet::load(&engine, &spec, OnLoadError::Refuse).unwrap();
    let set = PolicySet::load_for_kind(&engine, &spec, OnLoadError::Refuse, "shell.exec").unwrap();
    assert_eq!(set.loaded().count(), 0, "deploy-guard is left out");
    let shell = action(r#"{"kind": "shell.exec", "command": "ls", "cwd": "/w"}"#);
    let e = set.evaluate(&shell, &Session::default());
    assert_eq!(e.evaluation, Verdict::Allow);
    assert_eq!(e.skipped.len(), 1);
    let pod = action(r#"{"kind": "k8s.apply", "content": "kind: Pod", "cwd": "/w"}"#);
    let e = set.evaluate(&pod, &Session::default());
    assert_eq!(e.evaluation, Verdict::Deny, "{e:?}");
    assert!(e.reason.contains("not loaded"), "{}", e.reason);
}

fn action(json: &str) -> clawlaw_sdk::Action {
    clawlaw_engine::action::parse_action(json.as_bytes(), 1 << 20, || "a-1".into()).unwrap()
}

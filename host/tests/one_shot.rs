//! One-shot processes (`clawlaw hook --policies`, `clawlaw eval`) start from
//! the pre-initialised snapshots the compile cache keeps: the first call
//! takes them, the next ones load them — governance-guard's too, whose
//! settings carry the gate's facts, so those facts must not change from one
//! call to the next (a process's own pid would). And once the cache knows
//! which kinds each policy judges, they load only the policies that judge
//! their action. Their snapshots are taken for the one evaluation they
//! serve, and cached apart from a gate's.

use crate::common;
use crate::common::pre_tool_use;

use std::process::{Command, Output};

use clawlaw_engine::engine::{Engine, EngineConfig};
use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_engine::{Session, Verdict};
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

#[test]
fn an_unchanged_component_file_is_not_read_and_a_rewritten_one_is() {
    let policies = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let path = policies.path().join("guard.wasm");
    std::fs::copy(common::component("shell-guard"), &path).unwrap();
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    // A digest is recorded only of a file whose times are settled (3 s).
    std::thread::sleep(std::time::Duration::from_millis(3500));

    let first = call(policies.path(), cache.path(), "rm -rf /");
    assert_eq!(decision(&first), "deny");
    let digests = std::fs::read_dir(cache.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("digest".as_ref()))
        .count();
    assert_eq!(digests, 1, "the file's digest is recorded");

    let next = call(policies.path(), cache.path(), "rm -rf /");
    assert_eq!(decision(&next), "deny");
    let lines = loaded(&next);
    assert!(
        lines.len() == 1 && lines[0].contains("shell-guard") && lines[0].contains("read=false"),
        "the unchanged file is known by its stamp and not read: {lines:?}"
    );

    // Another policy written into the same file (same inode), its mtime set
    // back to the old one: the change time still tells.
    let other = std::fs::read(common::component("ml-lifecycle")).unwrap();
    let mut file = std::fs::File::options()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, &other).unwrap();
    file.set_modified(written).unwrap();
    drop(file);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written
    );

    let rewritten = call(policies.path(), cache.path(), "rm -rf /");
    assert_eq!(
        decision(&rewritten),
        "allow",
        "ml-lifecycle, now in the file, has no rule against it: {:?}",
        loaded(&rewritten)
    );
    assert!(
        !loaded(&rewritten).iter().any(|l| l.contains("shell-guard")),
        "{:?}",
        loaded(&rewritten)
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
    // A manifest's containers run commands, which shell-guard judges.
    let lines = loaded(&out);
    assert!(
        lines.len() == 2
            && lines.iter().any(|l| l.contains("deploy-guard"))
            && lines.iter().any(|l| l.contains("shell-guard")),
        "{lines:?}"
    );
    assert_eq!(names(&k8s, "skipped"), ["fs-boundary"]);
}

/// A set loaded for one kind and asked about another fails closed: each
/// policy left out that judges that kind is a fault, not a silent allow.
#[test]
fn a_set_loaded_for_one_kind_denies_what_it_left_out() {
    let engine = common::engine();
    let spec = common::one_policy_spec("deploy-guard", "{}");
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

/// A one-shot process snapshots secrets-guard for a single evaluation: its
/// rule set is left to be compiled on use (a snapshot some 5 MB smaller than
/// a gate's), the rules compiled then still find a credential, and a gate
/// never starts from such a snapshot, nor a one-shot process from a gate's.
#[test]
fn one_shot_snapshots_leave_the_rule_set_to_first_use() {
    let policies = tempfile::tempdir().unwrap();
    let component = common::component("secrets-guard");
    std::fs::copy(&component, policies.path().join("secrets_guard.wasm")).unwrap();
    let (one_shot_cache, gate_cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let token = "ghp_8fK2mQ9xLr4TzW7bN1cVd5HsJ0pYgE3aUiOk";
    let write = serde_json::json!({"kind": "file.write", "tool": "Write",
        "target": "/w/deploy.sh", "content": format!("export GH_TOKEN={token}\n"), "cwd": "/w"});
    for (call, cached) in [("first", "cached=false"), ("next", "cached=true")] {
        let (v, out) = eval(policies.path(), one_shot_cache.path(), &write);
        assert_eq!(v["evaluation"], "DENY", "{call} call: {v}");
        assert!(v.to_string().contains("github-pat"), "{call} call: {v}");
        let lines = loaded(&out);
        assert!(
            lines.len() == 1
                && lines[0].contains("preinitialized=true")
                && lines[0].contains(cached),
            "{call} call: {lines:?}"
        );
    }
    let one_shot_bytes = dir_bytes(one_shot_cache.path());

    let spec = common::one_policy_spec("secrets-guard", "{}");
    // The engines use the same key file as `clawlaw eval` (the default one).
    let load = |cache: &std::path::Path, one_shot: bool| {
        let engine = Engine::new(&EngineConfig {
            cache_dir: Some(cache.to_path_buf()),
            cache_key: None,
            cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
            max_sandboxes: 4,
            preinitialize: true,
            one_shot,
        })
        .unwrap();
        let set = PolicySet::load(&engine, &spec, OnLoadError::Refuse).unwrap();
        let policy = set.loaded().next().unwrap();
        assert!(policy.is_preinitialized());
        let e = set.evaluate(&action(&write.to_string()), &Session::default());
        assert_eq!(e.evaluation, Verdict::Deny, "{e:?}");
        policy.was_cached()
    };
    // The same component and settings: a one-shot load finds the snapshot
    // `clawlaw eval` took, a gate's does not, nor the other way round.
    assert!(load(one_shot_cache.path(), true));
    assert!(!load(one_shot_cache.path(), false));
    assert!(!load(gate_cache.path(), false));
    assert!(load(gate_cache.path(), false));
    // Each cache now holds the component compiled, instrumented, its info
    // and one snapshot; the gate's snapshot carries the compiled rules.
    let gate_bytes = dir_bytes(gate_cache.path());
    assert!(
        gate_bytes > one_shot_bytes + (2 << 20),
        "a gate's cache: {gate_bytes} bytes, a one-shot one: {one_shot_bytes}"
    );
    assert!(!load(gate_cache.path(), true));
}

/// The bytes of the files under `dir`.
fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| match e.file_type().unwrap().is_dir() {
            true => dir_bytes(&e.path()),
            false => e.metadata().unwrap().len(),
        })
        .sum()
}

fn action(json: &str) -> clawlaw_sdk::Action {
    clawlaw_engine::action::parse_action(json.as_bytes(), 1 << 20, || "a-1".into()).unwrap()
}

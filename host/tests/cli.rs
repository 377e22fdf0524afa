//! The `clawlaw` binary as a user runs it: decisions and exit statuses,
//! malformed input, usage errors, hostile and broken policies.

use crate::common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

fn clawlaw(args: &[&str], stdin: &[u8]) -> Run {
    let out = common::run_with_input(
        Command::new(env!("CARGO_BIN_EXE_clawlaw"))
            .args(args)
            .env("CLAWLAW_CACHE_DIR", common::cache_dir())
            .env_remove("RUST_LOG"),
        stdin,
    );
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A directory holding the three bundled components, as `cargo xtask policies` lays them out.
fn bundled() -> &'static str {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for name in ["fs-boundary", "shell-guard", "secrets-guard"] {
            std::fs::copy(
                common::component(name),
                dir.path().join(format!("{name}.wasm")),
            )
            .unwrap();
        }
        dir
    })
    .path()
    .to_str()
    .unwrap()
}

fn eval(action: &str) -> Run {
    clawlaw(
        &["eval", "--compact", "--policy", bundled(), "--action", "-"],
        action.as_bytes(),
    )
}

fn example(name: &str) -> PathBuf {
    common::workspace_root()
        .join("examples")
        .join("actions")
        .join(name)
}

#[test]
fn cargo_test_is_allowed() {
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            bundled(),
            "--action",
            example("cargo-test.json").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["evaluation"], "ALLOW");
    let policies = out["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2);
    // fs-boundary judges file actions only: not consulted on a command.
    assert_eq!(out["skipped"][0]["name"], "fs-boundary", "{out}");
    for p in policies {
        assert!(p["digest"].as_str().unwrap().starts_with("sha256:"));
        assert!(!p["version"].as_str().unwrap().is_empty());
    }
}

#[test]
fn rm_rf_root_is_denied_with_a_reason() {
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            bundled(),
            "--action",
            example("rm-rf-root.json").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["evaluation"], "DENY");
    assert!(
        out["reason"].as_str().unwrap().contains("shell-guard"),
        "{out}"
    );
    assert!(
        out["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("shell-guard/"))
    );
}

#[test]
fn writing_etc_hosts_and_path_traversal_are_denied() {
    for file in ["write-etc-hosts.json", "path-traversal.json"] {
        let run = clawlaw(
            &[
                "eval",
                "--policy",
                bundled(),
                "--action",
                example(file).to_str().unwrap(),
            ],
            b"",
        );
        assert_eq!(run.code, 3, "{file}: {}{}", run.stdout, run.stderr);
        let out = run.json();
        assert_eq!(out["evaluation"], "DENY", "{file}");
        assert!(
            out["reason"].as_str().unwrap().contains("fs-boundary"),
            "{file}: {out}"
        );
    }
}

#[test]
fn a_privileged_command_escalates_with_its_own_exit_status() {
    let run = eval(
        r#"{"kind":"shell.exec","tool":"Bash","command":"sudo systemctl restart nginx","cwd":"/work/app"}"#,
    );
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["evaluation"], "ESCALATE");
}

#[test]
fn malformed_actions_are_denied_with_the_problem_named() {
    let cases: Vec<(String, &str)> = vec![
        (
            "this is not json".into(),
            "malformed action: action is not valid JSON",
        ),
        (r#"{"command":"ls"}"#.into(), "missing field `kind`"),
        (
            r#"{"kind":"shell.exec","command":["ls"]}"#.into(),
            "invalid type",
        ),
        (
            r#"{"kind":"shell.exec","comand":"ls"}"#.into(),
            "unknown field `comand`",
        ),
        (
            r#"{"kind":"shell.exec","command":"ls","cwd":"relative/dir"}"#.into(),
            "field `cwd`",
        ),
        (
            format!(
                r#"{{"kind":"file.write","target":"/work/app/big","content":"{}"}}"#,
                "a".repeat(10 << 20)
            ),
            "over the limit of 4194304 bytes",
        ),
    ];
    for (action, expected) in cases {
        let run = eval(&action);
        assert_eq!(run.code, 3, "{expected}: {}{}", run.stdout, run.stderr);
        let out = run.json();
        assert_eq!(out["evaluation"], "DENY");
        let reason = out["reason"].as_str().unwrap();
        assert!(
            reason.contains(expected),
            "expected {expected:?} in {reason:?}"
        );
        assert!(
            run.stderr.starts_with("error: -: "),
            "one clear line on stderr: {}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn usage_errors_name_the_file_and_the_field() {
    let run = clawlaw(
        &["eval", "--policy", "/nonexistent/policies", "--action", "-"],
        b"{}",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("/nonexistent/policies"),
        "{}",
        run.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gate.toml");
    std::fs::write(
        &config,
        "version = 1\n[[policy]]\npath = \"x.wasm\"\nsetings = {}\n",
    )
    .unwrap();
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            config.to_str().unwrap(),
            "--action",
            "-",
        ],
        b"{}",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("gate.toml") && run.stderr.contains("unknown field `setings`"),
        "{}",
        run.stderr
    );

    let session = dir.path().join("session.json");
    std::fs::write(&session, r#"{"labels": "secret-read"}"#).unwrap();
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            bundled(),
            "--session",
            session.to_str().unwrap(),
            "--action",
            "-",
        ],
        br#"{"kind":"file.read"}"#,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("session.json: not a session"),
        "{}",
        run.stderr
    );

    let run = clawlaw(&["eval", "--action", "-"], b"");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--policy"), "{}", run.stderr);
}

#[test]
fn a_component_that_is_not_a_policy_denies_every_action() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::component("shell-guard"),
        dir.path().join("shell-guard.wasm"),
    )
    .unwrap();
    std::fs::write(dir.path().join("junk.wasm"), b"\0asm not really").unwrap();
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            dir.path().to_str().unwrap(),
            "--action",
            "-",
        ],
        br#"{"kind":"shell.exec","command":"ls"}"#,
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["evaluation"], "DENY");
    assert!(
        out["reason"]
            .as_str()
            .unwrap()
            .starts_with("junk: failed to load: not a valid WebAssembly component"),
        "{out}"
    );
    let junk = &out["policies"][0];
    assert_eq!(junk["fault"]["fault"], "load");
}

#[test]
fn a_runaway_policy_is_denied_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gate.toml");
    std::fs::write(
        &config,
        format!(
            "version = 1\n[[policy]]\npath = {:?}\nsettings = {{ mode = \"loop\" }}\nlimits = {{ deadline_ms = 20 }}\n",
            common::component("hostile-policy")
        ),
    )
    .unwrap();
    let run = clawlaw(
        &[
            "eval",
            "--policy",
            config.to_str().unwrap(),
            "--action",
            "-",
        ],
        br#"{"kind":"shell.exec","command":"ls"}"#,
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["reason"], "hostile: deadline of 20 ms exceeded");
    assert_eq!(out["policies"][0]["fault"]["fault"], "deadline");
}

#[test]
fn policy_info_names_the_policy_and_its_rules() {
    let path = common::component("shell-guard");
    let run = clawlaw(&["policy", "info", "--json", path.to_str().unwrap()], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["name"], "shell-guard");
    assert!(out["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(!out["rules"].as_array().unwrap().is_empty());
    assert_eq!(out["contract"], "0.4.0");
    assert!(
        out["kinds"]
            .as_array()
            .unwrap()
            .contains(&"shell.exec".into())
    );
    assert_eq!(
        out["session_parts"],
        serde_json::json!({"labels": false, "counters": false, "recent": false})
    );
    let text = clawlaw(&["policy", "info", path.to_str().unwrap()], b"");
    assert!(
        text.stdout.starts_with("name:     shell-guard\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("\ncontract: clawlaw:policy@0.4.0\n")
            && text
                .stdout
                .contains("\nreads:    the session's id, intent, scope, action count and risk\n"),
        "{}",
        text.stdout
    );
    // A policy that reads some of its session's history says which; one
    // built against 0.1.0 reads the whole view and judges every kind.
    let ml = common::component("ml-lifecycle");
    let text = clawlaw(&["policy", "info", ml.to_str().unwrap()], b"");
    assert!(
        text.stdout.contains(
            "\njudges:   train.submit, train.step, model.promote\nreads:    the session's id, intent, scope, action count and risk, labels, counters\n"
        ),
        "{}",
        text.stdout
    );
    let legacy = common::component("legacy-policy");
    let text = clawlaw(&["policy", "info", legacy.to_str().unwrap()], b"");
    assert!(
        text.stdout.contains("\ncontract: clawlaw:policy@0.1.0\njudges:   every action kind\nreads:    the session's id, intent, scope, action count and risk, labels, counters, recent\n"),
        "{}",
        text.stdout
    );
}

#[test]
fn policy_test_runs_a_case_file_against_the_component() {
    let component = common::component("secrets-guard");
    let cases = common::workspace_root().join("policies/secrets-guard/cases.toml");
    let run = clawlaw(
        &[
            "policy",
            "test",
            component.to_str().unwrap(),
            cases.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .last()
            .unwrap()
            .ends_with(" passed, 0 failed"),
        "{}",
        run.stdout
    );

    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.toml");
    std::fs::write(
        &wrong,
        "[[case]]\nname = \"an ordinary read expected to be denied\"\naction = { kind = \"file.read\", target = \"/work/app/src/main.rs\", cwd = \"/work/app\" }\nexpect = \"deny\"\n",
    )
    .unwrap();
    let run = clawlaw(
        &[
            "policy",
            "test",
            component.to_str().unwrap(),
            wrong.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 3);
    assert!(
        run.stdout
            .contains("FAIL  an ordinary read expected to be denied  expected DENY, got ALLOW"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("0 passed, 1 failed\n"));
}

#[test]
fn help_explains_the_exit_statuses() {
    let run = clawlaw(&["eval", "--help"], b"");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("0 ALLOW, 3 DENY, 4 ESCALATE"),
        "{}",
        run.stdout
    );
}

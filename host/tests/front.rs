//! The `clawlaw` front: it forwards `hook <agent> --gate` itself, with no
//! full command installed beside it, hands every other command line to
//! `clawlaw-full` unchanged (its answer, its exit status, its name in
//! usage lines, its process), and fails closed, in the agent's format for
//! a hook, when the full command is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common;
use crate::common::pre_tool_use;
use crate::common::server::{AGENT, Server, config};
use crate::hook::{decision, policies_dir, reason};

/// A copy of the front alone in a directory of its own: no `clawlaw-full`
/// beside it.
fn lone_front() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let front = dir.path().join("clawlaw");
    std::fs::copy(env!("CARGO_BIN_EXE_clawlaw"), &front).unwrap();
    (dir, front)
}

fn run(front: &Path, args: &[&str], input: &[u8]) -> Output {
    common::run_with_input(
        Command::new(front)
            .args(args)
            .env("CLAWLAW_TOKEN", AGENT)
            .env("CLAWLAW_CACHE_DIR", common::cache_dir())
            .env_remove("RUST_LOG"),
        input,
    )
}

fn hook_answer(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON answer ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_front_forwards_hook_calls_with_no_full_command_beside_it() {
    policies_dir();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&config(dir.path(), ""));
    let (_bin, front) = lone_front();
    let args = ["hook", "claude-code", "--gate", server.url.as_str()];
    let out = run(&front, &args, &pre_tool_use("rm -rf /"));
    let v = hook_answer(&out);
    assert_eq!(decision(&v), Some("deny"), "{v}");
    assert!(
        reason(&v).contains("shell.destructive"),
        "the gate's answer: {v}"
    );
    let out = run(&front, &args, &pre_tool_use("cargo test"));
    assert_eq!(decision(&hook_answer(&out)), Some("allow"));
    assert_eq!(out.status.code(), Some(0));
    // The gate decided both.
    let metrics = server.metrics();
    for line in [
        "clawlaw_decisions_total{evaluation=\"ALLOW\"} 1",
        "clawlaw_decisions_total{evaluation=\"DENY\"} 1",
    ] {
        assert!(metrics.contains(line), "{line}: {metrics}");
    }
}

#[test]
fn without_its_full_command_the_front_fails_closed_and_says_why() {
    let (_bin, front) = lone_front();
    // Every command but the forwarding needs the full command.
    let out = run(&front, &["--version"], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("clawlaw-full") && stderr.contains("cargo install --path host"),
        "names what is missing and how to install it: {stderr}"
    );
    // A hook that cannot run is a deny in the agent's own format, never a
    // crash the agent would run the tool after.
    let policies = policies_dir().display().to_string();
    let out = run(
        &front,
        &["hook", "claude-code", "--policies", &policies],
        &pre_tool_use("cargo test"),
    );
    let v = hook_answer(&out);
    assert_eq!(decision(&v), Some("deny"), "{v}");
    assert!(reason(&v).contains("clawlaw-full"), "{v}");
    let codex = br#"{"session_id":"c","hook_event_name":"PreToolUse","cwd":"/work/app","tool_name":"shell","tool_input":{"command":["ls"]}}"#;
    let out = run(&front, &["hook", "codex", "--policies", &policies], codex);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("clawlaw-full"),
        "codex's deny names the cause: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_front_hands_every_other_command_line_to_the_full_command_unchanged() {
    let front = Path::new(env!("CARGO_BIN_EXE_clawlaw"));
    // Usage errors are the full command's, under the front's name.
    let out = run(front, &["bogus"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Usage: clawlaw "), "{stderr}");
    // A forwarding call the full command rejects is rejected, not
    // forwarded: the front takes only what both read the same way.
    let out = run(
        front,
        &[
            "hook",
            "claude-code",
            "--gate",
            "http://127.0.0.1:9",
            "--policies",
            "x",
        ],
        &pre_tool_use("ls"),
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    // The full command's help and its answers, with their exit statuses.
    let out = run(front, &["hook", "--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--policies <PATH>"));
    let policies = policies_dir().display().to_string();
    let action = br#"{"kind":"shell.exec","command":"rm -rf /","cwd":"/work/app"}"#;
    let out = run(
        front,
        &["eval", "--compact", "--policy", &policies, "--action", "-"],
        action,
    );
    assert_eq!(out.status.code(), Some(3), "DENY's status");
    // `clawlaw serve` is the full command in the process it was started as.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&config(dir.path(), ""));
    let exe = std::fs::read_link(format!("/proc/{}/exe", server.pid())).unwrap();
    assert_eq!(
        exe.file_name().and_then(|n| n.to_str()),
        Some("clawlaw-full")
    );
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", server.pid())).unwrap();
    let argv0 = cmdline.split(|b| *b == 0).next().unwrap();
    assert_eq!(
        Path::new(std::str::from_utf8(argv0).unwrap()),
        front,
        "its name is the one it was started by"
    );
}

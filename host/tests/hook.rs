//! `clawlaw hook <agent>` and `clawlaw-hook <agent>`: the corpora of
//! real-shaped hook inputs with their expected answers (in-process against
//! the bundled policies) and every fail-closed path of both commands. Their
//! use against a running gate is in [`crate::hook_gate`].

use crate::common;
use crate::common::pre_tool_use;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::server::AGENT;
use serde_json::{Value, json};

const BUNDLED: &[&str] = &[
    "fs-boundary",
    "shell-guard",
    "secrets-guard",
    "exfiltration",
];
pub(crate) const AGENTS: &[&str] = &["claude-code", "codex", "gemini", "cursor"];

/// The bundled policies, built once, in a directory of their own.
pub(crate) fn policies_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch().join("policies");
        std::fs::create_dir_all(&dir).unwrap();
        for c in BUNDLED {
            let file = common::component(c);
            std::fs::copy(&file, dir.join(file.file_name().unwrap())).unwrap();
        }
        dir
    })
}

/// A directory for this test process (components).
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

pub(crate) fn hook(agent: &str, args: &[&str]) -> Command {
    adapter(env!("CARGO_BIN_EXE_clawlaw"), &["hook"], agent, args)
}

/// `clawlaw-hook <agent>`: the forwarder alone.
pub(crate) fn forwarder(agent: &str, args: &[&str]) -> Command {
    adapter(env!("CARGO_BIN_EXE_clawlaw-hook"), &[], agent, args)
}

fn adapter(program: &str, command: &[&str], agent: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(command)
        .arg(agent)
        .args(args)
        .env("CLAWLAW_CACHE_DIR", common::cache_dir())
        .env_remove("CLAWLAW_TOKEN")
        .env_remove("CLAWLAW_HOOK_TEST_PANIC")
        .env("RUST_LOG", "warn");
    cmd
}

/// Both commands that forward to a gate, with `args`: `clawlaw hook
/// <agent>` and the small `clawlaw-hook <agent>`.
pub(crate) fn forwarders(agent: &str, args: &[&str]) -> [Command; 2] {
    [hook(agent, args), forwarder(agent, args)]
}

/// Runs the adapter with `input` on stdin.
pub(crate) fn run(mut cmd: Command, input: &[u8]) -> Output {
    common::run_with_input(&mut cmd, input)
}

/// What an adapter run printed, in the form the corpus records.
pub(crate) fn observed(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stdout: Value = if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {stdout}"))
    };
    json!({ "exit_code": out.status.code(), "stdout": stdout })
}

fn local(agent: &str) -> Command {
    let dir = policies_dir().to_str().unwrap();
    // The first one-shot call compiles and snapshots the policies into the
    // compile cache, which takes longer than --timeout-ms in a debug build
    // (README: warm the cache once); do it once, unhurried, before any
    // call whose answer a test checks.
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let warm = hook(
            "claude-code",
            &["--policies", dir, "--timeout-ms", "600000"],
        );
        let out = observed(&run(warm, &pre_tool_use("ls")));
        assert_eq!(decision(&out["stdout"]), Some("allow"), "warming: {out}");
    });
    hook(agent, &["--policies", dir])
}

/// The decision in an answer, whatever the agent's format.
pub(crate) fn decision(stdout: &Value) -> Option<&str> {
    stdout
        .pointer("/hookSpecificOutput/permissionDecision")
        .or_else(|| stdout.get("decision"))
        .or_else(|| stdout.get("permission"))
        .and_then(Value::as_str)
}

pub(crate) fn reason(stdout: &Value) -> String {
    [
        "/hookSpecificOutput/permissionDecisionReason",
        "/reason",
        "/agent_message",
        "/systemMessage",
        "/user_message",
    ]
    .iter()
    .find_map(|p| stdout.pointer(p).and_then(Value::as_str))
    .unwrap_or_default()
    .to_string()
}

// ------------------------------------------------------------------ corpus

/// Every `<name>.input.json` of every agent against its
/// `<name>.expected.json` ({"exit_code", "stdout"}, and for exit code 2,
/// `stderr_contains`). `CLAWLAW_BLESS=1` writes the expected files.
#[test]
fn corpus_matches_expected_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hooks");
    let bless = std::env::var_os("CLAWLAW_BLESS").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for agent in AGENTS {
        let dir = root.join(agent);
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".input.json"))
            .collect();
        inputs.sort();
        assert!(inputs.len() >= 10, "{agent}: a corpus of {}", inputs.len());
        for input in inputs {
            let name = input
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".input.json", "");
            let out = run(local(agent), &std::fs::read(&input).unwrap());
            let stderr = String::from_utf8_lossy(&out.stderr).to_string();
            let got = observed(&out);
            let expected_path = dir.join(format!("{name}.expected.json"));
            if bless {
                let mut v = got.clone();
                if out.status.code() == Some(2) {
                    v["stderr_contains"] = stderr.lines().next().unwrap_or_default().into();
                }
                std::fs::write(
                    &expected_path,
                    serde_json::to_string_pretty(&v).unwrap() + "\n",
                )
                .unwrap();
            }
            let expected: Value = serde_json::from_slice(
                &std::fs::read(&expected_path)
                    .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
            )
            .unwrap();
            let mut ok =
                got["exit_code"] == expected["exit_code"] && got["stdout"] == expected["stdout"];
            if let Some(s) = expected.get("stderr_contains").and_then(Value::as_str) {
                ok &= stderr.contains(s);
            }
            if !ok {
                failures.push(format!(
                    "{agent}/{name}:\n  expected {expected}\n  got      {got}\n  stderr   {stderr}"
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{checked} corpus cases matched");
}

/// A write of 5 MiB is over the gate's 4 MiB action limit: denied, named;
/// 1 MiB of ordinary text is judged like any other write.
#[test]
fn huge_contents_are_bounded_not_dropped() {
    let input = |bytes: usize| {
        json!({
            "session_id": "s-huge", "cwd": "/work/app", "hook_event_name": "PreToolUse",
            "tool_name": "Write", "tool_use_id": "toolu_huge",
            "tool_input": { "file_path": "/work/app/big.txt", "content": "lorem ipsum\n".repeat(bytes / 12) },
        })
        .to_string()
    };
    let out = observed(&run(local("claude-code"), input(5 << 20).as_bytes()));
    assert_eq!(decision(&out["stdout"]), Some("deny"), "{out}");
    assert!(reason(&out["stdout"]).contains("over the limit"), "{out}");
    let out = observed(&run(local("claude-code"), input(1 << 20).as_bytes()));
    assert_eq!(decision(&out["stdout"]), Some("allow"), "{out}");
}

// ------------------------------------------------------------- fail closed

/// The deny each agent gives when its input cannot be read at all.
fn assert_garbage_denied(agent: &str, out: &Output) {
    if agent == "cursor" {
        let v = observed(out);
        assert_eq!(v["exit_code"], 0);
        assert_eq!(v["stdout"]["permission"], "deny", "{v}");
        assert_eq!(v["stdout"]["continue"], false, "{v}");
    } else {
        assert_eq!(out.status.code(), Some(2), "{agent}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains("clawlaw failed closed"));
    }
}

#[test]
fn garbage_is_denied_in_both_modes_for_every_agent() {
    for agent in AGENTS {
        for input in [
            &b"not json"[..],
            b"",
            b"{\"hook_event_name\": 3}",
            b"\xff\xfe",
        ] {
            assert_garbage_denied(agent, &run(local(agent), input));
            for gate in forwarders(agent, &["--gate", "http://127.0.0.1:9"]) {
                assert_garbage_denied(agent, &run(gate, input));
            }
        }
    }
}

fn assert_denied(out: &Output, why: &str) -> String {
    let v = observed(out);
    assert_eq!(v["exit_code"], 0, "{v}");
    assert_eq!(decision(&v["stdout"]), Some("deny"), "{v}");
    let r = reason(&v["stdout"]);
    assert!(r.contains(why), "expected {why:?} in {r:?}");
    r
}

#[test]
fn an_unreachable_gate_is_a_deny() {
    // Port 9 (discard) has no listener on the test machines' loopback.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}");
    for mut cmd in forwarders("claude-code", &["--gate", &url]) {
        cmd.env("CLAWLAW_TOKEN", AGENT);
        assert_denied(&run(cmd, &pre_tool_use("ls")), "unreachable");
    }
    // A prompt cannot go unrecorded either: it is blocked.
    for mut cmd in forwarders("claude-code", &["--gate", &url]) {
        cmd.env("CLAWLAW_TOKEN", AGENT);
        let prompt = json!({"session_id": "s", "cwd": "/w", "hook_event_name": "UserPromptSubmit", "prompt": "hi"});
        let v = observed(&run(cmd, prompt.to_string().as_bytes()));
        assert_eq!(v["stdout"]["decision"], "block", "{v}");
    }
}

#[test]
fn a_missing_token_is_a_deny() {
    for cmd in forwarders("codex", &["--gate", "http://127.0.0.1:9"]) {
        assert_denied(
            &run(cmd, &pre_tool_use("ls")),
            "no agent token in $CLAWLAW_TOKEN",
        );
    }
}

/// A gate that accepts the connection and never answers: the adapter
/// answers deny by its own deadline, well inside the agent's timeout.
#[test]
fn a_silent_gate_is_a_deny_by_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok((s, _)) = listener.accept() {
                open.push(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    for agent in AGENTS {
        let input = match *agent {
            "cursor" => json!({"hook_event_name": "beforeShellExecution", "conversation_id": "c",
                "generation_id": "g", "workspace_roots": ["/w"], "command": "ls", "cwd": "/w"})
            .to_string()
            .into_bytes(),
            "gemini" => json!({"session_id": "g", "cwd": "/w", "hook_event_name": "BeforeTool",
                "tool_name": "run_shell_command", "tool_input": {"command": "ls"}})
            .to_string()
            .into_bytes(),
            _ => pre_tool_use("ls"),
        };
        for mut cmd in forwarders(agent, &["--gate", &url, "--timeout-ms", "600"]) {
            cmd.env("CLAWLAW_TOKEN", AGENT);
            let started = Instant::now();
            let out = run(cmd, &input);
            let took = started.elapsed();
            assert!(took < Duration::from_secs(3), "{agent} took {took:?}");
            let v = observed(&out);
            assert_eq!(v["exit_code"], 0, "{agent}: {v}");
            assert_eq!(decision(&v["stdout"]), Some("deny"), "{agent}: {v}");
        }
    }
    drop(held);
}

/// Stdin that never closes: the watchdog answers (the event is unknown, so
/// with Claude Code's blocking exit code 2).
#[test]
fn the_watchdog_answers_when_stdin_never_ends() {
    let mut child = local("claude-code")
        .args(["--timeout-ms", "500"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"{\"session_id\": ").unwrap();
    let started = Instant::now();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(status.code(), Some(2));
    assert!(stderr.contains("no answer within 500 ms"), "{stderr}");
    drop(stdin);
}

#[test]
fn a_panic_is_a_deny() {
    let [gate, small] = forwarders("claude-code", &["--gate", "http://127.0.0.1:9"]);
    for mut cmd in [local("claude-code"), gate, small] {
        cmd.env("CLAWLAW_HOOK_TEST_PANIC", "1");
        assert_denied(&run(cmd, &pre_tool_use("ls")), "internal error");
    }
}

/// A gate that answers something that is not the agent's JSON.
#[test]
fn a_gate_answering_nonsense_is_a_deny() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        for body in ["hello", "[1]", "hello", "[1]"] {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    for small in [false, true] {
        for why in ["unreadable JSON", "other than a JSON object"] {
            let [full, forwarder] = forwarders("claude-code", &["--gate", &url]);
            let mut cmd = if small { forwarder } else { full };
            cmd.env("CLAWLAW_TOKEN", AGENT);
            assert_denied(&run(cmd, &pre_tool_use("ls")), why);
        }
    }
    server.join().unwrap();
}

#[test]
fn unloadable_policies_are_a_deny() {
    let out = run(
        hook("claude-code", &["--policies", "/nonexistent/policies"]),
        &pre_tool_use("ls"),
    );
    assert_denied(&out, "/nonexistent/policies");
}

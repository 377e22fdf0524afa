//! Self-protection as an agent meets it: a running gate, and the in-process
//! hook, refuse what would switch off, blind, stop or impersonate them —
//! with the paths, address and pid of *this* gate, which nobody listed in
//! any policy's settings (the gate tells governance-guard itself) — and keep
//! serving ordinary work that touches the same directories.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{self, server::Server};

/// A gate running governance-guard and shell-guard from a config whose
/// policy settings are empty: everything governance-guard protects here it
/// learnt from the gate.
fn gate() -> (tempfile::TempDir, Server, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join(".claude")).unwrap();
    let config = common::server::config(dir.path(), "");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[[policy]]\npath = {:?}\n",
        common::component("governance-guard")
    ));
    std::fs::write(&config, text).unwrap();
    let server = Server::start(&config);
    (dir, server, work)
}

fn shell(command: &str, cwd: &Path) -> Value {
    json!({"kind": "shell.exec", "tool": "Bash", "command": command, "cwd": cwd})
}

/// Evaluates and returns (verdict, rules, reason).
fn decide(server: &Server, session: &str, action: Value) -> (String, Vec<String>, String) {
    let (status, body) = server.evaluate(session, action.clone());
    assert_eq!(status, 200, "{action}: {body}");
    let verdict = body["evaluation"].as_str().unwrap_or_default().to_string();
    let rules = body["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(String::from))
        .collect();
    let reason = body["reason"].as_str().unwrap_or_default().to_string();
    (verdict, rules, reason)
}

fn assert_denied(server: &Server, session: &str, action: Value, rule: &str) {
    let (verdict, rules, reason) = decide(server, session, action.clone());
    assert_eq!(verdict, "DENY", "{action} -> {verdict} ({reason})");
    assert!(
        rules
            .iter()
            .any(|r| r == rule || r.ends_with(&format!("/{rule}"))),
        "{action}: {rule} not among {rules:?} ({reason})"
    );
}

fn assert_allowed(server: &Server, session: &str, action: Value) {
    let (verdict, _, reason) = decide(server, session, action.clone());
    assert_eq!(verdict, "ALLOW", "{action} -> {verdict} ({reason})");
}

#[test]
fn a_running_gate_protects_its_own_files_address_and_process() {
    let (_dir, server, work) = gate();
    let session = server.open_session(json!({
        "intent": "fix the failing test",
        "scope": {"roots": [work]},
    }));
    let data = server.data_dir.display().to_string();
    let config = server.config.display().to_string();
    let component = common::component("shell-guard").display().to_string();
    let pid = server.pid();

    // Its evidence, config and components: changed by shell, never.
    for (cmd, rule) in [
        (format!("rm -rf {data}/evidence"), "governance.gate-files"),
        (
            format!("truncate -s 0 {data}/evidence/*"),
            "governance.gate-files",
        ),
        (
            format!("echo 'poll_secs = 0' >> {config}"),
            "governance.gate-files",
        ),
        (
            format!("cp /tmp/allow-all.wasm {component}"),
            "governance.gate-files",
        ),
        (
            format!("cat {data}/redaction.key"),
            "governance.gate-secrets",
        ),
        (format!("kill -9 {pid}"), "governance.stop-gate"),
        (
            "pkill -f 'clawlaw serve'".to_string(),
            "governance.stop-gate",
        ),
        (
            format!("curl -s {}/v1/reviews", server.url),
            "governance.gate-api",
        ),
        ("echo $CLAWLAW_TOKEN".to_string(), "governance.token-env"),
        (
            "sed -i 's/clawlaw/true/' .claude/settings.json".to_string(),
            "governance.agent-config",
        ),
    ] {
        assert_denied(&server, &session, shell(&cmd, &work), rule);
    }
    // The install it serves from: the front an agent's hook runs, the full
    // command the front runs (the process serving), the hook forwarder.
    for bin in [
        env!("CARGO_BIN_EXE_clawlaw"),
        env!("CARGO_BIN_EXE_clawlaw-full"),
        env!("CARGO_BIN_EXE_clawlaw-hook"),
    ] {
        let cmd = format!("cp /tmp/always-allow {bin}");
        assert_denied(
            &server,
            &session,
            shell(&cmd, &work),
            "governance.gate-files",
        );
    }
    assert_denied(
        &server,
        &session,
        shell(
            &format!(
                "{} serve --policies /tmp/allow-all",
                env!("CARGO_BIN_EXE_clawlaw-full")
            ),
            &work,
        ),
        "governance.impersonation",
    );
    // The same through the agent's file tools and its fetch tool.
    assert_denied(
        &server,
        &session,
        json!({"kind": "file.write", "tool": "Write", "target": ".claude/settings.local.json",
               "content": "{\"permissions\": {\"allow\": [\"Bash(*)\"]}}", "cwd": work}),
        "governance.agent-config",
    );
    assert_denied(
        &server,
        &session,
        json!({"kind": "file.delete", "tool": "Delete", "target": format!("{data}/evidence"), "cwd": work}),
        "governance.gate-files",
    );
    assert_denied(
        &server,
        &session,
        json!({"kind": "net.request", "tool": "WebFetch",
               "target": format!("{}/v1/admin/reload", server.url), "cwd": work}),
        "governance.gate-api",
    );
    // An MCP tool is judged by what it carries.
    assert_denied(
        &server,
        &session,
        json!({"kind": "tool.call", "tool": "mcp__filesystem__write_file",
               "input": {"path": work.join(".claude/settings.json"), "content": "{}"}, "cwd": work}),
        "governance.agent-config",
    );

    // Every file the gate keeps, by its own name: a walk whose name filter
    // selects it (`find DATA -name 'evidence-*' -delete`) deletes it as
    // surely as `rm` would, however deep below the walk's root it lies.
    let mut kept = Vec::new();
    files_below(&server.data_dir, &mut kept);
    assert!(
        kept.iter().any(|n| n.starts_with("evidence-")),
        "the gate has written its evidence: {kept:?}"
    );
    for name in &kept {
        let cmd = format!("find {data} -name '{name}' -delete");
        let (verdict, rules, reason) = decide(&server, &session, shell(&cmd, &work));
        assert_eq!(verdict, "DENY", "{cmd} -> {verdict} ({reason})");
        assert!(
            rules
                .iter()
                .any(|r| r.ends_with("governance.gate-files")
                    || r.ends_with("governance.gate-secrets")),
            "{cmd}: {rules:?} ({reason})"
        );
    }
    // Ordinary work on the same directories goes on.
    for cmd in [
        format!("find {data} -name '*.pyc' -delete"),
        format!("cat {config}"),
        format!("ls -la {data}"),
        "cat .claude/settings.json".to_string(),
        "ps aux | grep clawlaw".to_string(),
        "cargo test".to_string(),
    ] {
        assert_allowed(&server, &session, shell(&cmd, &work));
    }
    assert_allowed(
        &server,
        &session,
        json!({"kind": "file.write", "tool": "Write", "target": ".claude/commands/review.md",
               "content": "Review the diff.", "cwd": work}),
    );
    let (status, _) = server.get("/healthz", None);
    assert_eq!(status, 200, "the gate keeps serving");
}

/// The in-process hook protects the compile cache it runs native code
/// from, and the settings file that wires it in, told by nobody.
#[test]
fn the_in_process_hook_protects_its_cache_and_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    for c in ["governance-guard", "shell-guard"] {
        let file = common::component(c);
        std::fs::copy(&file, policies.join(file.file_name().unwrap())).unwrap();
    }
    let cache = common::cache_dir().display().to_string();
    let cases = [
        (format!("rm -rf {cache}"), "deny"),
        (format!("cp /tmp/evil.cwasm {cache}/x"), "deny"),
        ("echo '{}' > .claude/settings.json".to_string(), "deny"),
        (
            format!("cp /tmp/x.wasm {}/shell_guard.wasm", policies.display()),
            "deny",
        ),
        ("cargo build".to_string(), "allow"),
    ];
    for (command, expected) in cases {
        let input = json!({
            "session_id": "s1", "hook_event_name": "PreToolUse", "cwd": "/work/app",
            "tool_name": "Bash", "tool_input": {"command": command},
        });
        let out = common::run_with_input(
            Command::new(env!("CARGO_BIN_EXE_clawlaw"))
                .args(["hook", "claude-code", "--policies"])
                .arg(&policies)
                .env("CLAWLAW_CACHE_DIR", common::cache_dir())
                .env("RUST_LOG", "warn"),
            input.to_string().as_bytes(),
        );
        let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let decision = stdout
            .pointer("/hookSpecificOutput/permissionDecision")
            .and_then(Value::as_str)
            .unwrap_or("allow");
        assert_eq!(
            decision,
            expected,
            "{command}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The names of the files below `dir`, at any depth.
fn files_below(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_below(&path, out);
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            out.push(name.to_string());
        }
    }
}

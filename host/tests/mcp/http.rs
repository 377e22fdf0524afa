//! The gate's `/mcp/{server}` (streamable HTTP) in front of the reference
//! filesystem server, through a real `clawlaw serve`: the official Python
//! SDK's `streamable_http_client` (host/tests/mcp/http_client.py) and raw
//! HTTP for the transport's edges (session ids, methods, a crashing
//! upstream). Each MCP session is one gate session, whose evidence the
//! tests read back over the API.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::{fake_github_token, text, tool_names, tools};
use crate::common;
use crate::common::server::{AGENT, REVIEWER, Server};

/// A gate serving the filesystem server over `root` as `/mcp/filesystem`
/// (and a server that exits at once as `/mcp/crashing`), with `extra` TOML.
fn gate(root: &std::path::Path, extra: &str) -> (Server, tempfile::TempDir) {
    let (_, fs) = tools();
    let mcp = format!(
        "{extra}\n[[mcp.server]]\nname = \"filesystem\"\ncommand = [{fs:?}, {root:?}]\nroots = [{root:?}]\n\n\
         [[mcp.server]]\nname = \"crashing\"\ncommand = [\"sh\", \"-c\", \"exit 3\"]\n",
        fs = fs.display().to_string(),
        root = root.display().to_string(),
    );
    common::server::gate(&mcp)
}

/// One MCP session over HTTP with the Python SDK: `steps` as client.py runs them.
pub(super) fn session(url: &str, token: &str, spec: Value) -> Vec<Value> {
    let (python, _) = tools();
    let client = common::workspace_root().join("host/tests/mcp/http_client.py");
    let out = Command::new(python)
        .arg(client)
        .arg(spec.to_string())
        .arg(url)
        .arg(token)
        .output()
        .expect("running the MCP client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the client failed: {stdout}\n{stderr}"
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The gate sessions opened for the agent token, newest first.
pub(super) fn sessions(gate: &Server) -> Vec<Value> {
    let (status, list) = gate.get("/v1/sessions", Some(REVIEWER));
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .filter(|s| s["principal"] == "claude")
        .cloned()
        .collect()
}

pub(super) fn evidence(gate: &Server, session: &str) -> Vec<Value> {
    let (status, records) = gate.get(&format!("/v1/sessions/{session}/evidence"), Some(REVIEWER));
    assert_eq!(status, 200, "{records}");
    records.as_array().unwrap().clone()
}

#[test]
fn over_http_the_filesystem_server_is_governed_and_recorded_on_the_gate() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(r.join("a.txt"), "hello over http\n").unwrap();
    let (gate, _dir) = gate(r, "");
    let path = |p: &str| r.join(p).display().to_string();
    let got = session(
        &format!("{}/mcp/filesystem", gate.url),
        AGENT,
        json!({"steps": [
            {"list": true},
            {"call": "read_text_file", "arguments": {"path": path("a.txt")}},
            {"call": "write_file", "arguments": {"path": path("deploy.sh"), "content": format!("export GH_TOKEN={}\n", fake_github_token())}},
            {"call": "write_file", "arguments": {"path": path("notes.txt"), "content": "plain notes\n"}},
        ]}),
    );
    let names = tool_names(&got[0]);
    for t in ["read_text_file", "write_file", "list_directory"] {
        assert!(names.contains(&t), "{t} not listed: {names:?}");
    }
    assert_eq!(got[1]["is_error"], false, "{}", got[1]);
    assert!(text(&got[1]).contains("hello over http"));
    assert_eq!(got[2]["is_error"], true, "{}", got[2]);
    assert!(text(&got[2]).contains("secrets-guard"), "{}", got[2]);
    assert!(!r.join("deploy.sh").exists());
    assert_eq!(got[3]["is_error"], false, "{}", got[3]);
    assert_eq!(
        std::fs::read_to_string(r.join("notes.txt")).unwrap(),
        "plain notes\n"
    );

    // One gate session for the MCP session, principal the token's name.
    let listed = sessions(&gate);
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["actions"], 3, "{}", listed[0]);
    let records = evidence(&gate, listed[0]["session_id"].as_str().unwrap());
    let verdicts: Vec<&str> = records
        .iter()
        .map(|r| r["evaluation"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["ALLOW", "DENY", "ALLOW"], "{records:#?}");
    assert_eq!(
        records[0]["proposed_action"]["tool"],
        "mcp__filesystem__read_text_file"
    );
    assert_eq!(records[0]["proposed_action"]["kind"], "file.read");
    assert!(
        records[0]["execution_result"]
            .to_string()
            .contains("hello over http"),
        "{}",
        records[0]
    );
    assert_eq!(records[1]["proposed_action"]["kind"], "file.write");
    assert!(!records[1].to_string().contains(&fake_github_token()));
    assert!(!records[2]["execution_result"].is_null(), "{}", records[2]);
}

#[test]
fn over_http_an_escalation_asks_through_elicitation_or_waits_for_a_reviewer() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir(r.join("svc")).unwrap();
    std::fs::write(r.join(".env"), "DATABASE_URL=postgres://localhost/dev\n").unwrap();
    std::fs::write(
        r.join("svc/.env"),
        "DATABASE_URL=postgres://localhost/svc\n",
    )
    .unwrap();
    let (gate, _dir) = gate(r, "[review]\nmax_wait_secs = 30\n");
    let endpoint = format!("{}/mcp/filesystem", gate.url);
    let read = |p: &str| json!({"call": "read_text_file", "arguments": {"path": r.join(p).display().to_string()}});

    // Asked over the POST's event stream: approved once, denied once.
    let got = session(
        &endpoint,
        AGENT,
        json!({"elicit": ["approve", "deny"], "steps": [read(".env"), read("svc/.env")]}),
    );
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got[0]["elicited"]
            .as_str()
            .unwrap()
            .contains("secrets-guard"),
        "{}",
        got[0]
    );
    assert_eq!(got[1]["is_error"], false, "{}", got[1]);
    assert!(text(&got[1]).contains("postgres://localhost/dev"));
    assert_eq!(got[3]["is_error"], true, "{}", got[3]);
    assert!(text(&got[3]).contains("denied by the user"), "{}", got[3]);

    // A client that cannot ask: a gate reviewer approves while the call waits.
    let url = gate.url.clone();
    let reviewer = std::thread::spawn(move || {
        for _ in 0..300 {
            let pending: Value = ureq::get(&format!("{url}/v1/reviews?status=pending"))
                .set("authorization", &bearer(REVIEWER))
                .call()
                .unwrap()
                .into_json()
                .unwrap();
            if let Some(review) = pending.as_array().and_then(|p| p.first()) {
                let id = review["id"].as_str().unwrap();
                ureq::post(&format!("{url}/v1/reviews/{id}/approve"))
                    .set("authorization", &bearer(REVIEWER))
                    .send_json(json!({"reason": "the tests need it"}))
                    .unwrap();
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no review was opened");
    });
    let got = session(&endpoint, AGENT, json!({"steps": [read("svc/.env")]}));
    reviewer.join().unwrap();
    assert_eq!(got[0]["is_error"], false, "{}", got[0]);
    assert!(text(&got[0]).contains("postgres://localhost/svc"));

    // Two MCP sessions, two gate sessions; the answers are their reviews.
    let listed = sessions(&gate);
    assert_eq!(listed.len(), 2, "{listed:#?}");
    let first = evidence(&gate, listed[1]["session_id"].as_str().unwrap());
    let reviews: Vec<(&str, &str)> = first
        .iter()
        .map(|r| {
            (
                r["evaluation"].as_str().unwrap(),
                r["principal_review"]["verdict"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        reviews,
        [("ESCALATE", "ALLOW"), ("ESCALATE", "DENY")],
        "{first:#?}"
    );
    assert!(
        first[0]["principal_review"]["by"]
            .as_str()
            .unwrap()
            .contains("mcp-client-elicitation"),
        "{}",
        first[0]
    );
    let second = evidence(&gate, listed[0]["session_id"].as_str().unwrap());
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0]["principal_review"]["verdict"], "ALLOW");
    assert_eq!(second[0]["principal_review"]["by"], "alice");
}

/// A raw POST to an MCP endpoint: status, session header, body.
pub(super) fn post(
    url: &str,
    token: Option<&str>,
    session: Option<&str>,
    body: &Value,
) -> (u16, Option<String>, Value) {
    let mut request = ureq::post(url)
        .set("accept", "application/json")
        .set("content-type", "application/json");
    if let Some(t) = token {
        request = request.set("authorization", &bearer(t));
    }
    if let Some(s) = session {
        request = request.set("mcp-session-id", s);
    }
    let response = match request.send_string(&body.to_string()) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = response.status();
    let id = response.header("mcp-session-id").map(str::to_string);
    let text = response.into_string().unwrap();
    (
        status,
        id,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

pub(super) fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    }})
}

#[test]
fn the_endpoint_checks_token_server_and_session_and_fails_closed() {
    let root = tempfile::tempdir().unwrap();
    let (gate, _dir) = gate(root.path(), "");
    let endpoint = format!("{}/mcp/filesystem", gate.url);
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});

    // No token, a reviewer's token, an unknown server.
    assert_eq!(post(&endpoint, None, None, &initialize()).0, 401);
    assert_eq!(post(&endpoint, Some(REVIEWER), None, &initialize()).0, 403);
    let (status, _, body) = post(
        &format!("{}/mcp/nope", gate.url),
        Some(AGENT),
        None,
        &initialize(),
    );
    assert_eq!(status, 404, "{body}");
    // Without a session, or with one that does not exist.
    assert_eq!(post(&endpoint, Some(AGENT), None, &list).0, 400);
    assert_eq!(
        post(&endpoint, Some(AGENT), Some("no-such-session"), &list).0,
        404
    );
    // Not JSON.
    let (status, _, body) = post(&endpoint, Some(AGENT), None, &json!("just a string"));
    assert_eq!(status, 400, "{body}");

    // A session, answered as JSON.
    let (status, id, body) = post(&endpoint, Some(AGENT), None, &initialize());
    assert_eq!(status, 200, "{body}");
    let id = id.expect("a session id at initialize");
    assert!(body["result"]["serverInfo"].is_object(), "{body}");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(&endpoint, Some(AGENT), Some(&id), &initialized).0, 202);
    let (status, _, body) = post(&endpoint, Some(AGENT), Some(&id), &list);
    assert_eq!(status, 200, "{body}");
    assert!(
        body["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    // The session is not the other server's.
    let other = format!("{}/mcp/crashing", gate.url);
    assert_eq!(post(&other, Some(AGENT), Some(&id), &list).0, 404);

    // No GET stream; DELETE ends the session.
    let get = ureq::get(&endpoint)
        .set("authorization", &bearer(AGENT))
        .set("mcp-session-id", &id)
        .call();
    assert!(matches!(get, Err(ureq::Error::Status(405, _))), "{get:?}");
    let deleted = ureq::delete(&endpoint)
        .set("authorization", &bearer(AGENT))
        .set("mcp-session-id", &id)
        .call()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(post(&endpoint, Some(AGENT), Some(&id), &list).0, 404);

    // An upstream that exits: the request is answered with the cause, and
    // the session ends.
    let (status, id, body) = post(&other, Some(AGENT), None, &initialize());
    assert_eq!(status, 200, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("exited"), "{body}");
    let id = id.unwrap();
    let ended = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        post(&other, Some(AGENT), Some(&id), &list).0 == 404
    });
    assert!(ended, "the session of an exited server stayed");
}

/// The processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(needle) {
                found.push(cmdline);
            }
        }
    }
    found
}

#[test]
fn the_gate_shutdown_ends_the_sessions_their_servers_and_a_waiting_call() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(r.join(".env"), "DATABASE_URL=postgres://localhost/dev\n").unwrap();
    let (mut gate, _dir) = gate(r, "[review]\nmax_wait_secs = 60\n");
    let endpoint = format!("{}/mcp/filesystem", gate.url);
    let needle = r.display().to_string();

    let (status, id, body) = post(&endpoint, Some(AGENT), None, &initialize());
    assert_eq!(status, 200, "{body}");
    let id = id.unwrap();
    assert_eq!(processes_mentioning(&needle).len(), 1);

    // A call waiting for a reviewer (the client cannot be asked), on an
    // event stream.
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": "read_text_file", "arguments": {"path": r.join(".env").display().to_string()},
    }});
    let waiting = {
        let (endpoint, id) = (endpoint.clone(), id.clone());
        std::thread::spawn(move || {
            ureq::post(&endpoint)
                .set("accept", "application/json, text/event-stream")
                .set("authorization", &bearer(AGENT))
                .set("mcp-session-id", &id)
                .send_json(call)
                .map(|r| r.into_string().unwrap_or_default())
                .map_err(|e| e.to_string())
        })
    };
    let opened = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        let (_, pending) = gate.get("/v1/reviews?status=pending", Some(REVIEWER));
        pending.as_array().is_some_and(|p| !p.is_empty())
    });
    assert!(opened, "the call opened no review");

    let started = std::time::Instant::now();
    assert_eq!(gate.stop(), 0, "the gate did not stop cleanly");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    // The waiting call's stream ended without an answer: nothing ran.
    let answered = waiting.join().unwrap();
    assert!(
        !answered.as_deref().unwrap_or_default().contains("postgres"),
        "{answered:?}"
    );
    let gone = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        processes_mentioning(&needle).is_empty()
    });
    assert!(gone, "{:?}", processes_mentioning(&needle));
}

#[test]
fn sessions_are_bounded_and_a_deleted_one_frees_its_place() {
    let root = tempfile::tempdir().unwrap();
    let (gate, _dir) = gate(root.path(), "[mcp]\nmax_sessions = 1\n");
    let endpoint = format!("{}/mcp/filesystem", gate.url);
    let (status, first, body) = post(&endpoint, Some(AGENT), None, &initialize());
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = post(&endpoint, Some(AGENT), None, &initialize());
    assert_eq!(status, 503, "{body}");
    assert!(body.to_string().contains("mcp.max_sessions"), "{body}");
    let deleted = ureq::delete(&endpoint)
        .set("authorization", &bearer(AGENT))
        .set("mcp-session-id", &first.unwrap())
        .call()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let (status, second, body) = post(&endpoint, Some(AGENT), None, &initialize());
    assert_eq!(status, 200, "{body}");
    assert!(second.is_some());
}

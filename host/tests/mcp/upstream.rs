//! The gate's `/mcp/{server}` in front of an upstream MCP server that is
//! itself served over streamable HTTP (`url = …` in `[[mcp.server]]`): a
//! Python-SDK server (host/tests/mcp/notes_server.py) on a loopback port,
//! guarded by a bearer token the gate takes from its environment, and the
//! Python SDK's `streamable_http_client` in front. Also: tools the
//! policies deny outright hidden from `tools/list` (`hide_denied`).

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{evidence, initialize, post, session, sessions};
use super::{fake_github_token, text, tool_names, tools};
use crate::common;
use crate::common::server::{AGENT, Server};

/// The bearer token the upstream requires.
const UPSTREAM_TOKEN: &str = "upstream-token-5f0c2a77";

/// notes_server.py over streamable HTTP on `port`, killed when dropped.
struct Upstream {
    child: Child,
    port: u16,
}

impl Upstream {
    /// Starts it and waits (bounded) until it listens.
    fn start(port: u16, notes: &Path) -> Upstream {
        let (python, _) = tools();
        let script = common::workspace_root().join("host/tests/mcp/notes_server.py");
        let child = Command::new(python)
            .arg(script)
            .arg(notes)
            .arg(port.to_string())
            .env("NOTES_SERVER_TOKEN", UPSTREAM_TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the upstream MCP server");
        let mut upstream = Upstream { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = upstream.child.try_wait() {
                panic!("the upstream MCP server exited at start: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the upstream MCP server did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        upstream
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `[[mcp.server]]` for the upstream at `url`, its token from the
/// gate's `$UPSTREAM_AUTH`.
fn server_entry(name: &str, url: &str, more: &str) -> String {
    format!(
        "[[mcp.server]]\nname = {name:?}\nurl = {url:?}\n\
         headers_env = {{ Authorization = \"UPSTREAM_AUTH\" }}\n{more}\n"
    )
}

fn gate(mcp: &str) -> (Server, tempfile::TempDir) {
    let auth = format!("Bearer {UPSTREAM_TOKEN}");
    common::server::gate_with_env(mcp, &[("UPSTREAM_AUTH", &auth)])
}

#[test]
fn an_http_upstream_is_governed_through_the_gate_and_its_failure_named() {
    let scratch = tempfile::tempdir().unwrap();
    let notes = scratch.path().join("notes.txt");
    let port = common::free_port();
    let upstream = Upstream::start(port, &notes);
    let (gate, _dir) = gate(&server_entry("notes", &upstream.url(), ""));
    let endpoint = format!("{}/mcp/notes", gate.url);
    let send = |t: &str| json!({"call": "send_message", "arguments": {"text": t}});
    let add = |a: i64, b: i64| json!({"call": "add", "arguments": {"a": a, "b": b}});
    let leak = format!("export GH_TOKEN={}", fake_github_token());

    let got = session(
        &endpoint,
        AGENT,
        json!({"elicit": ["approve"], "steps": [
            {"list": true},
            add(1, 2),
            send(&leak),
            send("hello"),
            {"call": "confirm", "arguments": {"question": "Ship it?"}},
            {"call": "crash", "arguments": {}},
            add(2, 3),
        ]}),
    );
    let names = tool_names(&got[0]);
    for t in ["add", "read_file", "send_message", "crash"] {
        assert!(names.contains(&t), "{t} not listed: {names:?}");
    }
    assert_eq!(got[1]["is_error"], false, "{}", got[1]);
    assert_eq!(text(&got[1]), "3");
    // Refused by the policies: the upstream never saw it.
    assert_eq!(got[2]["is_error"], true, "{}", got[2]);
    assert!(text(&got[2]).contains("secrets-guard"), "{}", got[2]);
    assert_eq!(text(&got[3]), "sent", "{}", got[3]);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "hello\n");
    // The upstream's own elicitation, on its event stream, reaches the
    // client through the gate, and the answer gets back to it.
    assert_eq!(got[4]["elicited"], "Ship it?", "{got:#?}");
    assert_eq!(text(&got[5]), "approved", "{}", got[5]);
    // The upstream died in a call: that call and the next fail closed,
    // naming the server and why.
    assert_eq!(got[6]["is_error"], true, "{}", got[6]);
    assert!(text(&got[6]).contains("MCP server notes at"), "{}", got[6]);
    assert!(text(&got[6]).contains("it may have run"), "{}", got[6]);
    assert_eq!(got[7]["is_error"], true, "{}", got[7]);
    let cause = text(&got[7]).to_ascii_lowercase();
    assert!(
        cause.contains("cannot be reached")
            && cause.contains("refused")
            && !cause.contains("may have run"),
        "{}",
        got[7]
    );

    // One gate session, every call recorded with its outcome; neither the
    // credential nor the upstream's token is in the evidence.
    let listed = sessions(&gate);
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let records = evidence(&gate, listed[0]["session_id"].as_str().unwrap());
    let verdicts: Vec<&str> = records
        .iter()
        .map(|r| r["evaluation"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["ALLOW", "DENY", "ALLOW", "ALLOW", "ALLOW", "ALLOW"],
        "{records:#?}"
    );
    assert_eq!(records[0]["proposed_action"]["tool"], "mcp__notes__add");
    assert!(
        records[0]["execution_result"].to_string().contains('3'),
        "{}",
        records[0]
    );
    assert!(
        records[2]["execution_result"].to_string().contains("sent"),
        "{}",
        records[2]
    );
    assert!(
        records[3]["execution_result"]
            .to_string()
            .contains("approved"),
        "{}",
        records[3]
    );
    assert!(
        records[5]["execution_result"]
            .to_string()
            .contains("cannot be reached"),
        "{}",
        records[5]
    );
    let all = serde_json::to_string(&records).unwrap();
    assert!(!all.contains(&fake_github_token()));
    assert!(!all.contains(UPSTREAM_TOKEN));

    // The gate kept serving; once the upstream is back, so does a new session.
    assert_eq!(gate.get("/healthz", None).0, 200);
    drop(upstream);
    let _upstream = Upstream::start(port, &notes);
    let got = session(&endpoint, AGENT, json!({"steps": [add(4, 5)]}));
    assert_eq!(text(&got[0]), "9", "{}", got[0]);
}

#[test]
fn an_unreachable_or_refusing_upstream_is_an_error_naming_the_cause() {
    let scratch = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let upstream = Upstream::start(port, &scratch.path().join("notes.txt"));
    let nowhere = format!("http://127.0.0.1:{}/mcp", common::free_port());
    let mcp = format!(
        "{}[[mcp.server]]\nname = \"wrong-token\"\nurl = {:?}\nheaders = {{ Authorization = \"Bearer not-it\" }}\n",
        server_entry("nowhere", &nowhere, ""),
        upstream.url()
    );
    let (gate, _dir) = gate(&mcp);

    let (status, _, body) = post(
        &format!("{}/mcp/nowhere", gate.url),
        Some(AGENT),
        None,
        &initialize(),
    );
    assert_eq!(status, 200, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("MCP server nowhere at http://127.0.0.1:")
            && message.contains("cannot be reached")
            && message.to_ascii_lowercase().contains("refused"),
        "{body}"
    );

    let (status, id, body) = post(
        &format!("{}/mcp/wrong-token", gate.url),
        Some(AGENT),
        None,
        &initialize(),
    );
    assert_eq!(status, 200, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("answered HTTP 401"), "{body}");
    assert!(!message.contains("not-it"), "{body}");
    // Without an upstream session the gate's session ends.
    let id = id.expect("a session id at initialize");
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let endpoint = format!("{}/mcp/wrong-token", gate.url);
    let ended = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        post(&endpoint, Some(AGENT), Some(&id), &list).0 == 404
    });
    assert!(
        ended,
        "the session of an upstream that refused initialize stayed"
    );
    assert_eq!(gate.get("/healthz", None).0, 200);
}

/// The names a step's listing holds.
fn listed(step: &Value) -> Vec<String> {
    tool_names(step).into_iter().map(str::to_string).collect()
}

#[test]
fn over_http_tools_denied_outright_are_hidden_when_the_server_asks() {
    let scratch = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(r.join(".env"), "API_KEY=abc\n").unwrap();
    let notes = scratch.path().join("notes.txt");
    let port = common::free_port();
    let upstream = Upstream::start(port, &notes);
    let roots = format!("roots = [{:?}]", r.display().to_string());
    let mcp = format!(
        "{}{}",
        server_entry(
            "mail",
            &upstream.url(),
            &format!("{roots}\nhide_denied = true")
        ),
        server_entry("mailbox", &upstream.url(), &roots),
    );
    let (gate, _dir) = gate(&mcp);
    let steps = json!({"elicit": ["approve"], "steps": [
        {"list": true},
        {"call": "read_file", "arguments": {"path": r.join(".env").display().to_string()}},
        {"list": true},
        {"call": "send_message", "arguments": {"text": "hi"}},
    ]});

    // Clean, the session may send; once it read a credential, sending
    // anything is denied outright (exfiltration), so the tool is hidden.
    let got = session(&format!("{}/mcp/mail", gate.url), AGENT, steps.clone());
    assert_eq!(got.len(), 5, "{got:#?}");
    assert!(listed(&got[0]).contains(&"send_message".to_string()));
    assert_eq!(got[2]["is_error"], false, "{}", got[2]);
    let after = listed(&got[3]);
    assert!(!after.contains(&"send_message".to_string()), "{after:?}");
    // (`add` is a sending verb on a mail server too.) Reading stays.
    assert!(after.contains(&"read_file".to_string()), "{after:?}");
    // Called by name anyway: the policies deny it; it never arrives.
    assert_eq!(got[4]["is_error"], true, "{}", got[4]);
    assert!(text(&got[4]).contains("exfiltration"), "{}", got[4]);
    assert!(!notes.exists());

    // The judgements left no trace: only the two calls are in the evidence.
    let listed_sessions = sessions(&gate);
    let records = evidence(&gate, listed_sessions[0]["session_id"].as_str().unwrap());
    let verdicts: Vec<&str> = records
        .iter()
        .map(|r| r["evaluation"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["ESCALATE", "DENY"], "{records:#?}");
    assert_eq!(listed_sessions[0]["actions"], 2, "{}", listed_sessions[0]);

    // Without `hide_denied` the same session shape lists it.
    let got = session(&format!("{}/mcp/mailbox", gate.url), AGENT, steps);
    assert!(
        listed(&got[3]).contains(&"send_message".to_string()),
        "{got:#?}"
    );
}

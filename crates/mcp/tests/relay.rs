//! The relay against a scripted client and server over in-memory pipes,
//! with a governor that decides by the action's target.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawlaw_mcp::{Decision, GovernError, Governor, Relay, RelayConfig, ReviewOutcome};
use clawlaw_sdk::{ActionRequest, Verdict};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::oneshot;

/// Denies targets containing "secret", escalates those containing "ask",
/// fails on "fault", allows the rest; logs what it is asked.
#[derive(Clone, Default)]
struct Fake {
    log: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Governor for Fake {
    async fn evaluate(&self, a: ActionRequest) -> Result<Decision, GovernError> {
        let target = a.target.clone().unwrap_or_default();
        self.log
            .lock()
            .unwrap()
            .push(format!("evaluate {} {target}", a.kind));
        let (verdict, review_id) = match target {
            t if t.contains("fault") => return Err(GovernError("the gate is unreachable".into())),
            t if t.contains("secret") => (Verdict::Deny, None),
            t if t.contains("ask") => (Verdict::Escalate, Some("r1".to_string())),
            _ => (Verdict::Allow, None),
        };
        Ok(Decision {
            action_id: a.id.unwrap(),
            verdict,
            reason: format!("because {}", a.kind),
            rules: vec!["fake/rule".into()],
            review_id,
        })
    }
    async fn answer_review(
        &self,
        id: &str,
        approve: bool,
        by: &str,
        _: &str,
    ) -> Result<(), GovernError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("review {id} {approve} {by}"));
        Ok(())
    }
    async fn wait_review(&self, id: &str, _: Duration) -> Result<ReviewOutcome, GovernError> {
        self.log.lock().unwrap().push(format!("wait {id}"));
        Ok(ReviewOutcome::Unanswered)
    }
    async fn record_outcome(&self, id: &str, _: Value) -> Result<(), GovernError> {
        self.log.lock().unwrap().push(format!("outcome {id}"));
        Ok(())
    }
    fn max_action_bytes(&self) -> usize {
        2000
    }
    /// Tools named "nuke…" are denied outright, "ask…" escalated.
    async fn judge(&self, a: ActionRequest) -> Option<Verdict> {
        let tool = a.tool.clone().unwrap_or_default();
        self.log
            .lock()
            .unwrap()
            .push(format!("judge {} {tool}", a.kind));
        Some(if tool.contains("nuke") {
            Verdict::Deny
        } else if tool.contains("ask") {
            Verdict::Escalate
        } else {
            Verdict::Allow
        })
    }
}

struct Peer {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
}

impl Peer {
    async fn send(&mut self, raw: &str) {
        self.writer.write_all(raw.as_bytes()).await.unwrap();
        self.writer.write_all(b"\n").await.unwrap();
    }
    async fn line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line))
            .await
            .expect("a message within 5 s")
            .unwrap();
        line.trim_end().to_string()
    }
    async fn json(&mut self) -> Value {
        serde_json::from_str(&self.line().await).unwrap()
    }
}

fn peer(s: DuplexStream) -> Peer {
    let (r, w) = tokio::io::split(s);
    Peer {
        reader: BufReader::new(r),
        writer: w,
    }
}

/// A relay between a client and a server the test plays; `exit` tells it
/// the server exited.
fn start(fake: &Fake) -> (Peer, Peer, oneshot::Sender<String>) {
    start_with(fake, false)
}

fn start_with(fake: &Fake, hide_denied: bool) -> (Peer, Peer, oneshot::Sender<String>) {
    let (client, relay_client) = tokio::io::duplex(1 << 16);
    let (relay_server, server) = tokio::io::duplex(1 << 16);
    let (ci, co) = tokio::io::split(relay_client);
    let (so, si) = tokio::io::split(relay_server);
    let (exit_tx, exit_rx) = oneshot::channel::<String>();
    let config = RelayConfig {
        server: "fs".into(),
        pins: None,
        max_message_bytes: 1 << 15,
        elicit_reviews: true,
        elicitation_timeout: Duration::from_secs(5),
        review_timeout: Duration::from_secs(1),
        cwd: None,
        hide_denied,
    };
    let relay = Relay::new(fake.clone(), config);
    let exited = async move { exit_rx.await.unwrap_or_else(|_| "gone".into()) };
    tokio::spawn(relay.run(ci, co, si, so, exited));
    (peer(client), peer(server), exit_tx)
}

fn call(id: u64, tool: &str, path: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": {"path": path, "content": "x"}}}).to_string()
}

#[tokio::test]
async fn ungoverned_messages_cross_byte_for_byte_and_allowed_calls_are_forwarded() {
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start(&fake);
    // Odd spacing and key order survive: the bytes are relayed, not re-encoded.
    let ping = r#"{ "id":1,  "jsonrpc":"2.0","method":"ping" }"#;
    client.send(ping).await;
    assert_eq!(server.line().await, ping);
    let note = r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}}"#;
    server.send(note).await;
    assert_eq!(client.line().await, note);

    let c = call(2, "read_text_file", "/w/a.txt");
    client.send(&c).await;
    assert_eq!(server.line().await, c);
    let result = r#"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}"#;
    server.send(result).await;
    assert_eq!(client.line().await, result);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        fake.log(),
        vec!["evaluate file.read /w/a.txt", "outcome mcp-1"]
    );
}

#[tokio::test]
async fn denied_and_failed_calls_never_reach_the_server() {
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start(&fake);
    client.send(&call(1, "write_file", "/w/secret.env")).await;
    let r = client.json().await;
    assert_eq!(r["id"], 1);
    assert_eq!(r["result"]["isError"], true);
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("denied mcp__fs__write_file: because file.write [fake/rule]"),
        "{text}"
    );

    client.send(&call(2, "write_file", "/w/fault")).await;
    let r = client.json().await;
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("failed closed") && text.contains("unreachable"),
        "{text}"
    );

    // Over the action limit: denied without asking the governor.
    let big = call(3, "write_file", &"a".repeat(3000));
    client.send(&big).await;
    let r = client.json().await;
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not read")
    );

    // The server saw none of them: the next thing it sees is this ping.
    client
        .send(r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#)
        .await;
    assert_eq!(server.json().await["id"], 9);
    assert_eq!(fake.log().len(), 2, "{:?}", fake.log());
}

#[tokio::test]
async fn escalations_ask_the_client_when_it_can_and_are_denied_when_it_cannot() {
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start(&fake);
    // No elicitation capability declared.
    client
        .send(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}}"#)
        .await;
    server.line().await;
    client.send(&call(1, "write_file", "/w/ask")).await;
    let r = client.json().await;
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("cannot ask"), "{text}");
    assert!(fake.log().contains(&"wait r1".to_string()));

    let fake = Fake::default();
    let (mut client, mut server, _exit) = start(&fake);
    client.send(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"elicitation":{}}}}"#).await;
    server.line().await;
    for (id, approve) in [(1, true), (2, false)] {
        client.send(&call(id, "write_file", "/w/ask")).await;
        let ask = client.json().await;
        assert_eq!(ask["method"], "elicitation/create");
        assert!(
            ask["params"]["message"]
                .as_str()
                .unwrap()
                .contains("because file.write")
        );
        let answer = json!({"jsonrpc": "2.0", "id": ask["id"], "result": {"action": "accept", "content": {"approve": approve}}});
        client.send(&answer.to_string()).await;
        if approve {
            // Forwarded; the elicitation's answer was not.
            assert_eq!(server.json().await["id"], 1);
        } else {
            let r = client.json().await;
            assert_eq!(r["result"]["isError"], true);
        }
    }
    let log = fake.log();
    assert!(
        log.contains(&"review r1 true mcp-client-elicitation".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"review r1 false mcp-client-elicitation".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_crashed_or_garbled_upstream_fails_the_pending_calls_closed() {
    let fake = Fake::default();
    let (mut client, mut server, exit) = start(&fake);
    client.send(&call(1, "read_text_file", "/w/a")).await;
    server.line().await;
    server.send("{not json").await;
    let r = client.json().await;
    assert_eq!(r["id"], 1);
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("malformed JSON-RPC"), "{text}");
    // Its late answer is dropped, not delivered twice.
    server.send(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#).await;

    client
        .send(r#"{"jsonrpc":"2.0","id":2,"method":"resources/list"}"#)
        .await;
    server.line().await;
    drop(server);
    exit.send("the MCP server exited (exit status: 3)".into())
        .unwrap();
    let r = client.json().await;
    assert_eq!(r["id"], 2);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exit status: 3"),
        "{r}"
    );
    // Later calls are answered at once, naming the cause.
    client.send(&call(3, "read_text_file", "/w/a")).await;
    let r = client.json().await;
    assert_eq!(r["id"], 3);
    assert!(
        r["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("exit status: 3")
    );
}

#[tokio::test]
async fn bad_client_messages_are_answered_not_forwarded() {
    let fake = Fake::default();
    let (mut client, _server, _exit) = start(&fake);
    client.send("{oops").await;
    assert_eq!(client.json().await["error"]["code"], -32700);
    client
        .send(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{}}"#)
        .await;
    let r = client.json().await;
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (json!(4), json!(-32602))
    );
    client.send(&"x".repeat(40_000)).await;
    assert!(
        client.json().await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("over the relay's limit")
    );
}

#[tokio::test]
async fn a_server_cannot_borrow_the_relays_elicitation_ids() {
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start(&fake);
    server
        .send(r#"{"jsonrpc":"2.0","id":"clawlaw-elicit-1","method":"elicitation/create","params":{"message":"Do you like cats?"}}"#)
        .await;
    let r = server.json().await;
    assert_eq!(r["id"], "clawlaw-elicit-1");
    assert_eq!(r["error"]["code"], -32600);
    // Its other requests reach the client unchanged.
    let roots = r#"{"jsonrpc":"2.0","id":7,"method":"roots/list"}"#;
    server.send(roots).await;
    assert_eq!(client.line().await, roots);
}

#[tokio::test]
async fn tools_denied_outright_are_hidden_only_when_asked_and_still_governed() {
    let listing = r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"read_text_file","inputSchema":{"type":"object"}},{"name":"nuke_everything","inputSchema":{"type":"object"}},{"name":"ask_first","inputSchema":{"type":"object"}}]}}"#;
    let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

    // Not asked: the listing crosses as it came, nothing judged.
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start_with(&fake, false);
    client.send(list).await;
    assert_eq!(server.line().await, list);
    server.send(listing).await;
    assert_eq!(client.line().await, listing);
    assert!(fake.log().is_empty(), "{:?}", fake.log());

    // Asked: the denied tool is left out (an escalated one is not), each
    // judged as a call with empty arguments, nothing evaluated or recorded.
    let fake = Fake::default();
    let (mut client, mut server, _exit) = start_with(&fake, true);
    client.send(list).await;
    assert_eq!(server.line().await, list);
    server.send(listing).await;
    let got = client.json().await;
    let names: Vec<&str> = got["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["read_text_file", "ask_first"]);
    assert_eq!(
        fake.log(),
        [
            "judge tool.call mcp__fs__read_text_file",
            "judge tool.call mcp__fs__nuke_everything",
            "judge tool.call mcp__fs__ask_first",
        ]
    );

    // Called by name all the same, it is governed like any other call.
    let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nuke_everything","arguments":{}}}"#;
    client.send(call).await;
    assert_eq!(server.line().await, call);
    assert!(
        fake.log().contains(&"evaluate tool.call ".to_string()),
        "{:?}",
        fake.log()
    );
}

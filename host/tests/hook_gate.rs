//! The hook commands against a running gate (`POST /v1/hooks/{agent}`): a
//! recorded Claude Code session played through `clawlaw hook` and through
//! the `clawlaw-hook` forwarder with its evidence checked, Codex's
//! escalations going to a reviewer, and the HTTP hook route itself.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::pre_tool_use;
use crate::common::server::{AGENT, REVIEWER, Server, config};
use crate::hook::{decision, forwarder, hook, observed, policies_dir, reason, run};

fn gate() -> (tempfile::TempDir, Server) {
    policies_dir();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&config(dir.path(), ""));
    (dir, server)
}

fn via(server: &Server, agent: &str, extra: &[&str]) -> Command {
    via_with(hook, server, agent, extra)
}

/// `command` (`hook` or `forwarder`) forwarding to `server`.
fn via_with(
    command: fn(&str, &[&str]) -> Command,
    server: &Server,
    agent: &str,
    extra: &[&str],
) -> Command {
    let mut args = vec!["--gate", server.url.as_str()];
    args.extend_from_slice(extra);
    let mut cmd = command(agent, &args);
    cmd.env("CLAWLAW_TOKEN", AGENT);
    cmd
}

/// The gate session a review belongs to (the route keeps the mapping).
fn session_of_review(server: &Server, action_id: &str) -> (String, String) {
    let (status, reviews) = server.get("/v1/reviews", Some(REVIEWER));
    assert_eq!(status, 200);
    let r = reviews
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action_id"] == action_id)
        .unwrap_or_else(|| panic!("no review for {action_id}: {reviews}"));
    (
        r["session_id"].as_str().unwrap().to_string(),
        r["id"].as_str().unwrap().to_string(),
    )
}

/// A recorded Claude Code session, prompt to stop, through the adapter and
/// a running gate; then its evidence.
#[test]
fn a_recorded_claude_code_session_leaves_complete_evidence() {
    play_recorded_session(hook);
}

/// The same through the small forwarder: the same answers and evidence.
#[test]
fn the_forwarder_leaves_the_same_evidence() {
    play_recorded_session(forwarder);
}

fn play_recorded_session(command: fn(&str, &[&str]) -> Command) {
    let (_dir, server) = gate();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hooks/sessions/claude-code.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prompts = Vec::new();
    let mut expected = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let step: Value = serde_json::from_str(line).unwrap();
        let input = &step["input"];
        if input["hook_event_name"] == "UserPromptSubmit" {
            prompts.push(input["prompt"].as_str().unwrap().to_string());
        }
        let out = observed(&run(
            via_with(command, &server, "claude-code", &[]),
            input.to_string().as_bytes(),
        ));
        assert_eq!(out["exit_code"], 0, "line {}: {out}", n + 1);
        match step["expect"].as_str() {
            Some(d) => {
                assert_eq!(decision(&out["stdout"]), Some(d), "line {}: {out}", n + 1);
                let prompt = prompts.last().unwrap();
                expected.push((
                    input["tool_use_id"].as_str().unwrap().to_string(),
                    d.to_string(),
                    prompt.clone(),
                ));
            }
            None => assert_eq!(out["stdout"], json!({}), "line {}: {out}", n + 1),
        }
    }
    let ask = expected.iter().find(|e| e.1 == "ask").unwrap();
    let (session, review) = session_of_review(&server, &ask.0);
    let (status, records) = server.get(&format!("/v1/sessions/{session}/evidence"), Some(REVIEWER));
    assert_eq!(status, 200, "{records}");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), expected.len(), "{records:#?}");
    for (id, d, prompt) in &expected {
        let rec = records
            .iter()
            .find(|r| r["action_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no record for {id}"));
        let hash = format!("sha256:{}", hex::encode(Sha256::digest(prompt.as_bytes())));
        assert_eq!(rec["prompt_hash"], hash, "{id}");
        let evaluation = match d.as_str() {
            "allow" => "ALLOW",
            "deny" => "DENY",
            _ => "ESCALATE",
        };
        assert_eq!(rec["evaluation"], evaluation, "{id}");
        assert_eq!(rec["proposed_action"]["id"], id.as_str(), "{rec}");
        match d.as_str() {
            "deny" => assert!(rec["execution_result"].is_null(), "{id}: {rec}"),
            _ => assert_eq!(
                rec["execution_result"]["agent"], "claude-code",
                "{id}: the outcome is folded in: {rec}"
            ),
        }
        if d == "ask" {
            let review_rec = &rec["principal_review"];
            assert_eq!(review_rec["review_id"], review.as_str(), "{rec}");
            assert_eq!(
                review_rec["by"], "claude (at the claude-code prompt)",
                "{rec}"
            );
        }
    }
    // One agent session, one gate session, opened by the agent's token.
    let (_, summary) = server.get(&format!("/v1/sessions/{session}"), Some(REVIEWER));
    assert_eq!(summary["declaration"]["principal"], "claude");
    assert_eq!(summary["actions"], expected.len());
}

/// Codex cannot ask: an ESCALATE is a deny naming the review; once a
/// reviewer approves, the retried call is allowed. With --wait-review the
/// adapter waits for the reviewer instead.
#[test]
fn codex_escalations_go_to_a_reviewer() {
    let (_dir, server) = gate();
    let input = |id: &str| {
        json!({"session_id": "codex-1", "turn_id": "t", "cwd": "/work/app", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": "git push --force origin main"}, "tool_use_id": id})
        .to_string()
    };
    let out = observed(&run(via(&server, "codex", &[]), input("call_1").as_bytes()));
    assert_eq!(decision(&out["stdout"]), Some("deny"), "{out}");
    let (_, review) = session_of_review(&server, "call_1");
    assert!(reason(&out["stdout"]).contains(&review), "{out}");
    let (status, _) = server.post(
        &format!("/v1/reviews/{review}/approve"),
        Some(REVIEWER),
        &json!({"reason": "release day"}),
    );
    assert_eq!(status, 200);
    // Approval is bound to the same action (same id) and used once.
    let again = observed(&run(via(&server, "codex", &[]), input("call_1").as_bytes()));
    assert_eq!(again["stdout"], json!({}), "allowed: {again}");

    // --wait-review: approve while the adapter waits.
    let url = server.url.clone();
    let approver = std::thread::spawn(move || {
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(50));
            let pending: Value = ureq::get(&format!("{url}/v1/reviews?status=pending"))
                .set("Authorization", &format!("Bearer {REVIEWER}"))
                .call()
                .unwrap()
                .into_json()
                .unwrap();
            if let Some(r) = pending
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["action_id"] == "call_2")
            {
                let id = r["id"].as_str().unwrap();
                ureq::post(&format!("{url}/v1/reviews/{id}/approve"))
                    .set("Authorization", &format!("Bearer {REVIEWER}"))
                    .send_json(json!({"reason": "ok"}))
                    .unwrap();
                return true;
            }
        }
        false
    });
    let waited = observed(&run(
        via(
            &server,
            "codex",
            &["--wait-review", "--review-timeout-ms", "20000"],
        ),
        input("call_2").as_bytes(),
    ));
    assert!(approver.join().unwrap());
    assert_eq!(
        waited["stdout"],
        json!({}),
        "approved while waiting: {waited}"
    );
}

/// Claude Code's `"type": "http"` hooks post straight to the gate.
#[test]
fn the_http_hook_route_answers_in_claude_codes_format() {
    let (_dir, server) = gate();
    let body = |command: &str| -> Value { serde_json::from_slice(&pre_tool_use(command)).unwrap() };
    let (status, v) = server.post("/v1/hooks/claude-code", Some(AGENT), &body("rm -rf /"));
    assert_eq!(status, 200);
    assert_eq!(decision(&v), Some("deny"), "{v}");
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PreToolUse");
    let (status, v) = server.post("/v1/hooks/claude-code", Some(AGENT), &body("cargo test"));
    assert_eq!((status, decision(&v)), (200, Some("allow")), "{v}");
    // Every failure is a 200 deny: a non-2xx answer would let the tool run.
    for (token, why) in [
        (None, "Authorization"),
        (Some("wrong"), "unknown token"),
        (Some(REVIEWER), "may not"),
    ] {
        let (status, v) = server.post("/v1/hooks/claude-code", token, &body("cargo test"));
        assert_eq!((status, decision(&v)), (200, Some("deny")), "{v}");
        assert!(reason(&v).contains(why), "{why}: {v}");
    }
    let (status, v) = server.post_raw(
        "/v1/hooks/claude-code",
        Some(AGENT),
        "application/json",
        "garbage",
    );
    assert_eq!((status, decision(&v)), (200, Some("deny")), "{v}");
    let (status, v) = server.post("/v1/hooks/claude-code?wait_ms=x", Some(AGENT), &body("ls"));
    assert_eq!((status, decision(&v)), (200, Some("deny")), "{v}");
    let (status, _) = server.post("/v1/hooks/vim", Some(AGENT), &body("ls"));
    assert_eq!(status, 404);
    // The other agents' formats on the same route.
    let gemini = json!({"session_id": "g", "cwd": "/work/app", "hook_event_name": "BeforeTool",
        "tool_name": "run_shell_command", "tool_input": {"command": "rm -rf /"}});
    let (status, v) = server.post("/v1/hooks/gemini", Some(AGENT), &gemini);
    assert_eq!((status, v["decision"].as_str()), (200, Some("deny")), "{v}");
}

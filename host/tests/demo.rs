//! The demo session (`cargo xtask demo`) replayed against a test gate with
//! the same code and the same script, so the demo cannot rot: the counts,
//! the denials and their reasons, the reviews, the evidence and its chain.

use crate::common;
#[path = "../../xtask/src/demo.rs"]
pub(crate) mod demo_script;

use common::server::{ADMIN, AGENT, REVIEWER, Server, clawlaw, config};

#[test]
fn the_demo_session_replays_as_scripted_and_its_evidence_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&config(dir.path(), ""));
    let script_path = common::workspace_root().join("examples/demo/session.jsonl");
    let script = std::fs::read_to_string(&script_path).unwrap();
    let tokens = demo_script::Tokens {
        agent: AGENT.into(),
        reviewer: REVIEWER.into(),
    };
    let replay = demo_script::replay(&server.url, &tokens, &script).unwrap();
    let summary = demo_script::render(&replay, &server.evidence_dir(), "(not yet)");

    assert_eq!(replay.steps.len(), 200, "{summary}");
    assert!(replay.unexpected().is_empty(), "{summary}");
    assert_eq!(replay.count("ALLOW"), 195, "{summary}");
    assert_eq!(replay.count("DENY"), 3, "{summary}");
    assert_eq!(replay.count("ESCALATE"), 2, "{summary}");
    let denied: Vec<&str> = replay
        .steps
        .iter()
        .filter(|s| s.got == "DENY")
        .map(|s| s.reason.as_str())
        .collect();
    assert!(denied[0].starts_with("fs-boundary:"), "{summary}");
    assert!(denied[0].contains("/etc/passwd"), "{summary}");
    assert!(denied[1].contains("/etc/hosts"), "{summary}");
    assert!(denied[2].starts_with("exfiltration:"), "{summary}");
    assert!(denied[2].contains("secret-read"), "{summary}");
    let approved = replay
        .steps
        .iter()
        .filter(|s| {
            s.review
                .as_deref()
                .is_some_and(|r| r.starts_with("approved: "))
        })
        .count();
    assert_eq!(approved, 2, "{summary}");
    assert_eq!(replay.decide_ms.len(), 200);
    assert_eq!(replay.round_trip_ms.len(), 200);
    assert!(demo_script::percentile(&replay.decide_ms, 0.99) > 0.0);
    for heading in [
        "evaluations",
        "denials",
        "escalations",
        "latency over 200 actions",
        "evidence log:",
    ] {
        assert!(summary.contains(heading), "{heading}: {summary}");
    }

    // The evidence: one record per action, the reviews and outcomes folded in.
    let (status, records) = server.get(
        &format!("/v1/sessions/{}/evidence", replay.session_id),
        Some(ADMIN),
    );
    assert_eq!(status, 200, "{records}");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 200);
    assert!(
        records[0]["prompt_hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(records[0]["execution_result"]["exit_code"], 0);
    let reviewed: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| !r["principal_review"].is_null())
        .collect();
    assert_eq!(reviewed.len(), 2);
    for r in reviewed {
        assert_eq!(r["evaluation"], "ESCALATE");
        assert_eq!(r["principal_review"]["by"], "alice", "{r}");
    }

    assert_eq!(server.stop(), 0);
    let evidence = server.evidence_dir();
    let (code, out) = clawlaw(&["evidence", "verify", evidence.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // What `cargo xtask demo` prints, for `cargo test -- --nocapture`.
    eprintln!("{}", demo_script::render(&replay, &evidence, &out));
}

#[test]
fn a_malformed_script_is_refused_with_the_line() {
    let tokens = demo_script::Tokens {
        agent: AGENT.into(),
        reviewer: REVIEWER.into(),
    };
    // No gate is needed to refuse these: the script is read before any request.
    let err = demo_script::replay("http://127.0.0.1:9", &tokens, "")
        .err()
        .unwrap();
    assert!(err.contains("empty"), "{err}");
    let err = demo_script::replay("http://127.0.0.1:9", &tokens, "{\"action\": {}}")
        .err()
        .unwrap();
    assert!(
        err.contains("line 1: the first line must open the session"),
        "{err}"
    );
    let err = demo_script::replay("http://127.0.0.1:9", &tokens, "\n# c\nnot json")
        .err()
        .unwrap();
    assert!(err.starts_with("line 3:"), "{err}");
}

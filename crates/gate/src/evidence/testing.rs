//! Entries for the evidence module's unit tests.

use clawlaw_sdk::Verdict;
use serde_json::json;

use super::record::{
    ActionRecord, Entry, OutcomeEntry, PolicyMatched, PrincipalReview, ReviewEntry,
};

pub fn action(session: &str, id: &str, evaluation: Verdict) -> Entry {
    Entry::Action(ActionRecord {
        session_id: session.into(),
        action_id: id.into(),
        timestamp: "2026-01-01T00:00:00Z".into(),
        prompt_hash: None,
        proposed_action: json!({"kind": "shell.exec", "command": "ls"}),
        evaluation,
        policy_matched: PolicyMatched {
            policy_set: "sha256:00".into(),
            policies: vec![],
            skipped: vec![],
            matched: vec![],
            reason: String::new(),
            risk: 0.0,
            review_id: None,
            labels: vec![],
            counters: vec![],
            action_digest: None,
        },
        composition_state: json!({}).into(),
        execution_result: None,
        principal_review: None,
        latency_ms: 0.5,
    })
}

pub fn review(session: &str, id: &str, by: &str) -> Entry {
    Entry::Review(ReviewEntry {
        session_id: session.into(),
        action_id: id.into(),
        principal_review: PrincipalReview {
            review_id: format!("r-{id}"),
            by: by.into(),
            at: "2026-01-01T00:01:00Z".into(),
            verdict: Verdict::Allow,
            reason: "fine".into(),
            expired: false,
        },
    })
}

pub fn outcome(session: &str, id: &str, code: i64) -> Entry {
    Entry::Outcome(OutcomeEntry {
        session_id: session.into(),
        action_id: id.into(),
        timestamp: "2026-01-01T00:02:00Z".into(),
        execution_result: json!({"exit": code}),
    })
}

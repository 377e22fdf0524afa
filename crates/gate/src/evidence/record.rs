//! The evidence record and the entries the log is made of.
//!
//! One [`ActionRecord`] per governed action, with exactly the fields of the
//! system's specification. Reviews and outcomes arrive later and are appended
//! as linked entries ([`ReviewEntry`], [`OutcomeEntry`]); the reader folds
//! them into the full record. Sessions opened are entries too, so the log
//! alone rebuilds every session and pending review after a restart.

use clawlaw_sdk::Verdict;
use serde::{Deserialize, Serialize};

/// One entry of the log.
// Entries are built, serialised and dropped (or folded) one at a time; boxing
// the action record would cost an allocation each and a clumsier pattern.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// A session was opened with its declaration.
    Session(SessionEntry),
    /// An action was evaluated: the evidence record as first written
    /// (`execution_result` and `principal_review` null).
    Action(ActionRecord),
    /// A principal answered (or the gate expired) a review of an action.
    Review(ReviewEntry),
    /// The agent reported what happened when it ran an action.
    Outcome(OutcomeEntry),
}

impl Entry {
    /// The session the entry belongs to.
    pub fn session_id(&self) -> &str {
        match self {
            Entry::Session(s) => &s.session_id,
            Entry::Action(a) => &a.session_id,
            Entry::Review(r) => &r.session_id,
            Entry::Outcome(o) => &o.session_id,
        }
    }
}

/// The evidence record's fields, exactly as the system's specification names them.
pub const RECORD_FIELDS: [&str; 11] = [
    "session_id",
    "action_id",
    "timestamp",
    "prompt_hash",
    "proposed_action",
    "evaluation",
    "policy_matched",
    "composition_state",
    "execution_result",
    "principal_review",
    "latency_ms",
];

/// The evidence record: one per governed action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub session_id: String,
    pub action_id: String,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// `sha256:<hex>` of the prompt the action answers, when one was given.
    pub prompt_hash: Option<String>,
    /// The action as received, its secrets masked (see [`crate::redact`]).
    pub proposed_action: serde_json::Value,
    pub evaluation: Verdict,
    /// Every policy consulted (name, version, digest) with its verdict and
    /// the rules that matched, plus the gate's own rules (budgets, reviews).
    pub policy_matched: PolicyMatched,
    /// The session view at evaluation time.
    pub composition_state: serde_json::Value,
    /// What happened; null on DENY and until the outcome is reported.
    pub execution_result: Option<serde_json::Value>,
    /// Who approved or denied; null unless ESCALATE.
    pub principal_review: Option<PrincipalReview>,
    /// How long the gate took to decide, in milliseconds.
    pub latency_ms: f64,
}

/// `policy_matched`: what was consulted and what matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyMatched {
    /// `sha256:<hex>` naming the exact policy set (digests and settings).
    pub policy_set: String,
    pub policies: Vec<PolicyConsulted>,
    /// The names of the set's policies not consulted, because they do not
    /// judge this action's kind (they declare the kinds they judge): each
    /// counts as an ALLOW with risk 0 and nothing else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Every rule that matched, as `policy/rule` (`gate/...` for the gate's own).
    pub matched: Vec<String>,
    /// The combined reason.
    pub reason: String,
    pub risk: f32,
    /// The review opened for an ESCALATE.
    #[serde(default)]
    pub review_id: Option<String>,
    /// Labels the policies set on the session with this action.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Counter deltas the policies asked for with this action.
    #[serde(default)]
    pub counters: Vec<(String, i64)>,
    /// What binds an approval of the review to exactly this action
    /// (keyed: see [`crate::redact::RedactionKey::keyed_digest`]), kept
    /// because the action stored here may be masked and so cannot give it
    /// again. Set with `review_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyConsulted {
    pub name: String,
    pub version: String,
    pub digest: String,
    pub verdict: Verdict,
    pub rules: Vec<String>,
    /// The fault's kind, when the policy faulted.
    #[serde(default)]
    pub fault: Option<String>,
}

/// `principal_review`: who decided an escalated action, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrincipalReview {
    pub review_id: String,
    /// The reviewer's identity (`gate` when the review expired).
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// ALLOW (approved) or DENY (denied or expired).
    pub verdict: Verdict,
    pub reason: String,
    /// True when nobody answered in time and the gate denied it.
    #[serde(default)]
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEntry {
    pub session_id: String,
    pub timestamp: String,
    /// The session's declaration as opened: intent, scope, budgets, principal.
    pub declaration: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEntry {
    pub session_id: String,
    pub action_id: String,
    pub principal_review: PrincipalReview,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeEntry {
    pub session_id: String,
    pub action_id: String,
    pub timestamp: String,
    pub execution_result: serde_json::Value,
}

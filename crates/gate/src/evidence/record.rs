//! The evidence record and the entries the log is made of.
//!
//! One [`ActionRecord`] per governed action, with exactly the fields of the
//! system's specification. Reviews and outcomes arrive later and are appended
//! as linked entries ([`ReviewEntry`], [`OutcomeEntry`]); the reader folds
//! them into the full record. Sessions opened are entries too, so the log
//! alone rebuilds every session and pending review after a restart.

use clawlaw_sdk::{Session, Verdict};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    pub composition_state: CompositionState,
    /// What happened; null on DENY and until the outcome is reported.
    pub execution_result: Option<serde_json::Value>,
    /// Who approved or denied; null unless ESCALATE.
    pub principal_review: Option<PrincipalReview>,
    /// How long the gate took to decide, in milliseconds.
    pub latency_ms: f64,
}

/// `composition_state`: the session view at evaluation time. The gate
/// writes it from the typed view, serialised once straight into the
/// record's line (building it as a JSON value first, then dropping it, was
/// 6-9% of the gate's CPU per decision by the profile), or as a JSON value when it had to
/// mask secrets in it; a record read back holds JSON. Two states are equal
/// when their JSON is.
#[derive(Debug, Clone)]
pub enum CompositionState {
    View(Box<Session>),
    Json(serde_json::Value),
}

impl CompositionState {
    /// The state as a JSON value: as written, then read back. (A view's
    /// `risk` is an `f32`, written as such: `0.1`; `serde_json::to_value`
    /// would widen it to the `f64` `0.10000000149011612`.)
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CompositionState::View(view) => serde_json::to_string(view)
                .and_then(|text| serde_json::from_str(&text))
                .unwrap_or_default(),
            CompositionState::Json(json) => json.clone(),
        }
    }
}

impl From<serde_json::Value> for CompositionState {
    fn from(json: serde_json::Value) -> CompositionState {
        CompositionState::Json(json)
    }
}

impl PartialEq for CompositionState {
    fn eq(&self, other: &CompositionState) -> bool {
        match (self, other) {
            (CompositionState::Json(a), CompositionState::Json(b)) => a == b,
            (CompositionState::View(a), CompositionState::View(b)) => a == b,
            _ => self.to_json() == other.to_json(),
        }
    }
}

impl Serialize for CompositionState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CompositionState::View(view) => view.serialize(serializer),
            CompositionState::Json(json) => json.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for CompositionState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(CompositionState::Json)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::PastAction;

    fn view() -> Session {
        Session {
            id: "s1".into(),
            intent: Some("fix the build".into()),
            scope: vec!["root:/work/app".into()],
            actions: 2,
            labels: vec!["secret-read".into()],
            counters: vec![("actions".into(), 2)],
            risk: 0.1,
            recent: vec![PastAction {
                kind: "file.read".into(),
                target: Some("/work/app/.env".into()),
                verdict: Verdict::Allow,
                labels: vec!["secret-read".into()],
            }],
        }
    }

    #[test]
    fn a_typed_view_is_written_as_its_json_and_read_back_equal() {
        let typed = CompositionState::View(Box::new(view()));
        let written = serde_json::to_string(&typed).unwrap();
        assert!(written.contains(r#""risk":0.1,"#), "{written}");
        let read: CompositionState = serde_json::from_str(&written).unwrap();
        assert!(matches!(read, CompositionState::Json(_)));
        assert_eq!(read, typed);
        assert_eq!(typed, read);
        assert_eq!(typed.to_json()["recent"][0]["target"], "/work/app/.env");
        let mut other = view();
        other.actions = 3;
        assert_ne!(CompositionState::View(Box::new(other)), read);
    }
}

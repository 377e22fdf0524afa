//! The gate's answers as this command reads them: reviews, decisions,
//! review events and session summaries. Decoding them checks the gate kept
//! its side of the API; fields the command does not show are ignored, so
//! a newer gate that adds some still works.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Denied,
    Expired,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Denied => "denied",
            Status::Expired => "expired",
        }
    }
}

/// One review (`GET /v1/reviews`).
#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    pub id: String,
    pub session_id: String,
    pub action_id: String,
    #[serde(default)]
    pub policy_set: String,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub proposed_action: Value,
    pub status: Status,
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub approval_valid_until: Option<Timestamp>,
    #[serde(default)]
    pub consumed: bool,
}

/// A principal's answer to a review, or its expiry.
#[derive(Debug, Clone, Deserialize)]
pub struct Decision {
    pub by: String,
    pub at: String,
    /// `ALLOW` (approved) or `DENY` (denied or expired).
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub expired: bool,
}

/// One event of `GET /v1/reviews/events`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewEvent {
    pub kind: EventKind,
    pub review: Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Opened,
    Decided,
}

/// A session's summary (`GET /v1/sessions/{id}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub session_id: String,
    #[serde(default)]
    pub opened_at: String,
    #[serde(default)]
    pub declaration: Declaration,
    #[serde(default)]
    pub actions: u64,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub risk: f64,
    #[serde(default)]
    pub recent: Vec<PastAction>,
    /// `{"max_writes": {"used": 1, "max": 5}, …, "on_exceed": "deny"}`.
    #[serde(default)]
    pub budgets: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Declaration {
    #[serde(default)]
    pub intent: Option<String>,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub principal: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Scope {
    #[serde(default)]
    pub roots: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub tools: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastAction {
    pub kind: String,
    #[serde(default)]
    pub target: Option<String>,
    pub verdict: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// One evidence record (`GET /v1/sessions/{id}/evidence`), as much of it
/// as the session's timeline shows.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub action_id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub proposed_action: Value,
    pub evaluation: String,
    #[serde(default)]
    pub principal_review: Option<Decision>,
}

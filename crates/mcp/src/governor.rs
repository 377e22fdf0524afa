//! What the relay asks about each call: the [`Governor`] the binary
//! implements (over an in-process policy set, or a remote gate).

use std::future::Future;
use std::time::Duration;

use clawlaw_sdk::{ActionRequest, Verdict};
use serde_json::Value;

/// The governor's answer for one action.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The id the action is recorded under (outcomes and reviews name it).
    pub action_id: String,
    pub verdict: Verdict,
    pub reason: String,
    /// The rules that matched, for the reason shown to the model.
    pub rules: Vec<String>,
    /// The review an ESCALATE opened, when the governor keeps reviews.
    pub review_id: Option<String>,
}

/// What became of a review the relay waited on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    Approved,
    Denied,
    /// Nobody answered in time (or nobody can: no reviewer reaches it).
    Unanswered,
}

/// Why the governor could not answer; the call fails closed with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GovernError(pub String);

/// Decides actions within one MCP session and records what follows. One
/// governor serves one relay, so its session spans the MCP session.
pub trait Governor: Send + Sync + 'static {
    /// Evaluates one action.
    fn evaluate(
        &self,
        action: ActionRequest,
    ) -> impl Future<Output = Result<Decision, GovernError>> + Send;

    /// Records a human's answer to an ESCALATE (given through the client's
    /// elicitation); `by` names who answered.
    fn answer_review(
        &self,
        review_id: &str,
        approve: bool,
        by: &str,
        reason: &str,
    ) -> impl Future<Output = Result<(), GovernError>> + Send;

    /// Waits at most `timeout` for a reviewer elsewhere to answer.
    fn wait_review(
        &self,
        review_id: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<ReviewOutcome, GovernError>> + Send;

    /// Records what a forwarded call returned, or why it did not run.
    fn record_outcome(
        &self,
        action_id: &str,
        outcome: Value,
    ) -> impl Future<Output = Result<(), GovernError>> + Send;

    /// The largest action, in bytes, the governor reads; a call larger
    /// than this is denied unread.
    fn max_action_bytes(&self) -> usize;

    /// What `action` would get if it were proposed now, judged without
    /// side effects: nothing recorded, the session unchanged. `None` when
    /// the governor cannot tell that way (the default), which never hides
    /// a tool; the relay asks it only to hide tools denied outright.
    fn judge(&self, action: ActionRequest) -> impl Future<Output = Option<Verdict>> + Send {
        drop(action);
        std::future::ready(None)
    }
}

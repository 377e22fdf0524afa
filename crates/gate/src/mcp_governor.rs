//! The [`Governor`] of one MCP session over a [`Gate`]: the gate's own
//! session, so the composition spans the MCP session and the evidence is
//! the gate's. The gate's `/mcp/{server}` uses it (an ESCALATE the client
//! cannot be asked about waits for a gate reviewer), and so does
//! `clawlaw mcp stdio --policies` over a gate of its own in memory (where no
//! reviewer can answer, so such a call is denied).

use std::sync::Arc;
use std::time::Duration;

use clawlaw_mcp::{Decision, GovernError, Governor, ReviewOutcome};
use clawlaw_sdk::{ActionRequest, Verdict};
use serde_json::{Value, json};

use crate::gate::{Gate, GateError};
use crate::review::ReviewStatus;

/// Decides one MCP session's calls in a gate session.
pub struct GateGovernor {
    pub gate: Arc<Gate>,
    /// The gate session of this MCP session.
    pub session: String,
    /// Who holds the agent token, named beside elicitation answers (none
    /// in-process: there is only the user).
    pub principal: Option<String>,
    /// How a call the client cannot be asked about is decided.
    pub unasked: Unasked,
}

/// Who decides an ESCALATE the MCP client cannot ask its user about.
#[derive(Debug, Clone, Copy)]
pub enum Unasked {
    /// The gate's reviewers, waited for at most this long
    /// (`[review] max_wait_secs`).
    Reviewers { max_wait: Duration },
    /// Nobody else can reach the gate's reviews: the review is closed as
    /// denied, saying why.
    Deny,
}

fn gate_error(e: GateError) -> GovernError {
    GovernError(e.to_string())
}

impl Governor for GateGovernor {
    async fn evaluate(&self, action: ActionRequest) -> Result<Decision, GovernError> {
        let body = serde_json::to_vec(&json!({ "action": action }))
            .map_err(|e| GovernError(format!("encoding the action: {e}")))?;
        let answer = match self.gate.evaluate(&self.session, &body).await {
            Ok(a) => a,
            // A malformed action is a recorded DENY, with its reason.
            Err(e) => match e.answer() {
                Some(a) => a.clone(),
                None => return Err(gate_error(e)),
            },
        };
        Ok(Decision {
            action_id: answer.action_id,
            verdict: answer.evaluation,
            reason: answer.reason,
            rules: answer.rules,
            review_id: answer.review_id,
        })
    }

    async fn answer_review(
        &self,
        review_id: &str,
        approve: bool,
        by: &str,
        reason: &str,
    ) -> Result<(), GovernError> {
        let by = match &self.principal {
            Some(principal) => format!("{by} ({principal})"),
            None => by.to_string(),
        };
        self.gate
            .answer_review(review_id, &by, approve, reason)
            .await
            .map(drop)
            .map_err(gate_error)
    }

    async fn wait_review(
        &self,
        review_id: &str,
        timeout: Duration,
    ) -> Result<ReviewOutcome, GovernError> {
        let max_wait = match self.unasked {
            Unasked::Reviewers { max_wait } => max_wait,
            Unasked::Deny => {
                let why = "the MCP client cannot ask the user (no elicitation capability)";
                self.gate
                    .answer_review(review_id, "clawlaw-mcp", false, why)
                    .await
                    .map_err(gate_error)?;
                return Ok(ReviewOutcome::Unanswered);
            }
        };
        let timeout = timeout.min(max_wait);
        let review = self
            .gate
            .wait_review(review_id, timeout)
            .await
            .ok_or_else(|| GovernError(format!("the gate has no review {review_id}")))?;
        Ok(match review.status {
            ReviewStatus::Approved => ReviewOutcome::Approved,
            ReviewStatus::Pending => ReviewOutcome::Unanswered,
            ReviewStatus::Denied | ReviewStatus::Expired => ReviewOutcome::Denied,
        })
    }

    async fn record_outcome(&self, action_id: &str, outcome: Value) -> Result<(), GovernError> {
        self.gate
            .report_outcome(&self.session, action_id, outcome)
            .await
            .map_err(gate_error)
    }

    fn max_action_bytes(&self) -> usize {
        self.gate.policies().max_action_bytes()
    }

    /// The gate's side-effect-free judgement in this session
    /// ([`Gate::judge`]); unknown when it cannot give one.
    async fn judge(&self, action: ActionRequest) -> Option<Verdict> {
        match self.gate.judge(&self.session, &action).await {
            Ok(verdict) => verdict,
            Err(e) => {
                tracing::warn!(error = %e, "judging an action to hide its tool");
                None
            }
        }
    }
}

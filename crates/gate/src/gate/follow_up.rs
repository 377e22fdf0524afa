//! What follows a decision: the outcome the agent reports after running an
//! action, a reviewer's answer to an ESCALATE, and the expiry of reviews
//! nobody answered; each is recorded in the evidence before it takes effect.
//!
//! With the four-eyes rule on (`[review] four_eyes = true`), an approval by
//! the reviewer whose token name is the session's declared `principal` is
//! refused: whoever an agent acts for cannot also wave its actions through.
//! Denying stays open to them (it can only make things safer). The rule
//! lives here, in the gate, so the HTTP API, the console and the CLI all
//! get it.

use clawlaw_sdk::Verdict;
use jiff::Timestamp;

use super::shared::Held;
use super::{Gate, GateError};
use crate::evidence::record::{Entry, OutcomeEntry, PrincipalReview, ReviewEntry};
use crate::metrics::ReviewLabels;
use crate::redact::Masker;
use crate::review::{Review, ReviewError, ReviewStatus};

impl Gate {
    /// Records what happened when the agent ran an action.
    pub async fn report_outcome(
        &self,
        session_id: &str,
        action_id: &str,
        result: serde_json::Value,
    ) -> Result<(), GateError> {
        let mut held = self
            .hold(session_id)
            .await?
            .ok_or_else(|| GateError::UnknownSession(session_id.to_string(), None))?;
        match held.session.actions.get(action_id) {
            None => {
                return Err(GateError::UnknownAction {
                    session: session_id.into(),
                    action: action_id.into(),
                });
            }
            Some(Verdict::Deny) => {
                return Err(GateError::DeniedAction {
                    action: action_id.into(),
                });
            }
            Some(Verdict::Escalate) => {
                return Err(GateError::NotApproved {
                    action: action_id.into(),
                });
            }
            Some(Verdict::Allow) => {}
        }
        let mut result = result;
        Masker::new(&self.options.redaction_key)
            .scanned(&result)
            .json(&mut result);
        self.commit(
            &mut held,
            Entry::Outcome(OutcomeEntry {
                session_id: session_id.into(),
                action_id: action_id.into(),
                timestamp: Timestamp::now().to_string(),
                execution_result: result,
            }),
        )
        .await
    }

    /// Whether the four-eyes rule is on.
    pub fn four_eyes(&self) -> bool {
        self.options.four_eyes
    }

    /// A principal approves or denies a pending review.
    pub async fn answer_review(
        &self,
        review_id: &str,
        by: &str,
        approve: bool,
        reason: &str,
    ) -> Result<Review, GateError> {
        let review = self
            .review(review_id)
            .await
            .ok_or_else(|| ReviewError::NotFound(review_id.to_string()))?;
        // Caught up: another replica may have decided it meanwhile.
        let mut held = self
            .hold(&review.session_id)
            .await?
            .ok_or_else(|| ReviewError::NotFound(review_id.to_string()))?;
        if approve
            && self.four_eyes()
            && held.session.state.declaration.principal.as_deref() == Some(by)
        {
            return Err(GateError::OwnSession {
                by: by.to_string(),
                session: review.session_id,
            });
        }
        let (review, decision) =
            self.reviews
                .answer(review_id, by, approve, reason, Timestamp::now())?;
        self.close_review(&mut held, &review.action_id, decision)
            .await?;
        Ok(self.reviews.get(review_id).unwrap_or(review))
    }

    /// Records a review's decision, then applies it.
    async fn close_review(
        &self,
        held: &mut Held,
        action_id: &str,
        decision: PrincipalReview,
    ) -> Result<(), GateError> {
        let session_id = held.session.state.id.clone();
        self.commit(
            held,
            Entry::Review(ReviewEntry {
                session_id,
                action_id: action_id.into(),
                principal_review: decision.clone(),
            }),
        )
        .await?;
        if self.reviews.record(&decision) {
            let outcome = match (decision.expired, decision.verdict) {
                (true, _) => "expired",
                (false, Verdict::Allow) => "approved",
                (false, _) => "denied",
            };
            self.metrics
                .reviews_closed
                .get_or_create(&ReviewLabels {
                    outcome: outcome.into(),
                })
                .inc();
            self.gauge_pending_reviews();
            if decision.verdict == Verdict::Allow {
                held.session
                    .actions
                    .insert(action_id.to_string(), Verdict::Allow);
            }
        }
        Ok(())
    }

    /// The pending review of `action_id` in `session`, as the store has it
    /// now (on the shared store, opened through any replica).
    pub async fn pending_review_of(&self, session: &str, action_id: &str) -> Option<String> {
        let cell = self.session_cell(session).await.ok()??;
        let mut held = cell.lock().await;
        self.refresh(&mut held).await.ok()?;
        drop(held);
        (self.reviews.list(Some(ReviewStatus::Pending)).into_iter())
            .find(|r| r.session_id == session && r.action_id == action_id)
            .map(|r| r.id)
    }

    /// Expires every pending review past its expiry (DENY, recorded). On a
    /// shared store every replica runs this; each review is expired once,
    /// by whichever holds its session first (the others, caught up, find
    /// it decided).
    pub async fn expire_reviews(&self) -> usize {
        let due = self.reviews.due(Timestamp::now());
        let mut n = 0;
        for decision in due {
            let Some(review) = self.reviews.get(&decision.review_id) else {
                continue;
            };
            let Ok(Some(mut held)) = self.hold(&review.session_id).await else {
                continue;
            };
            let still_pending = self
                .reviews
                .get(&decision.review_id)
                .is_some_and(|r| r.status == ReviewStatus::Pending);
            if still_pending
                && self
                    .close_review(&mut held, &review.action_id, decision)
                    .await
                    .is_ok()
            {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clawlaw_engine::policy_set::{OnLoadError, PolicySet, engine_for};
    use clawlaw_engine::spec::{EngineSection, SetSpec};

    use super::*;
    use crate::budget::{Budgets, OnExceed};
    use crate::evidence::{EvidenceLog, EvidenceOptions};
    use crate::gate::GateOptions;
    use crate::redact::{KEY_LEN, RedactionKey};
    use crate::review::ReviewTimes;
    use crate::session::Declaration;

    /// A gate with no policies, whose sessions escalate every action by
    /// budget (`max_actions = 0`, `on_exceed = "escalate"`).
    async fn escalation(dir: &std::path::Path, principal: &str, four_eyes: bool) -> (Gate, String) {
        let section = EngineSection::default();
        let engine = engine_for(&section).unwrap();
        let spec = SetSpec {
            engine: section,
            policies: vec![],
            gate_facts: None,
        };
        let set = PolicySet::load(&engine, &spec, OnLoadError::Refuse).unwrap();
        let evidence = EvidenceLog::open(dir.join("evidence"), EvidenceOptions::default()).unwrap();
        let times = Duration::from_secs(60);
        let gate = Gate::new(
            set,
            evidence,
            GateOptions {
                recent: 4,
                review: ReviewTimes {
                    expiry: times,
                    approval_ttl: times,
                },
                max_wait: times,
                redaction_key: RedactionKey::from_bytes([7; KEY_LEN]),
                four_eyes,
            },
        );
        let declaration = Declaration {
            principal: Some(principal.into()),
            budgets: Budgets {
                max_actions: Some(0),
                on_exceed: OnExceed::Escalate,
                ..Budgets::default()
            },
            ..Declaration::default()
        };
        let session = gate.open_session(declaration).await.unwrap();
        let session = session["session_id"].as_str().unwrap().to_string();
        let body = br#"{"action": {"kind": "shell.exec", "tool": "Bash", "command": "ls"}}"#;
        let answer = gate.evaluate(&session, body).await.unwrap();
        assert_eq!(answer.evaluation, Verdict::Escalate, "{answer:?}");
        (gate, answer.review_id.unwrap())
    }

    #[tokio::test]
    async fn four_eyes_refuses_the_principals_own_approval_only() {
        let dir = tempfile::tempdir().unwrap();
        let (gate, review) = escalation(dir.path(), "alice", true).await;
        let refused = gate.answer_review(&review, "alice", true, "mine").await;
        assert!(
            matches!(&refused, Err(GateError::OwnSession { by, .. }) if by == "alice"),
            "{refused:?}"
        );
        assert_eq!(
            gate.reviews().get(&review).unwrap().status,
            ReviewStatus::Pending
        );
        let approved = gate
            .answer_review(&review, "bob", true, "ok")
            .await
            .unwrap();
        assert_eq!(approved.status, ReviewStatus::Approved);
        assert_eq!(approved.decision.unwrap().by, "bob");
    }

    #[tokio::test]
    async fn the_principal_may_deny_under_four_eyes_and_approve_without() {
        let dir = tempfile::tempdir().unwrap();
        let (gate, review) = escalation(dir.path(), "alice", true).await;
        let denied = gate.answer_review(&review, "alice", false, "no").await;
        assert_eq!(denied.unwrap().status, ReviewStatus::Denied);

        let dir = tempfile::tempdir().unwrap();
        let (gate, review) = escalation(dir.path(), "alice", false).await;
        assert!(!gate.four_eyes());
        let approved = gate.answer_review(&review, "alice", true, "fine").await;
        assert_eq!(approved.unwrap().status, ReviewStatus::Approved);
    }
}

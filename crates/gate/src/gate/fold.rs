//! Folding recorded entries into a session: its composition, budgets and
//! reviews rebuilt from its evidence, in order, by the same `apply` that
//! runs live, when a session is read from either store.

use clawlaw_engine::action::{ActionRequest, check};
use clawlaw_sdk::{Action, Verdict};
use jiff::Timestamp;

use super::{Gate, MAX_REMEMBERED_ACTIONS, SessionEntryState};
use crate::evidence::record::Entry;
use crate::review::action_digest;
use crate::session::Applied;

impl Gate {
    /// Applies one recorded entry (an action, a review, an outcome) to its
    /// session and to the reviews, as it happened live: when a session is
    /// read from the store, and on a shared store when it is caught up. A
    /// review already known is not opened again. Returns whether it was an
    /// action applied.
    pub(super) fn fold(&self, session: &mut SessionEntryState, entry: &Entry) -> bool {
        match entry {
            Entry::Session(_) | Entry::Outcome(_) => false,
            Entry::Action(rec) => {
                if rec
                    .policy_matched
                    .matched
                    .iter()
                    .any(|r| r == "gate/malformed-action")
                {
                    return false;
                }
                let Some(action) = action_from_json(&rec.proposed_action) else {
                    return false;
                };
                session.state.apply(&Applied {
                    action: &action,
                    evaluation: rec.evaluation,
                    risk: rec.policy_matched.risk,
                    labels: &rec.policy_matched.labels,
                    counters: &rec.policy_matched.counters,
                });
                session.scripts.remember(&action, rec.evaluation);
                if session.actions.len() < MAX_REMEMBERED_ACTIONS
                    || session.actions.contains_key(&action.id)
                {
                    session.actions.insert(action.id.clone(), rec.evaluation);
                }
                if let Some(approval) = &rec.principal_review {
                    self.reviews.mark_consumed(&approval.review_id);
                }
                if let (Verdict::Escalate, Some(id)) =
                    (rec.evaluation, &rec.policy_matched.review_id)
                    && self.reviews.get(id).is_none()
                {
                    let at = rec.timestamp.parse().unwrap_or_else(|_| Timestamp::now());
                    // Stored since the action may be masked; a record
                    // from before redaction holds the action as it was.
                    let digest = rec.policy_matched.action_digest.clone().unwrap_or_else(|| {
                        self.options.redaction_key.keyed_digest(&action_digest(
                            &rec.session_id,
                            &action,
                            &rec.policy_matched.policy_set,
                        ))
                    });
                    self.reviews.open(
                        true,
                        id.clone(),
                        &rec.session_id,
                        &action.id,
                        digest,
                        &rec.policy_matched.policy_set,
                        at,
                        &rec.policy_matched.reason,
                        &rec.policy_matched.matched,
                        rec.proposed_action.clone(),
                    );
                }
                true
            }
            Entry::Review(r) => {
                if r.principal_review.verdict == Verdict::Allow {
                    session.actions.insert(r.action_id.clone(), Verdict::Allow);
                }
                self.reviews.record(&r.principal_review);
                false
            }
        }
    }
}

/// The action an evidence record holds, back as the policies saw it.
fn action_from_json(v: &serde_json::Value) -> Option<Action> {
    let request: ActionRequest = serde_json::from_value(v.clone()).ok()?;
    check(&request, String::new).ok()
}

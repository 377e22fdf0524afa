//! Start-up from the evidence log: sessions, their composition and pending
//! reviews rebuilt from the recorded entries, in order, by the same
//! `apply` that runs live.

use std::collections::HashMap;
use std::sync::Arc;

use clawlaw_engine::action::{ActionRequest, check};
use clawlaw_sdk::{Action, Verdict};
use jiff::Timestamp;
use serde::Serialize;

use super::{Gate, MAX_REMEMBERED_ACTIONS, SessionEntryState};
use crate::evidence::record::Entry;
use crate::review::{ReviewStatus, action_digest};
use crate::session::Applied;

impl Gate {
    /// Rebuilds sessions and reviews from the log's entries, in order.
    pub fn replay(&self, entries: impl IntoIterator<Item = Entry>) -> ReplayStats {
        let mut stats = ReplayStats::default();
        let mut sessions: HashMap<String, SessionEntryState> = HashMap::new();
        for entry in entries {
            stats.entries += 1;
            match entry {
                Entry::Session(s) => {
                    sessions.insert(
                        s.session_id.clone(),
                        SessionEntryState::opened(&s, self.options.recent),
                    );
                }
                Entry::Outcome(_) => stats.outcomes += 1,
                other => {
                    let Some(session) = sessions.get_mut(other.session_id()) else {
                        continue;
                    };
                    if self.fold(session, &other) {
                        stats.actions += 1;
                    }
                }
            }
        }
        stats.sessions = sessions.len();
        let mut map = self.sessions.write().unwrap_or_else(|p| p.into_inner());
        for (id, s) in sessions {
            map.insert(id, Arc::new(tokio::sync::Mutex::new(s)));
        }
        drop(map);
        stats.pending_reviews = self.reviews.count(ReviewStatus::Pending);
        self.metrics
            .reviews_pending
            .set(stats.pending_reviews as i64);
        stats
    }

    /// Applies one recorded entry (an action, a review, an outcome) to its
    /// session and to the reviews, as it happened live: at start-up, and on
    /// a shared store when a session is read or caught up. A review already
    /// known is not opened again. Returns whether it was an action applied.
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

/// What a replay rebuilt.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ReplayStats {
    pub entries: usize,
    pub sessions: usize,
    pub actions: usize,
    pub outcomes: usize,
    pub pending_reviews: usize,
}

/// The action an evidence record holds, back as the policies saw it.
fn action_from_json(v: &serde_json::Value) -> Option<Action> {
    let request: ActionRequest = serde_json::from_value(v.clone()).ok()?;
    check(&request, String::new).ok()
}

//! Human review of escalated actions: the queue of reviews, their expiry,
//! the principals' answers, and approvals bound to the exact action they
//! were asked for.
//!
//! An ESCALATE opens a review. A reviewer approves or denies it; one not
//! answered before it expires becomes a DENY. An approval covers one
//! re-proposal of the *same* action — same canonical content (everything
//! but its id), same session, same policy-set version — within the
//! approval's validity, once. A modified call, or the same call after the
//! approval expired or was used, is evaluated afresh.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use clawlaw_sdk::{Action, ActionRequest, Verdict};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, broadcast};

use crate::evidence::record::PrincipalReview;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Denied,
    Expired,
}

/// One review.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: String,
    pub session_id: String,
    pub action_id: String,
    /// Binds an approval to the exact action (see the module doc).
    pub action_digest: String,
    pub policy_set: String,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
    /// Why the gate escalated.
    pub reason: String,
    pub rules: Vec<String>,
    pub proposed_action: serde_json::Value,
    pub status: ReviewStatus,
    pub decision: Option<PrincipalReview>,
    /// Until when an approval lets the same action through.
    pub approval_valid_until: Option<Timestamp>,
    /// Whether the approval has been used by a re-proposal.
    pub consumed: bool,
}

/// What happened to a review, as its watchers are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewEventKind {
    /// An ESCALATE opened it (its record is durable).
    Opened,
    /// A reviewer answered it, or it expired (the decision is durable).
    Decided,
}

/// One change to a review, with the review as it is after it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewEvent {
    pub kind: ReviewEventKind,
    pub review: Review,
    /// Opened because its session was read back from the evidence (after
    /// it left memory, or from another replica's records), not by an
    /// action just now: watchers may show it, notifiers must not send it
    /// again.
    #[serde(skip)]
    pub read_back: bool,
}

/// Events a slow watcher may fall behind by before it is told to resync.
const EVENT_BACKLOG: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReviewError {
    #[error("no review {0}")]
    NotFound(String),
    #[error("review {id} is already {status:?}")]
    AlreadyDecided { id: String, status: ReviewStatus },
}

/// How long reviews and approvals live.
#[derive(Debug, Clone, Copy)]
pub struct ReviewTimes {
    /// A pending review older than this expires to DENY.
    pub expiry: Duration,
    /// An approval lets the same action through for this long.
    pub approval_ttl: Duration,
}

/// The reviews a gate holds, pending and answered.
pub struct Reviews {
    book: Mutex<Book>,
    changed: Notify,
    events: broadcast::Sender<ReviewEvent>,
    pub times: ReviewTimes,
}

/// The reviews by id, and what every action asks of them kept at hand, so
/// that asking costs the same with ten reviews or ten thousand.
#[derive(Default)]
struct Book {
    reviews: HashMap<String, Review>,
    /// Per session, the reviews that may hold an unused approval. A hint,
    /// checked against `reviews` when an approval is taken and pruned then:
    /// a stale entry costs a lookup, never a wrong answer. A session with
    /// none (nearly every action) is answered without a digest.
    approvals: HashMap<String, Vec<String>>,
    /// How many reviews are pending.
    pending: usize,
}

impl Review {
    /// An approval not yet used (whether or not it is still valid).
    fn unused_approval(&self) -> bool {
        self.status == ReviewStatus::Approved && !self.consumed
    }
}

/// The digest that binds an approval to one action in one session under
/// one policy set: sha256 over them, the action without its id, its input
/// canonicalised (object keys sorted).
pub fn action_digest(session_id: &str, action: &Action, policy_set: &str) -> String {
    let mut canonical = ActionRequest::from(action);
    canonical.id = None;
    let bound =
        serde_json::json!({ "session": session_id, "policy_set": policy_set, "action": canonical });
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(bound.to_string().as_bytes()))
    )
}

fn after(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_add(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
        .unwrap_or(Timestamp::MAX)
}

impl Reviews {
    pub fn new(times: ReviewTimes) -> Reviews {
        Reviews {
            book: Mutex::new(Book::default()),
            changed: Notify::new(),
            events: broadcast::channel(EVENT_BACKLOG).0,
            times,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a pending review; `opened_at` fixes its expiry. `read_back`:
    /// it was opened earlier and is read back with its session (see
    /// [`ReviewEvent::read_back`]).
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &self,
        read_back: bool,
        id: String,
        session_id: &str,
        action_id: &str,
        action_digest: String,
        policy_set: &str,
        opened_at: Timestamp,
        reason: &str,
        rules: &[String],
        proposed_action: serde_json::Value,
    ) {
        let review = Review {
            id: id.clone(),
            session_id: session_id.to_string(),
            action_id: action_id.to_string(),
            action_digest,
            policy_set: policy_set.to_string(),
            opened_at,
            expires_at: after(opened_at, self.times.expiry),
            reason: reason.to_string(),
            rules: rules.to_vec(),
            proposed_action,
            status: ReviewStatus::Pending,
            decision: None,
            approval_valid_until: None,
            consumed: false,
        };
        let mut book = self.lock();
        let replaced = book.reviews.insert(id, review.clone());
        if replaced.is_none_or(|r| r.status != ReviewStatus::Pending) {
            book.pending += 1;
        }
        drop(book);
        self.changed.notify_waiters();
        let _ = self.events.send(ReviewEvent {
            kind: ReviewEventKind::Opened,
            review,
            read_back,
        });
    }

    /// Every review opened and decided from now on, in order. A receiver
    /// that falls more than a few hundred events behind gets
    /// `RecvError::Lagged` and should read the list again. Nobody waits on
    /// a receiver: a slow one never delays a decision.
    pub fn subscribe(&self) -> broadcast::Receiver<ReviewEvent> {
        self.events.subscribe()
    }

    fn publish(&self, kind: ReviewEventKind, review: Review) {
        // No receiver is not an error: nobody is watching.
        let _ = self.events.send(ReviewEvent {
            kind,
            review,
            read_back: false,
        });
    }

    pub fn get(&self, id: &str) -> Option<Review> {
        self.lock().reviews.get(id).cloned()
    }

    /// Reviews, oldest first, optionally only those in `status`.
    pub fn list(&self, status: Option<ReviewStatus>) -> Vec<Review> {
        let mut v: Vec<Review> = self
            .lock()
            .reviews
            .values()
            .filter(|r| status.is_none_or(|s| r.status == s))
            .cloned()
            .collect();
        v.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));
        v
    }

    /// How many reviews are pending.
    pub fn pending(&self) -> usize {
        self.lock().pending
    }

    /// Prepares a principal's answer to a pending review. Nothing changes
    /// until [`Reviews::record`] is called with it, after the answer is in
    /// the evidence.
    pub fn answer(
        &self,
        id: &str,
        by: &str,
        approve: bool,
        reason: &str,
        now: Timestamp,
    ) -> Result<(Review, PrincipalReview), ReviewError> {
        let book = self.lock();
        let review = book
            .reviews
            .get(id)
            .ok_or_else(|| ReviewError::NotFound(id.to_string()))?;
        if review.status != ReviewStatus::Pending {
            return Err(ReviewError::AlreadyDecided {
                id: id.to_string(),
                status: review.status,
            });
        }
        if now >= review.expires_at {
            return Err(ReviewError::AlreadyDecided {
                id: id.to_string(),
                status: ReviewStatus::Expired,
            });
        }
        let decision = PrincipalReview {
            review_id: id.to_string(),
            by: by.to_string(),
            at: now.to_string(),
            verdict: if approve {
                Verdict::Allow
            } else {
                Verdict::Deny
            },
            reason: reason.to_string(),
            expired: false,
        };
        Ok((review.clone(), decision))
    }

    /// Records a decision (a principal's, or an expiry) that is now in the
    /// evidence. Returns false when the review was already decided (a race
    /// between two answers: the first recorded wins).
    pub fn record(&self, decision: &PrincipalReview) -> bool {
        let mut book = self.lock();
        let Some(review) = book.reviews.get_mut(&decision.review_id) else {
            return false;
        };
        if review.status != ReviewStatus::Pending {
            return false;
        }
        review.status = match (decision.expired, decision.verdict) {
            (true, _) => ReviewStatus::Expired,
            (false, Verdict::Allow) => ReviewStatus::Approved,
            (false, _) => ReviewStatus::Denied,
        };
        if review.status == ReviewStatus::Approved {
            let at = decision.at.parse().unwrap_or(review.opened_at);
            review.approval_valid_until = Some(after(at, self.times.approval_ttl));
        }
        review.decision = Some(decision.clone());
        let decided = review.clone();
        book.pending -= 1;
        if decided.status == ReviewStatus::Approved && !decided.consumed {
            book.approvals
                .entry(decided.session_id.clone())
                .or_default()
                .push(decided.id.clone());
        }
        drop(book);
        self.changed.notify_waiters();
        self.publish(ReviewEventKind::Decided, decided);
        true
    }

    /// Pending reviews past their expiry, with the expiry decision for each.
    pub fn due(&self, now: Timestamp) -> Vec<PrincipalReview> {
        self.lock()
            .reviews
            .values()
            .filter(|r| r.status == ReviewStatus::Pending && now >= r.expires_at)
            .map(|r| PrincipalReview {
                review_id: r.id.clone(),
                by: "gate".into(),
                at: now.to_string(),
                verdict: Verdict::Deny,
                reason: format!(
                    "no reviewer answered within {}s",
                    self.times.expiry.as_secs()
                ),
                expired: true,
            })
            .collect()
    }

    /// Finds an unused, unexpired approval for exactly this action and
    /// marks it used. Returns the review and its approval. `digest` (of the
    /// action, see [`action_digest`]) is asked only when the session has an
    /// approval that could be it.
    pub fn take_approval(
        &self,
        session_id: &str,
        digest: impl FnOnce() -> String,
        now: Timestamp,
    ) -> Option<Review> {
        let mut guard = self.lock();
        let book = &mut *guard;
        let ids = book.approvals.get_mut(session_id)?;
        let digest = digest();
        let mut taken = None;
        // Keeps the approvals still unused, but the one taken.
        ids.retain(|id| {
            let Some(r) = book.reviews.get(id).filter(|r| r.unused_approval()) else {
                return false;
            };
            let fits = r.session_id == session_id
                && r.action_digest == digest
                && r.approval_valid_until.is_some_and(|until| now < until);
            if fits && taken.is_none() {
                taken = Some(id.clone());
                return false;
            }
            true
        });
        if ids.is_empty() {
            book.approvals.remove(session_id);
        }
        let review = book.reviews.get_mut(&taken?)?;
        review.consumed = true;
        Some(review.clone())
    }

    /// Forgets the decided reviews of sessions `gone` says have left
    /// memory (a shared store reads them again with their session).
    /// Pending ones stay: reviewers list them. Returns how many.
    pub fn forget_decided(&self, gone: impl Fn(&str) -> bool) -> usize {
        let mut book = self.lock();
        let before = book.reviews.len();
        book.reviews
            .retain(|_, r| r.status == ReviewStatus::Pending || !gone(&r.session_id));
        book.approvals.retain(|session, _| !gone(session));
        before - book.reviews.len()
    }

    /// Marks an approval used (when reading a session from its evidence).
    pub fn mark_consumed(&self, review_id: &str) {
        // Its entry among the approvals goes when one is next taken.
        if let Some(r) = self.lock().reviews.get_mut(review_id) {
            r.consumed = true;
        }
    }

    /// Waits until the review is no longer pending, or `timeout` passes.
    pub async fn wait(&self, id: &str, timeout: Duration) -> Option<Review> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            let review = self.get(id)?;
            if review.status != ReviewStatus::Pending {
                return Some(review);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.get(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviews() -> Reviews {
        Reviews::new(ReviewTimes {
            expiry: Duration::from_secs(60),
            approval_ttl: Duration::from_secs(30),
        })
    }

    fn open(r: &Reviews, id: &str, digest: &str, at: Timestamp) {
        r.open(
            false,
            id.into(),
            "s1",
            "a1",
            digest.into(),
            "sha256:set",
            at,
            "sudo",
            &[],
            serde_json::json!({}),
        );
    }

    #[test]
    fn an_approval_is_bound_to_the_exact_action_and_used_once() {
        let a = Action::shell("sudo apt install jq");
        let mut b = a.clone();
        b.command = Some("sudo apt install jq curl".into());
        let da = action_digest("s1", &a, "sha256:set");
        assert_eq!(
            da,
            action_digest(
                "s1",
                &Action {
                    id: "other".into(),
                    ..a.clone()
                },
                "sha256:set"
            )
        );
        assert_ne!(da, action_digest("s1", &b, "sha256:set"));
        assert_ne!(da, action_digest("s2", &a, "sha256:set"));
        assert_ne!(da, action_digest("s1", &a, "sha256:other-set"));

        let r = reviews();
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        open(&r, "r1", &da, t0);
        let (_, d) = r.answer("r1", "alice", true, "ok", t0).unwrap();
        assert!(r.record(&d));
        let db = action_digest("s1", &b, "sha256:set");
        assert!(
            r.take_approval("s1", || db.clone(), t0).is_none(),
            "a modified call is not approved"
        );
        let late = after(t0, Duration::from_secs(31));
        assert!(
            r.take_approval("s1", || da.clone(), late).is_none(),
            "an expired approval is not used"
        );
        assert!(r.take_approval("s1", || da.clone(), t0).is_some());
        assert!(
            r.take_approval("s1", || da.clone(), t0).is_none(),
            "an approval is used once"
        );
    }

    #[test]
    fn the_digest_is_asked_only_of_a_session_holding_an_unused_approval() {
        let none = || -> String { panic!("no approval to match: no digest") };
        let r = reviews();
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        open(&r, "r1", "sha256:a", t0);
        open(&r, "r2", "sha256:b", t0);
        assert!(r.take_approval("s1", none, t0).is_none(), "only pending");
        for id in ["r1", "r2"] {
            let (_, d) = r.answer(id, "alice", true, "ok", t0).unwrap();
            assert!(r.record(&d));
        }
        assert!(r.take_approval("s2", none, t0).is_none(), "another session");
        let taken = r.take_approval("s1", || "sha256:b".into(), t0).unwrap();
        assert_eq!(taken.id, "r2");
        assert!(r.get("r2").unwrap().consumed);
        // r1 read back as used (from the evidence): its entry is pruned on
        // the next ask, which then finds nothing.
        r.mark_consumed("r1");
        assert!(r.take_approval("s1", || "sha256:a".into(), t0).is_none());
        assert!(r.take_approval("s1", none, t0).is_none());
    }

    #[test]
    fn pending_counts_reviews_opened_and_not_yet_decided() {
        let r = reviews();
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        open(&r, "r1", "d", t0);
        open(&r, "r2", "d", t0);
        assert_eq!(r.pending(), 2);
        let (_, d) = r.answer("r1", "alice", false, "no", t0).unwrap();
        assert!(r.record(&d));
        assert!(!r.record(&d), "decided once");
        assert_eq!(r.pending(), 1);
        open(&r, "r2", "d", t0);
        assert_eq!(r.pending(), 1, "r2 read back while pending: still one");
        open(&r, "r1", "d", t0);
        assert_eq!(r.pending(), 2, "r1 read back before its decision");
        assert_eq!(r.forget_decided(|_| true), 0);
        assert_eq!(r.pending(), r.list(Some(ReviewStatus::Pending)).len());
    }

    #[test]
    fn reviews_expire_and_cannot_be_answered_twice() {
        let r = reviews();
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        open(&r, "r1", "d", t0);
        open(&r, "r2", "d", t0);
        assert!(r.due(t0).is_empty());
        let later = after(t0, Duration::from_secs(61));
        let due = r.due(later);
        assert_eq!(due.len(), 2);
        assert!(r.record(&due[0]));
        assert_eq!(
            r.get(&due[0].review_id).unwrap().status,
            ReviewStatus::Expired
        );
        let other = if due[0].review_id == "r1" { "r2" } else { "r1" };
        assert!(matches!(
            r.answer(other, "bob", true, "", later),
            Err(ReviewError::AlreadyDecided {
                status: ReviewStatus::Expired,
                ..
            })
        ));
        assert!(matches!(
            r.answer(&due[0].review_id, "bob", true, "", t0),
            Err(ReviewError::AlreadyDecided { .. })
        ));
        assert_eq!(
            r.answer("nope", "bob", true, "", t0).unwrap_err(),
            ReviewError::NotFound("nope".into())
        );
    }

    #[test]
    fn only_decided_reviews_of_sessions_gone_are_forgotten() {
        let r = reviews();
        let t0 = Timestamp::now();
        open(&r, "r1", "sha256:a", t0);
        open(&r, "r2", "sha256:b", t0);
        let (_, decision) = r.answer("r1", "alice", true, "ok", t0).unwrap();
        assert!(r.record(&decision));
        assert_eq!(r.forget_decided(|s| s == "other"), 0);
        assert_eq!(r.forget_decided(|s| s == "s1"), 1);
        assert!(r.get("r1").is_none(), "decided and its session gone");
        assert_eq!(r.get("r2").unwrap().status, ReviewStatus::Pending);
    }

    #[tokio::test]
    async fn wait_returns_when_answered_or_times_out() {
        let r = std::sync::Arc::new(reviews());
        let t0 = Timestamp::now();
        open(&r, "r1", "d", t0);
        let pending = r.wait("r1", Duration::from_millis(20)).await.unwrap();
        assert_eq!(pending.status, ReviewStatus::Pending);
        let r2 = r.clone();
        let waiter = tokio::spawn(async move { r2.wait("r1", Duration::from_secs(10)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (_, d) = r
            .answer("r1", "alice", false, "no", Timestamp::now())
            .unwrap();
        r.record(&d);
        let done = waiter.await.unwrap().unwrap();
        assert_eq!(done.status, ReviewStatus::Denied);
        assert!(r.wait("missing", Duration::from_millis(1)).await.is_none());
    }

    #[test]
    fn watchers_see_each_opening_and_decision_once_in_order() {
        let r = reviews();
        open(&r, "before", "d0", Timestamp::now());
        let mut events = r.subscribe();
        let t0 = Timestamp::now();
        open(&r, "r1", "d1", t0);
        let (_, d) = r.answer("r1", "alice", true, "fine", t0).unwrap();
        assert!(r.record(&d));
        assert!(
            !r.record(&d),
            "a second record of the same answer changes nothing"
        );
        for expiry in r.due(after(t0, Duration::from_secs(61))) {
            r.record(&expiry);
        }
        let seen: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|e| (e.kind, e.review.id, e.review.status))
            .collect();
        assert_eq!(
            seen,
            [
                (ReviewEventKind::Opened, "r1".into(), ReviewStatus::Pending),
                (
                    ReviewEventKind::Decided,
                    "r1".into(),
                    ReviewStatus::Approved
                ),
                (
                    ReviewEventKind::Decided,
                    "before".into(),
                    ReviewStatus::Expired
                ),
            ]
        );
    }

    #[test]
    fn a_watcher_that_falls_behind_is_told_so() {
        let r = reviews();
        let mut events = r.subscribe();
        let t0 = Timestamp::now();
        for i in 0..EVENT_BACKLOG + 1 {
            open(&r, &format!("r{i}"), "d", t0);
        }
        assert!(matches!(
            events.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(1))
        ));
    }
}

//! The gate: one action's path from request to durable evidence.
//!
//! `evaluate` parses the action (a malformed one is denied and recorded),
//! takes the session's lock (a session's actions are decided in order),
//! honours an approval bound to exactly this action, checks the session's
//! budgets, runs the policy set off the async reactor, combines, opens a
//! review on ESCALATE, makes the evidence record durable, and only then
//! applies the action to the session and answers. If the evidence cannot be
//! written the answer is DENY and the gate reports itself unhealthy.
//!
//! The evidence log is also the gate's store: sessions, their composition
//! and pending reviews are rebuilt from it at start-up ([`Gate::replay`]),
//! by the same `apply` that runs live.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use clawlaw_sdk::{Action, Verdict};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::action::{ActionError, ActionRequest, check, parse_request};
use crate::budget::Exceeded;
use crate::combine::Evaluation;
use crate::evidence::record::{
    ActionRecord, Entry, OutcomeEntry, PolicyConsulted, PolicyMatched, PrincipalReview,
    ReviewEntry, SessionEntry,
};
use crate::evidence::{EvidenceError, EvidenceLog};
use crate::metrics::{Metrics, ReviewLabels};
use crate::policy_set::PolicySet;
use crate::redact::{Masker, RedactionKey};
use crate::review::{Review, ReviewError, ReviewStatus, ReviewTimes, Reviews, action_digest};
use crate::session::{Applied, Declaration, SessionState};

/// How a gate treats sessions and reviews.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// Recent actions in the view policies get.
    pub recent: usize,
    pub review: ReviewTimes,
    /// Longest a client may long-poll a review.
    pub max_wait: Duration,
    /// The key of the tags in masks (see [`crate::redact`]).
    pub redaction_key: RedactionKey,
}

/// Why the gate could not give a normal answer. Every variant that carries
/// an [`Answer`] is a DENY that was (where possible) recorded.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("malformed request: {message}")]
    Malformed {
        message: String,
        answer: Option<Box<Answer>>,
    },
    #[error("no session {0}")]
    UnknownSession(String, Option<Box<Answer>>),
    #[error("no action {action} in session {session}")]
    UnknownAction { session: String, action: String },
    #[error("action {action} was denied; it cannot have an outcome")]
    DeniedAction { action: String },
    #[error("action {action} is escalated and not approved; it must not have run")]
    NotApproved { action: String },
    #[error("the evidence log cannot be written: {0}")]
    Evidence(EvidenceError),
    #[error(transparent)]
    Review(#[from] ReviewError),
}

impl GateError {
    /// The DENY answer that goes with the error, when an action was involved.
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            GateError::Malformed { answer, .. } | GateError::UnknownSession(_, answer) => {
                answer.as_deref()
            }
            _ => None,
        }
    }
}

/// The body of `POST /v1/sessions/{id}/actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateBody<'a> {
    #[serde(borrow)]
    pub action: &'a serde_json::value::RawValue,
    /// What the agent was asked, hashed into the evidence (never stored).
    #[serde(default)]
    pub prompt: Option<String>,
    /// Or the hash itself, `sha256:<hex>`.
    #[serde(default)]
    pub prompt_hash: Option<String>,
}

/// The gate's answer for one action.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub session_id: String,
    pub action_id: String,
    pub evaluation: Verdict,
    pub reason: String,
    pub risk: f32,
    pub rules: Vec<String>,
    /// The review opened for an ESCALATE: wait on it, a reviewer decides.
    pub review_id: Option<String>,
    pub policies: Vec<PolicyConsulted>,
    pub policy_set: String,
    /// Time to decide, in milliseconds (the durable write is not included).
    pub latency_ms: f64,
}

type SessionCell = Arc<tokio::sync::Mutex<SessionEntryState>>;

/// A session and the actions it has seen (for outcomes).
struct SessionEntryState {
    state: SessionState,
    /// Verdict of each action id, bounded.
    actions: HashMap<String, Verdict>,
    /// The scripts the session wrote, judged again when it runs them.
    scripts: crate::scripts::Written,
}

/// Action ids remembered per session for outcome reports.
const MAX_REMEMBERED_ACTIONS: usize = 100_000;

pub struct Gate {
    policies: ArcSwap<PolicySet>,
    sessions: RwLock<HashMap<String, SessionCell>>,
    reviews: Reviews,
    evidence: EvidenceLog,
    metrics: Metrics,
    options: GateOptions,
}

impl Gate {
    pub fn new(policies: PolicySet, evidence: EvidenceLog, options: GateOptions) -> Gate {
        Gate {
            policies: ArcSwap::from_pointee(policies),
            sessions: RwLock::new(HashMap::new()),
            reviews: Reviews::new(options.review),
            evidence,
            metrics: Metrics::new(),
            options,
        }
    }

    pub fn policies(&self) -> Arc<PolicySet> {
        self.policies.load_full()
    }

    /// Swaps the whole policy set; evaluations in flight finish on the old one.
    pub fn swap_policies(&self, set: PolicySet) {
        self.policies.store(Arc::new(set));
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn reviews(&self) -> &Reviews {
        &self.reviews
    }

    pub fn evidence(&self) -> &EvidenceLog {
        &self.evidence
    }

    pub fn options(&self) -> &GateOptions {
        &self.options
    }

    /// Whether the gate can decide and record: the evidence log is writable.
    pub fn is_healthy(&self) -> bool {
        self.evidence.is_healthy()
    }

    fn session(&self, id: &str) -> Option<SessionCell> {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    pub fn session_count(&self) -> usize {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Opens a session; its declaration is in the evidence before it exists.
    pub async fn open_session(
        &self,
        declaration: Declaration,
    ) -> Result<serde_json::Value, GateError> {
        declaration
            .scope
            .validate()
            .map_err(|message| GateError::Malformed {
                message,
                answer: None,
            })?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = Timestamp::now().to_string();
        let declared = serde_json::to_value(&declaration).unwrap_or_default();
        self.append(Entry::Session(SessionEntry {
            session_id: id.clone(),
            timestamp: now.clone(),
            declaration: declared,
        }))
        .await?;
        let state = SessionState::new(id.clone(), declaration, now, self.options.recent);
        let summary = state.summary();
        self.insert_session(state);
        Ok(summary)
    }

    fn insert_session(&self, state: SessionState) {
        let id = state.id.clone();
        let cell = Arc::new(tokio::sync::Mutex::new(SessionEntryState {
            state,
            actions: HashMap::new(),
            scripts: Default::default(),
        }));
        self.sessions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, cell);
    }

    /// A session's composition state, as the API shows it.
    pub async fn session_summary(&self, id: &str) -> Option<serde_json::Value> {
        let cell = self.session(id)?;
        let guard = cell.lock().await;
        Some(guard.state.summary())
    }

    async fn append(&self, entry: Entry) -> Result<(), GateError> {
        let started = Instant::now();
        let result = self.evidence.append(entry).await;
        self.metrics
            .evidence_write_seconds
            .observe(started.elapsed().as_secs_f64());
        result.map(drop).map_err(|e| {
            self.metrics.evidence_failures.inc();
            tracing::error!(error = %e, "evidence write failed; the gate denies until it recovers");
            GateError::Evidence(e)
        })
    }

    /// Evaluates one action proposed in a session (the body of the request).
    pub async fn evaluate(&self, session_id: &str, body: &[u8]) -> Result<Answer, GateError> {
        let started = Instant::now();
        let set = self.policies.load_full();
        let Some(cell) = self.session(session_id) else {
            let answer = self
                .refuse(
                    session_id,
                    None,
                    body,
                    &set,
                    "gate/unknown-session",
                    format!("no session {session_id}"),
                    started,
                )
                .await;
            return Err(GateError::UnknownSession(
                session_id.to_string(),
                answer.ok().map(Box::new),
            ));
        };
        let mut session = cell.lock().await;
        let fallback = || uuid::Uuid::now_v7().to_string();
        let parsed: Result<(Action, Option<String>), ActionError> =
            parse_body(body, set.max_action_bytes(), fallback);
        let (action, prompt_hash) = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.metrics.malformed_requests.inc();
                let message = e.to_string();
                let view = serde_json::to_value(session.state.view()).unwrap_or_default();
                let answer = self
                    .refuse(
                        session_id,
                        Some(view),
                        body,
                        &set,
                        "gate/malformed-action",
                        format!("malformed action: {message}"),
                        started,
                    )
                    .await?;
                return Err(GateError::Malformed {
                    message,
                    answer: Some(Box::new(answer)),
                });
            }
        };

        let view = session.state.view();
        let key = &self.options.redaction_key;
        let digest = key.keyed_digest(&action_digest(session_id, &action, set.version()));
        let now = Timestamp::now();
        let mut review_id = None;
        let mut principal_review = None;
        let decided: Decided = if let Some(approved) =
            self.reviews.take_approval(session_id, &digest, now)
        {
            let decision = approved
                .decision
                .clone()
                .expect("an approved review has its decision");
            let d = Decided {
                evaluation: Verdict::Allow,
                reason: format!(
                    "approved by {} in review {}: {}",
                    decision.by, approved.id, decision.reason
                ),
                risk: 0.0,
                rules: vec!["gate/review-approved".into()],
                labels: Vec::new(),
                counters: Vec::new(),
                redactions: redactions_of(set.clone(), &action, &view).await,
                policies: Vec::new(),
            };
            principal_review = Some(decision);
            d
        } else {
            let budget = session
                .state
                .declaration
                .budgets
                .check(&session.state, &action);
            let evaluation = {
                let set = set.clone();
                let action = action.clone();
                let view = view.clone();
                let runs = session.scripts.run_by(&action);
                let span = tracing::info_span!("evaluate", session = session_id, action = %action.id, kind = %action.kind);
                tokio::task::spawn_blocking(move || {
                    span.in_scope(|| crate::scripts::evaluate(&set, &action, &view, &runs))
                })
                .await
                .unwrap_or_else(|e| panic_evaluation(&e))
            };
            self.metrics
                .observe(&evaluation, started.elapsed().as_secs_f64());
            let mut d = Decided::from(evaluation);
            if let Some(exceeded) = budget {
                d.overrule(exceeded);
            }
            if d.evaluation == Verdict::Escalate
                && let Some(exceeded) = session
                    .state
                    .declaration
                    .budgets
                    .check_escalation(&session.state)
            {
                d.overrule(exceeded);
            }
            if d.evaluation == Verdict::Escalate {
                review_id = Some(uuid::Uuid::now_v7().to_string());
            }
            d
        };

        let latency_ms = started.elapsed().as_secs_f64() * 1e3;
        // Nothing below stores or shows a secret the policies or the gate's
        // own scan found: the record, the review, the session's memory.
        let mut proposed = action_json(&action);
        let masker = Masker::new(key)
            .reported(&action, &decided.redactions)
            .scanned(&proposed);
        masker.action_json(&mut proposed);
        let mut decided = decided;
        decided.reason = masker.text(&decided.reason).into_owned();
        let remembered = masker.action(&action, &proposed);
        let mut composition_state = serde_json::to_value(&view).unwrap_or_default();
        masker.json(&mut composition_state);
        let principal_review = principal_review.map(|mut p: PrincipalReview| {
            p.reason = masker.text(&p.reason).into_owned();
            p
        });
        let record = ActionRecord {
            session_id: session_id.to_string(),
            action_id: action.id.clone(),
            timestamp: now.to_string(),
            prompt_hash,
            proposed_action: proposed.clone(),
            evaluation: decided.evaluation,
            policy_matched: PolicyMatched {
                policy_set: set.version().to_string(),
                policies: decided.policies.clone(),
                matched: decided.rules.clone(),
                reason: decided.reason.clone(),
                risk: decided.risk,
                review_id: review_id.clone(),
                labels: decided.labels.clone(),
                counters: decided.counters.clone(),
                action_digest: review_id.as_ref().map(|_| digest.clone()),
            },
            composition_state,
            execution_result: None,
            principal_review,
            latency_ms,
        };
        // Fail closed: when the record cannot be made durable the action is
        // denied, and the session does not change, since none of it is in
        // the evidence.
        self.append(Entry::Action(record)).await?;
        if let Some(id) = &review_id {
            self.reviews.open(
                id.clone(),
                session_id,
                &action.id,
                digest,
                set.version(),
                now,
                &decided.reason,
                &decided.rules,
                proposed,
            );
            self.metrics
                .reviews_pending
                .set(self.reviews.count(ReviewStatus::Pending) as i64);
        }
        session.state.apply(&Applied {
            action: &remembered,
            evaluation: decided.evaluation,
            risk: decided.risk,
            labels: &decided.labels,
            counters: &decided.counters,
        });
        session.scripts.remember(&remembered, decided.evaluation);
        if session.actions.len() < MAX_REMEMBERED_ACTIONS
            || session.actions.contains_key(&action.id)
        {
            session
                .actions
                .insert(action.id.clone(), decided.evaluation);
        }
        tracing::info!(session = session_id, action = %action.id, kind = %action.kind, evaluation = %decided.evaluation, latency_ms, "decided");
        Ok(Answer {
            session_id: session_id.to_string(),
            action_id: action.id,
            evaluation: decided.evaluation,
            reason: decided.reason,
            risk: decided.risk,
            rules: decided.rules,
            review_id,
            policies: decided.policies,
            policy_set: set.version().to_string(),
            latency_ms,
        })
    }

    /// Records and returns a DENY for a request that never reached the policies.
    #[allow(clippy::too_many_arguments)]
    async fn refuse(
        &self,
        session_id: &str,
        view: Option<serde_json::Value>,
        body: &[u8],
        set: &PolicySet,
        rule: &str,
        reason: String,
        started: Instant,
    ) -> Result<Answer, GateError> {
        let action_id = raw_action_id(body).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let mut proposed = serde_json::from_slice::<serde_json::Value>(body).unwrap_or_else(|_| {
            serde_json::Value::String(
                String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned(),
            )
        });
        // No policy ran: the gate's own scan is all there is to mask by.
        let masker = Masker::new(&self.options.redaction_key).scanned(&proposed);
        masker.json(&mut proposed);
        let reason = masker.text(&reason).into_owned();
        let latency_ms = started.elapsed().as_secs_f64() * 1e3;
        let record = ActionRecord {
            session_id: session_id.to_string(),
            action_id: action_id.clone(),
            timestamp: Timestamp::now().to_string(),
            prompt_hash: None,
            proposed_action: proposed,
            evaluation: Verdict::Deny,
            policy_matched: PolicyMatched {
                policy_set: set.version().to_string(),
                policies: Vec::new(),
                matched: vec![rule.to_string()],
                reason: reason.clone(),
                risk: 1.0,
                review_id: None,
                labels: Vec::new(),
                counters: Vec::new(),
                action_digest: None,
            },
            composition_state: view.unwrap_or(serde_json::Value::Null),
            execution_result: None,
            principal_review: None,
            latency_ms,
        };
        self.append(Entry::Action(record)).await?;
        self.metrics
            .decisions
            .get_or_create(&crate::metrics::EvaluationLabels {
                evaluation: "DENY".into(),
            })
            .inc();
        Ok(Answer {
            session_id: session_id.to_string(),
            action_id,
            evaluation: Verdict::Deny,
            reason,
            risk: 1.0,
            rules: vec![rule.to_string()],
            review_id: None,
            policies: Vec::new(),
            policy_set: set.version().to_string(),
            latency_ms,
        })
    }

    /// Records what happened when the agent ran an action.
    pub async fn report_outcome(
        &self,
        session_id: &str,
        action_id: &str,
        result: serde_json::Value,
    ) -> Result<(), GateError> {
        let cell = self
            .session(session_id)
            .ok_or_else(|| GateError::UnknownSession(session_id.to_string(), None))?;
        let session = cell.lock().await;
        match session.actions.get(action_id) {
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
        self.append(Entry::Outcome(OutcomeEntry {
            session_id: session_id.into(),
            action_id: action_id.into(),
            timestamp: Timestamp::now().to_string(),
            execution_result: result,
        }))
        .await
    }

    /// A principal approves or denies a pending review.
    pub async fn answer_review(
        &self,
        review_id: &str,
        by: &str,
        approve: bool,
        reason: &str,
    ) -> Result<Review, GateError> {
        let (review, decision) =
            self.reviews
                .answer(review_id, by, approve, reason, Timestamp::now())?;
        self.close_review(&review.session_id, &review.action_id, decision)
            .await?;
        Ok(self.reviews.get(review_id).unwrap_or(review))
    }

    async fn close_review(
        &self,
        session_id: &str,
        action_id: &str,
        decision: PrincipalReview,
    ) -> Result<(), GateError> {
        self.append(Entry::Review(ReviewEntry {
            session_id: session_id.into(),
            action_id: action_id.into(),
            principal_review: decision.clone(),
        }))
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
            self.metrics
                .reviews_pending
                .set(self.reviews.count(ReviewStatus::Pending) as i64);
            if decision.verdict == Verdict::Allow
                && let Some(cell) = self.session(session_id)
            {
                cell.lock()
                    .await
                    .actions
                    .insert(action_id.to_string(), Verdict::Allow);
            }
        }
        Ok(())
    }

    /// Expires every pending review past its expiry (DENY, recorded).
    pub async fn expire_reviews(&self) -> usize {
        let due = self.reviews.due(Timestamp::now());
        let mut n = 0;
        for decision in due {
            let Some(review) = self.reviews.get(&decision.review_id) else {
                continue;
            };
            if self
                .close_review(&review.session_id, &review.action_id, decision)
                .await
                .is_ok()
            {
                n += 1;
            }
        }
        n
    }

    /// Rebuilds sessions and reviews from the log's entries, in order.
    pub fn replay(&self, entries: impl IntoIterator<Item = Entry>) -> ReplayStats {
        let mut stats = ReplayStats::default();
        let mut sessions: HashMap<String, SessionEntryState> = HashMap::new();
        for entry in entries {
            stats.entries += 1;
            match entry {
                Entry::Session(s) => {
                    let declaration: Declaration =
                        serde_json::from_value(s.declaration).unwrap_or_default();
                    sessions.insert(
                        s.session_id.clone(),
                        SessionEntryState {
                            state: SessionState::new(
                                s.session_id,
                                declaration,
                                s.timestamp,
                                self.options.recent,
                            ),
                            actions: HashMap::new(),
                            scripts: Default::default(),
                        },
                    );
                }
                Entry::Action(rec) => {
                    let Some(session) = sessions.get_mut(&rec.session_id) else {
                        continue;
                    };
                    if rec
                        .policy_matched
                        .matched
                        .iter()
                        .any(|r| r == "gate/malformed-action")
                    {
                        continue;
                    }
                    let Some(action) = action_from_json(&rec.proposed_action) else {
                        continue;
                    };
                    stats.actions += 1;
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
                    {
                        let at = rec.timestamp.parse().unwrap_or_else(|_| Timestamp::now());
                        // Stored since the action may be masked; a record
                        // from before redaction holds the action as it was.
                        let digest =
                            rec.policy_matched.action_digest.clone().unwrap_or_else(|| {
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
                }
                Entry::Review(r) => {
                    if r.principal_review.verdict == Verdict::Allow
                        && let Some(session) = sessions.get_mut(&r.session_id)
                    {
                        session.actions.insert(r.action_id.clone(), Verdict::Allow);
                    }
                    self.reviews.record(&r.principal_review);
                }
                Entry::Outcome(_) => stats.outcomes += 1,
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

/// The combined decision plus what the gate itself added.
struct Decided {
    evaluation: Verdict,
    reason: String,
    risk: f32,
    rules: Vec<String>,
    labels: Vec<String>,
    counters: Vec<(String, i64)>,
    redactions: Vec<clawlaw_sdk::Redaction>,
    policies: Vec<PolicyConsulted>,
}

impl From<Evaluation> for Decided {
    fn from(e: Evaluation) -> Decided {
        Decided {
            evaluation: e.evaluation,
            reason: e.reason,
            risk: e.risk,
            rules: e.rules,
            labels: e.labels,
            counters: e.counters,
            redactions: e.redactions,
            policies: e
                .policies
                .into_iter()
                .map(|p| PolicyConsulted {
                    name: p.policy.name,
                    version: p.policy.version,
                    digest: p.policy.digest,
                    verdict: p.verdict,
                    rules: p.rules,
                    fault: p.fault.map(|f| f.kind().to_string()),
                })
                .collect(),
        }
    }
}

impl Decided {
    /// A budget overrules the policies when it is stricter.
    fn overrule(&mut self, e: Exceeded) {
        self.rules.push(e.rule);
        if e.verdict >= self.evaluation {
            self.evaluation = e.verdict;
            self.reason = e.reason;
            self.risk = self
                .risk
                .max(if e.verdict == Verdict::Deny { 1.0 } else { 0.5 });
        }
    }
}

/// The secrets the policies find in an action an approval lets through: no
/// policy decides it, but its record is masked like any other.
async fn redactions_of(
    set: Arc<PolicySet>,
    action: &Action,
    view: &clawlaw_sdk::Session,
) -> Vec<clawlaw_sdk::Redaction> {
    let (action, view) = (action.clone(), view.clone());
    tokio::task::spawn_blocking(move || set.evaluate(&action, &view).redactions)
        .await
        .unwrap_or_default()
}

fn panic_evaluation(e: &tokio::task::JoinError) -> Evaluation {
    tracing::error!(error = %e, "policy evaluation task failed");
    crate::combine::combine(
        vec![crate::combine::PolicyReport::faulted(
            crate::policy::PolicyId {
                name: "gate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                digest: String::new(),
            },
            crate::fault::Fault::Trap {
                message: format!("evaluation task failed: {e}"),
            },
            0,
        )],
        1.0,
    )
}

fn parse_body(
    body: &[u8],
    max_action_bytes: usize,
    fallback_id: impl FnOnce() -> String,
) -> Result<(Action, Option<String>), ActionError> {
    let body: EvaluateBody =
        serde_json::from_slice(body).map_err(|e| ActionError::Json(e.to_string()))?;
    let prompt_hash = match (body.prompt, body.prompt_hash) {
        (Some(_), Some(_)) => {
            return Err(ActionError::Field {
                field: "prompt_hash",
                problem: "give prompt or prompt_hash, not both".into(),
            });
        }
        (Some(p), None) => Some(format!(
            "sha256:{}",
            hex::encode(Sha256::digest(p.as_bytes()))
        )),
        (None, Some(h)) => {
            let ok = h
                .strip_prefix("sha256:")
                .is_some_and(|x| x.len() == 64 && x.bytes().all(|b| b.is_ascii_hexdigit()));
            if !ok {
                return Err(ActionError::Field {
                    field: "prompt_hash",
                    problem: "expected sha256:<64 hex digits>".into(),
                });
            }
            Some(h.to_ascii_lowercase())
        }
        (None, None) => None,
    };
    let action = check(
        &parse_request(body.action.get().as_bytes(), max_action_bytes)?,
        fallback_id,
    )?;
    Ok((action, prompt_hash))
}

/// The action id a malformed body names, if any, so its refusal can be found.
fn raw_action_id(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let id = v.get("action")?.get("id")?.as_str()?;
    (!id.is_empty() && id.len() <= 128).then(|| id.to_string())
}

/// The action as the evidence records it: its input as JSON, not text.
pub fn action_json(action: &Action) -> serde_json::Value {
    serde_json::to_value(ActionRequest::from(action)).unwrap_or_default()
}

/// The action an evidence record holds, back as the policies saw it.
fn action_from_json(v: &serde_json::Value) -> Option<Action> {
    let request: ActionRequest = serde_json::from_value(v.clone()).ok()?;
    check(&request, String::new).ok()
}

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
//! The evidence is also the gate's store ([`crate::store`]): sessions,
//! their composition and pending reviews are rebuilt from it by the same
//! `apply` that runs live, one session at a time when it is first used —
//! from the local log through its session index, or from PostgreSQL,
//! caught up under the session's lock before every change (`shared`).
//! Start-up reads only the sessions with a pending review.
//!
//! - this module: the gate, its options, errors and answers, and sessions;
//! - `evaluate`: the path of one action ([`Gate::evaluate`]);
//! - `follow_up`: outcomes, reviewers' answers (and the four-eyes rule), review expiry;
//! - `listing`: the sessions list, newest first;
//! - `fold`: one recorded entry folded into its session;
//! - `shared`: holding a session for a change on either store, reading
//!   sessions on first use, dropping idle ones, and what a replica on the
//!   shared store does besides (following other replicas).

mod evaluate;
mod fold;
mod follow_up;
mod judge;
mod listing;
mod shared;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use clawlaw_engine::action::ActionRequest;
use clawlaw_engine::policy_set::PolicySet;
use clawlaw_sdk::{Action, Verdict};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::evaluators::Evaluators;
use crate::evidence::EvidenceError;
use crate::evidence::record::{Entry, PolicyConsulted, SessionEntry};
use crate::metrics::Metrics;
use crate::redact::RedactionKey;
use crate::review::{ReviewError, ReviewTimes, Reviews};
use crate::session::{Declaration, SessionState};
use crate::store::{ChainPos, Store};

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
    /// `[review] four_eyes`: a reviewer may not approve a review of a
    /// session whose declared principal is their own name.
    pub four_eyes: bool,
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
    /// The four-eyes rule (`[review] four_eyes`): nobody approves their own session.
    #[error(
        "four-eyes rule: {by} is the principal of session {session} and may not approve its review; another reviewer must"
    )]
    OwnSession { by: String, session: String },
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
    /// The last entry folded in, in the shared store's chain of the
    /// session (unused on the local log).
    chain: ChainPos,
    /// When a request last used it (idle sessions leave memory).
    last_used: Instant,
}

impl SessionEntryState {
    /// A session as its opening entry declares it.
    fn opened(entry: &SessionEntry, recent: usize) -> SessionEntryState {
        let declaration: Declaration =
            serde_json::from_value(entry.declaration.clone()).unwrap_or_default();
        SessionEntryState {
            state: SessionState::new(
                entry.session_id.clone(),
                declaration,
                entry.timestamp.clone(),
                recent,
            ),
            actions: HashMap::new(),
            scripts: Default::default(),
            chain: ChainPos::default(),
            last_used: Instant::now(),
        }
    }
}

/// Action ids remembered per session for outcome reports.
const MAX_REMEMBERED_ACTIONS: usize = 100_000;

pub struct Gate {
    policies: ArcSwap<PolicySet>,
    sessions: RwLock<HashMap<String, SessionCell>>,
    reviews: Reviews,
    store: Store,
    metrics: Metrics,
    /// The threads the policy set's evaluations run on.
    evaluators: Evaluators,
    options: GateOptions,
}

impl Gate {
    /// A gate over `store`: an [`crate::evidence::EvidenceLog`] or
    /// [`Store::Postgres`]. Call [`Gate::catch_up_everything`] before
    /// serving, so pending reviews are listed.
    pub fn new(policies: PolicySet, store: impl Into<Store>, options: GateOptions) -> Gate {
        Gate {
            policies: ArcSwap::from_pointee(policies),
            sessions: RwLock::new(HashMap::new()),
            reviews: Reviews::new(options.review),
            store: store.into(),
            metrics: Metrics::new(),
            evaluators: Evaluators::new(0),
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

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn options(&self) -> &GateOptions {
        &self.options
    }

    /// Whether the gate can decide and record: the evidence log is
    /// writable, or the database answers.
    pub fn is_healthy(&self) -> bool {
        self.store.is_healthy()
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
        let id = uuid::Uuid::now_v7().to_string();
        self.open_session_as(&id, declaration).await
    }

    /// Opens the session `id` unless it is open already (here, in the log,
    /// or on another replica: then its summary), so that a caller that
    /// derives the id from its own session (a hook) reaches the same
    /// session everywhere and after a restart.
    pub async fn open_session_as(
        &self,
        id: &str,
        declaration: Declaration,
    ) -> Result<serde_json::Value, GateError> {
        declaration
            .scope
            .validate()
            .map_err(|message| GateError::Malformed {
                message,
                answer: None,
            })?;
        if let Some(cell) = self.session_cell(id).await? {
            return Ok(cell.lock().await.state.summary());
        }
        let opened = SessionEntry {
            session_id: id.to_string(),
            timestamp: Timestamp::now().to_string(),
            declaration: serde_json::to_value(&declaration).unwrap_or_default(),
        };
        let entry = Entry::Session(opened.clone());
        let chain = match &self.store {
            Store::Local(_) => self.append(entry).await?,
            Store::Postgres(pg) => {
                // Under the session's lock: another replica may open it first.
                let started = Instant::now();
                let opened_here = pg.open_once(id, &entry).await;
                match self.observe_write(started, opened_here)? {
                    Some(pos) => pos,
                    None => {
                        let cell = self.session_cell(id).await?;
                        let cell =
                            cell.ok_or_else(|| GateError::UnknownSession(id.into(), None))?;
                        return Ok(cell.lock().await.state.summary());
                    }
                }
            }
        };
        let mut state = SessionEntryState::opened(&opened, self.options.recent);
        state.chain = chain;
        let summary = state.state.summary();
        self.sessions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(state)));
        Ok(summary)
    }

    /// A session's composition state, as the API shows it (on the shared
    /// store, with what other replicas recorded).
    pub async fn session_summary(&self, id: &str) -> Option<serde_json::Value> {
        let cell = self.session_cell(id).await.ok()??;
        let mut guard = cell.lock().await;
        self.refresh(&mut guard).await.ok()?;
        Some(guard.state.summary())
    }

    /// Appends an entry outside any held session (a session's opening, the
    /// refusal of an unknown one); where it landed in the session's chain
    /// on the shared store.
    async fn append(&self, entry: Entry) -> Result<ChainPos, GateError> {
        let started = Instant::now();
        let result = match &self.store {
            Store::Local(log) => log.append(entry).await.map(|_| ChainPos::default()),
            Store::Postgres(pg) => pg.append_detached(entry.session_id(), &entry).await,
        };
        self.observe_write(started, result)
    }

    fn observe_write<T>(
        &self,
        started: Instant,
        result: Result<T, EvidenceError>,
    ) -> Result<T, GateError> {
        self.metrics
            .evidence_write_seconds
            .observe(started.elapsed().as_secs_f64());
        result.map_err(|e| {
            self.metrics.evidence_failures.inc();
            tracing::error!(error = %e, "evidence write failed; the gate denies until it recovers");
            GateError::Evidence(e)
        })
    }
}

/// The action as the evidence records it: its input as JSON, not text.
pub fn action_json(action: &Action) -> serde_json::Value {
    serde_json::to_value(ActionRequest::from(action)).unwrap_or_default()
}

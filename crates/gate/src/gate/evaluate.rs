//! Deciding one action: parse it (a malformed one is denied and recorded),
//! take the session's lock, honour an approval bound to exactly this action,
//! check the budgets, run the policy set off the async reactor, open a
//! review on ESCALATE, commit the evidence record, then apply the action to
//! the session and answer.

use std::sync::Arc;
use std::time::Instant;

use clawlaw_engine::action::{ActionError, check, parse_request};
use clawlaw_engine::combine::Evaluation;
use clawlaw_engine::policy_set::PolicySet;
use clawlaw_sdk::{Action, Verdict};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::shared::Held;
use super::{Answer, EvaluateBody, Gate, GateError, MAX_REMEMBERED_ACTIONS, action_json};
use crate::budget::Exceeded;
use crate::evidence::record::{
    ActionRecord, CompositionState, Entry, PolicyConsulted, PolicyMatched, PrincipalReview,
};
use crate::redact::Masker;
use crate::review::action_digest;
use crate::session::Applied;

impl Gate {
    /// Evaluates one action proposed in a session (the body of the request).
    pub async fn evaluate(&self, session_id: &str, body: &[u8]) -> Result<Answer, GateError> {
        let started = Instant::now();
        let set = self.policies.load_full();
        // The store down: DENY (503), with nothing recorded, as nothing can be.
        let Some(mut held) = self.hold(session_id).await? else {
            let answer = self
                .refuse(
                    None,
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
        let fallback = || uuid::Uuid::now_v7().to_string();
        let parsed: Result<(Action, Option<String>), ActionError> =
            parse_body(body, set.max_action_bytes(), fallback);
        let (action, prompt_hash) = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.metrics.malformed_requests.inc();
                let message = e.to_string();
                let view = CompositionState::View(Box::new(held.session.state.view()));
                let answer = self
                    .refuse(
                        Some(&mut held),
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

        let view = held.session.state.view();
        let key = &self.options.redaction_key;
        // The digest binding an approval to this action: asked only when the
        // session has an approval it could match, or when it escalates.
        let digest = std::sync::OnceLock::new();
        let digest_of = || {
            digest
                .get_or_init(|| {
                    key.keyed_digest(&action_digest(session_id, &action, set.version()))
                })
                .clone()
        };
        let now = Timestamp::now();
        let mut review_id = None;
        let mut principal_review = None;
        let decided: Decided = if let Some(approved) =
            self.reviews.take_approval(session_id, digest_of, now)
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
                redactions: self.redactions_of(set.clone(), &action, &view).await,
                policies: Vec::new(),
                skipped: Vec::new(),
            };
            principal_review = Some(decision);
            d
        } else {
            let budget = held
                .session
                .state
                .declaration
                .budgets
                .check(&held.session.state.budget_usage(), &action);
            let evaluation = {
                let set = set.clone();
                let action = action.clone();
                let view = view.clone();
                let runs = held.session.scripts.run_by(&action);
                let span = tracing::info_span!("evaluate", session = session_id, action = %action.id, kind = %action.kind);
                self.evaluators
                    .run(move || {
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
                && let Some(exceeded) = held
                    .session
                    .state
                    .declaration
                    .budgets
                    .check_escalation(&held.session.state.budget_usage())
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
        let composition_state = if masker.is_empty() {
            CompositionState::View(Box::new(view))
        } else {
            let mut json = serde_json::to_value(&view).unwrap_or_default();
            masker.json(&mut json);
            CompositionState::Json(json)
        };
        let principal_review = principal_review.map(|mut p: PrincipalReview| {
            p.reason = masker.text(&p.reason).into_owned();
            p
        });
        let bound = review_id.as_ref().map(|_| digest_of());
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
                skipped: decided.skipped.clone(),
                matched: decided.rules.clone(),
                reason: decided.reason.clone(),
                risk: decided.risk,
                review_id: review_id.clone(),
                labels: decided.labels.clone(),
                counters: decided.counters.clone(),
                action_digest: bound.clone(),
            },
            composition_state,
            execution_result: None,
            principal_review,
            latency_ms,
        };
        // Fail closed: when the record cannot be made durable the action is
        // denied, and the session does not change, since none of it is in
        // the evidence.
        self.commit(&mut held, Entry::Action(record)).await?;
        let session = &mut held.session;
        if let (Some(id), Some(digest)) = (&review_id, bound) {
            self.reviews.open(
                false,
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
            self.gauge_pending_reviews();
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
        held: Option<&mut Held>,
        session_id: &str,
        view: Option<CompositionState>,
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
                skipped: Vec::new(),
                matched: vec![rule.to_string()],
                reason: reason.clone(),
                risk: 1.0,
                review_id: None,
                labels: Vec::new(),
                counters: Vec::new(),
                action_digest: None,
            },
            composition_state: view.unwrap_or(CompositionState::Json(serde_json::Value::Null)),
            execution_result: None,
            principal_review: None,
            latency_ms,
        };
        match held {
            Some(held) => self.commit(held, Entry::Action(record)).await?,
            None => drop(self.append(Entry::Action(record)).await?),
        }
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
    /// The set's policies not consulted on this action's kind.
    skipped: Vec<String>,
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
            skipped: e.skipped.into_iter().map(|p| p.name).collect(),
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

impl Gate {
    /// The secrets the policies find in an action an approval lets through:
    /// no policy decides it, but its record is masked like any other.
    async fn redactions_of(
        &self,
        set: Arc<PolicySet>,
        action: &Action,
        view: &clawlaw_sdk::Session,
    ) -> Vec<clawlaw_sdk::Redaction> {
        let (action, view) = (action.clone(), view.clone());
        self.evaluators
            .run(move || set.evaluate(&action, &view).redactions)
            .await
            .unwrap_or_default()
    }
}

fn panic_evaluation(e: &crate::evaluators::EvaluatorError) -> Evaluation {
    tracing::error!(error = %e, "policy evaluation task failed");
    clawlaw_engine::combine::combine(
        vec![clawlaw_engine::combine::PolicyReport::faulted(
            clawlaw_engine::policy::PolicyId {
                name: "gate".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                digest: String::new(),
            },
            clawlaw_engine::fault::Fault::Trap {
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

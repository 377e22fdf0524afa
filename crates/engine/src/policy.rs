//! One loaded policy: its compiled component pre-linked against the sandbox
//! (`InstancePre`), its identity (name, version, digest, rules), its settings
//! and limits — and how one evaluation runs: a fresh instance in a fresh
//! store, a deadline, a memory cap, the decision checked against the
//! contract. Every failure becomes a [`Fault`], never a panic or a hang.

use clawlaw_sdk::is_name;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clawlaw_sdk::{Decision, Redaction, Rule, SessionParts, Verdict};
use serde::Serialize;
use wasmtime::Store;

use crate::contract::{self, ContractVersion, convert, wit};
use crate::engine::Engine;
use crate::fault::Fault;
use crate::limits::Limits;
use crate::pool::{Isolation, Pool, Warm};
use crate::sandbox::SandboxState;

mod load;
pub(crate) use load::recorded_info;

/// How many evaluation deadlines the calls made once at load may take.
pub const LOAD_DEADLINE_FACTOR: u64 = 20;

/// The most redactions one decision may carry (each is a span, not text).
pub const MAX_REDACTIONS: usize = 1024;

/// Who a policy is: what the evidence names for every decision it takes part in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyId {
    pub name: String,
    pub version: String,
    /// `sha256:<hex>` of the component's bytes.
    pub digest: String,
}

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a valid WebAssembly component: {0}")]
    NotAComponent(String),
    #[error("does not implement {0}")]
    WrongWorld(String),
    #[error("`info` failed: {0}")]
    Info(Fault),
    #[error("`info` is invalid: {0}")]
    InvalidInfo(String),
    #[error("settings rejected by the policy: {0}")]
    SettingsRejected(String),
    #[error("`validate-settings` failed: {0}")]
    SettingsFault(Fault),
}

impl LoadError {
    /// The load failure as a fault, for a policy set that keeps failed
    /// policies as permanent denials.
    pub fn into_fault(self) -> Fault {
        Fault::Load {
            message: self.to_string(),
        }
    }
}

/// One policy's answer for one action, or its fault.
#[derive(Debug, Clone)]
pub struct PolicyOutcome {
    pub decision: Result<Decision, Fault>,
    pub elapsed: Duration,
}

/// A policy ready to evaluate actions.
pub struct LoadedPolicy {
    id: PolicyId,
    rules: Vec<Rule>,
    /// The action kinds it judges; empty for every kind.
    kinds: Vec<String>,
    /// The parts of the session view it reads; it is handed only those.
    session_parts: SessionParts,
    pre: contract::Pre,
    settings: String,
    limits: Limits,
    engine: Arc<Engine>,
    cached: bool,
    /// Whether evaluations start from a snapshot taken after the policy
    /// parsed its settings (see [`crate::preinit`]).
    preinitialized: bool,
    /// Warm instances, in pooled mode only (see [`crate::pool`]).
    pool: Option<Pool>,
}

impl LoadedPolicy {
    /// This policy with its evaluations run as `isolation` says: fresh
    /// instances (the default) or pooled ones.
    pub fn with_isolation(mut self, isolation: Isolation) -> LoadedPolicy {
        self.pool = match isolation {
            Isolation::Fresh => None,
            Isolation::Pooled { recycle_after } => Some(Pool::new(recycle_after)),
        };
        self
    }

    /// How this policy's evaluations are isolated.
    pub fn isolation(&self) -> Isolation {
        match &self.pool {
            None => Isolation::Fresh,
            Some(pool) => Isolation::Pooled {
                recycle_after: pool.recycle_after(),
            },
        }
    }

    pub fn id(&self) -> &PolicyId {
        &self.id
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The action kinds the policy declares it judges (its `info`); empty
    /// when it judges every kind (and always for a 0.1.0 or 0.2.0
    /// component).
    pub fn kinds(&self) -> &[String] {
        &self.kinds
    }

    /// Whether the policy judges actions of `kind`: a set consults it only
    /// then, and answers the rest without it.
    pub fn judges(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind)
    }

    /// The parts of the session view the policy declares it reads (its
    /// `info`; all of them for a component built before 0.4.0): it is
    /// handed those, and the others empty.
    pub fn session_parts(&self) -> SessionParts {
        self.session_parts
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn settings(&self) -> &str {
        &self.settings
    }

    /// Whether the compiled code evaluations run (the snapshot, when
    /// pre-initialised) came from the on-disk cache.
    pub fn was_cached(&self) -> bool {
        self.cached
    }

    /// Whether evaluations start from a snapshot taken after the policy
    /// parsed its settings (see [`crate::preinit`]).
    pub fn is_preinitialized(&self) -> bool {
        self.preinitialized
    }

    /// The contract version the component was built against.
    pub fn contract(&self) -> ContractVersion {
        self.pre.version()
    }

    /// Evaluates one action in a fresh sandbox, handing the policy the
    /// parts of `session` it reads.
    pub fn evaluate(
        &self,
        action: &clawlaw_sdk::Action,
        session: &clawlaw_sdk::Session,
    ) -> PolicyOutcome {
        self.evaluate_wit(
            &convert::action(action),
            &convert::session(session, self.session_parts),
        )
    }

    /// Evaluates an action already converted for the bindings, with the
    /// view of the session this policy reads (a policy set converts once
    /// for all its policies).
    pub(crate) fn evaluate_wit(
        &self,
        action: &wit::Action,
        session: &wit::Session,
    ) -> PolicyOutcome {
        let start = Instant::now();
        let decision = match &self.pool {
            Some(pool) => self.evaluate_pooled(pool, action, session),
            None => self
                .call(|p, store| p.call_evaluate(store, &self.settings, action, session))
                .and_then(|d| self.check_decision(d)),
        };
        PolicyOutcome {
            decision,
            elapsed: start.elapsed(),
        }
    }

    /// A fresh store and instance, no call: what strict isolation adds per
    /// evaluation before the policy runs (measured by `benches/`).
    #[doc(hidden)]
    pub fn instantiate_only(&self) -> Result<(), Fault> {
        self.call(|_, _| Ok(()))
    }

    /// One evaluation on a warm instance (or a new one when none is idle);
    /// the instance goes back to the pool only if nothing faulted.
    fn evaluate_pooled(
        &self,
        pool: &Pool,
        action: &wit::Action,
        session: &wit::Session,
    ) -> Result<Decision, Fault> {
        let mut warm = match pool.take() {
            Some(warm) => warm,
            None => {
                let mut store = self.new_store();
                match self.pre.instantiate(&mut store) {
                    Ok(instance) => Warm {
                        store,
                        instance,
                        uses: 0,
                    },
                    Err(e) => {
                        let fault = self.instantiate_fault(&e, &store);
                        self.forward_log(&store);
                        return Err(fault);
                    }
                }
            }
        };
        let Warm {
            store,
            instance,
            uses,
        } = &mut warm;
        let state = store.data_mut();
        state.log.lines.clear();
        state.log.dropped = 0;
        state.limiter.refused_memory = false;
        store.set_epoch_deadline(Engine::ticks_for(self.limits.deadline_ms));
        let result = instance
            .call_evaluate(&mut *store, &self.settings, action, session)
            .map_err(|e| self.classify(&e, store))
            .and_then(|d| self.check_decision(d));
        self.forward_log(store);
        *uses += 1;
        if result.is_ok() {
            pool.give_back(warm);
        }
        result
    }

    /// A fresh store under this policy's limits and deadline.
    fn new_store(&self) -> Store<SandboxState> {
        self.store_in(SandboxState::new(&self.limits), self.limits.deadline_ms)
    }

    /// A fresh store for the calls made once, when the policy loads
    /// (`validate-settings`, the pre-initialisation snapshot): what a policy
    /// builds from its settings then (compiled rule sets) is what spares
    /// every evaluation from building it, so it gets
    /// [`LOAD_DEADLINE_FACTOR`] times the evaluation deadline. A policy that
    /// loops still fails its load, later.
    fn load_store(&self) -> Store<SandboxState> {
        self.store_in(SandboxState::new(&self.limits), self.load_deadline_ms())
    }

    /// The deadline of the calls made at load (see [`Self::load_store`]).
    fn load_deadline_ms(&self) -> u64 {
        self.limits.deadline_ms.saturating_mul(LOAD_DEADLINE_FACTOR)
    }

    /// The [`Self::load_store`] a snapshot is taken in: with the hint that
    /// it serves one evaluation, when the engine's process is one-shot.
    fn snapshot_store(&self) -> Store<SandboxState> {
        let env: &'static [(&str, &str)] = if self.engine.one_shot() {
            &[(clawlaw_sdk::gate::ONE_SHOT_ENV, "1")]
        } else {
            &[]
        };
        self.store_in(
            SandboxState::with_env(&self.limits, env),
            self.load_deadline_ms(),
        )
    }

    fn store_in(&self, state: SandboxState, deadline_ms: u64) -> Store<SandboxState> {
        let mut store = Store::new(self.engine.wasmtime(), state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(Engine::ticks_for(deadline_ms));
        store.epoch_deadline_trap();
        store
    }

    /// [`Self::call`] in a [`Self::load_store`].
    fn call_at_load<R>(
        &self,
        f: impl FnOnce(&contract::Instance, &mut Store<SandboxState>) -> wasmtime::Result<R>,
    ) -> Result<R, Fault> {
        let mut store = self.load_store();
        let result = match self.pre.instantiate(&mut store) {
            Ok(instance) => f(&instance, &mut store)
                .map_err(|e| self.classify_with_deadline(&e, &store, self.load_deadline_ms())),
            Err(e) => Err(self.instantiate_fault(&e, &store)),
        };
        self.forward_log(&store);
        result
    }

    fn instantiate_fault(&self, e: &wasmtime::Error, store: &Store<SandboxState>) -> Fault {
        match self.classify(e, store) {
            Fault::Trap { message } => Fault::Instantiate { message },
            other => other,
        }
    }

    /// Runs `f` against a fresh instance in a fresh store under this
    /// policy's limits; forwards what the policy logged to the gate's log.
    fn call<R>(
        &self,
        f: impl FnOnce(&contract::Instance, &mut Store<SandboxState>) -> wasmtime::Result<R>,
    ) -> Result<R, Fault> {
        let mut store = self.new_store();
        let result = match self.pre.instantiate(&mut store) {
            Ok(instance) => f(&instance, &mut store).map_err(|e| self.classify(&e, &store)),
            Err(e) => Err(self.instantiate_fault(&e, &store)),
        };
        self.forward_log(&store);
        result
    }

    /// Forwards what the policy logged to the gate's log, with every
    /// credential the SDK's scan finds in a line masked: a policy sees the
    /// action unmasked and may quote it (the gate masks it, see `clawlaw-gate`'s `redact`).
    fn forward_log(&self, store: &Store<SandboxState>) {
        let log = &store.data().log;
        for line in &log.lines {
            let line = clawlaw_sdk::secrets::redact(line);
            tracing::info!(target: "clawlaw::policy_log", policy = %self.id.name, "{line}");
        }
        if log.dropped > 0 {
            tracing::warn!(target: "clawlaw::policy_log", policy = %self.id.name, dropped = log.dropped, "policy log lines dropped");
        }
    }

    fn classify(&self, err: &wasmtime::Error, store: &Store<SandboxState>) -> Fault {
        self.classify_with_deadline(err, store, self.limits.deadline_ms)
    }

    fn classify_with_deadline(
        &self,
        err: &wasmtime::Error,
        store: &Store<SandboxState>,
        deadline_ms: u64,
    ) -> Fault {
        let memory = store
            .data()
            .limiter
            .refused_memory
            .then_some(self.limits.memory_bytes);
        Fault::from_call(err, deadline_ms, memory)
    }

    /// Checks a decision against the contract and the output cap.
    fn check_decision(&self, d: wit::Decision) -> Result<Decision, Fault> {
        let size = d.reason.len()
            + d.rules.iter().map(String::len).sum::<usize>()
            + d.labels.iter().map(String::len).sum::<usize>()
            + d.counters.iter().map(|(n, _)| n.len() + 8).sum::<usize>()
            + d.redactions
                .iter()
                .map(|r| r.field.len() + r.kind.len() + 8)
                .sum::<usize>();
        if size > self.limits.max_output_bytes {
            return Err(Fault::OutputTooLarge {
                bytes: size,
                limit_bytes: self.limits.max_output_bytes,
            });
        }
        let invalid = |message: String| Err(Fault::InvalidOutput { message });
        if !d.risk.is_finite() || !(0.0..=1.0).contains(&d.risk) {
            return invalid(format!("risk must be between 0.0 and 1.0, got {}", d.risk));
        }
        if let Some(r) = d
            .rules
            .iter()
            .find(|r| !self.rules.iter().any(|known| declares(&known.id, r)))
        {
            return invalid(format!(
                "rule {r:?} is not among the rules its `info` declares"
            ));
        }
        if let Some(l) = d.labels.iter().find(|l| !is_name(l)) {
            return invalid(format!(
                "label {l:?} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)"
            ));
        }
        if let Some((c, _)) = d.counters.iter().find(|(c, _)| !is_name(c)) {
            return invalid(format!(
                "counter {c:?} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)"
            ));
        }
        if d.redactions.len() > MAX_REDACTIONS {
            return invalid(format!(
                "{} redactions, at most {MAX_REDACTIONS} are taken",
                d.redactions.len()
            ));
        }
        if let Some(r) = d.redactions.iter().find(|r| {
            !Redaction::FIELDS.contains(&r.field.as_str()) || r.start > r.end || !is_name(&r.kind)
        }) {
            return invalid(format!(
                "redaction {:?} {}..{} ({:?}) must name content, command, target or input, \
                 a span with start <= end and a kind (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)",
                r.field, r.start, r.end, r.kind
            ));
        }
        Ok(Decision {
            verdict: match d.verdict {
                wit::Verdict::Allow => Verdict::Allow,
                wit::Verdict::Deny => Verdict::Deny,
                wit::Verdict::Escalate => Verdict::Escalate,
            },
            risk: d.risk,
            reason: d.reason,
            rules: d.rules,
            labels: d.labels,
            counters: d.counters,
            redactions: d
                .redactions
                .into_iter()
                .map(|r| Redaction {
                    field: r.field,
                    start: r.start,
                    end: r.end,
                    kind: r.kind,
                })
                .collect(),
        })
    }
}

/// Whether the declared rule id `known` covers the reported `id`: the
/// same id, or a family (`custom.*`) `id` belongs to (`custom.no-prod-db`).
fn declares(known: &str, id: &str) -> bool {
    known == id
        || known.strip_suffix('*').is_some_and(|prefix| {
            prefix.ends_with('.') && id.len() > prefix.len() && id.starts_with(prefix)
        })
}

//! The policy set: the policies a gate runs, loaded together, evaluated
//! together on every action. A set is immutable once built and shared by
//! `Arc`; a reload builds a new set and swaps it whole, so an evaluation
//! always runs on one complete set.
//!
//! A policy is consulted only on the action kinds its `info` declares
//! (every kind when it declares none, as every 0.1.0 and 0.2.0 component
//! does): the others are answered without instantiating it, as the
//! contract says, an ALLOW with risk 0 and nothing else, and listed in
//! [`Evaluation::skipped`]. Those consulted still each run in a fresh
//! instance (or a pooled one, when so configured). A set loaded for one
//! action ([`PolicySet::load_for_kind`], one-shot processes) does not even
//! load the policies the compile cache knows to judge other kinds.

use std::sync::Arc;
use std::time::Instant;

use clawlaw_sdk::gate::GateFacts;
use clawlaw_sdk::{Action, Session, SessionParts};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::FileStamp;
use crate::combine::{Evaluation, PolicyReport, combine};
use crate::contract::{convert, wit};
use crate::engine::Engine;
use crate::fault::Fault;
use crate::policy::{LoadError, LoadedPolicy, PolicyId};
use crate::pool::Isolation;
use crate::spec::{EngineSection, PolicySpec, SetSpec};

/// What to do with a policy that fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLoadError {
    /// Refuse the whole set (the gate's start and reload).
    Refuse,
    /// Keep the policy as a permanent DENY naming its fault, so every action
    /// is denied until it is fixed (one-shot evaluation, `clawlaw eval`).
    DenyAll,
}

/// A policy that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("policy {path}: {error}")]
pub struct SetLoadError {
    pub path: String,
    pub error: PolicyLoadFailure,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadFailure {
    #[error("{0}")]
    Read(std::io::Error),
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("the component calls itself {actual:?}, the config expects {expected:?}")]
    NameMismatch { expected: String, actual: String },
    #[error("a policy named {0:?} is already in the set")]
    Duplicate(String),
}

enum Slot {
    Ready(Box<LoadedPolicy>),
    Broken {
        id: PolicyId,
        fault: Fault,
    },
    /// Not loaded: the set was loaded for one action kind
    /// ([`PolicySet::load_for_kind`]) and the compile cache's record of
    /// the policy's `info` says it judges only others.
    LeftOut {
        id: PolicyId,
        kinds: Vec<String>,
    },
}

impl Slot {
    fn id(&self) -> &PolicyId {
        match self {
            Slot::Ready(p) => p.id(),
            Slot::Broken { id, .. } | Slot::LeftOut { id, .. } => id,
        }
    }

    fn kinds(&self) -> &[String] {
        match self {
            Slot::Ready(p) => p.kinds(),
            Slot::Broken { .. } => &[],
            Slot::LeftOut { kinds, .. } => kinds,
        }
    }
}

/// A policy as the set lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyStatus {
    #[serde(flatten)]
    pub id: PolicyId,
    pub source: String,
    /// How its evaluations are isolated (`fresh` or `pooled`).
    pub isolation: Isolation,
    /// Whether its evaluations start from a snapshot taken after it parsed
    /// its settings (see [`crate::preinit`]).
    pub preinitialized: bool,
    /// The action kinds it is consulted on; empty for every kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Whether the code it runs was loaded from the on-disk compile cache
    /// rather than compiled (and, when pre-initialised, snapshotted) now.
    pub cached: bool,
    /// `None` when the policy is loaded and evaluating.
    pub fault: Option<Fault>,
}

/// The policies a gate runs, and how their answers combine.
pub struct PolicySet {
    slots: Vec<Slot>,
    sources: Vec<String>,
    escalation_threshold: f32,
    max_action_bytes: usize,
    version: String,
}

impl PolicySet {
    /// Loads every policy of `spec` on `engine`.
    pub fn load(
        engine: &Arc<Engine>,
        spec: &SetSpec,
        on_error: OnLoadError,
    ) -> Result<PolicySet, SetLoadError> {
        PolicySet::load_judging(engine, spec, on_error, None)
    }

    /// Loads the policies of `spec` that judge actions of `kind`, for a
    /// one-shot evaluation of one action (`clawlaw hook --policies`,
    /// `clawlaw eval`): a policy the compile cache's record of its `info`
    /// says judges only other kinds is left out without loading its code,
    /// and listed as skipped like any policy that does not judge an
    /// action. Policies without a record (the first load after an install)
    /// are loaded, which records them. Evaluating an action of another kind
    /// on such a set is a fault of each policy left out that judges it: it
    /// fails closed.
    pub fn load_for_kind(
        engine: &Arc<Engine>,
        spec: &SetSpec,
        on_error: OnLoadError,
        kind: &str,
    ) -> Result<PolicySet, SetLoadError> {
        PolicySet::load_judging(engine, spec, on_error, Some(kind))
    }

    fn load_judging(
        engine: &Arc<Engine>,
        spec: &SetSpec,
        on_error: OnLoadError,
        kind: Option<&str>,
    ) -> Result<PolicySet, SetLoadError> {
        let prepared = prepare_all(engine, spec, kind);
        let mut slots: Vec<Slot> = Vec::new();
        let mut sources = Vec::new();
        for (p, loaded) in spec.policies.iter().zip(prepared) {
            let source = p.source();
            let loaded = loaded.and_then(|loaded| {
                check_identity(p, loaded.id(), &slots)?;
                Ok(loaded)
            });
            let slot = match loaded {
                Ok(Loaded::Policy(policy)) => Slot::Ready(policy),
                Ok(Loaded::LeftOut { id, kinds }) => Slot::LeftOut { id, kinds },
                Err(error) if on_error == OnLoadError::DenyAll => {
                    let name = p.expected_name.clone().unwrap_or_else(|| {
                        p.path
                            .file_stem()
                            .map_or("policy".into(), |s| s.to_string_lossy().into_owned())
                    });
                    let fault = Fault::Load {
                        message: error.to_string(),
                    };
                    tracing::error!(policy = %name, source = %source, %fault, "policy failed to load; every action will be denied");
                    Slot::Broken {
                        id: PolicyId {
                            name,
                            version: "unknown".into(),
                            digest: "unknown".into(),
                        },
                        fault,
                    }
                }
                Err(error) => {
                    return Err(SetLoadError {
                        path: source,
                        error,
                    });
                }
            };
            slots.push(slot);
            sources.push(source);
        }
        let version = set_version(&slots, &spec.policies);
        Ok(PolicySet {
            slots,
            sources,
            escalation_threshold: spec.engine.escalation_threshold,
            max_action_bytes: spec.engine.max_action_bytes,
            version,
        })
    }

    /// Evaluates one action against every policy that judges its kind and
    /// combines the answers; the rest are listed as skipped. Each policy is
    /// handed the parts of the session view it reads, converted once for
    /// all the policies that read the same parts.
    pub fn evaluate(&self, action: &Action, session: &Session) -> Evaluation {
        let wit_action = convert::action(action);
        let (consulted, skipped): (Vec<&Slot>, Vec<&Slot>) =
            self.slots.iter().partition(|slot| match slot {
                Slot::Ready(policy) => policy.judges(&action.kind),
                Slot::Broken { .. } => true,
                Slot::LeftOut { kinds, .. } => kinds.contains(&action.kind),
            });
        let mut views: Vec<(SessionParts, wit::Session)> = Vec::new();
        for slot in &consulted {
            if let Slot::Ready(policy) = slot
                && !views.iter().any(|(p, _)| *p == policy.session_parts())
            {
                let parts = policy.session_parts();
                views.push((parts, convert::session(session, parts)));
            }
        }
        let view_for = |policy: &LoadedPolicy| {
            let parts = policy.session_parts();
            let (_, view) = views
                .iter()
                .find(|(p, _)| *p == parts)
                .expect("a view was made for every consulted policy's parts");
            view
        };
        let reports = consulted
            .into_iter()
            .map(|slot| match slot {
                Slot::Ready(policy) => {
                    let _span = tracing::debug_span!("policy", name = %policy.id().name, version = %policy.id().version).entered();
                    let outcome = policy.evaluate_wit(&wit_action, view_for(policy));
                    if let Err(fault) = &outcome.decision {
                        tracing::warn!(policy = %policy.id().name, action = %action.id, fault = fault.kind(), %fault, "policy fault");
                    }
                    PolicyReport::new(policy.id().clone(), outcome)
                }
                Slot::Broken { id, fault } => PolicyReport::faulted(id.clone(), fault.clone(), 0),
                Slot::LeftOut { id, .. } => {
                    let fault = Fault::Load {
                        message: format!(
                            "not loaded: this set was loaded for other actions than a {}",
                            action.kind
                        ),
                    };
                    PolicyReport::faulted(id.clone(), fault, 0)
                }
            })
            .collect();
        let mut evaluation = combine(reports, self.escalation_threshold);
        evaluation.skipped = skipped.into_iter().map(|s| s.id().clone()).collect();
        evaluation
    }

    /// The policies, in evaluation order, with their load status.
    pub fn policies(&self) -> Vec<PolicyStatus> {
        self.slots
            .iter()
            .zip(&self.sources)
            .map(|(slot, source)| {
                let (isolation, preinitialized, cached, fault) = match slot {
                    Slot::Ready(p) => (p.isolation(), p.is_preinitialized(), p.was_cached(), None),
                    Slot::Broken { fault, .. } => {
                        (Isolation::default(), false, false, Some(fault.clone()))
                    }
                    Slot::LeftOut { .. } => (Isolation::default(), false, false, None),
                };
                let kinds = slot.kinds().to_vec();
                PolicyStatus {
                    id: slot.id().clone(),
                    source: source.clone(),
                    isolation,
                    preinitialized,
                    kinds,
                    cached,
                    fault,
                }
            })
            .collect()
    }

    /// The loaded policies (those that did not fail to load).
    pub fn loaded(&self) -> impl Iterator<Item = &LoadedPolicy> {
        self.slots.iter().filter_map(|s| match s {
            Slot::Ready(p) => Some(&**p),
            Slot::Broken { .. } | Slot::LeftOut { .. } => None,
        })
    }

    /// `sha256:<hex>` over every policy's digest and settings: names the
    /// exact set a decision was made with.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn max_action_bytes(&self) -> usize {
        self.max_action_bytes
    }

    pub fn escalation_threshold(&self) -> f32 {
        self.escalation_threshold
    }
}

/// Builds the engine a set's `[engine]` section asks for, for a process
/// that evaluates many actions (a gate, the MCP gateway).
pub fn engine_for(section: &EngineSection) -> Result<Arc<Engine>, crate::engine::EngineError> {
    build_engine(section, false, section.max_sandboxes)
}

/// [`engine_for`] for `spec` in a process that evaluates one action and
/// exits (`clawlaw eval`, `clawlaw hook --policies`; see
/// [`crate::engine::EngineConfig::one_shot`]). Its pool has a slot per
/// policy (a pooled policy keeps its instance) and per loading thread, not
/// the gate's `max_sandboxes`: each slot's stack costs a guard-page
/// `mprotect` before the first policy loads.
pub fn one_shot_engine_for(spec: &SetSpec) -> Result<Arc<Engine>, crate::engine::EngineError> {
    let needed = spec.policies.len().saturating_add(MAX_LOADERS);
    let slots = u32::try_from(needed).unwrap_or(u32::MAX);
    build_engine(&spec.engine, true, slots.min(spec.engine.max_sandboxes))
}

fn build_engine(
    section: &EngineSection,
    one_shot: bool,
    max_sandboxes: u32,
) -> Result<Arc<Engine>, crate::engine::EngineError> {
    let mut config = crate::engine::EngineConfig {
        max_sandboxes,
        preinitialize: section.preinitialize,
        one_shot,
        ..Default::default()
    };
    if let Some(dir) = &section.cache_dir {
        config.cache_dir = Some(dir.clone());
    }
    config.cache_key = section.cache_key.clone();
    config.cache_max_bytes = section.cache_max_mb.saturating_mul(1 << 20);
    if !section.compile_cache {
        config.cache_dir = None;
    }
    Engine::new(&config)
}

/// What loading one policy gave.
enum Loaded {
    Policy(Box<LoadedPolicy>),
    LeftOut { id: PolicyId, kinds: Vec<String> },
}

impl Loaded {
    fn id(&self) -> &PolicyId {
        match self {
            Loaded::Policy(policy) => policy.id(),
            Loaded::LeftOut { id, .. } => id,
        }
    }
}

/// Threads that load a set's policies at most: past a few, the disk and
/// the compiler's own threads are the limit, not the loaders.
pub(crate) const MAX_LOADERS: usize = 4;

/// Every policy of `spec` loaded (or left out for `kind`), in the spec's
/// order; what depends on the others (names unique, as expected) is the
/// caller's. The policies are independent until then, so they are loaded
/// on up to one thread per core: reading and hashing the component files
/// and copying and authenticating their cached code is most of what a
/// one-shot process does, and each policy's share of it is its own.
fn prepare_all(
    engine: &Arc<Engine>,
    spec: &SetSpec,
    kind: Option<&str>,
) -> Vec<Result<Loaded, PolicyLoadFailure>> {
    let facts = spec.gate_facts.as_ref();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_LOADERS)
        .min(spec.policies.len());
    if workers <= 1 {
        // One buffer for every component file: a megabyte of fresh memory
        // per policy costs a one-shot process more to fault in than to read.
        let mut buffer = Vec::new();
        return spec
            .policies
            .iter()
            .map(|p| prepare_one(engine, p, facts, kind, &mut buffer))
            .collect();
    }
    // Workers take the next policy in turn; each keeps its own buffer.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::Mutex<Option<Result<Loaded, PolicyLoadFailure>>>> =
        spec.policies.iter().map(|_| Default::default()).collect();
    let work = || {
        let mut buffer = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(p) = spec.policies.get(i) else { break };
            let loaded = prepare_one(engine, p, facts, kind, &mut buffer);
            *done[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(loaded);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            scope.spawn(work);
        }
        work();
    });
    done.into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every policy was taken by a worker")
        })
        .collect()
}

/// One policy loaded, or left out without loading its code when the
/// compile cache's record of its `info` says it judges only other kinds
/// than `kind`. A component file the cache has a digest record of, unchanged
/// since ([`crate::cache::stamp`]), is not read when the cache's records
/// settle its load.
fn prepare_one(
    engine: &Arc<Engine>,
    spec: &PolicySpec,
    facts: Option<&GateFacts>,
    kind: Option<&str>,
    buffer: &mut Vec<u8>,
) -> Result<Loaded, PolicyLoadFailure> {
    let started = Instant::now();
    let mut file = std::fs::File::open(&spec.path).map_err(PolicyLoadFailure::Read)?;
    let stamp = file.metadata().ok().and_then(|m| FileStamp::of(&m));
    let recorded = engine
        .cache()
        .zip(stamp)
        .and_then(|(cache, stamp)| cache.file_digest(&spec.path, &stamp));
    let digested = recorded.is_none();
    let hex = match recorded {
        Some(hex) => hex,
        None => read_and_digest(engine, spec, &mut file, stamp, buffer)?,
    };
    let digest = format!("sha256:{hex}");
    if let Some(kind) = kind
        && let Some(info) = crate::policy::recorded_info(engine, &digest)
        && !info.judges(kind)
    {
        return Ok(Loaded::LeftOut {
            id: PolicyId {
                name: info.name,
                version: info.version,
                digest,
            },
            kinds: info.kinds,
        });
    }
    // The gate's facts are offered first, in the settings of a policy that
    // declares the `$gate` field; one that does not refuses them, and that
    // is no error.
    let with = facts.and_then(|f| clawlaw_sdk::gate::with_facts(&spec.settings, f));
    let candidates: Vec<String> = with.into_iter().chain([spec.settings.clone()]).collect();
    let from_records = LoadedPolicy::from_cache(engine, &hex, &candidates, spec.limits);
    // Whether the component file was read: unless its digest was recorded
    // and the records settled the load.
    let read = digested || from_records.is_none();
    let policy = match from_records {
        Some(policy) => policy,
        None => {
            let hex = if digested {
                hex
            } else {
                read_and_digest(engine, spec, &mut file, None, buffer)?
            };
            LoadedPolicy::compile_and_validate(engine, buffer, hex, candidates, spec.limits)?
        }
    }
    .with_isolation(spec.isolation);
    let id = policy.id();
    tracing::info!(
        policy = %id.name, version = %id.version, digest = %id.digest,
        cached = policy.was_cached(), preinitialized = policy.is_preinitialized(),
        read, load_ms = started.elapsed().as_millis() as u64,
        "policy loaded"
    );
    Ok(Loaded::Policy(Box::new(policy)))
}

/// Reads the component `file` into `buffer` and returns its sha256 (hex);
/// records the digest in the compile cache when the file's `stamp` (taken
/// before the read) is settled and the same after the read.
fn read_and_digest(
    engine: &Engine,
    spec: &PolicySpec,
    file: &mut std::fs::File,
    stamp: Option<FileStamp>,
    buffer: &mut Vec<u8>,
) -> Result<String, PolicyLoadFailure> {
    use std::io::{Read, Seek};
    let read_at = std::time::SystemTime::now();
    buffer.clear();
    file.rewind()
        .and_then(|()| file.read_to_end(buffer))
        .map_err(PolicyLoadFailure::Read)?;
    let hex = hex::encode(Sha256::digest(&buffer[..]));
    if let (Some(cache), Some(stamp)) = (engine.cache(), stamp)
        && stamp.settled_before(read_at)
        && file.metadata().ok().and_then(|m| FileStamp::of(&m)) == Some(stamp)
    {
        cache.put_file_digest(&spec.path, &stamp, &hex);
    }
    Ok(hex)
}

/// The name the config expects, and no other policy of the set by it.
fn check_identity(
    spec: &PolicySpec,
    id: &PolicyId,
    loaded: &[Slot],
) -> Result<(), PolicyLoadFailure> {
    if let Some(expected) = &spec.expected_name
        && *expected != id.name
    {
        return Err(PolicyLoadFailure::NameMismatch {
            expected: expected.clone(),
            actual: id.name.clone(),
        });
    }
    if loaded.iter().any(|s| s.id().name == id.name) {
        return Err(PolicyLoadFailure::Duplicate(id.name.clone()));
    }
    Ok(())
}

fn set_version(slots: &[Slot], specs: &[PolicySpec]) -> String {
    let mut h = Sha256::new();
    for (slot, spec) in slots.iter().zip(specs) {
        h.update(slot.id().digest.as_bytes());
        h.update([0]);
        h.update(spec.settings.as_bytes());
        h.update([0]);
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

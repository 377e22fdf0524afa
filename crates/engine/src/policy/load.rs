//! Loading a policy: compiling its component (or reading it from the compile
//! cache), linking it against the sandbox, naming it from its `info`,
//! validating its settings and pre-initialising it — or, when an earlier
//! load recorded in the cache what these settings give, starting from that
//! record alone: no plain component and no `validate-settings` call, which
//! is most of what a one-shot process (`clawlaw hook --policies`) spends.
//! What a component's `info` says is recorded in the cache too
//! ([`recorded_info`]), so a load that finds it does not call `info`.

use std::sync::Arc;

use clawlaw_sdk::{Info, Rule, SessionParts};
use sha2::{Digest, Sha256};

use super::{LoadError, LoadedPolicy, PolicyId};
use crate::contract::{self, convert};
use crate::engine::{Compiled, Engine};
use crate::limits::Limits;
use crate::preinit::{self, Recorded};
use clawlaw_sdk::is_name;

impl LoadedPolicy {
    /// Compiles (or loads from cache), links, names and validates a policy.
    /// `settings` is JSON text; it is validated once, here.
    pub fn load(
        engine: &Arc<Engine>,
        bytes: &[u8],
        settings: String,
        limits: Limits,
    ) -> Result<LoadedPolicy, LoadError> {
        LoadedPolicy::load_preferring(engine, bytes, None, settings, limits)
    }

    /// [`Self::load`] with `preferred` settings when the policy accepts
    /// them, else `settings`: compiled, linked and named once, validated
    /// with each in turn. A rejection of `preferred` is no error (the gate
    /// offers its facts to every policy, `clawlaw-gate`'s `gate_facts`); a
    /// fault is.
    pub fn load_preferring(
        engine: &Arc<Engine>,
        bytes: &[u8],
        preferred: Option<String>,
        settings: String,
        limits: Limits,
    ) -> Result<LoadedPolicy, LoadError> {
        let hex = hex::encode(Sha256::digest(bytes));
        LoadedPolicy::load_digested(engine, bytes, hex, preferred, settings, limits)
    }

    /// [`Self::load_preferring`] of a component whose sha256 (hex) the
    /// caller computed already.
    pub(crate) fn load_digested(
        engine: &Arc<Engine>,
        bytes: &[u8],
        hex: String,
        preferred: Option<String>,
        settings: String,
        limits: Limits,
    ) -> Result<LoadedPolicy, LoadError> {
        let candidates: Vec<String> = preferred.into_iter().chain([settings]).collect();
        if let Some(policy) = LoadedPolicy::from_cache(engine, &hex, &candidates, limits) {
            return Ok(policy);
        }
        LoadedPolicy::compile_and_validate(engine, bytes, hex, candidates, limits)
    }

    /// The policy with the first of `candidates` (settings, in order of
    /// preference) from what earlier loads recorded in the compile cache
    /// alone, without the component's bytes; `None` when the records do
    /// not settle it (the caller then loads the component).
    pub(crate) fn from_cache(
        engine: &Arc<Engine>,
        hex: &str,
        candidates: &[String],
        limits: Limits,
    ) -> Option<LoadedPolicy> {
        if !engine.preinitialize() {
            return None;
        }
        LoadedPolicy::from_records(engine, &format!("sha256:{hex}"), candidates, limits)
    }

    /// The component compiled (or its code taken from the cache), named,
    /// validated with the first of `candidates` it accepts and
    /// pre-initialised: [`Self::load_digested`] when the records do not
    /// settle the load.
    pub(crate) fn compile_and_validate(
        engine: &Arc<Engine>,
        bytes: &[u8],
        hex: String,
        candidates: Vec<String>,
        limits: Limits,
    ) -> Result<LoadedPolicy, LoadError> {
        let compiled = engine
            .compile_digested(bytes, hex)
            .map_err(LoadError::NotAComponent)?;
        let mut policy = LoadedPolicy::named(engine, compiled, limits)?;
        let mut rejected = None;
        for candidate in candidates {
            let verdict = policy
                .call_at_load(|p, store| p.call_validate_settings(store, &candidate))
                .map_err(LoadError::SettingsFault)?;
            match verdict {
                Ok(()) => {
                    policy.settings = candidate;
                    rejected = None;
                    break;
                }
                Err(why) => {
                    if engine.preinitialize() {
                        preinit::record_rejected(engine, &policy.id.digest, &candidate);
                    }
                    rejected = Some(why);
                }
            }
        }
        if let Some(why) = rejected {
            return Err(LoadError::SettingsRejected(why));
        }
        if engine.preinitialize() {
            policy.preinitialize(bytes);
        }
        Ok(policy)
    }

    /// The policy as earlier loads recorded it in the compile cache: the
    /// first of `candidates` that the records do not say it rejects, started
    /// from its snapshot. `None` when a record is missing or the snapshot
    /// does not load; the full load then decides (and says why).
    fn from_records(
        engine: &Arc<Engine>,
        digest: &str,
        candidates: &[String],
        limits: Limits,
    ) -> Option<LoadedPolicy> {
        for candidate in candidates {
            match preinit::recorded(engine, digest, candidate)? {
                Recorded::Rejected => continue,
                Recorded::Snapshot(snapshot) => {
                    // The policy is named by its own component's digest,
                    // not the snapshot's.
                    let compiled = Compiled {
                        digest: digest.to_string(),
                        ..snapshot
                    };
                    let mut policy = LoadedPolicy::named(engine, compiled, limits).ok()?;
                    policy.settings = candidate.clone();
                    policy.preinitialized = true;
                    return Some(policy);
                }
            }
        }
        None
    }

    /// A compiled component linked and named by its `info`, its settings
    /// not yet validated.
    fn named(
        engine: &Arc<Engine>,
        compiled: Compiled,
        limits: Limits,
    ) -> Result<LoadedPolicy, LoadError> {
        let pre = link(engine, &compiled.component).map_err(LoadError::WrongWorld)?;
        let mut policy = LoadedPolicy {
            id: PolicyId {
                name: String::new(),
                version: String::new(),
                digest: compiled.digest,
            },
            rules: Vec::new(),
            kinds: Vec::new(),
            session_parts: SessionParts::ALL,
            pre,
            // The settings it accepts, set once validated.
            settings: String::new(),
            limits,
            engine: engine.clone(),
            cached: compiled.cached,
            preinitialized: false,
            pool: None,
        };
        let info = match recorded_info(engine, &policy.id.digest) {
            Some(info) => info,
            None => {
                let info = policy
                    .call(|p, store| p.call_info(store))
                    .map_err(LoadError::Info)?;
                let info = Info {
                    name: info.name,
                    version: info.version,
                    rules: info
                        .rules
                        .into_iter()
                        .map(|r| Rule {
                            id: r.id,
                            summary: r.summary,
                        })
                        .collect(),
                    kinds: info.kinds,
                    session_parts: convert::session_parts(info.session_parts),
                };
                check_info(&info).map_err(LoadError::InvalidInfo)?;
                record_info(engine, &policy.id.digest, &info);
                info
            }
        };
        policy.id.name = info.name;
        policy.id.version = info.version;
        policy.kinds = info.kinds;
        policy.session_parts = info.session_parts;
        policy.rules = info.rules;
        Ok(policy)
    }

    /// Swaps the component for one pre-initialised with this policy's
    /// settings, when one can be made and it names the same policy; else
    /// keeps the component as it is and says why in the log.
    fn preinitialize(&mut self, bytes: &[u8]) {
        let (digest, settings) = (&self.id.digest, &self.settings);
        let version = self.pre.version();
        let snapshot =
            preinit::preinitialized(&self.engine, bytes, digest, settings, version, || {
                self.snapshot_store()
            });
        let linked = snapshot.map_err(|e| e.to_string()).and_then(|compiled| {
            let pre = link(&self.engine, &compiled.component)?;
            Ok((pre, compiled.cached))
        });
        let (pre, cached) = match linked {
            Ok(snapshot) => snapshot,
            Err(e) => {
                tracing::warn!(policy = %self.id.name, "not pre-initialised: {e}");
                return;
            }
        };
        let plain = std::mem::replace(&mut self.pre, pre);
        match self.call(|p, store| p.call_info(store)) {
            Ok(info) if info.name == self.id.name && info.version == self.id.version => {
                self.preinitialized = true;
                self.cached = cached;
            }
            other => {
                let why = match other {
                    Ok(info) => format!("it names itself {} {}", info.name, info.version),
                    Err(fault) => fault.to_string(),
                };
                tracing::warn!(policy = %self.id.name, "not pre-initialised: the snapshot fails its check: {why}");
                self.pre = plain;
            }
        }
    }
}

/// What the component whose digest is `digest` (`sha256:<hex>`) said of
/// itself when an earlier load called its `info`, as the compile cache
/// recorded it (sealed like its compiled code, so only what this gate
/// wrote). A component's `info` is fixed by its code, so the record stands
/// for the call.
pub(crate) fn recorded_info(engine: &Engine, digest: &str) -> Option<Info> {
    let hex = digest.strip_prefix("sha256:")?;
    let bytes = engine.cache()?.info(hex)?;
    let info: Info = serde_json::from_slice(&bytes).ok()?;
    check_info(&info).ok()?;
    Some(info)
}

fn record_info(engine: &Engine, digest: &str, info: &Info) {
    let (Some(cache), Some(hex)) = (engine.cache(), digest.strip_prefix("sha256:")) else {
        return;
    };
    match serde_json::to_vec(info) {
        Ok(bytes) => cache.put_info(hex, &bytes),
        Err(e) => {
            tracing::warn!(policy = %info.name, error = %e, "could not encode the policy's info")
        }
    }
}

/// A compiled component linked against the sandbox and checked to export
/// the `clawlaw:policy` world of the version it was built against.
fn link(
    engine: &Engine,
    component: &wasmtime::component::Component,
) -> Result<contract::Pre, String> {
    contract::Pre::link(engine.wasmtime(), engine.linker(), component)
}

fn check_info(info: &Info) -> Result<(), String> {
    if !is_name(&info.name) {
        return Err(format!(
            "name {:?} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)",
            info.name
        ));
    }
    if info.version.is_empty() || info.version.len() > 64 {
        return Err(format!(
            "version {:?} must be 1-64 characters",
            info.version
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for r in &info.rules {
        let name = r.id.strip_suffix(".*").unwrap_or(&r.id);
        if !is_name(name) {
            return Err(format!(
                "rule id {:?} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)",
                r.id
            ));
        }
        if !seen.insert(&r.id) {
            return Err(format!("rule id {:?} is declared twice", r.id));
        }
    }
    if let Some(k) = info.kinds.iter().find(|k| !is_name(k)) {
        return Err(format!(
            "action kind {k:?} is not a name (1-64 of a-z, 0-9, `.`, `-`, `_`, `:`)"
        ));
    }
    Ok(())
}

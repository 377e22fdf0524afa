//! Hot reload: building a new policy set off the request path and swapping
//! it in whole.
//!
//! A reload re-reads the set's source (the config file, or the directory of
//! components), loads every policy, validates its settings, smoke-tests it
//! on a canned action, and only then swaps the whole set atomically.
//! Evaluations in flight finish on the set they started with. A source that
//! fails any step is refused: the last good set keeps serving, and the
//! refusal is logged, counted and shown by `GET /v1/policies`.
//!
//! Registry policies (`oci = "oci://…"`) are pulled and verified first
//! (see [`clawlaw_distribution`]): nothing is compiled before its signature
//! verifies, and a version is accepted (becomes the downgrade floor and the
//! restart point) only once the whole set it belongs to is swapped in.
//!
//! Triggers: `POST /v1/admin/reload`, SIGHUP, a registry's push webhook,
//! and a poll on an interval of the source's files (their sha256) and of
//! the digests the registry tags point at. A change a poll's reload refused
//! is not retried by later polls until something changes again (a file, a
//! tag, a signature pushed for the digest); the other triggers always try.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clawlaw_sdk::{Action, Session};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use clawlaw_distribution::{Distribution, Fetched, PolicyRef, Refusal};
use clawlaw_engine::engine::Engine;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_engine::spec::SetSpec;

use crate::config::SetConfig;
use crate::gate::Gate;
use crate::resolve::{check_versions, registry_references, resolve};

/// Where a policy set comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A config file: its `[[policy]]` entries (other sections need a restart).
    Config(PathBuf),
    /// A directory of components.
    Dir(PathBuf),
}

impl Source {
    fn spec(&self) -> Result<SetConfig, String> {
        match self {
            Source::Config(path) => SetConfig::from_config_file(path).map_err(|e| e.to_string()),
            Source::Dir(dir) => SetConfig::from_path(dir).map_err(|e| e.to_string()),
        }
    }

    /// A digest of everything the source is made of: the config (or the
    /// directory listing) and every component and settings file it names.
    pub fn fingerprint(&self) -> Result<String, String> {
        let spec = self.spec()?.set;
        let mut h = Sha256::new();
        if let Source::Config(path) = self {
            h.update(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        // Registry policies are watched through their tags' digests instead.
        for p in spec.policies.iter().filter(|p| p.origin.is_none()) {
            h.update(p.path.to_string_lossy().as_bytes());
            h.update(std::fs::read(&p.path).map_err(|e| format!("{}: {e}", p.path.display()))?);
            h.update(p.settings.as_bytes());
        }
        Ok(format!("sha256:{}", hex::encode(h.finalize())))
    }
}

/// What started a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    Api,
    Signal,
    Poll,
    Webhook,
    /// The gate's start (reported when it fell back to the verified store).
    Start,
}

/// The outcome of one reload attempt, as `GET /v1/policies` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    pub at: String,
    pub trigger: Trigger,
    /// `swapped`, `unchanged` or `refused`.
    pub outcome: &'static str,
    pub policy_set: String,
    /// Why a set was refused: a registry refusal (`unsigned`, `untrusted`,
    /// `tampered`, `downgrade`, `unreachable`, …), `source`, `load` or
    /// `smoke_test`.
    pub reason: Option<&'static str>,
    pub error: Option<String>,
    pub took_ms: u64,
}

/// Why a new set was not built.
#[derive(Debug, Clone)]
pub struct Refused {
    pub reason: &'static str,
    pub message: String,
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Refused {
        Refused {
            reason: r.kind.as_str(),
            message: r.to_string(),
        }
    }
}

/// Where registry policies are pulled to, and the runtime their pulls run on.
#[derive(Clone)]
pub struct RegistryContext {
    /// The verified store (`<data_dir>/artifacts` for the gate).
    pub store_dir: PathBuf,
    pub runtime: tokio::runtime::Handle,
}

/// A set built and smoke-tested, not yet serving.
pub struct Prepared {
    pub set: PolicySet,
    fetched: Vec<Fetched>,
    distribution: Option<Distribution>,
    /// Registry refusals the start-up fell back from (served from the store).
    pub fallbacks: Vec<Refusal>,
}

impl Prepared {
    /// The registry artifacts in the set.
    pub fn fetched(&self) -> &[Fetched] {
        &self.fetched
    }

    /// Accepts the set (see [`Prepared::commit`]) and splits it into the set
    /// to serve and what the reloader needs to know about its start.
    pub fn start(self) -> (PolicySet, Started) {
        let serving = self.commit();
        (
            self.set,
            Started {
                serving,
                fallbacks: self.fallbacks,
            },
        )
    }

    /// Records the registry artifacts as accepted: the downgrade floor and
    /// the restart point. Call once the set serves.
    pub fn commit(&self) -> Vec<(PolicyRef, String)> {
        if let Some(d) = &self.distribution {
            for f in &self.fetched {
                d.accept(f);
            }
        }
        self.fetched
            .iter()
            .map(|f| (f.reference.clone(), f.digest.clone()))
            .collect()
    }
}

/// What the gate's first set was made of.
#[derive(Default)]
pub struct Started {
    /// The manifest digest serving for each registry reference.
    pub serving: Vec<(PolicyRef, String)>,
    /// Registry refusals the start fell back from.
    pub fallbacks: Vec<Refusal>,
}

/// Builds a policy set from `spec`: pulls and verifies its registry
/// policies (with `fallback`, from the verified store when the registry
/// refuses), loads every policy, smoke-tests the set, and checks each
/// registry component is the version its signed manifest names.
pub fn prepare(
    engine: &Arc<Engine>,
    config: &SetConfig,
    registry: Option<&RegistryContext>,
    fallback: bool,
) -> Result<Prepared, Refused> {
    let spec = &config.set;
    let (spec, fetched, fallbacks, distribution) = match &config.distribution {
        Some(d) if spec.has_distributed_policies() => {
            let ctx = registry.ok_or_else(|| Refused {
                reason: "source",
                message: "registry policies need a store and a runtime".into(),
            })?;
            let dist = Distribution::from_spec(d, &ctx.store_dir).map_err(|message| Refused {
                reason: "source",
                message,
            })?;
            let resolved = ctx.runtime.block_on(resolve(&dist, spec, fallback))?;
            let set = load(engine, &resolved.spec)?;
            check_versions(&set, &resolved)?;
            return Ok(Prepared {
                set,
                fetched: resolved.fetched,
                distribution: Some(dist),
                fallbacks: resolved.fallbacks,
            });
        }
        _ => (spec, Vec::new(), Vec::new(), None),
    };
    Ok(Prepared {
        set: load(engine, spec)?,
        fetched,
        distribution,
        fallbacks,
    })
}

fn load(engine: &Arc<Engine>, spec: &SetSpec) -> Result<PolicySet, Refused> {
    let set = PolicySet::load(engine, spec, OnLoadError::Refuse).map_err(|e| Refused {
        reason: "load",
        message: e.to_string(),
    })?;
    smoke_test(&set).map_err(|message| Refused {
        reason: "smoke_test",
        message,
    })?;
    Ok(set)
}

/// Reloads a gate's policy set from its source.
pub struct Reloader {
    source: Source,
    engine: Arc<Engine>,
    gate: Arc<Gate>,
    registry: Option<RegistryContext>,
    /// What the gate tells its policies about itself; each reloaded set
    /// gets them, with its own components added.
    gate_facts: Option<clawlaw_sdk::gate::GateFacts>,
    /// Serialises reloads: held for a whole reload, which may take seconds
    /// (pulls, compiles, snapshots).
    reloading: Mutex<()>,
    /// The last report and refusal, and what is serving. Held only to read
    /// or write them, never across a reload: `status()` is called from the
    /// async admin API and must not wait for a reload to finish.
    state: Mutex<ReloadState>,
}

#[derive(Default)]
struct ReloadState {
    last: Option<ReloadReport>,
    last_refusal: Option<ReloadReport>,
    fingerprint: Option<String>,
    /// The manifest digest serving for each registry reference.
    serving: Vec<(PolicyRef, String)>,
    /// What the last poll saw when the reload it started was refused: polls
    /// that see the same again do not retry (nor log and count the same
    /// refusal every interval).
    refused_poll: Option<Observed>,
}

/// What a poll sees of the source: the fingerprint of its files, and each
/// registry tag that points somewhere other than what serves, with the digest
/// of that manifest's signature tag (signing it later is a change too).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed {
    fingerprint: Option<String>,
    moved: Vec<(PolicyRef, String, Option<String>)>,
}

impl Reloader {
    /// A reloader for the set `started` built; `registry` is needed when
    /// the source names registry policies.
    pub fn new(
        source: Source,
        engine: Arc<Engine>,
        gate: Arc<Gate>,
        registry: Option<RegistryContext>,
        started: Started,
    ) -> Reloader {
        let fingerprint = source.fingerprint().ok();
        let mut state = ReloadState {
            fingerprint,
            serving: started.serving,
            ..ReloadState::default()
        };
        if let Some(first) = started.fallbacks.first() {
            let report = ReloadReport {
                at: Timestamp::now().to_string(),
                trigger: Trigger::Start,
                outcome: "refused",
                policy_set: gate.policies().version().to_string(),
                reason: Some(first.kind.as_str()),
                error: Some(format!(
                    "{} (started from the verified store instead)",
                    started
                        .fallbacks
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                took_ms: 0,
            };
            for r in &started.fallbacks {
                gate.metrics().count_refusal(r.kind.as_str());
            }
            state.last_refusal = Some(report.clone());
            state.last = Some(report);
        }
        Reloader {
            source,
            engine,
            gate,
            registry,
            reloading: Mutex::new(()),
            state: Mutex::new(state),
            gate_facts: None,
        }
    }

    /// Tells every set this reloader builds the gate's facts about itself
    /// (see [`crate::gate_facts`]).
    pub fn with_gate_facts(mut self, facts: clawlaw_sdk::gate::GateFacts) -> Reloader {
        self.gate_facts = Some(facts);
        self
    }

    /// The registry references the source names now.
    pub fn references(&self) -> Vec<PolicyRef> {
        self.source
            .spec()
            .map(|config| registry_references(&config.set).collect())
            .unwrap_or_default()
    }

    /// The last attempt and the last refusal.
    pub fn status(&self) -> (Option<ReloadReport>, Option<ReloadReport>) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.last.clone(), s.last_refusal.clone())
    }

    /// Reloads if the source changed since the set serving was loaded (its
    /// files, or the digest a registry tag points at) and it is not exactly
    /// what the last refused poll saw; returns the reload's report. Blocking.
    pub fn poll(&self) -> Option<ReloadReport> {
        let (fingerprint, serving) = {
            let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            (s.fingerprint.clone(), s.serving.clone())
        };
        let observed = Observed {
            fingerprint: self.source.fingerprint().ok(),
            moved: self.moved_tags(&serving),
        };
        let files_changed = observed.fingerprint.is_some() && observed.fingerprint != fingerprint;
        if !files_changed && observed.moved.is_empty() {
            return None;
        }
        {
            let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if s.refused_poll.as_ref() == Some(&observed) {
                tracing::debug!(
                    "the source is as it was when its reload was refused; not retrying"
                );
                return None;
            }
        }
        for (reference, digest, _) in &observed.moved {
            tracing::info!(%reference, %digest, "registry tag moved");
        }
        let report = self.reload(Trigger::Poll);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.refused_poll = (report.outcome == "refused").then_some(observed);
        Some(report)
    }

    /// The registry tags that point at a manifest other than the one
    /// serving, with the digest of its signature tag when there is one.
    /// Tags the registry does not answer for are left out (and logged):
    /// the current set keeps serving.
    fn moved_tags(
        &self,
        serving: &[(PolicyRef, String)],
    ) -> Vec<(PolicyRef, String, Option<String>)> {
        let (Some(ctx), Ok(config)) = (&self.registry, self.source.spec()) else {
            return Vec::new();
        };
        let Some(d) = &config.distribution else {
            return Vec::new();
        };
        let dist = match Distribution::from_spec(d, &ctx.store_dir) {
            Ok(dist) => dist,
            Err(e) => {
                tracing::warn!(error = %e, "cannot poll the registry");
                return Vec::new();
            }
        };
        ctx.runtime.block_on(async {
            let mut moved = Vec::new();
            for reference in registry_references(&config.set) {
                match dist.current_digest(&reference).await {
                    Ok(digest) if serving.iter().any(|(r, d)| *r == reference && *d == digest) => {}
                    Ok(digest) => {
                        let signature = dist
                            .current_digest(&reference.signature_ref(&digest))
                            .await
                            .ok();
                        moved.push((reference, digest, signature));
                    }
                    Err(refusal) => {
                        tracing::warn!(%refusal, "polling the registry failed; the current set keeps serving");
                    }
                }
            }
            moved
        })
    }

    /// Loads, smoke-tests and swaps in a new set. Blocking: call it off the
    /// async reactor.
    pub fn reload(&self, trigger: Trigger) -> ReloadReport {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let fingerprint = self.source.fingerprint().ok();
        let result = self
            .source
            .spec()
            .map_err(|message| Refused {
                reason: "source",
                message,
            })
            .and_then(|mut config| {
                if let Some(facts) = &self.gate_facts {
                    let mut facts = facts.clone();
                    crate::gate_facts::add_set(&mut facts, &config);
                    config.set.gate_facts = Some(facts);
                }
                prepare(&self.engine, &config, self.registry.as_ref(), false)
            });
        let current = self.gate.policies();
        let report = |outcome, policy_set: &str, reason, error| ReloadReport {
            at: Timestamp::now().to_string(),
            trigger,
            outcome,
            policy_set: policy_set.to_string(),
            reason,
            error,
            took_ms: started.elapsed().as_millis() as u64,
        };
        let mut serving = None;
        let report = match result {
            Ok(prepared) if prepared.set.version() == current.version() => {
                serving = Some(prepared.commit());
                report("unchanged", current.version(), None, None)
            }
            Ok(prepared) => {
                let version = prepared.set.version().to_string();
                serving = Some(prepared.commit());
                self.gate.swap_policies(prepared.set);
                tracing::info!(policy_set = %version, ?trigger, "policy set swapped");
                report("swapped", &version, None, None)
            }
            Err(refused) => {
                tracing::error!(reason = refused.reason, error = %refused.message, ?trigger, "policy reload refused; the last good set keeps serving");
                self.gate.metrics().count_refusal(refused.reason);
                report(
                    "refused",
                    current.version(),
                    Some(refused.reason),
                    Some(refused.message),
                )
            }
        };
        self.gate.metrics().count_reload(report.outcome);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(serving) = serving {
            state.serving = serving;
        }
        if report.outcome == "refused" {
            state.last_refusal = Some(report.clone());
        } else {
            state.fingerprint = fingerprint;
        }
        state.last = Some(report.clone());
        report
    }
}

/// Every policy must answer a canned, harmless action without a fault.
fn smoke_test(set: &PolicySet) -> Result<(), String> {
    let action = Action::shell("ls").in_dir("/");
    let session = Session::default();
    for policy in set.loaded() {
        if let Err(fault) = policy.evaluate(&action, &session).decision {
            return Err(format!(
                "policy {} failed its smoke test: {fault}",
                policy.id().name
            ));
        }
    }
    Ok(())
}

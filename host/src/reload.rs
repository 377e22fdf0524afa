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
//! Triggers: `POST /v1/admin/reload`, SIGHUP, and a poll of the source's
//! files (their sha256) on an interval.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clawlaw_sdk::{Action, Session};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::SetSpec;
use crate::engine::Engine;
use crate::gate::Gate;
use crate::policy_set::{OnLoadError, PolicySet};

/// Where a policy set comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A config file: its `[[policy]]` entries (other sections need a restart).
    Config(PathBuf),
    /// A directory of components.
    Dir(PathBuf),
}

impl Source {
    fn spec(&self) -> Result<SetSpec, String> {
        match self {
            Source::Config(path) => SetSpec::from_config_file(path).map_err(|e| e.to_string()),
            Source::Dir(dir) => SetSpec::from_path(dir).map_err(|e| e.to_string()),
        }
    }

    /// A digest of everything the source is made of: the config (or the
    /// directory listing) and every component and settings file it names.
    pub fn fingerprint(&self) -> Result<String, String> {
        let spec = self.spec()?;
        let mut h = Sha256::new();
        if let Source::Config(path) = self {
            h.update(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        for p in &spec.policies {
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
}

/// The outcome of one reload attempt, as `GET /v1/policies` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    pub at: String,
    pub trigger: Trigger,
    /// `swapped`, `unchanged` or `refused`.
    pub outcome: &'static str,
    pub policy_set: String,
    pub error: Option<String>,
    pub took_ms: u64,
}

/// Reloads a gate's policy set from its source.
pub struct Reloader {
    source: Source,
    engine: Arc<Engine>,
    gate: Arc<Gate>,
    /// Serialises reloads; holds the last report and refusal.
    state: Mutex<ReloadState>,
}

#[derive(Default)]
struct ReloadState {
    last: Option<ReloadReport>,
    last_refusal: Option<ReloadReport>,
    fingerprint: Option<String>,
}

impl Reloader {
    pub fn new(source: Source, engine: Arc<Engine>, gate: Arc<Gate>) -> Reloader {
        let fingerprint = source.fingerprint().ok();
        Reloader {
            source,
            engine,
            gate,
            state: Mutex::new(ReloadState {
                fingerprint,
                ..ReloadState::default()
            }),
        }
    }

    /// The last attempt and the last refusal.
    pub fn status(&self) -> (Option<ReloadReport>, Option<ReloadReport>) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.last.clone(), s.last_refusal.clone())
    }

    /// Whether the source changed since the set serving was loaded.
    pub fn changed(&self) -> bool {
        let now = self.source.fingerprint().ok();
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        now.is_some() && now != s.fingerprint
    }

    /// Loads, smoke-tests and swaps in a new set. Blocking: call it off the
    /// async reactor.
    pub fn reload(&self, trigger: Trigger) -> ReloadReport {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let fingerprint = self.source.fingerprint().ok();
        let result = self.build();
        let current = self.gate.policies();
        let report = match result {
            Ok(set) if set.version() == current.version() => ReloadReport {
                at: Timestamp::now().to_string(),
                trigger,
                outcome: "unchanged",
                policy_set: current.version().to_string(),
                error: None,
                took_ms: started.elapsed().as_millis() as u64,
            },
            Ok(set) => {
                let version = set.version().to_string();
                self.gate.swap_policies(set);
                tracing::info!(policy_set = %version, ?trigger, "policy set swapped");
                ReloadReport {
                    at: Timestamp::now().to_string(),
                    trigger,
                    outcome: "swapped",
                    policy_set: version,
                    error: None,
                    took_ms: started.elapsed().as_millis() as u64,
                }
            }
            Err(error) => {
                tracing::error!(%error, ?trigger, "policy reload refused; the last good set keeps serving");
                ReloadReport {
                    at: Timestamp::now().to_string(),
                    trigger,
                    outcome: "refused",
                    policy_set: current.version().to_string(),
                    error: Some(error),
                    took_ms: started.elapsed().as_millis() as u64,
                }
            }
        };
        self.gate.metrics().count_reload(report.outcome);
        if report.outcome == "refused" {
            state.last_refusal = Some(report.clone());
        } else {
            state.fingerprint = fingerprint;
        }
        state.last = Some(report.clone());
        report
    }

    fn build(&self) -> Result<PolicySet, String> {
        let spec = self.source.spec()?;
        let set =
            PolicySet::load(&self.engine, &spec, OnLoadError::Refuse).map_err(|e| e.to_string())?;
        smoke_test(&set)?;
        Ok(set)
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

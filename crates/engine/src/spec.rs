//! What a policy set is made of, as data: the engine's options, and for
//! each policy its component file, expected name, settings, limits and
//! isolation. [`crate::policy_set::PolicySet::load`] turns a [`SetSpec`]
//! into running policies.
//!
//! A spec comes from a directory of components ([`SetSpec::from_dir`]), a
//! single component ([`SetSpec::from_component`]), or is built by the
//! embedder; the gate's config file (`clawlaw-gate`'s `config`) builds one
//! from TOML. Where a policy was pulled from is the distribution's concern:
//! the engine only carries it as text ([`PolicyOrigin`]) for logs and status.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::action::DEFAULT_MAX_ACTION_BYTES;
use crate::limits::Limits;
use crate::pool::Isolation;

/// `[engine]`: how the engine runs policies and combines their answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSection {
    /// Combined risk at which an ALLOW escalates.
    pub escalation_threshold: f32,
    /// Larger actions are denied unread.
    pub max_action_bytes: usize,
    /// Compiled components; default `~/.cache/clawlaw`.
    pub cache_dir: Option<PathBuf>,
    /// The secret the compile cache's entries are authenticated with: a file
    /// only the gate's user can read, outside `cache_dir` (see [`crate::cache`]).
    pub cache_key: Option<PathBuf>,
    pub compile_cache: bool,
    /// The most the compile cache may hold, in MiB; beyond it the least
    /// recently used entries are removed (see [`crate::cache::prune`]).
    pub cache_max_mb: u64,
    /// Sandboxes alive at once.
    pub max_sandboxes: u32,
    /// Snapshot each policy after it has parsed its settings, so fresh
    /// instances start from there (see [`crate::preinit`]).
    pub preinitialize: bool,
}

impl Default for EngineSection {
    fn default() -> EngineSection {
        EngineSection {
            escalation_threshold: 0.8,
            max_action_bytes: DEFAULT_MAX_ACTION_BYTES,
            cache_dir: None,
            cache_key: None,
            compile_cache: true,
            cache_max_mb: crate::cache::prune::DEFAULT_MAX_BYTES >> 20,
            max_sandboxes: 256,
            preinitialize: true,
        }
    }
}

/// One policy to load: where its component is, what it must call itself,
/// its settings as JSON text and its limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySpec {
    /// The component file. For a distributed policy, where the verified pull
    /// put it (empty until then).
    pub path: PathBuf,
    /// Where a distributed policy is published, and what was pulled.
    pub origin: Option<PolicyOrigin>,
    pub expected_name: Option<String>,
    pub settings: String,
    pub limits: Limits,
    /// Fresh instances (the default) or pooled ones.
    pub isolation: Isolation,
}

impl PolicySpec {
    /// A component file with empty settings and default limits.
    pub fn component(path: impl Into<PathBuf>) -> PolicySpec {
        PolicySpec {
            path: path.into(),
            settings: "{}".into(),
            ..PolicySpec::default()
        }
    }

    /// Where the policy comes from, for logs: the reference and digest of a
    /// distributed policy, else the file.
    pub fn source(&self) -> String {
        match &self.origin {
            Some(o) => format!("{}@{}", o.reference, o.digest.as_deref().unwrap_or("?")),
            None => self.path.display().to_string(),
        }
    }
}

/// A distributed policy's provenance: the reference configured, and once
/// pulled, the manifest digest and version that were verified.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOrigin {
    /// As configured, e.g. `oci://registry/repository:tag`.
    pub reference: String,
    pub digest: Option<String>,
    pub version: Option<String>,
}

/// Everything a policy set is made from.
#[derive(Debug, Clone, Default)]
pub struct SetSpec {
    pub engine: EngineSection,
    pub policies: Vec<PolicySpec>,
    /// What the gate tells the policies that accept it about itself (under
    /// [`clawlaw_sdk::gate::FACTS_KEY`]); `None` tells nothing.
    pub gate_facts: Option<clawlaw_sdk::gate::GateFacts>,
}

/// A spec that could not be read; each names the file, and the field where
/// there is one.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {field}: {message}")]
    Field {
        path: PathBuf,
        field: String,
        message: String,
    },
}

impl SetSpec {
    /// Whether any policy must be pulled before it can be loaded.
    pub fn has_distributed_policies(&self) -> bool {
        self.policies.iter().any(|p| p.origin.is_some())
    }

    /// One component, empty settings, default limits.
    pub fn from_component(path: &Path) -> Result<SetSpec, SpecError> {
        if !path.exists() {
            return Err(SpecError::Read {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
        Ok(SetSpec {
            policies: vec![PolicySpec::component(path)],
            ..SetSpec::default()
        })
    }

    /// Every `*.wasm` in a directory, in name order, each with the settings
    /// in `<stem>.json` beside it when there is one.
    pub fn from_dir(dir: &Path) -> Result<SetSpec, SpecError> {
        let read = |source| SpecError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut wasm: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wasm") && p.is_file())
            .collect();
        wasm.sort();
        if wasm.is_empty() {
            return Err(SpecError::Field {
                path: dir.to_path_buf(),
                field: "*.wasm".into(),
                message: "the directory holds no policy component".into(),
            });
        }
        let mut policies = Vec::new();
        for path in wasm {
            let settings_path = path.with_extension("json");
            let settings = if settings_path.is_file() {
                let text =
                    std::fs::read_to_string(&settings_path).map_err(|source| SpecError::Read {
                        path: settings_path.clone(),
                        source,
                    })?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| SpecError::Parse {
                        path: settings_path.clone(),
                        message: e.to_string(),
                    })?;
                value.to_string()
            } else {
                "{}".into()
            };
            policies.push(PolicySpec {
                settings,
                ..PolicySpec::component(path)
            });
        }
        Ok(SetSpec {
            policies,
            ..SetSpec::default()
        })
    }
}

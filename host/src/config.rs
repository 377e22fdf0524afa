//! The policy-set configuration file: versioned TOML, unknown fields refused,
//! every error naming the file, the line and the field.
//!
//! ```toml
//! version = 1
//!
//! [engine]
//! escalation_threshold = 0.8   # combined risk at which an ALLOW escalates
//! max_action_bytes = 4194304   # larger actions are denied unread
//! cache_dir = "/var/cache/clawlaw"   # compiled components; default ~/.cache/clawlaw
//! cache_key = "/etc/clawlaw/cache.key"  # the key its entries are sealed with; default ~/.config/clawlaw/cache.key
//! compile_cache = true
//! max_sandboxes = 256          # sandboxes alive at once
//!
//! [limits]                     # defaults for every policy
//! deadline_ms = 100
//! memory_mib = 64
//! max_output_bytes = 65536
//! max_log_lines = 32
//!
//! [[policy]]
//! path = "fs-boundary.wasm"    # relative to this file
//! name = "fs-boundary"         # optional: refuse the component if it names itself otherwise
//! settings = { roots = ["/work/app"] }
//! limits = { deadline_ms = 20 }
//! mode = "pooled"              # optional: reuse warm instances (see `pool`); default "fresh"
//! recycle_after = 1000         # pooled only: evaluations before an instance is replaced
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::distribution::{PolicyRef, RegistryEntry, TrustPolicy, TrustSection};
use crate::limits::{LimitError, LimitOverrides, Limits};

/// The only config version this gate reads.
pub const CONFIG_VERSION: u32 = 1;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub version: u32,
    #[serde(default)]
    pub engine: EngineSection,
    #[serde(default)]
    pub limits: LimitOverrides,
    #[serde(default, rename = "policy")]
    pub policies: Vec<PolicyEntry>,
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub auth: AuthSection,
    #[serde(default)]
    pub session: SessionSection,
    #[serde(default)]
    pub review: ReviewSection,
    #[serde(default)]
    pub reload: ReloadSection,
    /// `[[registry]]`: how to reach the registries `oci` policies live in.
    #[serde(default, rename = "registry")]
    pub registries: Vec<RegistryEntry>,
    /// `[trust]`: whose signatures make a registry policy loadable.
    #[serde(default)]
    pub trust: Option<TrustSection>,
}

/// `[reload]`: how the gate notices a changed policy source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReloadSection {
    /// Check the policy files (their sha256) this often; 0 turns polling off.
    /// `POST /v1/admin/reload` and SIGHUP reload at once either way.
    pub poll_secs: u64,
    /// The environment variable holding the shared secret a registry's push
    /// webhook (`POST /v1/webhooks/registry`) must send in its
    /// `Authorization` header. Unset: the webhook is off.
    pub webhook_secret_env: Option<String>,
    /// Give up on a registry that does not answer within this long.
    pub registry_timeout_secs: u64,
}

impl Default for ReloadSection {
    fn default() -> ReloadSection {
        ReloadSection {
            poll_secs: 10,
            webhook_secret_env: None,
            registry_timeout_secs: 10,
        }
    }
}

/// `[server]`: where `clawlaw serve` listens and keeps its data.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    pub listen: String,
    /// Evidence (the gate's only store) lives in `<data_dir>/evidence`.
    pub data_dir: PathBuf,
    /// Largest request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsSection>,
    /// The key of the tags in redaction masks (32 raw bytes, mode 0600);
    /// default `<data_dir>/redaction.key`, made on first start.
    pub redaction_key: Option<PathBuf>,
}

/// `[server.tls]`: the listener's certificate and key, PEM, relative to the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Default for ServerSection {
    fn default() -> ServerSection {
        ServerSection {
            listen: "127.0.0.1:7070".into(),
            data_dir: PathBuf::from(".clawlaw"),
            max_body_bytes: crate::action::DEFAULT_MAX_ACTION_BYTES + (64 << 10),
            tls: None,
            redaction_key: None,
        }
    }
}

/// `[auth]`: the bearer tokens (`[[auth.token]]`). None configured: the
/// gate makes one per role at start and prints them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSection {
    pub token: Vec<crate::auth::TokenEntry>,
}

/// `[session]`: what the gate remembers of each session.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSection {
    /// Recent actions in the view policies get.
    pub recent: usize,
}

impl Default for SessionSection {
    fn default() -> SessionSection {
        SessionSection {
            recent: crate::session::DEFAULT_RECENT,
        }
    }
}

/// `[review]`: how long reviews, approvals and waits last.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewSection {
    /// A review nobody answers within this becomes DENY.
    pub expiry_secs: u64,
    /// An approval lets the same action through for this long, once.
    pub approval_ttl_secs: u64,
    /// Longest a client may long-poll a review.
    pub max_wait_secs: u64,
}

impl Default for ReviewSection {
    fn default() -> ReviewSection {
        ReviewSection {
            expiry_secs: 900,
            approval_ttl_secs: 600,
            max_wait_secs: 60,
        }
    }
}

/// `[engine]`: how the gate runs policies and combines their answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSection {
    pub escalation_threshold: f32,
    pub max_action_bytes: usize,
    pub cache_dir: Option<PathBuf>,
    /// The secret the compile cache's entries are authenticated with: a file
    /// only the gate's user can read, outside `cache_dir` (see `crate::cache`).
    pub cache_key: Option<PathBuf>,
    pub compile_cache: bool,
    pub max_sandboxes: u32,
    /// Snapshot each policy after it has parsed its settings, so fresh
    /// instances start from there (see `crate::preinit`).
    pub preinitialize: bool,
}

impl Default for EngineSection {
    fn default() -> EngineSection {
        EngineSection {
            escalation_threshold: 0.8,
            max_action_bytes: crate::action::DEFAULT_MAX_ACTION_BYTES,
            cache_dir: None,
            cache_key: None,
            compile_cache: true,
            max_sandboxes: 256,
            preinitialize: true,
        }
    }
}

/// `[[policy]]`: one policy, its settings and limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// A component file (relative to the config), or
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// a signed artifact in a registry: `oci://host/repository:tag|@sha256:…`.
    #[serde(default)]
    pub oci: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub settings: Option<toml::Table>,
    #[serde(default)]
    pub limits: LimitOverrides,
    /// `"fresh"` (default) or `"pooled"`: see [`crate::pool`].
    #[serde(default)]
    pub mode: crate::pool::Mode,
    /// Pooled mode only: evaluations an instance serves before it is replaced.
    #[serde(default)]
    pub recycle_after: Option<u32>,
}

/// One policy to load: where its component is, what it must call itself,
/// its settings as JSON text and its limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySpec {
    /// The component file. For a registry policy, where the verified pull
    /// put it (empty until then).
    pub path: PathBuf,
    /// Where a registry policy is published, and what was pulled.
    pub oci: Option<OciOrigin>,
    pub expected_name: Option<String>,
    pub settings: String,
    pub limits: Limits,
    /// Fresh instances (the default) or pooled ones.
    pub isolation: crate::pool::Isolation,
}

/// A registry policy: the reference configured, and once pulled, the
/// manifest digest and version that were verified.
#[derive(Debug, Clone, PartialEq)]
pub struct OciOrigin {
    pub reference: PolicyRef,
    pub digest: Option<String>,
    pub version: Option<String>,
}

/// How to pull registry policies: registries and trust (keys made absolute).
#[derive(Debug, Clone, Default)]
pub struct DistributionSpec {
    pub registries: Vec<RegistryEntry>,
    pub trust: TrustSection,
    pub timeout_secs: u64,
}

/// Everything a policy set is made from.
#[derive(Debug, Clone, Default)]
pub struct SetSpec {
    pub engine: EngineSection,
    pub policies: Vec<PolicySpec>,
    /// Present when some policy comes from a registry.
    pub distribution: Option<DistributionSpec>,
    /// What the gate tells the policies that accept it about itself (see
    /// [`crate::gate_facts`]); `None` tells nothing.
    pub gate_facts: Option<clawlaw_sdk::gate::GateFacts>,
}

impl SetSpec {
    /// Whether any policy must be pulled from a registry.
    pub fn has_registry_policies(&self) -> bool {
        self.policies.iter().any(|p| p.oci.is_some())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
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
    /// Reads what `path` names: a `.toml` config file, a directory of
    /// components (with a `clawlaw.toml` inside, that file), or one `.wasm`.
    pub fn from_path(path: &Path) -> Result<SetSpec, ConfigError> {
        if path.is_dir() {
            let config = path.join("clawlaw.toml");
            if config.is_file() {
                return SetSpec::from_config_file(&config);
            }
            return SetSpec::from_dir(path);
        }
        if path.extension().is_some_and(|e| e == "toml") {
            return SetSpec::from_config_file(path);
        }
        if !path.exists() {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
        Ok(SetSpec {
            engine: EngineSection::default(),
            policies: vec![PolicySpec {
                path: path.to_path_buf(),
                expected_name: None,
                settings: "{}".into(),
                limits: Limits::default(),
                ..PolicySpec::default()
            }],
            distribution: None,
            gate_facts: None,
        })
    }

    /// Reads a config file.
    pub fn from_config_file(path: &Path) -> Result<SetSpec, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        SetSpec::from_config_text(&text, path)
    }

    /// Parses config text; relative policy paths are relative to `path`'s directory.
    pub fn from_config_text(text: &str, path: &Path) -> Result<SetSpec, ConfigError> {
        parse_config(text, path).map(|(_, spec)| spec)
    }
}

/// Reads a whole gate config: its sections and the policy set it names.
/// Relative paths (policies, `server.data_dir`) are relative to the file.
pub fn load_config(path: &Path) -> Result<(ConfigFile, SetSpec), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let (mut file, spec) = parse_config(&text, path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    file.server.data_dir = base.join(&file.server.data_dir);
    if let Some(key) = &mut file.server.redaction_key {
        *key = base.join(&*key);
    }
    if let Some(tls) = &mut file.server.tls {
        tls.cert = base.join(&tls.cert);
        tls.key = base.join(&tls.key);
    }
    Ok((file, spec))
}

fn parse_config(text: &str, path: &Path) -> Result<(ConfigFile, SetSpec), ConfigError> {
    let parse = |message: String| ConfigError::Parse {
        path: path.to_path_buf(),
        message,
    };
    let field = |field: String, message: String| ConfigError::Field {
        path: path.to_path_buf(),
        field,
        message,
    };
    let file: ConfigFile =
        toml::from_str(text).map_err(|e| parse(e.to_string().trim_end().replace('\n', " ")))?;
    if file.server.listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(field(
            "server.listen".into(),
            format!(
                "expected an address such as 127.0.0.1:7070, got {:?}",
                file.server.listen
            ),
        ));
    }
    if file.version != CONFIG_VERSION {
        return Err(field(
            "version".into(),
            format!(
                "this gate reads config version {CONFIG_VERSION}, the file says {}",
                file.version
            ),
        ));
    }
    let t = file.engine.escalation_threshold;
    if !(t > 0.0 && t <= 1.0) {
        return Err(field(
            "engine.escalation_threshold".into(),
            format!("expected a number in (0.0, 1.0], got {t}"),
        ));
    }
    if file.engine.max_sandboxes == 0 {
        return Err(field(
            "engine.max_sandboxes".into(),
            "expected at least 1".into(),
        ));
    }
    let defaults = Limits::default()
        .with(&file.limits)
        .map_err(|e: LimitError| field("limits".into(), e.to_string()))?;
    if file.policies.is_empty() {
        return Err(field(
            "policy".into(),
            "no [[policy]] is configured; a gate with no policy would decide nothing".into(),
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut policies = Vec::new();
    for (i, entry) in file.policies.iter().cloned().enumerate() {
        let limits = defaults
            .with(&entry.limits)
            .map_err(|e| field(format!("policy[{i}].limits"), e.to_string()))?;
        let settings = match entry.settings {
            Some(table) => serde_json::to_string(&table)
                .map_err(|e| field(format!("policy[{i}].settings"), e.to_string()))?,
            None => "{}".into(),
        };
        let isolation = isolation_of(entry.mode, entry.recycle_after)
            .map_err(|(f, message)| field(format!("policy[{i}].{f}"), message))?;
        let (path, oci) = match (&entry.path, &entry.oci) {
            (Some(p), None) => (base.join(p), None),
            (None, Some(r)) => {
                let reference = PolicyRef::parse(r)
                    .map_err(|e| field(format!("policy[{i}].oci"), e.to_string()))?;
                let origin = OciOrigin {
                    reference,
                    digest: None,
                    version: None,
                };
                (PathBuf::new(), Some(origin))
            }
            _ => {
                return Err(field(
                    format!("policy[{i}]"),
                    "set exactly one of `path` (a component file) and `oci` (a registry reference)"
                        .into(),
                ));
            }
        };
        policies.push(PolicySpec {
            path,
            oci,
            expected_name: entry.name,
            settings,
            limits,
            isolation,
        });
    }
    let distribution = if policies.iter().any(|p| p.oci.is_some()) {
        let Some(trust) = &file.trust else {
            return Err(field(
                "trust".into(),
                "registry policies (oci = ...) need a [trust] section with the public keys whose signatures the gate accepts"
                    .into(),
            ));
        };
        let mut trust = trust.clone();
        trust.keys = trust.keys.iter().map(|k| base.join(k)).collect();
        TrustPolicy::load(&trust, Path::new(""))
            .map_err(|e| field(e.field().into(), e.to_string()))?;
        for (i, r) in file.registries.iter().enumerate() {
            if r.host.is_empty() || r.host.contains('/') {
                return Err(field(
                    format!("registry[{i}].host"),
                    format!("expected host[:port], got {:?}", r.host),
                ));
            }
        }
        Some(DistributionSpec {
            registries: file.registries.clone(),
            trust,
            timeout_secs: file.reload.registry_timeout_secs.max(1),
        })
    } else {
        None
    };
    let spec = SetSpec {
        engine: file.engine.clone(),
        policies,
        distribution,
        gate_facts: None,
    };
    Ok((file, spec))
}

/// A policy entry's `mode` and `recycle_after`, checked together.
fn isolation_of(
    mode: crate::pool::Mode,
    recycle_after: Option<u32>,
) -> Result<crate::pool::Isolation, (&'static str, String)> {
    use crate::pool::{DEFAULT_RECYCLE_AFTER, Isolation, Mode};
    match (mode, recycle_after) {
        (Mode::Fresh, None) => Ok(Isolation::Fresh),
        (Mode::Fresh, Some(_)) => Err((
            "recycle_after",
            "only applies with mode = \"pooled\"".into(),
        )),
        (Mode::Pooled, Some(0)) => Err(("recycle_after", "expected at least 1".into())),
        (Mode::Pooled, n) => Ok(Isolation::Pooled {
            recycle_after: n.unwrap_or(DEFAULT_RECYCLE_AFTER),
        }),
    }
}

impl SetSpec {
    /// Every `*.wasm` in a directory, in name order, each with the settings
    /// in `<stem>.json` beside it when there is one.
    pub fn from_dir(dir: &Path) -> Result<SetSpec, ConfigError> {
        let read = |source| ConfigError::Read {
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
            return Err(ConfigError::Field {
                path: dir.to_path_buf(),
                field: "*.wasm".into(),
                message: "the directory holds no policy component".into(),
            });
        }
        let mut policies = Vec::new();
        for path in wasm {
            let settings_path = path.with_extension("json");
            let settings = if settings_path.is_file() {
                let text = std::fs::read_to_string(&settings_path).map_err(|source| {
                    ConfigError::Read {
                        path: settings_path.clone(),
                        source,
                    }
                })?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| ConfigError::Parse {
                        path: settings_path.clone(),
                        message: e.to_string(),
                    })?;
                value.to_string()
            } else {
                "{}".into()
            };
            policies.push(PolicySpec {
                path,
                expected_name: None,
                settings,
                limits: Limits::default(),
                ..PolicySpec::default()
            });
        }
        Ok(SetSpec {
            engine: EngineSection::default(),
            policies,
            distribution: None,
            gate_facts: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SetSpec, ConfigError> {
        SetSpec::from_config_text(text, Path::new("/etc/clawlaw/gate.toml"))
    }

    #[test]
    fn a_full_config_parses_with_paths_relative_to_the_file() {
        let spec = parse(
            r#"
version = 1
[engine]
escalation_threshold = 0.7
[limits]
deadline_ms = 50
[[policy]]
path = "fs.wasm"
name = "fs-boundary"
settings = { roots = ["/work"] }
limits = { memory_mib = 8 }
"#,
        )
        .unwrap();
        assert_eq!(spec.engine.escalation_threshold, 0.7);
        let p = &spec.policies[0];
        assert_eq!(p.path, Path::new("/etc/clawlaw/fs.wasm"));
        assert_eq!(p.settings, r#"{"roots":["/work"]}"#);
        assert_eq!(p.limits.deadline_ms, 50);
        assert_eq!(p.limits.memory_bytes, 8 << 20);
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let unknown = parse("version = 1\n[[policy]]\npath = \"a.wasm\"\nsetings = {}\n")
            .unwrap_err()
            .to_string();
        assert!(unknown.starts_with("/etc/clawlaw/gate.toml: "), "{unknown}");
        assert!(unknown.contains("unknown field `setings`"), "{unknown}");
        let version = parse("version = 2\n").unwrap_err().to_string();
        assert!(
            version.contains("version: this gate reads config version 1"),
            "{version}"
        );
        let limits =
            parse("version = 1\n[[policy]]\npath = \"a.wasm\"\nlimits = { deadline_ms = 0 }\n")
                .unwrap_err()
                .to_string();
        assert!(
            limits.contains("policy[0].limits: deadline_ms must be between"),
            "{limits}"
        );
        let empty = parse("version = 1\n").unwrap_err().to_string();
        assert!(
            empty.contains("policy: no [[policy]] is configured"),
            "{empty}"
        );
        let threshold = parse(
            "version = 1\n[engine]\nescalation_threshold = 1.5\n[[policy]]\npath = \"a.wasm\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            threshold.contains("engine.escalation_threshold"),
            "{threshold}"
        );
        let missing = parse("version = 1\n[[policy]]\nname = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("policy[0]: set exactly one of `path`"),
            "{missing}"
        );
        let both = parse(
            "version = 1\n[[policy]]\npath = \"a.wasm\"\noci = \"oci://127.0.0.1:5000/p:1\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(both.contains("policy[0]: set exactly one of"), "{both}");
    }
}

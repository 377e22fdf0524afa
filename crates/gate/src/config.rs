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
//! cache_max_mb = 2048          # the cache's budget: least recently used entries beyond it are removed
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

use clawlaw_distribution::{DistributionSpec, PolicyRef, RegistryEntry, TrustPolicy, TrustSection};
use clawlaw_engine::limits::{LimitError, LimitOverrides, Limits};
use clawlaw_engine::pool::{DEFAULT_RECYCLE_AFTER, Isolation, Mode};
pub use clawlaw_engine::spec::{EngineSection, PolicyOrigin, PolicySpec, SetSpec, SpecError};

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
    /// `[notify]`: webhooks told of every new review.
    #[serde(default)]
    pub notify: crate::notify::NotifySection,
    /// `[store]`: PostgreSQL shared by replicas, instead of the local log.
    #[serde(default)]
    pub store: crate::store::StoreSection,
    /// `[mcp]`: upstream MCP servers served at `/mcp/{name}`.
    #[serde(default)]
    pub mcp: crate::mcp_config::McpSection,
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
            max_body_bytes: clawlaw_engine::action::DEFAULT_MAX_ACTION_BYTES + (64 << 10),
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
    /// Four eyes: a reviewer may not approve a review of a session whose
    /// declared `principal` is their own token's name.
    pub four_eyes: bool,
}

impl Default for ReviewSection {
    fn default() -> ReviewSection {
        ReviewSection {
            expiry_secs: 900,
            approval_ttl_secs: 600,
            max_wait_secs: 60,
            four_eyes: false,
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
    /// `"fresh"` (default) or `"pooled"`: see [`clawlaw_engine::pool`].
    #[serde(default)]
    pub mode: Mode,
    /// Pooled mode only: evaluations an instance serves before it is replaced.
    #[serde(default)]
    pub recycle_after: Option<u32>,
}

/// A policy set as configured: what the engine loads, and where its
/// registry policies are pulled from.
#[derive(Debug, Clone, Default)]
pub struct SetConfig {
    pub set: SetSpec,
    /// Present when some policy comes from a registry.
    pub distribution: Option<DistributionSpec>,
}

impl SetConfig {
    /// Reads what `path` names: a `.toml` config file, a directory of
    /// components (with a `clawlaw.toml` inside, that file), or one `.wasm`.
    pub fn from_path(path: &Path) -> Result<SetConfig, SpecError> {
        if path.is_dir() {
            let config = path.join("clawlaw.toml");
            if config.is_file() {
                return SetConfig::from_config_file(&config);
            }
            return Ok(SetSpec::from_dir(path)?.into());
        }
        if path.extension().is_some_and(|e| e == "toml") {
            return SetConfig::from_config_file(path);
        }
        Ok(SetSpec::from_component(path)?.into())
    }

    /// Reads a config file.
    pub fn from_config_file(path: &Path) -> Result<SetConfig, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        SetConfig::from_config_text(&text, path)
    }

    /// Parses config text; relative policy paths are relative to `path`'s directory.
    pub fn from_config_text(text: &str, path: &Path) -> Result<SetConfig, SpecError> {
        parse_config(text, path).map(|(_, spec)| spec)
    }
}

impl From<SetSpec> for SetConfig {
    fn from(set: SetSpec) -> SetConfig {
        SetConfig {
            set,
            distribution: None,
        }
    }
}

/// Reads a whole gate config: its sections and the policy set it names.
/// Relative paths (policies, `server.data_dir`) are relative to the file.
pub fn load_config(path: &Path) -> Result<(ConfigFile, SetConfig), SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
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

fn parse_config(text: &str, path: &Path) -> Result<(ConfigFile, SetConfig), SpecError> {
    let parse = |message: String| SpecError::Parse {
        path: path.to_path_buf(),
        message,
    };
    let field = |field: String, message: String| SpecError::Field {
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
    if let Err((f, message)) = file.notify.validate() {
        return Err(field(f, message));
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
    if file.engine.cache_max_mb == 0 {
        return Err(field(
            "engine.cache_max_mb".into(),
            "expected at least 1 (set compile_cache = false for no cache)".into(),
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
                let origin = PolicyOrigin {
                    reference: reference.to_string(),
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
            origin: oci,
            expected_name: entry.name,
            settings,
            limits,
            isolation,
        });
    }
    let distribution = if policies.iter().any(|p| p.origin.is_some()) {
        let Some(trust) = &file.trust else {
            return Err(field(
                "trust".into(),
                "registry policies (oci = ...) need a [trust] section with the public keys whose signatures the gate accepts"
                    .into(),
            ));
        };
        let mut trust = trust.clone();
        trust.keys = trust.keys.iter().map(|k| base.join(k)).collect();
        trust.trusted_root = trust.trusted_root.map(|p| base.join(p));
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
    let set = SetSpec {
        engine: file.engine.clone(),
        policies,
        gate_facts: None,
    };
    Ok((file, SetConfig { set, distribution }))
}

/// A policy entry's `mode` and `recycle_after`, checked together.
fn isolation_of(
    mode: Mode,
    recycle_after: Option<u32>,
) -> Result<Isolation, (&'static str, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SetSpec, SpecError> {
        SetConfig::from_config_text(text, Path::new("/etc/clawlaw/gate.toml")).map(|c| c.set)
    }

    #[test]
    fn a_full_config_parses_with_paths_relative_to_the_file() {
        let spec = parse(
            r#"
version = 1
[engine]
escalation_threshold = 0.7
cache_max_mb = 64
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
        assert_eq!(spec.engine.cache_max_mb, 64);
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
        let budget =
            parse("version = 1\n[engine]\ncache_max_mb = 0\n[[policy]]\npath = \"a.wasm\"\n")
                .unwrap_err()
                .to_string();
        assert!(
            budget.contains("engine.cache_max_mb: expected at least 1"),
            "{budget}"
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

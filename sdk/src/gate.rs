//! What the gate tells a policy about itself, so a policy can protect the
//! governance layer without the operator listing any of it: the gate's own
//! files (its binary, config, policy components, data directory, compile
//! cache), the files that hold its credentials, the addresses its API
//! listens on, the environment variables its adapters read tokens from, and
//! the names and ids of its processes.
//!
//! The gate passes these facts inside a policy's settings, under the
//! reserved key [`FACTS_KEY`] (`"$gate"`), to every policy whose settings
//! accept that key; a policy opts in by declaring the field:
//!
//! ```
//! use clawlaw_sdk::gate::GateFacts;
//!
//! #[derive(Default, serde::Deserialize)]
//! #[serde(default, deny_unknown_fields)]
//! struct Settings {
//!     #[serde(rename = "$gate")]
//!     gate: GateFacts,
//! }
//!
//! let s: Settings = serde_json::from_str(
//!     r#"{"$gate": {"files": ["/srv/clawlaw"], "urls": ["http://127.0.0.1:7070"]}}"#,
//! ).unwrap();
//! assert_eq!(s.gate.files, ["/srv/clawlaw"]);
//! ```
//!
//! A policy whose settings refuse the key (every policy built before this
//! module, or one that does not care) is given its settings unchanged: the
//! gate validates the settings with the facts first and falls back to the
//! settings alone.

use serde::{Deserialize, Serialize};

/// The settings key the gate's facts travel under.
pub const FACTS_KEY: &str = "$gate";

/// What the gate's hook forwarder is named after one of its
/// [`GateFacts::processes`]: `clawlaw-hook` beside `clawlaw`. It forwards an
/// agent's hook events to the gate and does nothing else, so a policy can
/// treat any run of it by the agent as forging them.
pub const HOOK_FORWARDER_SUFFIX: &str = "-hook";

/// What the full command is named after the front it sits beside:
/// `clawlaw-full` beside `clawlaw`. The `clawlaw` an agent's hook starts
/// is a small front that forwards `hook <agent> --gate` itself and runs
/// (`exec`) the full command for everything else, so a gate serving from
/// an install is a process named `clawlaw-full`. A policy treats that name
/// as the gate's own, as it does the front's.
pub const FULL_COMMAND_SUFFIX: &str = "-full";

/// The environment variable the gate sets, to `1`, in the sandbox it takes
/// a policy's pre-initialised snapshot in when the process evaluates one
/// action and exits (`clawlaw eval`, `clawlaw hook --policies`). What
/// `validate` builds for every later evaluation to start with (a rule set
/// compiled whole) then costs more to carry in the snapshot than the one
/// evaluation saves: see [`one_shot`]. Evaluations never see it, nor does a
/// gate that serves many.
pub const ONE_SHOT_ENV: &str = "CLAWLAW_ONE_SHOT";

/// Whether the snapshot being taken serves a single evaluation
/// ([`ONE_SHOT_ENV`]): `validate` should then build only what nearly every
/// evaluation needs and leave the rest to be built on first use.
pub fn one_shot() -> bool {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        crate::hints::wasi::cli::environment::get_environment()
            .iter()
            .any(|(k, v)| k == ONE_SHOT_ENV && v == "1")
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    std::env::var_os(ONE_SHOT_ENV).is_some_and(|v| v == "1")
}

/// The gate's facts about itself. Every path is absolute and normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateFacts {
    /// Files and directories that make up the gate: its binary, config,
    /// the policy components and settings it loads from local files, its
    /// data directory (evidence, verified artifacts), its compile cache.
    /// The agent may read them, never change them.
    pub files: Vec<String>,
    /// Files the agent must not even read: generated tokens, the keys that
    /// authenticate the compile cache and the redactions, TLS keys.
    pub secrets: Vec<String>,
    /// The gate's addresses: the base URLs its API answers on
    /// (`http://127.0.0.1:7070`), the database its evidence is in
    /// (`postgres://host:port/database`, without credentials), and the
    /// registry repositories it pulls its policies from
    /// (`oci://host/repository`). A policy reads the schemes it knows.
    pub urls: Vec<String>,
    /// Environment variables that carry the gate's credentials to its
    /// adapters (`CLAWLAW_TOKEN`).
    pub token_env: Vec<String>,
    /// Names of the gate's and its adapters' processes (`clawlaw`).
    pub processes: Vec<String>,
    /// Process ids of the running gate.
    pub pids: Vec<u32>,
}

/// `settings` (a JSON object, or empty for `{}`) with `facts` added under
/// [`FACTS_KEY`], or `None` when the settings are not a JSON object.
pub fn with_facts(settings: &str, facts: &GateFacts) -> Option<String> {
    let trimmed = settings.trim();
    let mut value: serde_json::Value = if trimmed.is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_str(trimmed).ok()?
    };
    let object = value.as_object_mut()?;
    object.insert(
        FACTS_KEY.to_string(),
        serde_json::to_value(facts).expect("facts serialise"),
    );
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_added_under_the_reserved_key() {
        let facts = GateFacts {
            files: vec!["/srv/gate".into()],
            ..GateFacts::default()
        };
        let out = with_facts(r#"{"roots": ["/w"]}"#, &facts).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["roots"][0], "/w");
        assert_eq!(v["$gate"]["files"][0], "/srv/gate");
        assert!(with_facts("", &facts).unwrap().contains("$gate"));
        assert!(with_facts("[1]", &facts).is_none());
        assert!(with_facts("{", &facts).is_none());
    }
}

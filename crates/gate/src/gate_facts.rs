//! What the gate (or an in-process hook) tells its policies about itself,
//! so that governance-guard protects it without the operator listing any of
//! it: its binary, config, policy components, data directory, compile cache
//! and its key, token files, the addresses its API answers on, the variables
//! that carry its credentials, its process names and pid.
//!
//! The facts travel in each accepting policy's settings under
//! [`clawlaw_sdk::gate::FACTS_KEY`]; [`clawlaw_engine::policy_set`] adds them at load.
//! Every path is made absolute here (relative to the working directory the
//! gate started in), since the agent's working directory is another.

use std::path::{Path, PathBuf};

use clawlaw_sdk::gate::{FULL_COMMAND_SUFFIX, GateFacts, HOOK_FORWARDER_SUFFIX};

use clawlaw_distribution::PolicyRef;
use clawlaw_engine::cache::CompileCache;

use crate::config::SetConfig;

/// The environment variables that carry credentials to clawlaw's
/// adapters and tools, whatever the config says.
const CREDENTIAL_VARS: [&str; 5] = [
    "CLAWLAW_TOKEN",
    "CLAWLAW_KEY_PASSWORD",
    "COSIGN_PASSWORD",
    "CLAWLAW_REGISTRY_PASSWORD",
    "CLAWLAW_REGISTRY_USERNAME",
];

/// Facts every clawlaw process knows: its binary, its process name and
/// pid, the credential variables, and the default compile cache and key.
pub fn own_process() -> GateFacts {
    let mut facts = GateFacts {
        processes: vec!["clawlaw".into()],
        pids: vec![std::process::id()],
        token_env: CREDENTIAL_VARS.iter().map(|v| v.to_string()).collect(),
        ..GateFacts::default()
    };
    if let Ok(exe) = std::env::current_exe() {
        add_install(&mut facts, &exe);
    }
    if let Some(dir) = CompileCache::default_dir() {
        add_file(&mut facts, &dir);
    }
    if let Some(key) = CompileCache::default_key_file() {
        add_secret(&mut facts, &key);
    }
    facts
}

/// Adds the running binary `exe` and the install it belongs to, as their
/// process names and files: the small front (`clawlaw`), the full command
/// it runs for everything but `hook --gate` (`clawlaw-full`, the process a
/// gate serves from when started as `clawlaw serve`) and the hook forwarder
/// (`clawlaw-hook`). Replaced by the agent, any of them would answer hook
/// calls or serve as the agent wants. Those that are not installed are
/// left out of the files, not of the names.
fn add_install(facts: &mut GateFacts, exe: &Path) {
    let stem = exe
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or("clawlaw");
    let front = stem.strip_suffix(FULL_COMMAND_SUFFIX).unwrap_or(stem);
    let full = format!("{front}{FULL_COMMAND_SUFFIX}");
    for name in [front, stem, &full] {
        if !facts.processes.iter().any(|p| p == name) {
            facts.processes.push(name.to_string());
        }
    }
    add_file(facts, exe);
    let suffix = std::env::consts::EXE_SUFFIX;
    for sibling in [
        front.to_string(),
        full,
        format!("{front}{HOOK_FORWARDER_SUFFIX}"),
    ] {
        let path = exe.with_file_name(format!("{sibling}{suffix}"));
        if path.exists() {
            add_file(facts, &path);
        }
    }
}

/// Adds what a policy set is made of: each component, the repository a
/// registry policy is pulled from (`oci://host/repository`, in `urls`: the
/// agent must not push to it), the compile cache and its key, the trusted
/// signing keys.
pub fn add_set(facts: &mut GateFacts, config: &SetConfig) {
    let spec = &config.set;
    for p in &spec.policies {
        if !p.path.as_os_str().is_empty() {
            add_file(facts, &p.path);
        }
        let pulled = p
            .origin
            .as_ref()
            .and_then(|o| PolicyRef::parse(&o.reference).ok());
        if let Some(r) = pulled {
            let url = format!("oci://{}", r.repository_key());
            if !facts.urls.contains(&url) {
                facts.urls.push(url);
            }
        }
    }
    if let Some(dir) = &spec.engine.cache_dir {
        add_file(facts, dir);
    }
    if let Some(key) = &spec.engine.cache_key {
        add_secret(facts, key);
    }
    if let Some(d) = &config.distribution {
        for key in &d.trust.keys {
            add_file(facts, key);
        }
        // Whose certificates and log entries keyless signatures are checked against.
        if let Some(root) = &d.trust.trusted_root {
            add_file(facts, root);
        }
    }
}

/// Facts for a process that evaluates in process and stays while the agent
/// runs (`clawlaw mcp stdio`): the process's own, the policies' source and
/// the set.
pub fn in_process(source: &Path, spec: &SetConfig) -> GateFacts {
    let mut facts = own_process();
    add_file(&mut facts, source);
    add_set(&mut facts, spec);
    facts
}

/// Facts for a one-shot evaluation (`clawlaw eval`, `clawlaw hook
/// --policies`): [`in_process`]'s without the pid. The process has answered
/// and exited before the agent can act on its pid, and leaving it out keeps
/// the policies' settings the same from one call to the next, and with them
/// the pre-initialised snapshots the compile cache keeps for those settings.
pub fn one_shot(source: &Path, spec: &SetConfig) -> GateFacts {
    let mut facts = in_process(source, spec);
    facts.pids.clear();
    facts
}

/// Adds a file or directory of the gate's that the agent may read but not
/// change.
pub fn add_file(facts: &mut GateFacts, path: &Path) {
    push(&mut facts.files, path);
}

/// Adds a file the agent may not even read.
pub fn add_secret(facts: &mut GateFacts, path: &Path) {
    push(&mut facts.secrets, path);
}

/// Adds the base URL the gate's API answers on, for a listen address.
pub fn add_listener(facts: &mut GateFacts, listen: &str, tls: bool) {
    let scheme = if tls { "https" } else { "http" };
    let url = format!("{scheme}://{listen}");
    if !facts.urls.contains(&url) {
        facts.urls.push(url);
    }
}

/// Adds the shared store: its address (`postgres://host:port/database`,
/// without credentials: the agent must not reach the database the evidence
/// is in), the variables that may carry its password, and its password
/// file.
pub fn add_store(facts: &mut GateFacts, store: &crate::store::StoreSection) {
    let Some(url) = &store.url else {
        return;
    };
    if let Some(address) = crate::store::postgres::address(url) {
        let url = format!("postgres://{address}");
        if !facts.urls.contains(&url) {
            facts.urls.push(url);
        }
    }
    add_token_env(facts, "CLAWLAW_STORE_URL");
    if let Some(var) = &store.password_env {
        add_token_env(facts, var);
    }
    if let Some(file) = &store.password_file {
        add_secret(facts, file);
    }
}

/// Adds an environment variable that carries a credential.
pub fn add_token_env(facts: &mut GateFacts, name: &str) {
    if !name.is_empty() && !facts.token_env.iter().any(|t| t == name) {
        facts.token_env.push(name.to_string());
    }
}

fn push(list: &mut Vec<String>, path: &Path) {
    let absolute = absolute(path);
    let text = absolute.to_string_lossy().into_owned();
    if !list.contains(&text) {
        list.push(text);
    }
}

/// `path` made absolute against the current directory and cleaned of `.`
/// and `..`, without following links (a link the agent made must not
/// change what is protected).
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute_and_clean() {
        let mut f = GateFacts::default();
        add_file(&mut f, Path::new("target/./policies/../policies/x.wasm"));
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            f.files,
            [cwd.join("target/policies/x.wasm").to_string_lossy()]
        );
        add_file(&mut f, Path::new("target/policies/x.wasm"));
        assert_eq!(f.files.len(), 1, "no duplicates");
        add_listener(&mut f, "127.0.0.1:7070", false);
        add_listener(&mut f, "127.0.0.1:7070", false);
        assert_eq!(f.urls, ["http://127.0.0.1:7070"]);
    }

    #[test]
    fn registry_policies_and_the_store_are_addresses() {
        let pulled = |reference: &str| clawlaw_engine::spec::PolicySpec {
            origin: Some(clawlaw_engine::spec::PolicyOrigin {
                reference: reference.into(),
                digest: None,
                version: None,
            }),
            ..Default::default()
        };
        let config = SetConfig {
            set: clawlaw_engine::spec::SetSpec {
                policies: vec![
                    pulled("oci://harbor.example.com:8443/clawlaw/shell-guard:1.2"),
                    pulled("oci://harbor.example.com:8443/clawlaw/shell-guard:1.3"),
                ],
                ..Default::default()
            },
            distribution: None,
        };
        let mut f = GateFacts::default();
        add_set(&mut f, &config);
        assert_eq!(
            f.urls,
            ["oci://harbor.example.com:8443/clawlaw/shell-guard"]
        );
        let store = crate::store::StoreSection {
            url: Some("postgres://gate:pw@db.internal/clawlaw".into()),
            ..Default::default()
        };
        add_store(&mut f, &store);
        assert_eq!(f.urls[1], "postgres://db.internal:5432/clawlaw");
        assert!(f.token_env.iter().any(|t| t == "CLAWLAW_STORE_URL"));
    }

    #[test]
    fn every_process_knows_itself() {
        let f = own_process();
        assert!(f.processes.iter().any(|p| p == "clawlaw"));
        assert_eq!(f.pids, [std::process::id()]);
        assert!(f.token_env.iter().any(|t| t == "CLAWLAW_TOKEN"));
        assert!(!f.files.is_empty(), "the binary at least");
    }

    #[test]
    fn the_full_command_knows_its_front_and_forwarder() {
        let dir = tempfile::tempdir().unwrap();
        let bin = |n: &str| {
            dir.path()
                .join(format!("{n}{}", std::env::consts::EXE_SUFFIX))
        };
        for n in ["clawlaw", "clawlaw-full", "clawlaw-hook"] {
            std::fs::write(bin(n), b"").unwrap();
        }
        let mut f = GateFacts::default();
        add_install(&mut f, &bin("clawlaw-full"));
        assert_eq!(f.processes, ["clawlaw", "clawlaw-full"]);
        let mut files = f.files.clone();
        files.sort();
        let mut want: Vec<String> = ["clawlaw", "clawlaw-full", "clawlaw-hook"]
            .iter()
            .map(|n| bin(n).to_string_lossy().into_owned())
            .collect();
        want.sort();
        assert_eq!(files, want);
    }

    #[test]
    fn an_install_without_its_siblings_still_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let gate = dir.path().join("gate");
        std::fs::write(&gate, b"").unwrap();
        let mut f = GateFacts::default();
        add_install(&mut f, &gate);
        assert_eq!(f.processes, ["gate", "gate-full"]);
        assert_eq!(f.files, [gate.to_string_lossy()]);
    }
}

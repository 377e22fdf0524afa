//! The bundled components the benchmarks run: built on demand (as `cargo
//! xtask policies` builds them), loaded one by one under the benches' limits,
//! or as the set the gate serves.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use clawlaw_engine::engine::{Engine, EngineConfig};
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_engine::pool::Isolation;
use clawlaw_engine::spec::{EngineSection, PolicySpec, SetSpec};

/// The bundled policies, in the order a set runs them.
pub const POLICIES: &[&str] = &[
    "fs-boundary",
    "shell-guard",
    "secrets-guard",
    "exfiltration",
    "governance-guard",
    "deploy-guard",
    "ml-lifecycle",
];

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ is inside the workspace")
        .to_path_buf()
}

/// The workspace's target directory (`CARGO_TARGET_DIR`, else `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where bench runs keep what they make (`target/bench-runs`): the load
/// generator's figures, the compile cache.
pub fn runs_dir() -> PathBuf {
    target_dir().join("bench-runs")
}

/// The compile cache every bench process and every gate the load generator
/// starts share (`target/bench-runs/compile-cache`): the first compiles a
/// component, the others load it, checked, as a restarted gate does. What
/// the benches measure is evaluation, never compilation.
pub fn compile_cache() -> PathBuf {
    runs_dir().join("compile-cache")
}

/// Builds the bundled components and the hostile test component (as
/// `cargo xtask policies` builds the bundled ones: for
/// `wasm32-unknown-unknown`, without WASI) and returns their directory. The
/// hostile component's well-behaved mode is the benches' floor, so it is
/// built the same way.
pub fn components() -> anyhow::Result<PathBuf> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let mut cmd = std::process::Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()));
    cmd.current_dir(root()).args([
        "build",
        "--quiet",
        "--target",
        TARGET,
        "--profile",
        "policy",
    ]);
    for p in POLICIES.iter().chain(&["hostile-policy"]) {
        cmd.args(["-p", p]);
    }
    let status = cmd.status().context("running cargo")?;
    if !status.success() {
        bail!("building the policy components failed ({status})");
    }
    Ok(target_dir().join(TARGET).join("policy"))
}

/// The component file of a policy crate in `dir`.
pub fn component(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.wasm", name.replace('-', "_")))
}

/// An engine as the gate builds it, over the benches' [`compile_cache`].
pub fn engine() -> anyhow::Result<Arc<Engine>> {
    Engine::new(&EngineConfig {
        cache_dir: Some(compile_cache()),
        cache_key: None,
        cache_max_bytes: clawlaw_engine::cache::prune::DEFAULT_MAX_BYTES,
        max_sandboxes: 128,
        preinitialize: true,
        one_shot: false,
    })
    .map_err(|e| anyhow!("{e}"))
}

/// The limits benches load policies with: the defaults, but a deadline
/// that a call preempted on a busy shared machine cannot reach. Benches
/// measure time; a deadline fault would abort the whole run instead.
pub fn bench_limits() -> Limits {
    Limits {
        deadline_ms: 10_000,
        ..Limits::default()
    }
}

/// Loads one component with default settings and [`bench_limits`].
pub fn load(
    engine: &Arc<Engine>,
    dir: &Path,
    name: &str,
    isolation: Isolation,
) -> anyhow::Result<LoadedPolicy> {
    let bytes = std::fs::read(component(dir, name))?;
    Ok(
        LoadedPolicy::load(engine, &bytes, "{}".into(), bench_limits())
            .map_err(|e| anyhow!("{name}: {e}"))?
            .with_isolation(isolation),
    )
}

/// The bundled set as the gate loads it: every bundled policy with settings
/// `{}` and default limits, in `isolation`.
pub fn bundled_set(
    engine: &Arc<Engine>,
    dir: &Path,
    isolation: Isolation,
) -> anyhow::Result<PolicySet> {
    let policies = POLICIES
        .iter()
        .map(|name| PolicySpec {
            path: component(dir, name),
            settings: "{}".into(),
            isolation,
            ..Default::default()
        })
        .collect();
    let spec = SetSpec {
        engine: EngineSection::default(),
        policies,
        gate_facts: None,
    };
    Ok(PolicySet::load(engine, &spec, OnLoadError::Refuse)?)
}

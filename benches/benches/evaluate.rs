//! One evaluation as the gate does it — a fresh instance per policy from its
//! `InstancePre`, the call, the decision checked — for a policy that does
//! nothing (the floor), each bundled policy, and the whole bundled set.
//!
//! `cargo bench -p clawlaw-benches` (the components are built first, as
//! `cargo xtask policies` does).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clawlaw::config::{EngineSection, PolicySpec, SetSpec};
use clawlaw::engine::{Engine, EngineConfig};
use clawlaw::limits::Limits;
use clawlaw::policy::LoadedPolicy;
use clawlaw::policy_set::{OnLoadError, PolicySet};
use clawlaw_sdk::{Action, Session};
use criterion::{Criterion, criterion_group, criterion_main};

const POLICIES: &[&str] = &[
    "fs-boundary",
    "shell-guard",
    "secrets-guard",
    "exfiltration",
];

fn components() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(&root).args([
        "build",
        "--quiet",
        "--target",
        "wasm32-wasip2",
        "--profile",
        "policy",
    ]);
    for p in POLICIES.iter().chain(&["hostile-policy"]) {
        cmd.args(["-p", p]);
    }
    assert!(
        cmd.status().unwrap().success(),
        "building the policy components failed"
    );
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("wasm32-wasip2/policy")
}

fn actions() -> Vec<(&'static str, Action)> {
    vec![
        (
            "shell",
            Action::shell("cargo test --workspace 2>&1 | tail -20").in_dir("/work/app"),
        ),
        (
            "write",
            Action::write(
                "src/lib.rs",
                "pub fn add(a: u32, b: u32) -> u32 { a + b }\n",
            )
            .in_dir("/work/app"),
        ),
        ("read", Action::read("../../etc/passwd").in_dir("/work/app")),
    ]
}

fn session() -> Session {
    Session {
        scope: vec!["/work/app".into()],
        actions: 42,
        ..Session::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = components();
    let engine: Arc<Engine> = Engine::new(&EngineConfig {
        cache_dir: None,
        max_sandboxes: 64,
    })
    .unwrap();
    let session = session();

    // The floor: a policy that allows at once (the hostile test policy in
    // its well-behaved mode), i.e. what a fresh sandbox costs by itself.
    let bytes = std::fs::read(dir.join("hostile_policy.wasm")).unwrap();
    let floor = LoadedPolicy::load(
        &engine,
        &bytes,
        r#"{"mode":"ok"}"#.into(),
        Limits::default(),
    )
    .unwrap();
    let (_, shell) = &actions()[0];
    c.bench_function("sandbox/fresh-instance-floor", |b| {
        b.iter(|| floor.evaluate(shell, &session).decision.unwrap())
    });

    let mut group = c.benchmark_group("policy");
    for name in POLICIES {
        let bytes = std::fs::read(dir.join(format!("{}.wasm", name.replace('-', "_")))).unwrap();
        let policy = LoadedPolicy::load(&engine, &bytes, "{}".into(), Limits::default()).unwrap();
        for (what, action) in actions() {
            group.bench_function(format!("{name}/{what}"), |b| {
                b.iter(|| policy.evaluate(&action, &session).decision.unwrap())
            });
        }
    }
    group.finish();

    let spec = SetSpec {
        engine: EngineSection::default(),
        policies: POLICIES
            .iter()
            .map(|name| PolicySpec {
                path: dir.join(format!("{}.wasm", name.replace('-', "_"))),
                expected_name: None,
                settings: "{}".into(),
                limits: Limits::default(),
            })
            .collect(),
    };
    let set = PolicySet::load(&engine, &spec, OnLoadError::Refuse).unwrap();
    let mut group = c.benchmark_group("set");
    for (what, action) in actions() {
        group.bench_function(format!("bundled/{what}"), |b| {
            b.iter(|| set.evaluate(&action, &session))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

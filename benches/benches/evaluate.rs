//! One evaluation as the gate does it, and its parts:
//!
//! - `sandbox/*`: the floor (a policy that allows at once) in a fresh
//!   instance and pooled; instantiation from `InstancePre` alone;
//! - `instantiate/*`: each bundled policy's fresh store and instance alone;
//! - `policy/*`, `policy-pooled/*`: each bundled policy on three actions;
//! - `set/*`, `set-pooled/*`: the bundled set combined;
//! - `parts/*`: the session view, combining reports, an evidence append
//!   with durability (write + fsync) and without (serialise, hash, encode);
//! - `composition/*`: view + set + session update at 10, 1,000 and 10,000
//!   prior actions (must stay flat).
//!
//! `cargo bench -p clawlaw-benches --bench evaluate` (components are built
//! first); `cargo xtask bench` runs it with the rest and writes BENCHMARKS.md.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clawlaw_benches::{
    POLICIES, bundled_set, component, components, engine, kind_actions, load, session,
};
use clawlaw_engine::combine::{PolicyReport, combine};
use clawlaw_engine::engine::Engine;
use clawlaw_engine::policy_set::PolicySet;
use clawlaw_engine::pool::Isolation;
use clawlaw_gate::evidence::format::{GENESIS, encode_line, link_hash};
use clawlaw_gate::evidence::{Entry, EvidenceLog, EvidenceOptions, SessionEntry};
use clawlaw_gate::session::{Applied, Declaration, SessionState};
use clawlaw_sdk::{Action, Verdict};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

const POOLED: Isolation = Isolation::Pooled {
    recycle_after: 1_000,
};

fn set(engine: &Arc<Engine>, dir: &Path, isolation: Isolation) -> PolicySet {
    bundled_set(engine, dir, isolation).unwrap()
}

fn bench(c: &mut Criterion) {
    let dir = components().unwrap();
    let engine = engine().unwrap();
    let session = session();
    let (_, shell) = &kind_actions()[0];

    // The floor: the hostile test policy in its well-behaved mode, i.e. what
    // a sandbox costs by itself.
    let floor = |isolation| {
        let bytes = std::fs::read(component(&dir, "hostile-policy")).unwrap();
        clawlaw_engine::policy::LoadedPolicy::load(
            &engine,
            &bytes,
            r#"{"mode":"ok"}"#.into(),
            Default::default(),
        )
        .unwrap()
        .with_isolation(isolation)
    };
    let fresh_floor = floor(Isolation::Fresh);
    let pooled_floor = floor(POOLED);
    let mut group = c.benchmark_group("sandbox");
    group.bench_function("fresh-instance-floor", |b| {
        b.iter(|| fresh_floor.evaluate(shell, &session).decision.unwrap())
    });
    group.bench_function("instantiate-only", |b| {
        b.iter(|| fresh_floor.instantiate_only().unwrap())
    });
    group.bench_function("pooled-call-floor", |b| {
        b.iter(|| pooled_floor.evaluate(shell, &session).decision.unwrap())
    });
    group.finish();

    // Each bundled policy's fresh store and instance alone: how much of a
    // strict evaluation is the sandbox, policy by policy.
    let mut group = c.benchmark_group("instantiate");
    for name in POLICIES {
        let policy = load(&engine, &dir, name, Isolation::Fresh).unwrap();
        group.bench_function(*name, |b| b.iter(|| policy.instantiate_only().unwrap()));
    }
    group.finish();

    for (label, isolation) in [("policy", Isolation::Fresh), ("policy-pooled", POOLED)] {
        let mut group = c.benchmark_group(label);
        for name in POLICIES {
            let policy = load(&engine, &dir, name, isolation).unwrap();
            for (what, action) in kind_actions() {
                group.bench_function(format!("{name}/{what}"), |b| {
                    b.iter(|| policy.evaluate(&action, &session).decision.unwrap())
                });
            }
        }
        group.finish();
    }

    for (label, isolation) in [("set", Isolation::Fresh), ("set-pooled", POOLED)] {
        let set = set(&engine, &dir, isolation);
        let mut group = c.benchmark_group(label);
        for (what, action) in kind_actions() {
            group.bench_function(format!("bundled/{what}"), |b| {
                b.iter(|| set.evaluate(&action, &session))
            });
        }
        group.finish();
    }

    parts(c, &engine, &dir);
    composition(c, &engine, &dir);
}

/// A session state with `n` prior actions of mixed kinds and targets.
fn state_with(n: usize) -> SessionState {
    let declaration: Declaration = serde_json::from_value(serde_json::json!({
        "intent": "fix the failing test",
        "scope": {"roots": ["/work/app"], "hosts": ["*.github.com"]},
    }))
    .unwrap();
    let mut state = SessionState::new(
        "s-bench".into(),
        declaration,
        "2026-01-01T00:00:00Z".into(),
        16,
    );
    for i in 0..n {
        let action = match i % 3 {
            0 => Action::write(&format!("src/m{i}.rs"), "fn f() {}\n"),
            1 => Action::read(&format!("docs/p{i}.md")),
            _ => Action::shell(&format!("cargo test case_{i}")),
        }
        .in_dir("/work/app");
        state.apply(&Applied {
            action: &action,
            evaluation: Verdict::Allow,
            risk: 0.0,
            labels: &[],
            counters: &[],
        });
    }
    state
}

fn parts(c: &mut Criterion, engine: &Arc<Engine>, dir: &Path) {
    let mut group = c.benchmark_group("parts");
    let state = state_with(1_000);
    group.bench_function("session-view", |b| b.iter(|| state.view()));

    let set = set(engine, dir, Isolation::Fresh);
    let (_, write) = &kind_actions()[1];
    let evaluation = set.evaluate(write, &state.view());
    let reports: Vec<PolicyReport> = evaluation.policies.clone();
    group.bench_function("combine", |b| {
        b.iter_batched(
            || reports.clone(),
            |r| combine(r, 0.8),
            BatchSize::SmallInput,
        )
    });

    let entry = Entry::Session(SessionEntry {
        session_id: "s-bench".into(),
        timestamp: "2026-01-01T00:00:00Z".into(),
        declaration: serde_json::json!({
            "intent": "fix the failing test", "scope": {"roots": ["/work/app"]},
            "evaluation": evaluation.evaluation, "rules": evaluation.rules,
        }),
    });
    group.bench_function("evidence-encode", |b| {
        let mut out = Vec::with_capacity(4096);
        let mut prev = GENESIS;
        let mut seq = 0;
        b.iter(|| {
            out.clear();
            let bytes = serde_json::to_vec(&entry).unwrap();
            let hash = link_hash(seq, &prev, &bytes);
            encode_line(&mut out, seq, &prev, &hash, &bytes);
            prev = hash;
            seq += 1;
        })
    });
    let tmp = tempfile::tempdir().unwrap();
    let log = EvidenceLog::open(tmp.path().join("evidence"), EvidenceOptions::default()).unwrap();
    group.bench_function("evidence-append-durable", |b| {
        b.iter(|| log.append_blocking(&entry).unwrap())
    });
    // Eight writers at once: group commit makes one fsync serve a batch.
    // One iteration is 8 x 50 appends; per append is the figure / 400.
    let log = Arc::new(log);
    group.bench_function("evidence-append-durable-8-writers-x50", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                for _ in 0..8 {
                    scope.spawn(|| {
                        for _ in 0..50 {
                            log.append_blocking(&entry).unwrap();
                        }
                    });
                }
            })
        })
    });
    group.finish();
    log.close();
}

fn composition(c: &mut Criterion, engine: &Arc<Engine>, dir: &Path) {
    let set = set(engine, dir, Isolation::Fresh);
    let (_, write) = &kind_actions()[1];
    let mut group = c.benchmark_group("composition");
    for n in [10, 1_000, 10_000] {
        let mut state = state_with(n);
        group.bench_function(format!("prior-{n}"), |b| {
            b.iter(|| {
                let e = set.evaluate(write, &state.view());
                state.apply(&Applied {
                    action: write,
                    evaluation: e.evaluation,
                    risk: e.risk,
                    labels: &e.labels,
                    counters: &e.counters,
                });
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);

//! Side by side on the same rules and the same inputs: fs-boundary and
//! shell-guard as Wasm components (fresh instance and pooled), as Rego
//! evaluated by `regorus`, and as Cedar evaluated by `cedar-policy`.
//!
//! Before anything is timed the three engines must agree on every input's
//! verdict; a disagreement fails the bench (`clawlaw_benches::Comparison::
//! check_agreement`, also a unit test). Each timed iteration evaluates every
//! input of a rule set once, so the figures are per batch of inputs.

use std::time::Duration;

use clawlaw_benches::{Comparison, Rules, components, engine, session};
use clawlaw_engine::pool::Isolation;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let dir = components().unwrap();
    let engine = engine().unwrap();
    let session = session();
    let mut fresh = Comparison::new(&engine, &dir, Isolation::Fresh).unwrap();
    let pooled = Comparison::new(
        &engine,
        &dir,
        Isolation::Pooled {
            recycle_after: 1_000,
        },
    )
    .unwrap();
    let tally = fresh
        .check_agreement()
        .unwrap_or_else(|e| panic!("agreement check failed: {e}"));
    eprintln!("compare: wasm, rego and cedar agree on every input (allow/escalate/deny {tally:?})");

    for rules in [Rules::FsBoundary, Rules::ShellGuard] {
        let inputs = rules.inputs();
        let mut group = c.benchmark_group(format!("compare/{}", rules.name()));
        group.bench_function("wasm-fresh", |b| {
            b.iter(|| {
                for a in &inputs {
                    fresh.wasm_verdict(rules, a, &session).unwrap();
                }
            })
        });
        group.bench_function("wasm-pooled", |b| {
            b.iter(|| {
                for a in &inputs {
                    pooled.wasm_verdict(rules, a, &session).unwrap();
                }
            })
        });
        group.bench_function("rego", |b| {
            b.iter(|| {
                for a in &inputs {
                    fresh.rego.verdict(rules, a, &session).unwrap();
                }
            })
        });
        group.bench_function("cedar", |b| {
            b.iter(|| {
                for a in &inputs {
                    fresh.cedar.verdict(rules, a, &session).unwrap();
                }
            })
        });
        group.finish();
    }
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

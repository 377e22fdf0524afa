//! The engine as a library, without the gate: the example that opens
//! `clawlaw-engine`'s crate documentation, run against a real bundled
//! component (the doc example itself is compiled but not run, since it
//! names a component a fresh checkout has not built yet).

use clawlaw_engine::policy_set::{OnLoadError, PolicySet, engine_for};
use clawlaw_engine::spec::{PolicySpec, SetSpec};
use clawlaw_engine::{Action, Session, Verdict};

use crate::common;

#[test]
fn the_documented_embedding_loads_a_component_and_decides() {
    let mut spec = SetSpec {
        policies: vec![PolicySpec {
            settings: r#"{"roots": ["/work/app"]}"#.into(),
            ..PolicySpec::component(common::component("fs-boundary"))
        }],
        ..SetSpec::default()
    };
    // The one departure from the example: this test process's shared cache.
    spec.engine.cache_dir = Some(common::cache_dir().to_path_buf());
    let engine = engine_for(&spec.engine).expect("engine");
    let set = PolicySet::load(&engine, &spec, OnLoadError::Refuse).expect("the set loads");

    let denied = set.evaluate(
        &Action::write("/etc/passwd", "root::0:0::/root:/bin/sh\n"),
        &Session::default(),
    );
    assert_eq!(denied.evaluation, Verdict::Deny, "{}", denied.reason);
    // fs-boundary names the rule: /etc/passwd is one of its protected paths.
    assert!(
        !denied.rules.is_empty() && denied.rules.iter().all(|r| r.starts_with("fs-boundary/")),
        "{:?}",
        denied.rules
    );
    assert_eq!(denied.policies.len(), 1);

    let allowed = set.evaluate(
        &Action::write("/work/app/src/main.rs", "fn main() {}\n"),
        &Session::default(),
    );
    assert_eq!(allowed.evaluation, Verdict::Allow, "{}", allowed.reason);
}

//! The sandbox against real hostile components: every misbehaviour is a
//! fault naming the policy, within its deadline, and the engine keeps
//! serving; a policy reaches no file, socket, environment, clock or entropy.

use crate::common;

use std::time::{Duration, Instant};

use clawlaw_engine::fault::Fault;
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::{LoadError, LoadedPolicy};
use clawlaw_engine::{Action, Session, Verdict};

fn hostile(settings: serde_json::Value, limits: Limits) -> Result<LoadedPolicy, LoadError> {
    let bytes = std::fs::read(common::component("hostile-policy")).unwrap();
    LoadedPolicy::load(&common::engine(), &bytes, settings.to_string(), limits)
}

fn limits() -> Limits {
    Limits {
        deadline_ms: 50,
        memory_bytes: 16 << 20,
        ..Limits::default()
    }
}

/// Runs the hostile policy in `mode`, returns its fault and how long it took;
/// then checks that a well-behaved evaluation on the same engine succeeds.
fn fault_of(settings: serde_json::Value) -> (Fault, Duration) {
    let policy = hostile(settings, limits()).expect("hostile policy loads");
    let started = Instant::now();
    let outcome = policy.evaluate(&Action::shell("ls"), &Session::default());
    let took = started.elapsed();
    let fault = outcome.decision.expect_err("the hostile policy must fault");
    assert_engine_still_serves();
    (fault, took)
}

fn assert_engine_still_serves() {
    let ok = hostile(serde_json::json!({"mode": "ok"}), limits()).unwrap();
    let d = ok
        .evaluate(&Action::shell("ls"), &Session::default())
        .decision
        .unwrap();
    assert_eq!(d.verdict, Verdict::Allow);
}

#[test]
fn an_infinite_loop_is_stopped_at_its_deadline() {
    let (fault, took) = fault_of(serde_json::json!({"mode": "loop"}));
    assert_eq!(fault, Fault::Deadline { deadline_ms: 50 });
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_memory_bomb_hits_the_memory_cap() {
    let (fault, _) = fault_of(serde_json::json!({"mode": "alloc"}));
    assert_eq!(
        fault,
        Fault::MemoryLimit {
            limit_bytes: 16 << 20
        }
    );
}

#[test]
fn unbounded_recursion_exhausts_the_stack() {
    // Frames on the WebAssembly stack hit wasmtime's stack limit.
    let (fault, _) = fault_of(serde_json::json!({"mode": "recurse-wasm"}));
    assert_eq!(fault, Fault::StackOverflow);
    // Rust keeps addressable locals on a shadow stack in linear memory;
    // overflowing it runs below address 0, which traps as out of bounds.
    let (fault, _) = fault_of(serde_json::json!({"mode": "recurse"}));
    assert_eq!(
        fault,
        Fault::Trap {
            message: "wasm trap: out of bounds memory access".into()
        }
    );
}

#[test]
fn a_trap_and_a_panic_are_faults() {
    for mode in ["trap", "panic"] {
        let (fault, _) = fault_of(serde_json::json!({ "mode": mode }));
        assert_eq!(fault.kind(), "trap", "{mode}: {fault}");
    }
}

#[test]
fn a_giant_decision_is_refused() {
    let (fault, _) = fault_of(serde_json::json!({"mode": "giant", "size": 4 << 20}));
    match fault {
        Fault::OutputTooLarge { bytes, limit_bytes } => {
            assert!(bytes >= 4 << 20);
            assert_eq!(limit_bytes, Limits::default().max_output_bytes);
        }
        other => panic!("expected output-too-large, got {other}"),
    }
}

#[test]
fn a_nan_risk_is_an_invalid_decision() {
    let (fault, _) = fault_of(serde_json::json!({"mode": "bad-risk"}));
    assert_eq!(fault.kind(), "invalid-output", "{fault}");
}

#[test]
fn a_log_flood_is_bounded() {
    let policy = hostile(serde_json::json!({"mode": "log-flood"}), limits()).unwrap();
    let started = Instant::now();
    let outcome = policy.evaluate(&Action::shell("ls"), &Session::default());
    // Either the deadline stops it or it finishes with its log truncated;
    // both are bounded and neither takes the gate down.
    match outcome.decision {
        Ok(d) => assert_eq!(d.verdict, Verdict::Allow),
        Err(fault) => assert_eq!(fault, Fault::Deadline { deadline_ms: 50 }),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_engine_still_serves();
}

#[test]
fn misbehaving_in_validate_settings_refuses_the_load() {
    let err = hostile(
        serde_json::json!({"mode": "loop", "in_validate": true}),
        limits(),
    )
    .err()
    .expect("load must fail");
    assert!(
        matches!(
            err,
            LoadError::SettingsFault(Fault::Deadline { deadline_ms })
                if deadline_ms == 50 * clawlaw_engine::policy::LOAD_DEADLINE_FACTOR
        ),
        "{err}"
    );
    let err = hostile(
        serde_json::json!({"mode": "panic", "in_validate": true}),
        limits(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, LoadError::SettingsFault(Fault::Trap { .. })),
        "{err}"
    );
    let err = hostile(serde_json::json!({"mood": "ok"}), limits())
        .err()
        .unwrap();
    assert!(
        matches!(&err, LoadError::SettingsRejected(m) if m.contains("unknown field `mood`")),
        "{err}"
    );
    assert_engine_still_serves();
}

#[test]
fn what_is_not_a_policy_is_refused_with_the_reason() {
    let engine = common::engine();
    let load = |bytes: &[u8]| {
        LoadedPolicy::load(&engine, bytes, "{}".into(), Limits::default())
            .err()
            .unwrap()
    };
    // An empty component: valid, but it exports nothing of the world.
    let empty = wat::parse_str("(component)").unwrap();
    let err = load(&empty);
    assert!(matches!(err, LoadError::WrongWorld(_)), "{err}");
    assert!(
        err.to_string()
            .contains("does not implement the clawlaw:policy@0.4.0 world")
    );
    // A component exporting the right names with the wrong types.
    let wrong = wat::parse_str(
        r#"(component
            (core module $m (func (export "f") (result i32) i32.const 0))
            (core instance $i (instantiate $m))
            (func $info (result u32) (canon lift (core func $i "f")))
            (export "info" (func $info)))"#,
    )
    .unwrap();
    assert!(matches!(load(&wrong), LoadError::WrongWorld(_)));
    // A core module is not a component; random bytes are nothing.
    let core = wat::parse_str("(module)").unwrap();
    assert!(matches!(load(&core), LoadError::NotAComponent(_)));
    assert!(matches!(
        load(b"\0asm garbage that is not wasm"),
        LoadError::NotAComponent(_)
    ));
    assert!(matches!(load(b""), LoadError::NotAComponent(_)));
    assert_engine_still_serves();
}

#[test]
fn a_policy_reaches_no_file_socket_environment_clock_or_entropy() {
    // A real listener the policy is told about: even a reachable port is unreachable.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let policy = hostile(serde_json::json!({"mode": "probe", "addr": addr}), limits()).unwrap();
    let run = || {
        policy
            .evaluate(&Action::shell("ls"), &Session::default())
            .decision
            .unwrap()
            .reason
    };
    let report: serde_json::Value = serde_json::from_str(&run()).unwrap();
    for probe in ["read", "write", "list", "bind", "resolve"] {
        let got = report[probe].as_str().unwrap();
        assert!(got.starts_with("Err("), "{probe} should fail, got {got}");
    }
    assert!(
        report["connect"].as_str().unwrap().starts_with("Some(Err("),
        "{report}"
    );
    assert_eq!(report["env"], 0);
    assert_eq!(report["args"], 0);
    assert_eq!(report["wall_clock_secs"], 0);
    // No entropy: the same "random" hash on every fresh instance.
    let again: serde_json::Value = serde_json::from_str(&run()).unwrap();
    assert_eq!(report["random_hash"], again["random_hash"]);
    listener.set_nonblocking(true).unwrap();
    assert!(
        listener.accept().is_err(),
        "the policy must not have connected"
    );
    assert!(!std::path::Path::new("/tmp/clawlaw-hostile-probe").exists());
}

#[test]
fn a_runaway_policy_does_not_slow_others_beyond_its_deadline() {
    let slow = hostile(serde_json::json!({"mode": "loop"}), limits()).unwrap();
    let ok = hostile(serde_json::json!({"mode": "ok"}), limits()).unwrap();
    std::thread::scope(|s| {
        let runaway = s.spawn(|| slow.evaluate(&Action::shell("ls"), &Session::default()));
        let started = Instant::now();
        for _ in 0..100 {
            let d = ok
                .evaluate(&Action::shell("ls"), &Session::default())
                .decision
                .unwrap();
            assert_eq!(d.verdict, Verdict::Allow);
        }
        // 100 evaluations beside a spinning policy, each far below its deadline.
        assert!(started.elapsed() < Duration::from_secs(5));
        let fault = runaway.join().unwrap().decision.unwrap_err();
        assert_eq!(fault, Fault::Deadline { deadline_ms: 50 });
    });
}

#[test]
fn every_evaluation_gets_a_fresh_instance() {
    // The probe's hash would differ if state (e.g. a consumed RNG) leaked
    // from one evaluation into the next; fresh instances make it identical.
    let policy = hostile(serde_json::json!({"mode": "probe"}), limits()).unwrap();
    let reasons: Vec<String> = (0..3)
        .map(|_| {
            policy
                .evaluate(&Action::shell("ls"), &Session::default())
                .decision
                .unwrap()
                .reason
        })
        .collect();
    assert!(reasons.windows(2).all(|w| w[0] == w[1]));
}

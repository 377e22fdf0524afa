//! The parts of the session view a policy reads (contract 0.4.0's
//! `info.session-parts`). The gate hands each policy only the parts it
//! declares, so a bundled policy that declares fewer than all must decide
//! every action exactly as it would on the whole view: proven here natively
//! on every action the repository holds, in a long session whose labels,
//! counters and recent actions would sway any policy that read them. And a
//! real component is handed what it declares, through one policy and
//! through a set, while those built against older contracts (0.3.0, and
//! 0.1.0) are handed it all.

use crate::common;
use crate::kinds::{Sample, corpus, settings_of};

use std::path::Path;

use clawlaw_engine::contract::ContractVersion;
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_gate::config::SetConfig;
use clawlaw_sdk::testing::check_view;
use clawlaw_sdk::{Action, PastAction, Policy, Session, SessionParts, Verdict, full_info, kinds};
use serde_json::{Value, json};

/// `session` as a long, eventful session would have it: every label and
/// counter the bundled policies set or read, far past any threshold, and a
/// full window of recent network egress.
fn eventful(session: &Session) -> Session {
    let mut s = session.clone();
    s.labels.extend(
        exfiltration::DEFAULT_SENSITIVE_LABELS
            .iter()
            .copied()
            .chain([
                exfiltration::EGRESS_LABEL,
                ml_lifecycle::ANOMALY_LABEL,
                "ml.anomaly:unnamed",
            ])
            .map(String::from),
    );
    s.counters.extend(
        [
            (exfiltration::EGRESS_BYTES, 1 << 40),
            (exfiltration::OUT_OF_SCOPE, 10_000),
            (exfiltration::DISTINCT_HOSTS, 10_000),
            (ml_lifecycle::GPU_HOURS_COUNTER, 1 << 30),
            ("writes", 10_000),
            ("denials", 10_000),
        ]
        .map(|(name, n)| (name.to_string(), n)),
    );
    s.recent.extend((0..16).map(|i| PastAction {
        kind: kinds::NET_REQUEST.into(),
        target: Some(format!("https://host{i}.example.net/upload")),
        verdict: Verdict::Allow,
        labels: vec![exfiltration::EGRESS_LABEL.into()],
    }));
    s.actions = s.actions.max(10_000);
    s.risk = s.risk.max(5.0);
    s
}

/// `P` declares fewer parts than all, and on every corpus action, in an
/// eventful session, decides on its view as on the whole.
fn the_view_decides_as_the_whole<P: Policy>(crate_name: &str, corpus: &[Sample]) -> usize {
    let parts = full_info::<P>().session_parts;
    assert_ne!(parts, SessionParts::ALL, "{crate_name} reads every part");
    let mut failures = Vec::new();
    let mut checked = 0;
    for settings in settings_of::<P>(crate_name) {
        for sample in corpus {
            let whole = eventful(&sample.session);
            let view = parts.view(&whole);
            let on_view = clawlaw_sdk::evaluate_json::<P>(&settings, &sample.action, &view);
            if let Err(e) = check_view::<P>(&settings, &sample.action, &whole, &on_view) {
                failures.push(format!("{}: {e}", sample.origin));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked}: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    checked
}

#[test]
fn policies_that_declare_fewer_parts_decide_as_on_the_whole_session() {
    let corpus = corpus();
    let checked = [
        the_view_decides_as_the_whole::<fs_boundary::FsBoundary>("fs-boundary", &corpus),
        the_view_decides_as_the_whole::<shell_guard::ShellGuard>("shell-guard", &corpus),
        the_view_decides_as_the_whole::<secrets_guard::SecretsGuard>("secrets-guard", &corpus),
        the_view_decides_as_the_whole::<governance_guard::GovernanceGuard>(
            "governance-guard",
            &corpus,
        ),
        the_view_decides_as_the_whole::<deploy_guard::DeployGuard>("deploy-guard", &corpus),
        the_view_decides_as_the_whole::<ml_lifecycle::MlLifecycle>("ml-lifecycle", &corpus),
    ];
    assert!(checked.iter().all(|&n| n >= corpus.len()), "{checked:?}");
    // The one that reads the session's history declares all of it.
    assert_eq!(
        full_info::<exfiltration::Exfiltration>().session_parts,
        SessionParts::ALL
    );
}

/// What the hostile component in `view` mode was handed: how many labels,
/// counters and recent actions.
fn seen(reason: &str) -> Value {
    serde_json::from_str(reason).unwrap_or_else(|e| panic!("{reason}: {e}"))
}

#[test]
fn a_component_is_handed_only_the_parts_it_declares() {
    let session = eventful(&Session::default());
    let want = json!({"labels": 0, "counters": session.counters.len(), "recent": 0});
    let bytes = std::fs::read(common::component("hostile-policy")).unwrap();
    let hostile = LoadedPolicy::load(
        &common::engine(),
        &bytes,
        r#"{"mode":"view"}"#.into(),
        Limits::default(),
    )
    .unwrap();
    assert_eq!(hostile.contract(), ContractVersion::V0_4);
    assert_eq!(
        hostile.session_parts(),
        SessionParts {
            counters: true,
            ..SessionParts::NONE
        }
    );
    let alone = hostile.evaluate(&Action::shell("ls"), &session);
    assert_eq!(seen(&alone.decision.unwrap().reason), want);

    // In a set beside policies that read every part (exfiltration, and the
    // 0.3.0 and 0.1.0 components, which read the whole view), and others
    // that read none: each is handed its own view.
    let mut text = String::from("version = 1\n");
    for (name, settings) in [
        ("hostile-policy", r#"{ mode = "view" }"#),
        ("exfiltration", "{}"),
        ("kinds-policy", "{}"),
        ("legacy-policy", "{}"),
        ("shell-guard", "{}"),
    ] {
        text.push_str(&format!(
            "[[policy]]\npath = {:?}\nsettings = {settings}\n",
            common::component(name).display().to_string()
        ));
    }
    let spec = SetConfig::from_config_text(&text, Path::new("/nonexistent/clawlaw.toml"))
        .unwrap()
        .set;
    let set = PolicySet::load(&common::engine(), &spec, OnLoadError::Refuse).unwrap();
    let by_name = |name: &str| set.loaded().find(|p| p.id().name == name).unwrap();
    assert_eq!(by_name("legacy-policy").session_parts(), SessionParts::ALL);
    let older = by_name("kinds-policy");
    assert_eq!(older.contract(), ContractVersion::V0_3);
    assert_eq!(older.kinds(), [kinds::NET_REQUEST]);
    assert_eq!(older.session_parts(), SessionParts::ALL);
    assert_eq!(by_name("exfiltration").session_parts(), SessionParts::ALL);
    assert_eq!(by_name("shell-guard").session_parts(), SessionParts::NONE);
    // A request in a session that just sent sixteen: exfiltration sees the
    // burst in the recent actions it reads.
    let request = Action {
        target: Some("https://collector.example.org/in".into()),
        tool: "WebFetch".into(),
        ..Action::new(kinds::NET_REQUEST)
    };
    let evaluation = set.evaluate(&request, &session);
    let report = |name: &str| {
        evaluation
            .policies
            .iter()
            .find(|r| r.policy.name == name)
            .unwrap_or_else(|| panic!("{name} was not consulted"))
    };
    assert_eq!(seen(&report("hostile").reason), want);
    assert_eq!(
        seen(&report("kinds-policy").reason),
        json!({
            "labels": session.labels.len(),
            "counters": session.counters.len(),
            "recent": 16
        })
    );
    // A command is not of its kind: it is skipped, not consulted.
    let command = set.evaluate(&Action::shell("ls"), &session);
    assert!(command.skipped.iter().any(|p| p.name == "kinds-policy"));
    assert!(
        report("exfiltration")
            .rules
            .iter()
            .any(|r| r == "exfil.egress-burst"),
        "{:?}",
        report("exfiltration")
    );
}

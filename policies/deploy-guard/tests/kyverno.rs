//! deploy-guard against Kyverno's own test resources and recorded results.
//!
//! `tests/kyverno/<policy>/` holds, unchanged but for a header naming the
//! source, the `.kyverno-test/resource.yaml` and `kyverno-test.yaml` of eight
//! policies in Kyverno's library (github.com/kyverno/policies):
//! `best-practices/disallow-latest-tag` and, of the Pod Security Standards'
//! baseline profile, `pod-security/baseline/disallow-privileged-containers`,
//! `disallow-host-path`, `disallow-host-namespaces`, `disallow-host-ports`,
//! `disallow-capabilities`, `disallow-proc-mount` and `restrict-seccomp`. Kyverno cannot run here; its
//! recorded `pass`/`fail` per resource and rule is the oracle. Each resource
//! is applied on its own; the deploy-guard rule equivalent to the Kyverno
//! rule must match exactly where Kyverno records `fail`, and the decision
//! must then be at least an escalation.

use clawlaw_sdk::{Action, Session, Verdict, kinds};
use deploy_guard::{DeployGuard, HOST_ACCESS, HOST_PATH, IMAGE_LATEST, IMAGE_UNTAGGED, PRIVILEGED};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct KyvernoTest {
    results: Vec<Expectation>,
}

#[derive(Deserialize)]
struct Expectation {
    kind: String,
    policy: String,
    resources: Vec<String>,
    result: String,
    rule: String,
}

/// Kyverno's rule → the deploy-guard rule that enforces the same thing.
fn equivalent(policy: &str, rule: &str) -> &'static str {
    match (policy, rule) {
        ("disallow-latest-tag", "require-image-tag") => IMAGE_UNTAGGED,
        ("disallow-latest-tag", "validate-image-tag") => IMAGE_LATEST,
        ("disallow-privileged-containers", "privileged-containers") => PRIVILEGED,
        ("disallow-host-path", "host-path") => HOST_PATH,
        ("disallow-host-namespaces", "host-namespaces")
        | ("disallow-host-ports", "host-ports-none")
        | ("disallow-capabilities", "adding-capabilities")
        | ("disallow-proc-mount", "check-proc-mount")
        | ("restrict-seccomp", "check-seccomp") => HOST_ACCESS,
        _ => panic!("no deploy-guard equivalent for {policy}/{rule}"),
    }
}

/// Every document of a resource file, by (kind, name), as YAML text.
fn documents(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(de).expect("Kyverno's resource file parses");
        if v.is_null() {
            continue;
        }
        let kind = v["kind"].as_str().unwrap().to_string();
        let name = v["metadata"]["name"].as_str().unwrap().to_string();
        // Each resource applied alone, re-serialised as its own manifest.
        let yaml = serde_yaml_ng::to_string(&v).unwrap();
        out.push((kind, name, yaml));
    }
    out
}

/// Runs one Kyverno policy's recorded test; returns how many
/// (resource, rule) expectations were compared.
fn agree(policy: &str, resources: &str, test: &str) -> usize {
    let docs = documents(resources);
    let test: KyvernoTest = serde_yaml_ng::from_str(test).expect("kyverno-test.yaml parses");
    let mut compared = 0;
    let mut covered = std::collections::BTreeSet::new();
    let mut disagreements = Vec::new();
    for e in &test.results {
        assert_eq!(e.policy, policy);
        let ours = equivalent(policy, &e.rule);
        let fails = match e.result.as_str() {
            "fail" => true,
            "pass" => false,
            other => panic!("unexpected Kyverno result {other}"),
        };
        for name in &e.resources {
            let (_, _, yaml) = docs
                .iter()
                .find(|(k, n, _)| *k == e.kind && n == name)
                .unwrap_or_else(|| panic!("{policy}: no {} {name} in resource.yaml", e.kind));
            covered.insert((e.kind.clone(), name.clone()));
            let action = Action {
                content: Some(yaml.clone()),
                ..Action::new(kinds::K8S_APPLY)
            };
            let d = clawlaw_sdk::evaluate_json::<DeployGuard>("{}", &action, &Session::default());
            let fired = d.rules.iter().any(|r| r == ours);
            if fired != fails || (fails && d.verdict == Verdict::Allow) {
                disagreements.push(format!(
                    "{} {name}: Kyverno {}/{} = {}, deploy-guard {ours} {} ({}: {})",
                    e.kind,
                    policy,
                    e.rule,
                    e.result,
                    if fired { "matched" } else { "did not match" },
                    d.verdict,
                    d.reason
                ));
            }
            compared += 1;
        }
    }
    assert!(
        disagreements.is_empty(),
        "{policy}: {} disagreements with Kyverno:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Every resource in the file has a recorded expectation we compared.
    for (kind, name, _) in &docs {
        assert!(
            covered.contains(&(kind.clone(), name.clone())),
            "{policy}: {kind} {name} has no expectation"
        );
    }
    compared
}

#[test]
fn disallow_latest_tag_agrees() {
    let n = agree(
        "disallow-latest-tag",
        include_str!("kyverno/disallow-latest-tag/resource.yaml"),
        include_str!("kyverno/disallow-latest-tag/kyverno-test.yaml"),
    );
    assert_eq!(n, 10);
}

#[test]
fn disallow_privileged_containers_agrees() {
    let n = agree(
        "disallow-privileged-containers",
        include_str!("kyverno/disallow-privileged-containers/resource.yaml"),
        include_str!("kyverno/disallow-privileged-containers/kyverno-test.yaml"),
    );
    assert_eq!(n, 33);
}

#[test]
fn disallow_host_path_agrees() {
    let n = agree(
        "disallow-host-path",
        include_str!("kyverno/disallow-host-path/resource.yaml"),
        include_str!("kyverno/disallow-host-path/kyverno-test.yaml"),
    );
    assert_eq!(n, 12);
}

/// The rest of the baseline profile, each reported as `deploy.host-access`.
#[test]
fn the_rest_of_the_baseline_profile_agrees() {
    for (policy, expectations) in [
        ("disallow-host-namespaces", 27),
        ("disallow-host-ports", 60),
        ("disallow-capabilities", 36),
        ("disallow-proc-mount", 33),
        ("restrict-seccomp", 54),
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/kyverno")
            .join(policy);
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let n = agree(policy, &read("resource.yaml"), &read("kyverno-test.yaml"));
        assert_eq!(n, expectations, "{policy}");
    }
}

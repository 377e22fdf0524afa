//! Kind-aware policy sets. A bundled policy that declares the action kinds
//! it judges must answer every other kind exactly as the gate does without
//! it (ALLOW, risk 0, no rules, labels, counters or redactions), so skipping
//! it changes no decision and no session: proven here natively on every
//! action the repository holds (every policy's case file, the example
//! actions, the demo session, the command and secret corpora), each also
//! re-labelled with every kind the policy does not declare. And the gate
//! records whom it skipped: a `shell.exec` does not consult deploy-guard
//! or ml-lifecycle, and the evidence lists them under `skipped`.

use crate::common;

use std::path::Path;

use clawlaw_engine::combine::{PolicyReport, combine};
use clawlaw_engine::contract::ContractVersion;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet};
use clawlaw_gate::config::SetConfig;
use clawlaw_sdk::testing::{CaseFile, check_not_consulted};
use clawlaw_sdk::{Action, ActionRequest, Policy, Session, full_info, kinds};
use common::server::{REVIEWER, Server, config, shell};
use serde_json::{Value, json};

/// Every kind the gate's adapters produce, and one it does not know.
const KINDS: &[&str] = &[
    kinds::FILE_READ,
    kinds::FILE_WRITE,
    kinds::FILE_DELETE,
    kinds::SHELL_EXEC,
    kinds::NET_REQUEST,
    kinds::TOOL_CALL,
    kinds::K8S_APPLY,
    kinds::MODEL_PROMOTE,
    kinds::TRAIN_SUBMIT,
    kinds::TRAIN_STEP,
    "custom.kind",
];

/// One action of the corpus: where it came from, and its session.
pub(crate) struct Sample {
    pub(crate) origin: String,
    pub(crate) action: Action,
    pub(crate) session: Session,
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn request(origin: String, v: &Value) -> Sample {
    let req: ActionRequest = serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{origin}: not an action: {e}"));
    Sample {
        action: req.to_action(|| "corpus".into()),
        origin,
        session: Session::default(),
    }
}

/// Every action in the repository's case files and corpora.
pub(crate) fn corpus() -> Vec<Sample> {
    let root = common::workspace_root();
    let mut out = Vec::new();
    for policy in common::bundled_policies() {
        let file = CaseFile::load(&root.join("policies").join(&policy).join("cases.toml")).unwrap();
        for case in &file.cases {
            out.push(Sample {
                origin: format!("{policy}/cases.toml: {}", case.name),
                action: case.action(),
                session: case.session(),
            });
        }
    }
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples/actions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    examples.sort();
    for path in examples {
        let v: Value = serde_json::from_str(&read(&path)).unwrap();
        out.push(request(path.display().to_string(), &v));
    }
    for (i, line) in read(&root.join("examples/demo/session.jsonl"))
        .lines()
        .enumerate()
    {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(action) = v.get("action") {
            out.push(request(format!("demo session line {}", i + 1), action));
        }
    }
    // destructive_command_guard's commands, as the shell runs them.
    let dcg_root = root.join("corpora/dcg");
    let mut dcg = vec![dcg_root.join("canonical.toml")];
    for dir in std::fs::read_dir(&dcg_root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            dcg.extend(std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()));
        }
    }
    dcg.sort();
    dcg.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    for path in dcg {
        let v: toml::Value = toml::from_str(&read(&path)).unwrap();
        let cases = v.get("case").and_then(|c| c.as_array()).cloned();
        for (i, case) in cases.unwrap_or_default().iter().enumerate() {
            if let Some(cmd) = case.get("command").and_then(|c| c.as_str()) {
                out.push(request(format!("{}#{i}", path.display()), &shell(cmd)));
            }
        }
    }
    // gitleaks' secret samples, written to a file.
    for (i, line) in read(&root.join("corpora/gitleaks/samples.jsonl"))
        .lines()
        .enumerate()
    {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(text) = v["text"].as_str() {
            let write = json!({"kind": "file.write", "tool": "Write", "target": "/work/app/config.env",
                "content": text, "cwd": "/work/app", "input": {"file_path": "/work/app/config.env"}});
            out.push(request(format!("gitleaks sample {i}"), &write));
        }
    }
    out
}

/// The settings `P` is tested with: none, and each its case file gives.
pub(crate) fn settings_of<P: Policy>(crate_name: &str) -> Vec<String> {
    let path = common::workspace_root()
        .join("policies")
        .join(crate_name)
        .join("cases.toml");
    let file = CaseFile::load(&path).unwrap();
    let mut all = vec!["{}".to_string()];
    for case in &file.cases {
        let s = file.settings_for(case);
        if !all.contains(&s) && clawlaw_sdk::validate_settings::<P>(&s).is_ok() {
            all.push(s);
        }
    }
    all
}

/// `P` declares kinds, and on every corpus action of a kind it does not
/// declare (as it comes, and re-labelled with each such kind) its own
/// answer is the one the gate gives without consulting it.
fn skipping_changes_nothing<P: Policy>(crate_name: &str, corpus: &[Sample]) -> usize {
    let info = full_info::<P>();
    assert!(!info.kinds.is_empty(), "{crate_name} declares no kinds");
    let undeclared: Vec<&str> = KINDS.iter().copied().filter(|k| !info.judges(k)).collect();
    assert!(!undeclared.is_empty(), "{crate_name} declares every kind");
    let mut failures = Vec::new();
    let mut checked = 0;
    for settings in settings_of::<P>(crate_name) {
        for sample in corpus {
            let relabelled = undeclared.iter().map(|k| Action {
                kind: (*k).to_string(),
                ..sample.action.clone()
            });
            for action in std::iter::once(sample.action.clone()).chain(relabelled) {
                if info.judges(&action.kind) {
                    continue;
                }
                checked += 1;
                if let Err(e) = check_not_consulted::<P>(&settings, &action, &sample.session) {
                    failures.push(format!("{} (settings {settings}): {e}", sample.origin));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{crate_name}: skipping it would change {} of {checked} decisions:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    checked
}

#[test]
fn policies_that_declare_kinds_answer_every_other_kind_as_if_skipped() {
    let corpus = corpus();
    assert!(
        corpus.len() > 500,
        "the corpus has {} actions",
        corpus.len()
    );
    let kinds_seen: std::collections::BTreeSet<&str> =
        corpus.iter().map(|s| s.action.kind.as_str()).collect();
    assert!(kinds_seen.len() >= 8, "{kinds_seen:?}");
    let checked = [
        skipping_changes_nothing::<deploy_guard::DeployGuard>("deploy-guard", &corpus),
        skipping_changes_nothing::<ml_lifecycle::MlLifecycle>("ml-lifecycle", &corpus),
        skipping_changes_nothing::<shell_guard::ShellGuard>("shell-guard", &corpus),
        skipping_changes_nothing::<fs_boundary::FsBoundary>("fs-boundary", &corpus),
    ];
    assert!(checked.iter().all(|&n| n > corpus.len()), "{checked:?}");
}

#[test]
fn the_policies_that_judge_by_effect_declare_every_kind() {
    // They look at what any action carries (a command, a path, a URL, a
    // secret, a gate token), whatever its kind: never skipped.
    assert!(full_info::<secrets_guard::SecretsGuard>().kinds.is_empty());
    assert!(full_info::<exfiltration::Exfiltration>().kinds.is_empty());
    assert!(
        full_info::<governance_guard::GovernanceGuard>()
            .kinds
            .is_empty()
    );
    // A policy judging commands also judges what carries one.
    let shell = full_info::<shell_guard::ShellGuard>();
    for k in [kinds::SHELL_EXEC, kinds::FILE_WRITE, kinds::TOOL_CALL] {
        assert!(shell.judges(k), "shell-guard must judge {k}");
    }
    assert!(!shell.judges(kinds::FILE_READ));
}

/// The bundled set plus a 0.1.0 component, every policy `pooled` or not.
fn bundled_set(pooled: bool) -> PolicySet {
    let mut text = String::from("version = 1\n");
    for name in common::bundled_policies()
        .into_iter()
        .chain(["legacy-policy".to_string()])
    {
        text.push_str(&format!(
            // A long deadline: this compares decisions, and a machine
            // under load must not turn one into a deadline fault.
            "[[policy]]\npath = {:?}\nlimits = {{ deadline_ms = 10000 }}\n{}\n",
            common::component(&name).display().to_string(),
            if pooled { "mode = \"pooled\"" } else { "" }
        ));
    }
    let spec = SetConfig::from_config_text(&text, Path::new("/nonexistent/clawlaw.toml"))
        .unwrap_or_else(|e| panic!("config refused: {e}"))
        .set;
    PolicySet::load(&common::engine(), &spec, OnLoadError::Refuse).unwrap()
}

/// The set skips exactly the policies that do not judge the action's kind,
/// fresh and pooled, and decides every corpus action exactly as consulting
/// every policy and combining their answers does. And warm instances, each
/// serving hundreds of the corpus's actions in turn (their arenas reused
/// from one evaluation to the next), decide every one as fresh instances do.
#[test]
fn a_kind_aware_set_decides_as_consulting_every_policy() {
    let corpus = corpus();
    let mut fresh_decisions = Vec::new();
    for pooled in [false, true] {
        let set = bundled_set(pooled);
        let by_name = |name: &str| set.loaded().find(|p| p.id().name == name).unwrap();
        assert_eq!(by_name("legacy-policy").contract(), ContractVersion::V0_1);
        assert!(by_name("legacy-policy").kinds().is_empty());
        assert_eq!(by_name("deploy-guard").contract(), ContractVersion::V0_4);
        assert_eq!(by_name("deploy-guard").kinds(), [kinds::K8S_APPLY]);
        let mut skipped_total = 0;
        for (n, sample) in corpus.iter().enumerate() {
            let (action, session) = (&sample.action, &sample.session);
            let got = set.evaluate(action, session);
            let everyone: Vec<PolicyReport> = set
                .loaded()
                .map(|p| PolicyReport::new(p.id().clone(), p.evaluate(action, session)))
                .collect();
            let skipped: Vec<&str> = set
                .loaded()
                .filter(|p| !p.judges(&action.kind))
                .map(|p| p.id().name.as_str())
                .collect();
            let want = combine(everyone, set.escalation_threshold());
            let origin = &sample.origin;
            assert_eq!(
                got.skipped
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>(),
                skipped,
                "{origin}"
            );
            assert_eq!(got.policies.len() + got.skipped.len(), 8, "{origin}");
            assert_eq!(
                (got.evaluation, &got.reason, got.risk),
                (want.evaluation, &want.reason, want.risk),
                "{origin}"
            );
            assert_eq!(
                (&got.rules, &got.labels, &got.counters, &got.redactions),
                (&want.rules, &want.labels, &want.counters, &want.redactions),
                "{origin}"
            );
            skipped_total += got.skipped.len();
            let decision = (
                got.evaluation,
                got.reason,
                got.risk,
                got.rules,
                got.labels,
                got.counters,
                got.redactions,
            );
            if pooled {
                assert_eq!(decision, fresh_decisions[n], "warm instances: {origin}");
            } else {
                fresh_decisions.push(decision);
            }
        }
        assert!(skipped_total > corpus.len(), "{skipped_total}");
    }
}

fn evidence(server: &Server, session: &str) -> Vec<Value> {
    let (status, records) = server.get(&format!("/v1/sessions/{session}/evidence"), Some(REVIEWER));
    assert_eq!(status, 200, "{records}");
    records.as_array().unwrap().clone()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| p.as_str().or(p["name"].as_str()).unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_evidence_names_the_policies_skipped_for_the_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), "");
    let mut text = read(&path);
    for name in ["deploy-guard", "ml-lifecycle"] {
        text.push_str(&format!(
            "[[policy]]\npath = {:?}\n",
            common::component(name)
        ));
    }
    std::fs::write(&path, text).unwrap();
    let server = Server::start(&path);
    let session = server.open_session(json!({}));

    let (status, answer) = server.evaluate(&session, shell("cargo test --workspace"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluation"], "ALLOW", "{answer}");
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {type: Recreate}\n  template:\n    spec:\n      containers: [{name: web, image: 'ghcr.io/acme/web:latest'}]\n";
    let (_, answer) = server.evaluate(
        &session,
        json!({"kind": "k8s.apply", "tool": "mcp__kubernetes__apply", "target": "prod/web",
               "content": manifest, "input": {}}),
    );
    assert_eq!(answer["evaluation"], "DENY", "{answer}");

    let records = evidence(&server, &session);
    assert_eq!(records.len(), 2);
    let (exec, apply) = (&records[0]["policy_matched"], &records[1]["policy_matched"]);
    let (consulted, skipped) = (names(&exec["policies"]), names(&exec["skipped"]));
    for name in ["deploy-guard", "ml-lifecycle", "fs-boundary"] {
        assert!(skipped.contains(&name.to_string()), "{name}: {exec}");
        assert!(!consulted.contains(&name.to_string()), "{name}: {exec}");
    }
    for name in ["shell-guard", "secrets-guard", "exfiltration"] {
        assert!(consulted.contains(&name.to_string()), "{name}: {exec}");
    }
    assert_eq!(consulted.len() + skipped.len(), 6, "{exec}");

    let (consulted, skipped) = (names(&apply["policies"]), names(&apply["skipped"]));
    assert!(consulted.contains(&"deploy-guard".to_string()), "{apply}");
    assert!(
        apply["matched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("deploy-guard/")),
        "{apply}"
    );
    for name in ["ml-lifecycle", "fs-boundary"] {
        assert!(skipped.contains(&name.to_string()), "{name}: {apply}");
    }
    // A manifest's containers run commands: shell-guard judges them.
    assert!(consulted.contains(&"shell-guard".to_string()), "{apply}");
}

//! Secrets are never stored in plaintext, as a user meets it: a running
//! `clawlaw serve` is handed writes of a sample of each kind of credential
//! in the table below (every one of the SDK's own detectors, and the rule
//! set's common service tokens) and of every rule of the rule set that
//! gitleaks' own samples exercise (`corpora/gitleaks`),
//! denied (secrets-guard, which reports redactions) and
//! escalated (by a `clawlaw:policy@0.1.0` component, in a set without
//! secrets-guard, so only the gate's own scan masks); then every byte the
//! gates wrote (data directories, key files, evidence, stdout and stderr at
//! debug level) is searched for every secret. The evidence still verifies,
//! the API shows only masked forms, and the masks' tags are reproducible
//! from the key file.
//!
//! Also: components built against the 0.1.0 contract load and decide on
//! every path (fresh, pooled, pre-initialised).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use clawlaw_engine::contract::ContractVersion;
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::pool::Isolation;
use clawlaw_engine::{Action, Session, Verdict};
use common::server::{AGENT, REVIEWER, Server};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// A token body of `n` characters drawn from `alphabet` by a seeded LCG:
/// random-looking (the detectors want entropy), different per seed, and
/// no real credential.
fn random(seed: u64, n: usize, alphabet: &str) -> String {
    let a: Vec<char> = alphabet.chars().collect();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            a[(x >> 33) as usize % a.len()]
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One sample per kind of credential: the SDK's own detectors (private
/// key, bearer, basic auth, URL credentials, assignments, AWS secret) and
/// the rule set's service tokens. The detector must find each (asserted),
/// and the value it reports is what must never be stored.
fn samples(seed: u64) -> Vec<(&'static str, String)> {
    let r = |n, alphabet| random(seed, n, alphabet);
    let pem_body = format!("{}\n{}", r(64, B64), r(40, B64));
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("deploy:{}", r(14, ALNUM)))
    };
    vec![
        (
            "private-key",
            format!("-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----"),
        ),
        ("aws-access-token", format!("AKIA{}", r(16, UPPER))),
        (
            "aws-secret-key",
            format!("aws_secret_access_key = {}", r(40, B64)),
        ),
        ("github-pat", format!("ghp_{}", r(36, ALNUM))),
        (
            "github-fine-grained-pat",
            format!("github_pat_{}_{}", r(22, ALNUM), r(59, ALNUM)),
        ),
        ("gitlab-pat", format!("glpat-{}", r(20, ALNUM))),
        (
            "slack-bot-token",
            format!("xoxb-2048123456-2048123456789-{}", r(24, ALNUM)),
        ),
        (
            "slack-webhook-url",
            format!(
                "https://hooks.slack.com/services/T0ABC1234/B0ABC5678/{}",
                r(24, ALNUM)
            ),
        ),
        ("stripe-access-token", format!("sk_live_{}", r(24, ALNUM))),
        ("gcp-api-key", format!("key=AIza{}", r(35, ALNUM))),
        (
            "anthropic-api-key",
            format!("sk-ant-api03-{}AA", r(93, ALNUM)),
        ),
        (
            "openai-api-key",
            format!("sk-proj-{}T3BlbkFJ{}", r(74, ALNUM), r(74, ALNUM)),
        ),
        (
            "npm-access-token",
            format!("//registry.npmjs.org/:_authToken=npm_{}", r(36, ALNUM)),
        ),
        (
            "pypi-upload-token",
            format!("pypi-AgEIcHlwaS5vcmc{}", r(60, ALNUM)),
        ),
        (
            "jwt",
            format!(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.{}",
                r(43, ALNUM)
            ),
        ),
        (
            "bearer-token",
            format!("Authorization: Bearer {}", r(32, ALNUM)),
        ),
        ("basic-auth", format!("Authorization: Basic {basic}")),
        (
            "url-credentials",
            format!("postgres://app:{}@db.internal.corp:5432/app", r(16, ALNUM)),
        ),
        (
            "secret-assignment",
            format!("DB_PASSWORD={}!9", r(12, ALNUM)),
        ),
    ]
}

/// One true-positive sample for every rule of the rule set that gitleaks'
/// own samples exercise (`corpora/gitleaks/samples.jsonl`), so each kind
/// secrets-guard knows from the rule set is covered as well as the table's.
/// Samples the detector deliberately leaves alone (placeholders, listed in
/// `corpora/gitleaks/README.md`) are skipped.
fn rule_set_samples() -> Vec<(String, String)> {
    let path = common::workspace_root().join("corpora/gitleaks/samples.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let rule = v["rule"].as_str().unwrap();
        let sample = v["text"].as_str().unwrap();
        if v["expect"] != "positive"
            || seen.contains(rule)
            || clawlaw_sdk::secrets::find(sample).is_empty()
        {
            continue;
        }
        seen.insert(rule.to_string());
        out.push((format!("rule {rule}"), sample.to_string()));
    }
    assert!(out.len() >= 45, "only {} rules have samples", out.len());
    out
}

/// The secret values in `sample`, as the SDK's detector reports them;
/// panics when it finds none (the table is then out of date).
fn secret_values(kind: &str, sample: &str) -> Vec<String> {
    let found = clawlaw_sdk::secrets::find(sample);
    assert!(
        !found.is_empty(),
        "the SDK's detector no longer finds the {kind} sample {sample:?}: update the table"
    );
    found
        .iter()
        .map(|f| sample[f.range.clone()].to_string())
        .collect()
}

fn write(path: &str, content: &str) -> Value {
    json!({"kind": "file.write", "tool": "Write", "target": path, "content": content,
           "cwd": "/work/app", "input": {"file_path": path, "content": content}})
}

/// A gate on `policies` whose stdout and stderr (at debug level) are
/// captured in `logs/` beside its data directory, named after `run`.
fn logged_gate(dir: &Path, run: &str, policies: &[&str]) -> Server {
    let mut text = format!(
        "version = 1\n[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n\n\
         [[auth.token]]\nname = \"claude\"\nrole = \"agent\"\ntoken = \"{AGENT}\"\n\
         [[auth.token]]\nname = \"alice\"\nrole = \"reviewer\"\ntoken = \"{REVIEWER}\"\n",
        dir.join("data")
    );
    for p in policies {
        text.push_str(&format!("[[policy]]\npath = {:?}\n", common::component(p)));
    }
    let config = dir.join("gate.toml");
    std::fs::write(&config, text).unwrap();
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(r#"exec 2>"$2"; exec env RUST_LOG=debug "$0" serve --config "$1" > >(tee "$3")"#)
        .arg(env!("CARGO_BIN_EXE_clawlaw"))
        .arg(&config)
        .arg(logs.join(format!("{run}.stderr.log")))
        .arg(logs.join(format!("{run}.stdout.log")));
    Server::spawn(cmd, &config)
}

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The forms a secret could be stored in: as is, and JSON-escaped.
fn forms(secret: &str) -> Vec<String> {
    let quoted = serde_json::to_string(secret).unwrap();
    let mut forms = vec![secret.to_string(), quoted[1..quoted.len() - 1].to_string()];
    forms.dedup();
    forms
}

fn tag(key: &[u8], value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())[..16].to_string()
}

#[test]
fn no_secret_is_stored_or_shown_in_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let (denying_dir, escalating_dir) = (dir.path().join("deny"), dir.path().join("escalate"));
    std::fs::create_dir_all(&denying_dir).unwrap();
    std::fs::create_dir_all(&escalating_dir).unwrap();
    let mut denying = logged_gate(
        &denying_dir,
        "first",
        &[
            "fs-boundary",
            "shell-guard",
            "secrets-guard",
            "exfiltration",
        ],
    );
    let escalating_set = ["fs-boundary", "shell-guard", "legacy-policy"];
    let mut escalating = logged_gate(&escalating_dir, "first", &escalating_set);
    let scope = json!({"intent": "configure the app", "scope": {"roots": ["/work/app"]}});
    let (deny_session, esc_session) = (
        denying.open_session(scope.clone()),
        escalating.open_session(scope),
    );

    let mut secrets: Vec<(String, String)> = Vec::new();
    let mut reviews = Vec::new();
    let every_kind = samples(1)
        .into_iter()
        .map(|(kind, sample)| (kind.to_string(), sample))
        .chain(rule_set_samples());
    for (i, (kind, sample)) in every_kind.enumerate() {
        let values = secret_values(&kind, &sample);
        let content = format!("# settings {i}\n{sample}\n");

        let (status, denied) =
            denying.evaluate(&deny_session, write("/work/app/settings.txt", &content));
        assert_eq!(
            (status, denied["evaluation"].as_str()),
            (200, Some("DENY")),
            "{kind}: {denied}"
        );
        assert!(
            denied["rules"]
                .to_string()
                .contains("secrets-guard/secrets.leak"),
            "{kind}: {denied}"
        );

        let path = format!("/work/app/app{i}.conf");
        let (status, escalated) = escalating.evaluate(&esc_session, write(&path, &content));
        assert_eq!(
            (status, escalated["evaluation"].as_str()),
            (200, Some("ESCALATE")),
            "{kind}: {escalated}"
        );
        reviews.push((
            path,
            content,
            escalated["review_id"].as_str().unwrap().to_string(),
        ));
        for v in values {
            secrets.push((kind.clone(), v));
        }
    }

    // The API shows masked forms only: the evidence, the reviews.
    let key = std::fs::read(escalating_dir.join("data").join("redaction.key")).unwrap();
    assert_eq!(key.len(), 32);
    let (_, evidence) = escalating.get(
        &format!("/v1/sessions/{esc_session}/evidence"),
        Some(REVIEWER),
    );
    let (_, pending) = escalating.get("/v1/reviews?status=pending", Some(REVIEWER));
    let (_, denied_evidence) = denying.get(
        &format!("/v1/sessions/{deny_session}/evidence"),
        Some(REVIEWER),
    );
    for (kind, secret) in &secrets {
        for shown in [&evidence, &pending, &denied_evidence] {
            assert!(
                !shown.to_string().contains(secret.as_str()),
                "{kind} shown by the API"
            );
        }
    }
    // The mask's tag is HMAC-SHA256 of the value under the key file's key.
    let (kind, github) = secrets.iter().find(|(k, _)| k == "github-pat").unwrap();
    let mask = format!("[redacted: {kind} hmac:{}]", tag(&key, github));
    let records = evidence.as_array().unwrap();
    let record = records
        .iter()
        .find(|r| r["proposed_action"]["target"] == "/work/app/app3.conf")
        .unwrap_or_else(|| panic!("the github-pat write in {evidence}"));
    assert!(
        record["proposed_action"]["content"]
            .as_str()
            .unwrap()
            .contains(&mask),
        "{record}"
    );
    assert!(
        record["proposed_action"]["input"]["content"]
            .as_str()
            .unwrap()
            .contains(&mask),
        "{record}"
    );
    assert_eq!(
        pending.as_array().unwrap().len(),
        reviews.len(),
        "{pending}"
    );

    // A reviewer approves one; after a restart (the state rebuilt from the
    // masked log) the agent proposes the same write again and the approval
    // lets it through: it binds the plaintext action by a keyed digest the
    // record keeps. Then the agent reports an outcome that echoes the secret.
    let (path, content, review) = &reviews[3];
    let (status, approved) = escalating.post(
        &format!("/v1/reviews/{review}/approve"),
        Some(REVIEWER),
        &json!({"reason": "rotating the token"}),
    );
    assert_eq!(status, 200, "{approved}");
    assert!(
        !approved.to_string().contains(github.as_str()),
        "{approved}"
    );
    assert_eq!(escalating.stop(), 0);
    let mut escalating = logged_gate(&escalating_dir, "restarted", &escalating_set);
    let (_, again) = escalating.evaluate(&esc_session, write(path, content));
    assert_eq!(again["evaluation"], "ALLOW", "{again}");
    let action = again["action_id"].as_str().unwrap();
    let (status, _) = escalating.post(
        &format!("/v1/sessions/{esc_session}/actions/{action}/outcome"),
        Some(AGENT),
        &json!({"exit_code": 0, "stdout": format!("wrote {content}")}),
    );
    assert_eq!(status, 204);

    assert_eq!(denying.stop(), 0);
    assert_eq!(escalating.stop(), 0);

    // Every byte either gate wrote, logs included.
    let mut all = Vec::new();
    files(dir.path(), &mut all);
    let logs = all
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".log"))
        .count();
    assert_eq!(logs, 6, "stdout and stderr of three runs");
    assert!(
        all.iter()
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .count()
            >= 2
    );
    for file in &all {
        if file.ends_with("gate.toml") {
            continue;
        }
        let bytes = std::fs::read(file).unwrap();
        for (kind, secret) in &secrets {
            for form in forms(secret) {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                    "the {kind} secret is in {} in plaintext",
                    file.display()
                );
            }
        }
    }

    for gate_dir in [&denying_dir, &escalating_dir] {
        let evidence = gate_dir.join("data").join("evidence");
        let out = Command::new(env!("CARGO_BIN_EXE_clawlaw"))
            .args(["evidence", "verify"])
            .arg(&evidence)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The default limits with a deadline a loaded 2-core machine meets (this
/// test runs beside two gates; the deadline is not what it tests).
fn limits() -> Limits {
    Limits {
        deadline_ms: 5_000,
        ..Limits::default()
    }
}

#[test]
fn an_old_contract_component_loads_and_decides_on_every_path() {
    let bytes = std::fs::read(common::component("legacy-policy")).unwrap();
    let write = |path: &str, content: &str| Action::write(path, content);
    let session = Session::default();
    for engine in [common::engine(), common::plain_engine()] {
        for isolation in [Isolation::Fresh, Isolation::Pooled { recycle_after: 3 }] {
            let policy = LoadedPolicy::load(&engine, &bytes, "{}".into(), limits())
                .unwrap()
                .with_isolation(isolation);
            assert_eq!(policy.contract(), ContractVersion::V0_1);
            assert_eq!(policy.is_preinitialized(), engine.preinitialize());
            assert_eq!(policy.id().name, "legacy-policy");
            for _ in 0..4 {
                let d = policy
                    .evaluate(&write("/w/a.txt", "ok\nFORBIDDEN here\n"), &session)
                    .decision
                    .unwrap();
                assert_eq!(d.verdict, Verdict::Deny);
                assert_eq!(d.rules, ["legacy.forbidden"]);
                assert_eq!(
                    d.reason,
                    "the content holds a forbidden line: FORBIDDEN here"
                );
                assert!(d.redactions.is_empty());
                let d = policy
                    .evaluate(&write("/w/a.conf", "x=1"), &session)
                    .decision
                    .unwrap();
                assert_eq!(
                    (d.verdict, d.counters),
                    (Verdict::Escalate, vec![("legacy.seen".into(), 1)])
                );
                let d = policy
                    .evaluate(&write("/w/a.txt", "x=1"), &session)
                    .decision
                    .unwrap();
                assert_eq!(d.verdict, Verdict::Allow);
            }
        }
        let err = LoadedPolicy::load(&engine, &bytes, r#"{"x":1}"#.into(), limits())
            .err()
            .unwrap();
        assert!(err.to_string().contains("takes no settings"), "{err}");
    }

    // A current (0.4.0) component, loaded by the same engine, reports its redactions.
    let current = std::fs::read(common::component("secrets-guard")).unwrap();
    let policy = LoadedPolicy::load(&common::engine(), &current, "{}".into(), limits()).unwrap();
    assert_eq!(policy.contract(), ContractVersion::V0_4);
    let token = format!("ghp_{}", random(7, 36, ALNUM));
    let content = format!("GH={token}\n");
    let d = policy
        .evaluate(&write("/w/a.sh", &content), &session)
        .decision
        .unwrap();
    assert_eq!(d.verdict, Verdict::Deny);
    let r = d
        .redactions
        .iter()
        .find(|r| r.field == "content")
        .expect("a content redaction");
    assert_eq!(&content[r.start as usize..r.end as usize], token);
}

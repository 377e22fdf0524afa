//! secrets-guard against gitleaks' own rule samples (`corpora/gitleaks/`):
//! every sample is written as the content of a `file.write` through the
//! policy, natively; a true positive should be denied as `secrets.leak`, a
//! false-positive sample allowed. The test prints recall and the
//! false-positive rate and holds them to recall >= 90% and false positives
//! <= 10%. `cargo xtask corpus` runs it with `--nocapture`.
//!
//! The samples are data read from the repository: no network.

use clawlaw_sdk::{Action, Session, Verdict};
use secrets_guard::SecretsGuard;
use serde::Deserialize;

#[derive(Deserialize)]
struct Sample {
    rule: String,
    expect: Expect,
    text: String,
}

#[derive(Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Expect {
    Positive,
    Negative,
}

fn samples() -> Vec<Sample> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpora/gitleaks/samples.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1))
        })
        .collect()
}

/// Whether the policy denies writing `text` as a leak.
fn flagged(text: &str) -> bool {
    let action = Action::write("/work/app/src/config.txt", text).in_dir("/work/app");
    let d = clawlaw_sdk::evaluate_json::<SecretsGuard>("", &action, &Session::default());
    d.verdict == Verdict::Deny && d.rules.iter().any(|r| r == "secrets.leak")
}

fn percent(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

#[test]
fn gitleaks_corpus() {
    let samples = samples();
    let (mut positives, mut caught, mut negatives, mut false_alarms) = (0, 0, 0, 0);
    let mut missed_rules = Vec::new();
    let mut alarm_rules = Vec::new();
    for s in &samples {
        let hit = flagged(&s.text);
        match s.expect {
            Expect::Positive => {
                positives += 1;
                if hit {
                    caught += 1;
                } else {
                    missed_rules.push(s.rule.as_str());
                }
            }
            Expect::Negative => {
                negatives += 1;
                if hit {
                    false_alarms += 1;
                    alarm_rules.push(s.rule.as_str());
                }
            }
        }
    }
    println!(
        "gitleaks corpus: recall {caught}/{positives} ({:.1}%), false positives {false_alarms}/{negatives} ({:.1}%)",
        percent(caught, positives),
        percent(false_alarms, negatives),
    );
    println!("  missed (rule of the sample): {}", missed_rules.join(", "));
    println!(
        "  false positives (rule of the sample): {}",
        alarm_rules.join(", ")
    );
    assert!(positives > 200 && negatives > 200, "the corpus is complete");
    assert!(percent(caught, positives) >= 90.0, "recall under 90%");
    assert!(
        percent(false_alarms, negatives) <= 10.0,
        "false positives over 10%"
    );
}

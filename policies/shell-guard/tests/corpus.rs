//! shell-guard against the regression corpus of destructive_command_guard
//! (dcg), vendored in `corpora/dcg/` (MIT; see its README for the commit).
//!
//! Every case with a command and an expectation runs as a `shell.exec`
//! action in `/work/app` through the policy natively. A must-block command
//! counts as caught when the policy denies or escalates it; a must-allow
//! command counts as a false positive when it does either. Cases where
//! clawlaw disagrees with dcg on purpose are listed in [`DISAGREEMENTS`],
//! printed, and left out of both ratios.
//!
//! Run `cargo test -p shell-guard --test corpus -- --nocapture` to see the
//! figures and every miss.

use std::fs;
use std::path::{Path, PathBuf};

use clawlaw_sdk::{Action, Session, Verdict, evaluate_json};
use serde::Deserialize;
use shell_guard::ShellGuard;

/// Recall on must-block commands must reach this, in percent.
const MIN_RECALL: f64 = 97.0;
/// False positives on must-allow commands must stay at or below this, in percent.
const MAX_FALSE_POSITIVES: f64 = 2.0;

/// Cases where clawlaw's answer differs from dcg's on purpose: the case id
/// (`file#index`, the index counting `[[case]]` tables from 0) and why.
const DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "canonical.toml#28",
        "rmtree of /tmp/demo is scratch, like `rm -rf /tmp/build`, which dcg allows too",
    ),
    (
        "canonical.toml#29",
        "rmtree of /tmp/demo is scratch, like `rm -rf /tmp/build`, which dcg allows too",
    ),
    (
        "edge_cases/multi_segment.toml#20",
        "`rm -rf` with no operand deletes nothing",
    ),
    (
        "true_positives/rm_destructive.toml#5",
        "deleting ./build inside the workspace is routine; the whole workspace escalates",
    ),
    (
        "edge_cases/future_packs.toml#0",
        "dcg has no containers pack yet; a prune deletes every stopped container and unused image",
    ),
    (
        "edge_cases/future_packs.toml#1",
        "dcg has no containers pack yet; a prune deletes every stopped container and unused image",
    ),
    (
        "edge_cases/future_packs.toml#2",
        "dcg has no kubernetes pack yet; deleting a namespace deletes everything in it",
    ),
    (
        "edge_cases/future_packs.toml#3",
        "dcg has no kubernetes pack yet; `delete all --all` deletes every object",
    ),
    (
        "false_positives/git_safe.toml#24",
        "clawlaw escalates anything run through sudo (rule shell.privileged)",
    ),
];

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    command: Option<String>,
    expected: Option<String>,
    expected_decision: Option<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpora/dcg")
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "toml") {
            out.push(path);
        }
    }
}

/// Whether shell-guard blocks (denies or escalates) `command`.
fn blocked(command: &str) -> (bool, String) {
    let action = Action::shell(command).in_dir("/work/app");
    let d = evaluate_json::<ShellGuard>("{}", &action, &Session::default());
    (d.verdict != Verdict::Allow, d.reason)
}

#[test]
fn dcg_corpus() {
    let root = corpus_dir();
    let mut files = Vec::new();
    toml_files(&root, &mut files);
    assert!(files.len() >= 10, "the vendored corpus is missing");
    let (mut must_block, mut caught, mut must_allow, mut false_pos) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    let mut disagreed = Vec::new();
    let mut seen_disagreements = Vec::new();
    // Disagreements: (must-block caught, must-block, must-allow blocked, must-allow).
    let mut raw = (0, 0, 0, 0);
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        let text = fs::read_to_string(path).unwrap();
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for (k, case) in file.case.iter().enumerate() {
            let (Some(command), Some(expected)) = (
                case.command.as_deref(),
                case.expected
                    .as_deref()
                    .or(case.expected_decision.as_deref()),
            ) else {
                continue;
            };
            let id = format!("{rel}#{k}");
            let block = match expected {
                "deny" => true,
                "allow" => false,
                other => panic!("{id}: unknown expectation {other:?}"),
            };
            let (got, reason) = blocked(command);
            if let Some((_, why)) = DISAGREEMENTS.iter().find(|(d, _)| *d == id) {
                seen_disagreements.push(id.clone());
                if block {
                    raw = (raw.0 + usize::from(got), raw.1 + 1, raw.2, raw.3);
                } else {
                    raw = (raw.0, raw.1, raw.2 + usize::from(got), raw.3 + 1);
                }
                disagreed.push(format!(
                    "  {id} dcg={expected} clawlaw={} `{command}`: {why}",
                    if got { "block" } else { "allow" }
                ));
                continue;
            }
            if block {
                must_block += 1;
                if got {
                    caught += 1;
                } else {
                    misses.push(format!("  missed   {id} `{command}`"));
                }
            } else {
                must_allow += 1;
                if got {
                    false_pos += 1;
                    misses.push(format!("  blocked  {id} `{command}`: {reason}"));
                }
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    let recall = pct(caught, must_block);
    let fp = pct(false_pos, must_allow);
    println!(
        "dcg corpus: recall {caught}/{must_block} ({recall:.1}%), false positives {false_pos}/{must_allow} ({fp:.1}%)"
    );
    let (raw_caught, raw_block) = (caught + raw.0, must_block + raw.1);
    let (raw_fp, raw_allow) = (false_pos + raw.2, must_allow + raw.3);
    println!(
        "counting the disagreements against clawlaw: recall {raw_caught}/{raw_block} ({:.1}%), false positives {raw_fp}/{raw_allow} ({:.1}%)",
        pct(raw_caught, raw_block),
        pct(raw_fp, raw_allow)
    );
    for m in &misses {
        println!("{m}");
    }
    println!(
        "deliberate disagreements ({}), not counted:",
        disagreed.len()
    );
    for d in &disagreed {
        println!("{d}");
    }
    for (id, _) in DISAGREEMENTS {
        assert!(
            seen_disagreements.iter().any(|s| s == id),
            "disagreement {id} names no case in the corpus"
        );
    }
    assert!(must_block >= 80 && must_allow >= 200, "too few cases read");
    assert!(
        recall >= MIN_RECALL,
        "recall {recall:.1}% is below {MIN_RECALL}%"
    );
    assert!(
        fp <= MAX_FALSE_POSITIVES,
        "false positives {fp:.1}% exceed {MAX_FALSE_POSITIVES}%"
    );
}

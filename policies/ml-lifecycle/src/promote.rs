//! `model.promote`: a passing evaluation artefact, a provenance link from the
//! training run to that evaluation, and a review.

use clawlaw_sdk::{Decision, Session, Verdict};
use serde_json::{Map, Value};

use crate::{
    AFTER_ANOMALY, ANOMALY_LABEL, EVALUATION_FAILED, Findings, NO_EVALUATION, NO_PROVENANCE,
    REJECTED, REVIEW, Settings, field_str, invalid,
};

pub fn evaluate(s: &Settings, input: &Map<String, Value>, session: &Session) -> Decision {
    let model = field_str(input, "model").unwrap_or("the model");
    let mut f = Findings::default();
    let run = match text(input, "training_run") {
        Ok(r) => r,
        Err(d) => return d,
    };

    match input.get("evaluation") {
        None | Some(Value::Null) => f.add(
            Verdict::Deny,
            NO_EVALUATION,
            format!("promoting {model} with no evaluation artefact"),
        ),
        Some(Value::Object(eval)) => {
            evaluation(s, model, eval, &mut f);
            provenance(input, run, eval, &mut f);
        }
        Some(other) => {
            return invalid(format!(
                "`evaluation` is a {}, not the evaluation artefact's record",
                crate::type_name(other)
            ));
        }
    }

    // A run's anomaly, or one reported without a run id, taints the promotion.
    let anomalous = match run {
        Some(r) => {
            session.has_label(&crate::anomaly_label(Some(r)))
                || session.has_label(&crate::anomaly_label(None))
        }
        None => session.has_label(ANOMALY_LABEL),
    };
    if anomalous {
        f.add(
            Verdict::Escalate,
            AFTER_ANOMALY,
            format!(
                "the training run{} reported a loss anomaly in this session (ANOMALY state)",
                run.map(|r| format!(" {r}")).unwrap_or_default()
            ),
        );
    }

    review(s, model, input, &mut f);
    f.decide(format!(
        "promotion of {model} is evaluated, traced and reviewed"
    ))
}

/// A string field that may be absent; any other type is malformed.
fn text<'a>(input: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Decision> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim())),
        Some(Value::String(_)) => Ok(None),
        Some(other) => Err(invalid(format!(
            "`{key}` is a {}, not a string",
            crate::type_name(other)
        ))),
    }
}

fn evaluation(s: &Settings, model: &str, eval: &Map<String, Value>, f: &mut Findings) {
    let id = field_str(eval, "id").unwrap_or("the evaluation");
    let passed = eval.get("passed");
    if passed == Some(&Value::Bool(false)) {
        f.add(
            Verdict::Deny,
            EVALUATION_FAILED,
            format!("{id} of {model} did not pass"),
        );
        return;
    }
    let metrics = eval.get("metrics").and_then(Value::as_object);
    // An evaluation marked skipped evaluated nothing, whatever it claims.
    if eval.get("skipped") == Some(&Value::Bool(true)) {
        f.add(
            Verdict::Deny,
            EVALUATION_FAILED,
            format!("{id} of {model} was skipped: nothing was evaluated"),
        );
        return;
    }
    // (metric, bound, at least?, whose bound)
    let mut bounds: Vec<(&str, f64, bool, &str)> = Vec::new();
    for (name, bound) in &s.min_metrics {
        bounds.push((name, *bound, true, "required minimum"));
    }
    for (name, bound) in &s.max_metrics {
        bounds.push((name, *bound, false, "allowed maximum"));
    }
    // The artefact's own thresholds: `{"auc": 0.85}` means auc >= 0.85.
    if let Some(Value::Object(th)) = eval.get("thresholds") {
        for (name, bound) in th {
            match bound.as_f64() {
                Some(b) => bounds.push((name, b, true, "artefact's threshold")),
                None => f.add(
                    Verdict::Deny,
                    EVALUATION_FAILED,
                    format!("{id}: threshold {name} is not a number"),
                ),
            }
        }
    }
    let checked = bounds.len();
    for (name, bound, at_least, from) in bounds {
        match metrics.and_then(|m| m.get(name)).and_then(Value::as_f64) {
            None => f.add(
                Verdict::Deny,
                EVALUATION_FAILED,
                format!("{id} reports no {name}, which the {from} requires"),
            ),
            Some(v) if (at_least && v < bound) || (!at_least && v > bound) => f.add(
                Verdict::Deny,
                EVALUATION_FAILED,
                format!(
                    "{id}: {name} {v} is {} the {from} {bound}",
                    if at_least { "below" } else { "above" }
                ),
            ),
            Some(_) => {}
        }
    }
    if passed != Some(&Value::Bool(true)) && checked == 0 {
        f.add(
            Verdict::Deny,
            EVALUATION_FAILED,
            format!("{id} records no pass: neither `passed: true` nor thresholds to meet"),
        );
    }
}

/// The evaluation must name the training run the promotion names (and the
/// same model digest, when both give one).
fn provenance(
    input: &Map<String, Value>,
    run: Option<&str>,
    eval: &Map<String, Value>,
    f: &mut Findings,
) {
    let id = field_str(eval, "id").unwrap_or("the evaluation");
    let evaluated = field_str(eval, "training_run");
    match (run, evaluated) {
        (None, _) => f.add(
            Verdict::Deny,
            NO_PROVENANCE,
            "the promotion names no `training_run`, so the model cannot be traced to its training",
        ),
        (Some(_), None) => f.add(
            Verdict::Deny,
            NO_PROVENANCE,
            format!("{id} names no `training_run`: nothing links it to the trained model"),
        ),
        (Some(r), Some(e)) if r != e => f.add(
            Verdict::Deny,
            NO_PROVENANCE,
            format!("{id} evaluated training run {e}, not {r}, the one being promoted"),
        ),
        _ => {}
    }
    if let (Some(a), Some(b)) = (
        field_str(input, "model_digest"),
        field_str(eval, "model_digest"),
    ) && a != b
    {
        f.add(
            Verdict::Deny,
            NO_PROVENANCE,
            format!("{id} evaluated model {b}, not {a}, the one being promoted"),
        );
    }
}

fn review(s: &Settings, model: &str, input: &Map<String, Value>, f: &mut Findings) {
    let Some(Value::Object(r)) = input.get("review") else {
        f.add(
            Verdict::Escalate,
            REVIEW,
            format!("promoting {model} needs a review; none is recorded"),
        );
        return;
    };
    let verdict = field_str(r, "verdict").map(str::to_ascii_lowercase);
    let reviewer = field_str(r, "reviewer");
    match (verdict.as_deref(), reviewer) {
        (Some("rejected" | "denied" | "deny" | "reject"), who) => f.add(
            Verdict::Deny,
            REJECTED,
            format!(
                "{} rejected the promotion of {model}",
                who.unwrap_or("a reviewer")
            ),
        ),
        (Some("approved" | "approve"), Some(who)) => {
            if let Some(what) = not_a_person(who) {
                f.add(
                    Verdict::Escalate,
                    REVIEW,
                    format!("the approval of {model} is by {who}, {what}: a review needs a person"),
                );
            } else if !s.reviewers.is_empty() && !s.reviewers.iter().any(|x| x == who) {
                f.add(
                    Verdict::Escalate,
                    REVIEW,
                    format!("{who} is not one of the configured reviewers"),
                );
            }
        }
        _ => f.add(
            Verdict::Escalate,
            REVIEW,
            format!("the review of {model} has no approved verdict with a named reviewer"),
        ),
    }
}

/// Whether a reviewer's name is an agent's, a bot's or a pipeline's
/// (`claude-agent`, `ci-bot`, `release-pipeline`, `github-actions[bot]`):
/// what it is, if so.
fn not_a_person(who: &str) -> Option<&'static str> {
    let lower = who.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if has(&[
        "claude",
        "codex",
        "gemini",
        "copilot",
        "cursor",
        "agent",
        "llm",
        "gpt",
        "assistant",
    ]) {
        Some("an AI agent")
    } else if has(&[
        "bot",
        "pipeline",
        "ci",
        "cd",
        "automation",
        "auto",
        "actions",
        "jenkins",
        "system",
        "svc",
    ]) {
        Some("an automated account")
    } else {
        None
    }
}

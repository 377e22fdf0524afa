//! ml-lifecycle: the governed ML lifecycle — training jobs are reproducible,
//! pinned, leak-free and within budget; a loss anomaly stops for a human;
//! a model is promoted only on a passing, traceable, reviewed evaluation.
//!
//! Acts on `train.submit`, `train.step` and `model.promote`; every other kind
//! is allowed with no rule. Each action's tool input (`input`, a JSON
//! object) carries the fields below; `target` may name the job or model and
//! is only shown. An input that is not an object, or a field of the wrong
//! type, is denied (`ml.input-invalid`).
//!
//! ## `train.submit`
//!
//! ```json
//! { "job": "churn-train", "run_id": "run-42",
//!   "seed": 1234,                                    // or hyperparameters.seed / config.seed
//!   "requirements": ["torch==2.3.1", "scikit-learn==1.5.0"],   // or requirements.txt text
//!   "image": "ghcr.io/acme/trainer:2.3.1",           // optional, digest or version tag
//!   "target": "churned",                             // the label column
//!   "pipeline": ["load", "split", {"op": "target_encode", "columns": ["plan"]}, "train"],
//!   "resources": { "gpus": 4, "gpu_hours": 12 },
//!   "parameters": 350000000 }
//! ```
//!
//! - no integer seed → DENY `ml.train.no-seed` (R8);
//! - a requirement not at one exact version (`==`/`===`; a direct reference
//!   needs a hash or a commit), `-r`/`-e` includes, an image with `:latest`
//!   or no tag, or no environment declared at all → DENY `ml.train.unpinned`
//!   (R12);
//! - in the declared `pipeline`, a target-dependent step (`uses_target: true`,
//!   an op in [`train::TARGET_OPS`] or `target_ops`, or a step whose
//!   `columns`/`inputs`/`features` name the `target`) before the first split
//!   step ([`train::SPLIT_OPS`] or `split_ops`), or with no split at all →
//!   DENY `ml.train.leakage` (R4);
//! - GPUs, GPU hours or parameters over the budget, or the session's GPU hours
//!   (counter `ml.gpu_hours`, which each allowed submit adds to) over the
//!   session budget → ESCALATE `ml.train.over-budget` (DENY with
//!   `"over_budget": "deny"`); no `resources` while a compute budget is set
//!   → ESCALATE.
//!
//! ## `train.step`
//!
//! ```json
//! { "run_id": "run-42", "step": 1200, "loss": 9.7, "loss_history": [0.52, 0.50, 0.49, 0.47] }
//! ```
//!
//! A loss anomaly → ESCALATE `ml.anomaly`, and the session is labelled
//! `ml.anomaly` and `ml.anomaly:<run_id>` (the ANOMALY state). An anomaly is:
//! the report says so (`"anomaly": true`, or `"state"`/`"status"`
//! `"ANOMALY"`); the loss is not finite (`"nan"`, `"inf"` spelt as strings);
//! or it is over `spike_factor` × the median of `loss_history` (the recent
//! losses, oldest first, which the reporter sends: the session view keeps no
//! numbers per run), given at least `min_history` of them. A report with no
//! `loss` and no anomaly is malformed.
//!
//! ## `model.promote`
//!
//! ```json
//! { "model": "churn-clf", "version": "7", "stage": "production",
//!   "training_run": "run-42", "model_digest": "sha256:…",
//!   "evaluation": { "id": "eval-9", "training_run": "run-42", "model_digest": "sha256:…",
//!                   "passed": true, "metrics": { "auc": 0.91 }, "thresholds": { "auc": 0.85 } },
//!   "review": { "verdict": "approved", "reviewer": "alice" } }
//! ```
//!
//! - no `evaluation` record → DENY `ml.promote.no-evaluation`;
//! - `passed: false`, a metric below its threshold (the artefact's
//!   `thresholds`, the settings' `min_metrics`) or above a `max_metrics`, a
//!   required metric missing, neither `passed: true` nor a threshold, or an
//!   evaluation marked `skipped` → DENY `ml.promote.evaluation-failed`;
//! - the promotion names no `training_run`, the evaluation names none or
//!   another, or the model digests differ → DENY `ml.promote.no-provenance`;
//! - a rejected review → DENY `ml.promote.rejected`;
//! - no review with verdict `approved` and a named `reviewer` (one of
//!   `reviewers`, when set; a person, not an AI agent, bot or pipeline
//!   account by its name: `claude-agent`, `ci-bot`, `release-pipeline`) →
//!   ESCALATE `ml.promote.review`: the gate's review queue is then where the
//!   principal decides;
//! - the run is in the ANOMALY state in this session → ESCALATE
//!   `ml.promote.after-anomaly`, even with a review.
//!
//! ## Settings (all optional)
//!
//! ```json
//! {
//!   "min_metrics": { "auc": 0.8 },    // every evaluation must reach these
//!   "max_metrics": { "log_loss": 0.5 },
//!   "reviewers": ["alice", "bob"],    // empty: any named reviewer
//!   "budget": { "max_gpus": 8, "max_gpu_hours": 100, "max_parameters": 10000000000,
//!               "max_session_gpu_hours": 500 },   // null lifts a limit
//!   "over_budget": "escalate",        // or "deny"
//!   "split_ops": [], "target_ops": [],  // added to the default op names
//!   "spike_factor": 3.0, "min_history": 3
//! }
//! ```

// Readers return `Err(Decision)` to deny early; a decision (with its
// redactions) is 128 bytes, and boxing each early answer buys nothing.
#![allow(clippy::result_large_err)]

mod promote;
mod requirements;
mod step;
pub mod train;

pub use requirements::{image_unpinned, unpinned};

use std::collections::BTreeMap;

use clawlaw_sdk::{Action, Decision, Info, Policy, Session, SessionPart, Verdict, kinds};
use serde::Deserialize;
use serde_json::{Map, Value};

pub const NO_SEED: &str = "ml.train.no-seed";
pub const UNPINNED: &str = "ml.train.unpinned";
pub const LEAKAGE: &str = "ml.train.leakage";
pub const OVER_BUDGET: &str = "ml.train.over-budget";
pub const ANOMALY: &str = "ml.anomaly";
pub const NO_EVALUATION: &str = "ml.promote.no-evaluation";
pub const EVALUATION_FAILED: &str = "ml.promote.evaluation-failed";
pub const NO_PROVENANCE: &str = "ml.promote.no-provenance";
pub const REVIEW: &str = "ml.promote.review";
pub const REJECTED: &str = "ml.promote.rejected";
pub const AFTER_ANOMALY: &str = "ml.promote.after-anomaly";
pub const INPUT_INVALID: &str = "ml.input-invalid";

/// The session label of the ANOMALY state.
pub const ANOMALY_LABEL: &str = "ml.anomaly";
/// The session counter of GPU hours submitted.
pub const GPU_HOURS_COUNTER: &str = "ml.gpu_hours";

/// The label marking one run's anomaly (`ml.anomaly:<run>`, or
/// `ml.anomaly:unnamed` for a report without a run id).
pub fn anomaly_label(run: Option<&str>) -> String {
    format!("{ANOMALY_LABEL}:{}", run.unwrap_or("unnamed"))
}

/// The policy.
pub struct MlLifecycle;

/// What an over-budget job gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Response {
    Escalate,
    Deny,
}

impl Response {
    pub fn verdict(self) -> Verdict {
        match self {
            Response::Escalate => Verdict::Escalate,
            Response::Deny => Verdict::Deny,
        }
    }
}

/// Compute and parameter limits of one job, and of the session; `None`
/// lifts a limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    pub max_gpus: Option<f64>,
    pub max_gpu_hours: Option<f64>,
    pub max_parameters: Option<f64>,
    pub max_session_gpu_hours: Option<f64>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_gpus: Some(8.0),
            max_gpu_hours: Some(100.0),
            max_parameters: Some(10e9),
            max_session_gpu_hours: Some(500.0),
        }
    }
}

/// ml-lifecycle's settings (see the crate documentation).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub min_metrics: BTreeMap<String, f64>,
    pub max_metrics: BTreeMap<String, f64>,
    pub reviewers: Vec<String>,
    pub budget: Budget,
    pub over_budget: Response,
    pub split_ops: Vec<String>,
    pub target_ops: Vec<String>,
    pub spike_factor: f64,
    pub min_history: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            min_metrics: BTreeMap::new(),
            max_metrics: BTreeMap::new(),
            reviewers: Vec::new(),
            budget: Budget::default(),
            over_budget: Response::Escalate,
            split_ops: Vec::new(),
            target_ops: Vec::new(),
            spike_factor: 3.0,
            min_history: 3,
        }
    }
}

impl Policy for MlLifecycle {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("ml-lifecycle", env!("CARGO_PKG_VERSION"))
            .rule(
                NO_SEED,
                "Deny training jobs without a fixed random seed (R8)",
            )
            .rule(
                UNPINNED,
                "Deny training jobs with unpinned requirements or image (R12)",
            )
            .rule(
                LEAKAGE,
                "Deny pipelines with a target-dependent transform before the train/test split (R4)",
            )
            .rule(
                OVER_BUDGET,
                "Escalate (or deny) training jobs over their compute or parameter budget",
            )
            .rule(
                ANOMALY,
                "Escalate a training step reporting a loss anomaly (the ANOMALY state)",
            )
            .rule(
                NO_EVALUATION,
                "Deny a model promotion with no evaluation artefact",
            )
            .rule(
                EVALUATION_FAILED,
                "Deny a model promotion whose evaluation did not pass",
            )
            .rule(
                NO_PROVENANCE,
                "Deny a model promotion not linked from its training run to its evaluation",
            )
            .rule(REVIEW, "Escalate a model promotion with no approved review")
            .rule(REJECTED, "Deny a model promotion a reviewer rejected")
            .rule(
                AFTER_ANOMALY,
                "Escalate promoting a model whose training run hit a loss anomaly",
            )
            .rule(INPUT_INVALID, "Deny ML actions whose input is malformed")
            // `evaluate` allows every other kind outright, and no kind
            // implies these: the gate need not consult it on the rest.
            .judging(&[kinds::TRAIN_SUBMIT, kinds::TRAIN_STEP, kinds::MODEL_PROMOTE])
            // Anomaly labels hold a promotion; the GPU-hours counter, a submission.
            .reading(&[SessionPart::Labels, SessionPart::Counters])
    }

    fn validate(s: &Settings) -> Result<(), String> {
        for (name, map) in [
            ("min_metrics", &s.min_metrics),
            ("max_metrics", &s.max_metrics),
        ] {
            if let Some((k, v)) = map.iter().find(|(k, v)| k.is_empty() || !v.is_finite()) {
                return Err(format!("{name}: {k:?} = {v} is not a metric bound"));
            }
        }
        let b = &s.budget;
        for (name, v) in [
            ("budget.max_gpus", b.max_gpus),
            ("budget.max_gpu_hours", b.max_gpu_hours),
            ("budget.max_parameters", b.max_parameters),
            ("budget.max_session_gpu_hours", b.max_session_gpu_hours),
        ] {
            if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(format!("{name} must be a non-negative number or null"));
            }
        }
        if !(s.spike_factor.is_finite() && s.spike_factor > 1.0) {
            return Err("spike_factor must be a number above 1".into());
        }
        if s.min_history == 0 {
            return Err("min_history must be at least 1".into());
        }
        if let Some(r) = s.reviewers.iter().find(|r| r.trim().is_empty()) {
            return Err(format!("reviewers: {r:?} is not a name"));
        }
        for (name, ops) in [("split_ops", &s.split_ops), ("target_ops", &s.target_ops)] {
            if ops.iter().any(|o| o.trim().is_empty()) {
                return Err(format!("{name}: an op name is empty"));
            }
        }
        Ok(())
    }

    fn evaluate(s: &Settings, action: &Action, session: &Session) -> Decision {
        let kind = action.kind.as_str();
        if ![kinds::TRAIN_SUBMIT, kinds::TRAIN_STEP, kinds::MODEL_PROMOTE].contains(&kind) {
            return Decision::allow();
        }
        let input = match serde_json::from_str::<Value>(if action.input.trim().is_empty() {
            "{}"
        } else {
            &action.input
        }) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return invalid(format!(
                    "the {kind} input is a {}, not an object",
                    type_name(&other)
                ));
            }
            Err(e) => return invalid(format!("the {kind} input is not JSON: {e}")),
        };
        match kind {
            kinds::TRAIN_SUBMIT => train::evaluate(s, &input, session),
            kinds::TRAIN_STEP => step::evaluate(s, &input),
            _ => promote::evaluate(s, &input, session),
        }
    }
}

/// A malformed input: DENY, naming what is wrong.
fn invalid(why: String) -> Decision {
    Decision::deny(INPUT_INVALID, why)
}

/// A non-empty string field.
fn field_str<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// The findings of one evaluation, folded into one decision.
#[derive(Debug, Default)]
struct Findings(Vec<(Verdict, &'static str, String)>);

impl Findings {
    fn add(&mut self, verdict: Verdict, rule: &'static str, message: impl Into<String>) {
        self.0.push((verdict, rule, message.into()));
    }

    /// The strictest verdict, every rule, the messages strictest first;
    /// `ok` is the reason when nothing was found.
    fn decide(mut self, ok: String) -> Decision {
        if self.0.is_empty() {
            let mut d = Decision::allow();
            d.reason = ok;
            return d;
        }
        let mut rules: Vec<String> = Vec::new();
        for (_, r, _) in &self.0 {
            if !rules.iter().any(|x| x == r) {
                rules.push(r.to_string());
            }
        }
        self.0.sort_by_key(|(v, _, _)| std::cmp::Reverse(*v));
        let verdict = self.0[0].0;
        Decision {
            verdict,
            risk: match verdict {
                Verdict::Deny => 1.0,
                Verdict::Escalate => 0.5,
                Verdict::Allow => 0.0,
            },
            reason: self
                .0
                .iter()
                .map(|(_, _, m)| m.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            rules,
            labels: Vec::new(),
            counters: Vec::new(),
            redactions: Vec::new(),
        }
    }
}

clawlaw_sdk::export_policy!(MlLifecycle);

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::testing::eval;
    use serde_json::json;

    #[test]
    fn cases() {
        clawlaw_sdk::testing::assert_cases::<MlLifecycle>(include_str!("../cases.toml"));
    }

    fn action(kind: &str, input: Value) -> Action {
        Action {
            input: input.to_string(),
            ..Action::new(kind)
        }
    }

    fn submit() -> Value {
        json!({
            "job": "churn-train", "run_id": "run-42", "seed": 7,
            "requirements": ["torch==2.3.1", "scikit-learn==1.5.0"],
            "target": "churned",
            "pipeline": ["load", "split", {"op": "target_encode", "columns": ["plan"]}, "train"],
            "resources": {"gpus": 2, "gpu_hours": 3.5},
            "parameters": 1_000_000
        })
    }

    fn promotion() -> Value {
        json!({
            "model": "churn-clf", "training_run": "run-42",
            "evaluation": {"id": "eval-9", "training_run": "run-42", "passed": true,
                           "metrics": {"auc": 0.91}, "thresholds": {"auc": 0.85}},
            "review": {"verdict": "approved", "reviewer": "alice"}
        })
    }

    #[test]
    fn info_declares_every_rule_it_reports() {
        let info = MlLifecycle::info();
        let ids: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        for id in [
            NO_SEED,
            UNPINNED,
            LEAKAGE,
            OVER_BUDGET,
            ANOMALY,
            NO_EVALUATION,
            EVALUATION_FAILED,
            NO_PROVENANCE,
            REVIEW,
            REJECTED,
            AFTER_ANOMALY,
            INPUT_INVALID,
        ] {
            assert!(ids.contains(&id), "{id}");
        }
    }

    #[test]
    fn a_sound_submit_is_allowed_and_counts_gpu_hours() {
        let d = eval::<MlLifecycle>(&action(kinds::TRAIN_SUBMIT, submit()));
        assert_eq!(d.verdict, Verdict::Allow, "{}", d.reason);
        assert!(d.rules.is_empty());
        assert_eq!(d.counters, [(GPU_HOURS_COUNTER.to_string(), 4)]);
    }

    #[test]
    fn the_session_gpu_budget_adds_up() {
        let session = Session {
            counters: vec![(GPU_HOURS_COUNTER.into(), 498)],
            ..Session::default()
        };
        let d = clawlaw_sdk::evaluate_json::<MlLifecycle>(
            "{}",
            &action(kinds::TRAIN_SUBMIT, submit()),
            &session,
        );
        assert_eq!(d.verdict, Verdict::Escalate);
        assert_eq!(d.rules, [OVER_BUDGET]);
        assert!(d.reason.contains("501.5 GPU hours"), "{}", d.reason);
    }

    #[test]
    fn every_submit_finding_is_reported() {
        let mut j = submit();
        j["seed"] = Value::Null;
        j["requirements"] = json!("torch>=2\nnumpy\n");
        j["pipeline"] = json!(["load", {"op": "scale", "columns": ["churned"]}, "split", "train"]);
        j["resources"]["gpus"] = json!(64);
        let d = eval::<MlLifecycle>(&action(kinds::TRAIN_SUBMIT, j));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, [NO_SEED, UNPINNED, LEAKAGE, OVER_BUDGET]);
        assert!(d.counters.is_empty(), "a denied job adds no GPU hours");
        assert!(d.reason.contains("scale (step 2)"), "{}", d.reason);
    }

    #[test]
    fn an_anomaly_labels_the_session_and_taints_the_promotion() {
        let step = json!({"run_id": "run-42", "step": 900, "loss": 9.7,
                          "loss_history": [0.52, 0.5, 0.49, 0.47]});
        let d = eval::<MlLifecycle>(&action(kinds::TRAIN_STEP, step));
        assert_eq!(d.verdict, Verdict::Escalate, "{}", d.reason);
        assert_eq!(d.labels, [ANOMALY_LABEL, "ml.anomaly:run-42"]);
        let session = Session {
            labels: d.labels.clone(),
            ..Session::default()
        };
        let p = clawlaw_sdk::evaluate_json::<MlLifecycle>(
            "{}",
            &action(kinds::MODEL_PROMOTE, promotion()),
            &session,
        );
        assert_eq!(p.verdict, Verdict::Escalate);
        assert_eq!(p.rules, [AFTER_ANOMALY]);
        // Another run's anomaly does not taint this one.
        let other = Session {
            labels: vec![ANOMALY_LABEL.into(), "ml.anomaly:run-7".into()],
            ..Session::default()
        };
        let p = clawlaw_sdk::evaluate_json::<MlLifecycle>(
            "{}",
            &action(kinds::MODEL_PROMOTE, promotion()),
            &other,
        );
        assert_eq!(p.verdict, Verdict::Allow, "{}", p.reason);
    }

    #[test]
    fn a_reviewed_traced_passing_promotion_is_allowed() {
        let d = eval::<MlLifecycle>(&action(kinds::MODEL_PROMOTE, promotion()));
        assert_eq!(d.verdict, Verdict::Allow, "{}", d.reason);
        let mut p = promotion();
        p.as_object_mut().unwrap().remove("review");
        let d = eval::<MlLifecycle>(&action(kinds::MODEL_PROMOTE, p));
        assert_eq!(
            (d.verdict, d.rules.as_slice()),
            (Verdict::Escalate, [REVIEW.to_string()].as_slice())
        );
    }

    #[test]
    fn null_lifts_a_budget_limit() {
        let mut j = submit();
        j.as_object_mut().unwrap().remove("resources");
        j["parameters"] = json!(1e12);
        let lifted = r#"{"budget":{"max_gpus":null,"max_gpu_hours":null,"max_parameters":null}}"#;
        let d = clawlaw_sdk::evaluate_json::<MlLifecycle>(
            lifted,
            &action(kinds::TRAIN_SUBMIT, j.clone()),
            &Session::default(),
        );
        assert_eq!(d.verdict, Verdict::Allow, "{}", d.reason);
        let d = eval::<MlLifecycle>(&action(kinds::TRAIN_SUBMIT, j));
        assert_eq!(d.rules, [OVER_BUDGET]);
    }

    #[test]
    fn other_kinds_are_allowed_without_rules() {
        for kind in [
            kinds::K8S_APPLY,
            kinds::SHELL_EXEC,
            kinds::FILE_WRITE,
            "custom.kind",
        ] {
            assert_eq!(
                eval::<MlLifecycle>(&Action::new(kind)),
                Decision::allow(),
                "{kind}"
            );
        }
    }

    #[test]
    fn malformed_inputs_are_denied() {
        for (kind, input) in [
            (kinds::TRAIN_SUBMIT, "[1,2]"),
            (kinds::TRAIN_SUBMIT, "not json"),
            (kinds::TRAIN_SUBMIT, r#"{"seed":1,"requirements":5}"#),
            (
                kinds::TRAIN_SUBMIT,
                r#"{"seed":1,"requirements":[],"pipeline":"split"}"#,
            ),
            (kinds::TRAIN_STEP, r#"{"run_id":"r"}"#),
            (kinds::TRAIN_STEP, r#"{"loss":[1]}"#),
            (kinds::MODEL_PROMOTE, r#"{"evaluation":"eval.json"}"#),
            (kinds::MODEL_PROMOTE, r#"{"training_run":5}"#),
        ] {
            let mut a = Action::new(kind);
            a.input = input.into();
            let d = eval::<MlLifecycle>(&a);
            assert_eq!(d.rules, [INPUT_INVALID], "{kind} {input}: {}", d.reason);
            assert_eq!(d.verdict, Verdict::Deny);
        }
    }

    #[test]
    fn settings_are_validated() {
        use clawlaw_sdk::validate_settings;
        assert!(validate_settings::<MlLifecycle>("{}").is_ok());
        assert!(
            validate_settings::<MlLifecycle>(
                r#"{"min_metrics":{"auc":0.8},"budget":{"max_gpus":null},"over_budget":"deny","reviewers":["alice"]}"#
            )
            .is_ok()
        );
        for bad in [
            r#"{"spike_factor":1}"#,
            r#"{"min_history":0}"#,
            r#"{"budget":{"max_gpus":-1}}"#,
            r#"{"budget":{"max_gpu":1}}"#,
            r#"{"over_budget":"allow"}"#,
            r#"{"reviewers":[""]}"#,
            r#"{"min_metrics":{"":1}}"#,
            r#"{"split_ops":[" "]}"#,
        ] {
            assert!(validate_settings::<MlLifecycle>(bad).is_err(), "{bad}");
        }
    }
}

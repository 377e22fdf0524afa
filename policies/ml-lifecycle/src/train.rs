//! `train.submit`: a training job must fix its seed (R8), pin its
//! environment (R12), split before any target-dependent transform (R4), and
//! stay inside its compute and parameter budget.

use clawlaw_sdk::{Decision, Session, Verdict};
use serde_json::{Map, Value};

use crate::requirements;
use crate::{
    Findings, GPU_HOURS_COUNTER, LEAKAGE, NO_SEED, OVER_BUDGET, Settings, UNPINNED, field_str,
    invalid, type_name,
};

/// Split steps by default (names compared lower-case, `-`/space as `_`).
pub const SPLIT_OPS: &[&str] = &[
    "split",
    "train_test_split",
    "test_split",
    "holdout_split",
    "kfold",
    "kfold_split",
    "stratified_split",
    "group_split",
    "time_split",
    "time_series_split",
];

/// Transforms that learn from the target by default.
pub const TARGET_OPS: &[&str] = &[
    "target_encode",
    "target_encoding",
    "target_encoder",
    "mean_encode",
    "mean_target_encode",
    "woe_encode",
    "leave_one_out_encode",
    "catboost_encode",
    "select_k_best",
    "supervised_feature_selection",
    "mutual_info_selection",
    "target_feature_selection",
    "smote",
    "oversample",
    "undersample",
];

pub fn evaluate(s: &Settings, input: &Map<String, Value>, session: &Session) -> Decision {
    let job = field_str(input, "job")
        .or_else(|| field_str(input, "run_id"))
        .unwrap_or("the training job");
    let mut f = Findings::default();
    if let Err(d) = seed(job, input, &mut f) {
        return d;
    }
    if let Err(d) = environment(job, input, &mut f) {
        return d;
    }
    if let Err(d) = pipeline(s, job, input, &mut f) {
        return d;
    }
    let gpu_hours = match budget(s, job, input, session, &mut f) {
        Ok(h) => h,
        Err(d) => return d,
    };
    let mut d = f.decide(format!(
        "{job} is seeded, pinned, split before fitting and within budget"
    ));
    if d.verdict != Verdict::Deny && gpu_hours > 0.0 {
        d = d.with_counter(GPU_HOURS_COUNTER, gpu_hours.ceil() as i64);
    }
    d
}

/// R8: an integer seed, at the top or in `hyperparameters`/`config`.
fn seed(job: &str, input: &Map<String, Value>, f: &mut Findings) -> Result<(), Decision> {
    let found = ["seed", "random_seed"]
        .iter()
        .find_map(|k| input.get(*k).map(|v| (*k, v)))
        .or_else(|| {
            ["hyperparameters", "config"].iter().find_map(|outer| {
                input
                    .get(*outer)
                    .and_then(|o| o.get("seed"))
                    .map(|v| (*outer, v))
            })
        });
    match found {
        None | Some((_, Value::Null)) => f.add(
            Verdict::Deny,
            NO_SEED,
            format!("{job} sets no random seed (R8: runs must be reproducible)"),
        ),
        Some((_, Value::Number(n))) if n.is_u64() || n.is_i64() => {}
        Some((_, Value::String(v))) if v.trim().parse::<i64>().is_ok() => {}
        Some((at, other)) => f.add(
            Verdict::Deny,
            NO_SEED,
            format!("{job}: the seed ({at}) is {other}, not an integer (R8)"),
        ),
    }
    Ok(())
}

/// R12: `requirements` (a list of requirement strings, or the text of a
/// requirements file) all pinned, and `image` pinned; at least one of them.
fn environment(job: &str, input: &Map<String, Value>, f: &mut Findings) -> Result<(), Decision> {
    let mut declared = false;
    let mut problems = Vec::new();
    match input.get("requirements") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => {
            declared = true;
            problems.extend(requirements::unpinned(text.lines()));
        }
        Some(Value::Array(items)) => {
            declared = true;
            let mut lines = Vec::new();
            for item in items {
                match item {
                    Value::String(l) => lines.push(l.as_str()),
                    other => {
                        return Err(invalid(format!(
                            "a `requirements` entry is a {}, not a string",
                            type_name(other)
                        )));
                    }
                }
            }
            problems.extend(requirements::unpinned(lines));
        }
        Some(other) => {
            return Err(invalid(format!(
                "`requirements` is a {}, not a list or requirements text",
                type_name(other)
            )));
        }
    }
    match input.get("image") {
        None | Some(Value::Null) => {}
        Some(Value::String(img)) => {
            declared = true;
            problems.extend(requirements::image_unpinned(img));
        }
        Some(other) => {
            return Err(invalid(format!("`image` is a {}", type_name(other))));
        }
    }
    if !declared {
        f.add(
            Verdict::Deny,
            UNPINNED,
            format!("{job} declares no environment (R12: pinned `requirements` or `image`)"),
        );
    }
    const SHOWN: usize = 3;
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(SHOWN);
        let mut shown = problems[..problems.len().min(SHOWN)].join(", ");
        if more > 0 {
            shown.push_str(&format!(" and {more} more"));
        }
        f.add(
            Verdict::Deny,
            UNPINNED,
            format!("{job} has an unpinned environment (R12): {shown}"),
        );
    }
    Ok(())
}

/// One step's op name, normalised.
fn op_of(step: &Value) -> Option<String> {
    let raw = match step {
        Value::String(s) => s.as_str(),
        Value::Object(m) => ["op", "name", "step"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str))?,
        _ => return None,
    };
    Some(raw.trim().to_ascii_lowercase().replace(['-', ' '], "_"))
}

/// R4: in the declared `pipeline` (ordered steps), no target-dependent
/// transform may come before the train/test split, nor run with no split.
fn pipeline(
    s: &Settings,
    job: &str,
    input: &Map<String, Value>,
    f: &mut Findings,
) -> Result<(), Decision> {
    let steps = match input.get("pipeline") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(steps)) => steps,
        Some(other) => {
            return Err(invalid(format!(
                "`pipeline` is a {}, not a list of steps",
                type_name(other)
            )));
        }
    };
    let target = field_str(input, "target");
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|o| o.trim().to_ascii_lowercase().replace(['-', ' '], "_"))
            .collect()
    };
    let split_ops = norm(&s.split_ops);
    let target_ops = norm(&s.target_ops);
    let mut split_at = None;
    let mut leaks = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Some(op) = op_of(step) else {
            return Err(invalid(format!(
                "pipeline step {} is not a name or an object with `op`",
                i + 1
            )));
        };
        if SPLIT_OPS.contains(&op.as_str()) || split_ops.contains(&op) {
            split_at.get_or_insert(i);
            continue;
        }
        if split_at.is_some() {
            continue;
        }
        let uses_target = step.get("uses_target") == Some(&Value::Bool(true))
            || TARGET_OPS.contains(&op.as_str())
            || target_ops.contains(&op)
            || target.is_some_and(|t| reads_column(step, t));
        if uses_target {
            leaks.push(format!("{} (step {})", op, i + 1));
        }
    }
    if !leaks.is_empty() {
        let when = if split_at.is_some() {
            "before the train/test split"
        } else {
            "with no train/test split at all"
        };
        f.add(
            Verdict::Deny,
            LEAKAGE,
            format!(
                "{job} fits target-dependent {} on all the data {when}: the test set leaks into training (R4)",
                leaks.join(", ")
            ),
        );
    }
    Ok(())
}

/// Whether a step's `columns`/`inputs` name the target column.
fn reads_column(step: &Value, target: &str) -> bool {
    ["columns", "inputs", "features"]
        .iter()
        .any(|k| match step.get(*k) {
            Some(Value::Array(cols)) => cols.iter().any(|c| c.as_str() == Some(target)),
            Some(Value::String(c)) => c == target,
            _ => false,
        })
}

/// Compute and parameter budget: returns the job's GPU hours for the
/// session counter.
fn budget(
    s: &Settings,
    job: &str,
    input: &Map<String, Value>,
    session: &Session,
    f: &mut Findings,
) -> Result<f64, Decision> {
    let resources = match input.get("resources") {
        None | Some(Value::Null) => None,
        Some(Value::Object(r)) => Some(r),
        Some(other) => {
            return Err(invalid(format!("`resources` is a {}", type_name(other))));
        }
    };
    let number = |m: Option<&Map<String, Value>>, key: &str| -> Result<Option<f64>, Decision> {
        match m.and_then(|m| m.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x >= 0.0 => Ok(Some(x)),
                _ => Err(invalid(format!("`{key}` is negative"))),
            },
            Some(other) => Err(invalid(format!("`{key}` is a {}", type_name(other)))),
        }
    };
    let gpus = number(resources, "gpus")?;
    let gpu_hours = number(resources, "gpu_hours")?;
    let params = number(Some(input), "parameters")?;
    let b = &s.budget;
    let verdict = s.over_budget.verdict();
    let mut over = |what: String| f.add(verdict, OVER_BUDGET, format!("{job} {what}"));
    if let (Some(g), Some(max)) = (gpus, b.max_gpus)
        && g > max
    {
        over(format!("asks for {g} GPUs, over the budget of {max}"));
    }
    if let (Some(h), Some(max)) = (gpu_hours, b.max_gpu_hours)
        && h > max
    {
        over(format!("asks for {h} GPU hours, over the budget of {max}"));
    }
    if let (Some(p), Some(max)) = (params, b.max_parameters)
        && p > max
    {
        over(format!("trains {p} parameters, over the budget of {max}"));
    }
    let used = session.counter(GPU_HOURS_COUNTER) as f64;
    if let (Some(h), Some(max)) = (gpu_hours, b.max_session_gpu_hours)
        && used + h > max
    {
        over(format!(
            "would bring the session to {} GPU hours, over its budget of {max}",
            used + h
        ));
    }
    if (b.max_gpus.is_some() || b.max_gpu_hours.is_some()) && gpus.is_none() && gpu_hours.is_none()
    {
        f.add(
            Verdict::Escalate,
            OVER_BUDGET,
            format!("{job} declares no `resources` (gpus, gpu_hours) to check against the budget"),
        );
    }
    Ok(gpu_hours.unwrap_or(0.0))
}

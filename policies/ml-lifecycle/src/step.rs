//! `train.step`: a training loop's progress report. A loss anomaly puts the
//! run in the ANOMALY state: the step escalates, and the session is labelled
//! so a later promotion of that run escalates too.

use clawlaw_sdk::{Decision, Verdict};
use serde_json::{Map, Value};

use crate::{ANOMALY, Findings, Settings, anomaly_label, field_str, invalid, type_name};

pub fn evaluate(s: &Settings, input: &Map<String, Value>) -> Decision {
    let run = field_str(input, "run_id").or_else(|| field_str(input, "training_run"));
    let at = match input.get("step").and_then(Value::as_u64) {
        Some(n) => format!(" at step {n}"),
        None => String::new(),
    };
    let name = run.unwrap_or("the training run");
    let mut f = Findings::default();

    let reported = input.get("anomaly") == Some(&Value::Bool(true))
        || ["state", "status"]
            .iter()
            .any(|k| field_str(input, k).is_some_and(|v| v.eq_ignore_ascii_case("anomaly")));
    if reported {
        f.add(
            Verdict::Escalate,
            ANOMALY,
            format!("{name} reports a loss anomaly{at}"),
        );
    }

    let loss = match loss_of(input) {
        Ok(l) => l,
        Err(d) => return d,
    };
    let history = match history_of(input) {
        Ok(h) => h,
        Err(d) => return d,
    };
    match loss {
        None if !reported => {
            return invalid("a train.step reports no `loss` (nor an anomaly)".into());
        }
        None => {}
        Some(l) if !l.is_finite() => f.add(
            Verdict::Escalate,
            ANOMALY,
            format!("{name}: the loss{at} is {l}"),
        ),
        Some(l) if history.len() >= s.min_history => {
            let median = median(&history);
            if median > 0.0 && l > s.spike_factor * median {
                f.add(
                    Verdict::Escalate,
                    ANOMALY,
                    format!(
                        "{name}: the loss{at} is {l}, over {}× the recent median {median}",
                        s.spike_factor
                    ),
                );
            }
        }
        Some(_) => {}
    }

    let mut d = f.decide(format!("{name}{at}: the loss is in line with its history"));
    if d.verdict == Verdict::Escalate {
        d = d
            .with_risk(0.7)
            .with_label(crate::ANOMALY_LABEL)
            .with_label(&anomaly_label(run));
    }
    d
}

/// `loss` (or `metrics.loss`): a number, or `"nan"`/`"inf"` spelt out since
/// JSON has no such numbers.
fn loss_of(input: &Map<String, Value>) -> Result<Option<f64>, Decision> {
    let v = input
        .get("loss")
        .or_else(|| input.get("metrics").and_then(|m| m.get("loss")));
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "nan" | "-nan" => Ok(Some(f64::NAN)),
            "inf" | "+inf" | "infinity" => Ok(Some(f64::INFINITY)),
            "-inf" | "-infinity" => Ok(Some(f64::NEG_INFINITY)),
            other => other
                .parse::<f64>()
                .map(Some)
                .map_err(|_| invalid(format!("`loss` {s:?} is not a number"))),
        },
        Some(other) => Err(invalid(format!("`loss` is a {}", type_name(other)))),
    }
}

/// `loss_history`: recent losses, oldest first (finite numbers only count).
fn history_of(input: &Map<String, Value>) -> Result<Vec<f64>, Decision> {
    match input.get("loss_history") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| invalid("`loss_history` holds a non-number".into()))
            })
            .collect(),
        Some(other) => Err(invalid(format!(
            "`loss_history` is a {}, not a list",
            type_name(other)
        ))),
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}

//! The gate's own workload: a manifest object named for the gate (its name
//! or a label's value: `Deployment/clawlaw`, `app.kubernetes.io/name:
//! clawlaw`), or any object in a namespace named for it, changes what runs
//! the gate: another image, zero replicas, another configuration or a
//! namespace emptied. That replaces or stops the layer that governs the
//! agent, as `kubectl set image` or `scale --replicas=0` of it would
//! (governance-guard judges those lines): DENY as `deploy.gate-workload`.
//!
//! The gate's names are the process names it reports about itself
//! (`$gate.processes`, which every policy is offered), `clawlaw` when none.

use serde_json::Value;

use crate::GATE_WORKLOAD;
use crate::checks::Finding;
use crate::manifest::Object;
use clawlaw_sdk::Verdict;

/// The gate's name when it reports none.
const DEFAULT_NAME: &str = "clawlaw";

/// The finding for `obj` when it belongs to the gate named by `names`.
pub fn check(names: &[String], obj: &Object, out: &mut Vec<Finding>) {
    let default = [DEFAULT_NAME.to_string()];
    let names = if names.is_empty() {
        &default[..]
    } else {
        names
    };
    let mentions = |text: &str| {
        let lower = text.to_ascii_lowercase();
        names
            .iter()
            .any(|n| !n.is_empty() && lower.contains(&n.to_ascii_lowercase()))
    };
    let meta = |key: &str| {
        obj.value
            .pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let namespace = if obj.kind == "Namespace" {
        meta("name")
    } else {
        meta("namespace")
    };
    let labelled = obj
        .value
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| v.as_str())
        .find(|v| mentions(v));
    let why = if mentions(meta("name")) {
        format!("is named for the clawlaw gate (`{}`)", meta("name"))
    } else if mentions(namespace) {
        format!("is in the clawlaw gate's namespace `{namespace}`")
    } else if let Some(v) = labelled {
        format!("is labelled as the clawlaw gate's (`{v}`)")
    } else {
        return;
    };
    out.push(Finding {
        verdict: Verdict::Deny,
        rule: GATE_WORKLOAD,
        message: format!(
            "{} {why}: applying it would replace or stop the layer that governs this agent; the gate's operators change its deployment",
            obj.label()
        ),
    });
}

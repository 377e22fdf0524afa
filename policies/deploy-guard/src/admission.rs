//! The cluster's admission control: what decides which objects the API
//! server accepts is the cluster's governance, as clawlaw is the agent's. A
//! manifest that changes it escalates as `deploy.admission` (a person
//! approves it), since an agent could use it to let through what it is
//! otherwise refused:
//!
//! - an admission webhook or admission policy (`admissionregistration.k8s.io`:
//!   `ValidatingWebhookConfiguration`, `MutatingWebhookConfiguration`,
//!   `ValidatingAdmissionPolicy` and its binding, `MutatingAdmissionPolicy`
//!   and its binding), which may be removed, pointed elsewhere or told to
//!   ignore its failures;
//! - a policy engine's policies and exemptions (Kyverno's `kyverno.io`,
//!   Gatekeeper's `templates.gatekeeper.sh`, `constraints.gatekeeper.sh` and
//!   `config.gatekeeper.sh`, Kubewarden's `policies.kubewarden.io`, Kyverno
//!   and Gatekeeper's exceptions), matched by API group, so every kind of
//!   theirs counts;
//! - a `Namespace` labelled for the Pod Security admission to enforce only
//!   the `privileged` level, or for Gatekeeper to ignore
//!   (`admission.gatekeeper.sh/ignore`).
//!
//! The shell's `kubectl label`, `annotate`, `patch` and `edit` of the same
//! are judged by shell-guard.

use serde_json::Value;

use crate::ADMISSION;
use crate::checks::Finding;
use crate::manifest::Object;
use clawlaw_sdk::Verdict;

/// Kinds of `admissionregistration.k8s.io`.
const ADMISSION_KINDS: [&str; 6] = [
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
];

/// API groups of admission policy engines, with the engine's name.
const ENGINE_GROUPS: [(&str, &str); 6] = [
    ("kyverno.io", "Kyverno"),
    ("templates.gatekeeper.sh", "Gatekeeper"),
    ("constraints.gatekeeper.sh", "Gatekeeper"),
    ("config.gatekeeper.sh", "Gatekeeper"),
    ("mutations.gatekeeper.sh", "Gatekeeper"),
    ("policies.kubewarden.io", "Kubewarden"),
];

/// The Pod Security admission's enforcing label.
const PSA_ENFORCE: &str = "pod-security.kubernetes.io/enforce";

/// The label that exempts a namespace from Gatekeeper.
const GATEKEEPER_IGNORE: &str = "admission.gatekeeper.sh/ignore";

/// The finding for `obj` when it changes the cluster's admission control.
pub fn check(obj: &Object, out: &mut Vec<Finding>) {
    let kind = obj
        .value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let group = obj
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g);
    let what = if ADMISSION_KINDS.contains(&kind) && group == "admissionregistration.k8s.io" {
        Some(
            "sets an admission webhook or policy, which decides what the API server accepts"
                .to_string(),
        )
    } else if let Some((_, engine)) = ENGINE_GROUPS
        .iter()
        .find(|(g, _)| group == *g || group.ends_with(&format!(".{g}")))
    {
        Some(format!(
            "changes {engine}'s admission policies or their exceptions"
        ))
    } else if kind == "Namespace" && group.is_empty() {
        namespace_exempt(obj)
    } else {
        None
    };
    if let Some(what) = what {
        out.push(Finding {
            verdict: Verdict::Escalate,
            rule: ADMISSION,
            message: format!(
                "{} {what}: the cluster's own governance; a person approves changes to it",
                obj.label()
            ),
        });
    }
}

/// What a `Namespace`'s labels exempt it from, if anything.
fn namespace_exempt(obj: &Object) -> Option<String> {
    let labels = obj.value.pointer("/metadata/labels")?.as_object()?;
    let text = |k: &str| labels.get(k).and_then(Value::as_str);
    if text(PSA_ENFORCE).is_some_and(|v| v.eq_ignore_ascii_case("privileged")) {
        return Some(format!(
            "has the Pod Security admission enforce only `privileged` ({PSA_ENFORCE})"
        ));
    }
    labels
        .contains_key(GATEKEEPER_IGNORE)
        .then(|| format!("is exempted from Gatekeeper ({GATEKEEPER_IGNORE})"))
}

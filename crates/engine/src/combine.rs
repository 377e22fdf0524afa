//! Combination: the policies' decisions folded into the gate's one
//! evaluation. Deny overrides; otherwise any ESCALATE, or a combined risk at
//! or above the escalation threshold, escalates; otherwise ALLOW. A policy
//! fault counts as DENY, naming the policy and the fault: the gate fails
//! closed. Combined risk is the highest risk any policy gave (a fault is
//! risk 1.0), so one confident policy is never diluted by the others.

use clawlaw_sdk::{Decision, Redaction, Verdict};
use serde::Serialize;

use crate::fault::Fault;
use crate::policy::{PolicyId, PolicyOutcome};

/// What one policy contributed to an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    #[serde(flatten)]
    pub policy: PolicyId,
    pub verdict: Verdict,
    pub risk: f32,
    pub reason: String,
    /// The policy's rules that matched.
    pub rules: Vec<String>,
    pub labels: Vec<String>,
    pub counters: Vec<(String, i64)>,
    /// Where the policy found secrets in the action (spans, no text).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redactions: Vec<Redaction>,
    /// Set when the policy faulted (its verdict is then DENY).
    pub fault: Option<Fault>,
    pub elapsed_us: u64,
}

impl PolicyReport {
    pub fn new(policy: PolicyId, outcome: PolicyOutcome) -> PolicyReport {
        let elapsed_us = outcome.elapsed.as_micros() as u64;
        match outcome.decision {
            Ok(Decision {
                verdict,
                risk,
                reason,
                rules,
                labels,
                counters,
                redactions,
            }) => PolicyReport {
                policy,
                verdict,
                risk,
                reason,
                rules,
                labels,
                counters,
                redactions,
                fault: None,
                elapsed_us,
            },
            Err(fault) => PolicyReport::faulted(policy, fault, elapsed_us),
        }
    }

    /// A report for a policy that faulted: DENY with the fault as reason.
    pub fn faulted(policy: PolicyId, fault: Fault, elapsed_us: u64) -> PolicyReport {
        PolicyReport {
            reason: fault.to_string(),
            policy,
            verdict: Verdict::Deny,
            risk: 1.0,
            rules: Vec::new(),
            labels: Vec::new(),
            counters: Vec::new(),
            redactions: Vec::new(),
            fault: Some(fault),
            elapsed_us,
        }
    }
}

/// The gate's answer for one action.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// ALLOW, DENY or ESCALATE.
    pub evaluation: Verdict,
    /// Why, for a person: the reasons of the policies that decided it.
    pub reason: String,
    /// Combined risk (the highest any policy gave).
    pub risk: f32,
    /// Every rule that matched, as `policy/rule`.
    pub rules: Vec<String>,
    /// Labels the policies set on the session.
    pub labels: Vec<String>,
    /// Counter deltas the policies asked for.
    pub counters: Vec<(String, i64)>,
    /// Every secret any policy found in the action, whatever its verdict:
    /// what the gate masks before it stores or shows the action.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redactions: Vec<Redaction>,
    /// Every policy consulted, with its identity and answer.
    pub policies: Vec<PolicyReport>,
    /// The set's policies not consulted, because they do not judge the
    /// action's kind (their `info` says so): each stands for an ALLOW with
    /// risk 0 and nothing else, which changes nothing above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<PolicyId>,
}

/// Folds the policies' reports into one evaluation, with nothing skipped
/// (the set fills [`Evaluation::skipped`]). When no policy was consulted
/// the action is allowed (or escalated, by a threshold of 0) as if every
/// policy had allowed it with risk 0.
pub fn combine(policies: Vec<PolicyReport>, escalation_threshold: f32) -> Evaluation {
    let risk = policies.iter().map(|p| p.risk).fold(0.0f32, f32::max);
    let strictest = policies
        .iter()
        .map(|p| p.verdict)
        .max()
        .unwrap_or(Verdict::Allow);
    let evaluation = match strictest {
        Verdict::Allow if risk >= escalation_threshold => Verdict::Escalate,
        v => v,
    };
    let reason = if strictest == Verdict::Allow && evaluation == Verdict::Escalate {
        let top = policies
            .iter()
            .max_by(|a, b| a.risk.total_cmp(&b.risk))
            .map_or_else(
                || "no policy consulted".to_string(),
                |top| format!("{}: {}", top.policy.name, top.reason),
            );
        format!(
            "combined risk {risk:.2} reaches the escalation threshold {escalation_threshold:.2} ({top})"
        )
    } else if strictest == Verdict::Allow {
        "every policy allowed it".to_string()
    } else {
        policies
            .iter()
            .filter(|p| p.verdict == strictest)
            .map(|p| format!("{}: {}", p.policy.name, p.reason))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut rules = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut counters = Vec::new();
    let mut redactions: Vec<Redaction> = Vec::new();
    for p in &policies {
        for r in &p.redactions {
            if !redactions.contains(r) {
                redactions.push(r.clone());
            }
        }
        rules.extend(p.rules.iter().map(|r| format!("{}/{}", p.policy.name, r)));
        for l in &p.labels {
            if !labels.contains(l) {
                labels.push(l.clone());
            }
        }
        counters.extend(p.counters.iter().cloned());
    }
    Evaluation {
        evaluation,
        reason,
        risk,
        rules,
        labels,
        counters,
        redactions,
        policies,
        skipped: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, d: Decision) -> PolicyReport {
        PolicyReport::new(
            PolicyId {
                name: name.into(),
                version: "1.0.0".into(),
                digest: "sha256:00".into(),
            },
            PolicyOutcome {
                decision: Ok(d),
                elapsed: std::time::Duration::from_micros(3),
            },
        )
    }

    #[test]
    fn deny_overrides_escalate_and_allow() {
        let e = combine(
            vec![
                report("a", Decision::allow()),
                report("b", Decision::escalate("b.r", "ask")),
                report("c", Decision::deny("c.r", "no")),
            ],
            0.8,
        );
        assert_eq!(e.evaluation, Verdict::Deny);
        assert_eq!(e.reason, "c: no");
        assert_eq!(e.rules, vec!["b/b.r", "c/c.r"]);
    }

    #[test]
    fn any_escalate_escalates() {
        let e = combine(
            vec![
                report("a", Decision::allow()),
                report("b", Decision::escalate("b.r", "ask")),
            ],
            0.8,
        );
        assert_eq!(e.evaluation, Verdict::Escalate);
        assert_eq!(e.reason, "b: ask");
    }

    #[test]
    fn risk_at_the_threshold_escalates_an_allow() {
        let risky = Decision::allow_noting("a.r", "odd but allowed").with_risk(0.8);
        let e = combine(vec![report("a", risky.clone())], 0.8);
        assert_eq!(e.evaluation, Verdict::Escalate);
        assert!(e.reason.contains("combined risk 0.80"), "{}", e.reason);
        let e = combine(vec![report("a", risky)], 0.81);
        assert_eq!(e.evaluation, Verdict::Allow);
    }

    #[test]
    fn no_policy_consulted_is_every_policy_allowing_with_no_risk() {
        let e = combine(Vec::new(), 0.8);
        assert_eq!((e.evaluation, e.risk), (Verdict::Allow, 0.0));
        assert_eq!(e.reason, "every policy allowed it");
        assert!(e.rules.is_empty() && e.labels.is_empty() && e.counters.is_empty());
        let e = combine(Vec::new(), 0.0);
        assert_eq!(e.evaluation, Verdict::Escalate);
        assert!(e.reason.contains("no policy consulted"), "{}", e.reason);
    }

    #[test]
    fn a_fault_is_a_deny_naming_policy_and_fault() {
        let id = PolicyId {
            name: "slow".into(),
            version: "1".into(),
            digest: "sha256:ab".into(),
        };
        let e = combine(
            vec![
                report("a", Decision::allow()),
                PolicyReport::faulted(id, Fault::Deadline { deadline_ms: 100 }, 100_000),
            ],
            0.8,
        );
        assert_eq!(e.evaluation, Verdict::Deny);
        assert_eq!(e.reason, "slow: deadline of 100 ms exceeded");
        assert_eq!(e.risk, 1.0);
    }

    #[test]
    fn labels_are_unioned() {
        let e = combine(
            vec![
                report(
                    "a",
                    Decision::allow_noting("a.r", "x").with_label("secret-read"),
                ),
                report("b", Decision::allow().with_label("secret-read")),
            ],
            0.8,
        );
        assert_eq!(e.labels, vec!["secret-read"]);
    }
}

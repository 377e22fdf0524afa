//! The gate's Prometheus metrics: are decisions, latencies, faults, reviews
//! and evidence writes inside tolerance. Served at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::combine::Evaluation;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EvaluationLabels {
    pub evaluation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PolicyLabels {
    pub policy: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PolicyVerdictLabels {
    pub policy: String,
    pub verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FaultLabels {
    pub policy: String,
    pub fault: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReviewLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    pub reason: String,
}

/// Every metric the gate exports.
pub struct Metrics {
    registry: Registry,
    pub decisions: Family<EvaluationLabels, Counter>,
    pub policy_decisions: Family<PolicyVerdictLabels, Counter>,
    pub policy_faults: Family<FaultLabels, Counter>,
    pub evaluation_seconds: Histogram,
    pub policy_seconds: Family<PolicyLabels, Histogram>,
    pub reviews_pending: Gauge,
    pub reviews_closed: Family<ReviewLabels, Counter>,
    pub evidence_write_seconds: Histogram,
    pub evidence_failures: Counter,
    pub malformed_requests: Counter,
    pub reloads: Family<ReloadLabels, Counter>,
    pub policy_refusals: Family<RefusalLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 5 µs .. ~5 s
    Histogram::new(exponential_buckets(5e-6, 2.0, 20))
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("clawlaw");
        let m = Metrics {
            registry: Registry::default(),
            decisions: Family::default(),
            policy_decisions: Family::default(),
            policy_faults: Family::default(),
            evaluation_seconds: latency_histogram(),
            policy_seconds: Family::new_with_constructor(latency_histogram),
            reviews_pending: Gauge::default(),
            reviews_closed: Family::default(),
            evidence_write_seconds: latency_histogram(),
            evidence_failures: Counter::default(),
            malformed_requests: Counter::default(),
            reloads: Family::default(),
            policy_refusals: Family::default(),
        };
        registry.register(
            "decisions",
            "Evaluations by combined verdict",
            m.decisions.clone(),
        );
        registry.register(
            "policy_decisions",
            "Policy answers by policy and verdict",
            m.policy_decisions.clone(),
        );
        registry.register(
            "policy_faults",
            "Policy faults by policy and kind",
            m.policy_faults.clone(),
        );
        registry.register(
            "evaluation_seconds",
            "Time to decide one action (policies and combination)",
            m.evaluation_seconds.clone(),
        );
        registry.register(
            "policy_evaluation_seconds",
            "Time one policy took on one action",
            m.policy_seconds.clone(),
        );
        registry.register(
            "reviews_pending",
            "Reviews waiting for a principal",
            m.reviews_pending.clone(),
        );
        registry.register(
            "reviews_closed",
            "Reviews closed, by outcome (approved, denied, expired)",
            m.reviews_closed.clone(),
        );
        registry.register(
            "evidence_write_seconds",
            "Time for an evidence entry to become durable",
            m.evidence_write_seconds.clone(),
        );
        registry.register(
            "evidence_write_failures",
            "Evidence entries that could not be written",
            m.evidence_failures.clone(),
        );
        registry.register(
            "malformed_requests",
            "Actions refused as malformed",
            m.malformed_requests.clone(),
        );
        registry.register(
            "policy_reloads",
            "Policy-set reloads by outcome (swapped, unchanged, refused)",
            m.reloads.clone(),
        );
        registry.register(
            "policy_refusals",
            "Policy sets refused, by reason (unsigned, untrusted, tampered, downgrade, unreachable, malformed, load, smoke_test, ...)",
            m.policy_refusals.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Counts one evaluation and its policies' answers.
    pub fn observe(&self, evaluation: &Evaluation, seconds: f64) {
        self.decisions
            .get_or_create(&EvaluationLabels {
                evaluation: evaluation.evaluation.to_string(),
            })
            .inc();
        self.evaluation_seconds.observe(seconds);
        for p in &evaluation.policies {
            self.policy_decisions
                .get_or_create(&PolicyVerdictLabels {
                    policy: p.policy.name.clone(),
                    verdict: p.verdict.to_string(),
                })
                .inc();
            self.policy_seconds
                .get_or_create(&PolicyLabels {
                    policy: p.policy.name.clone(),
                })
                .observe(p.elapsed_us as f64 / 1e6);
            if let Some(fault) = &p.fault {
                self.policy_faults
                    .get_or_create(&FaultLabels {
                        policy: p.policy.name.clone(),
                        fault: fault.kind().to_string(),
                    })
                    .inc();
            }
        }
    }

    /// Counts one reload attempt.
    pub fn count_reload(&self, outcome: &str) {
        self.reloads
            .get_or_create(&ReloadLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Counts one refused policy set (or start-up fallback), by reason.
    pub fn count_refusal(&self, reason: &str) {
        self.policy_refusals
            .get_or_create(&RefusalLabels {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

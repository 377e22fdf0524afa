//! The gate's Prometheus metrics: are decisions, latencies, faults, reviews
//! and evidence writes inside tolerance. Served at `GET /metrics`.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use clawlaw_engine::combine::Evaluation;

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NotificationLabels {
    pub webhook: String,
    pub result: String,
}

/// Buckets of [`LatencyTally`]: 5 µs doubling up to ~5 s, then the rest.
const TALLY_BUCKETS: usize = 21;

/// Evaluation latencies as the console's summary reads them: count, sum,
/// and the histogram's own exponential buckets, so that quantiles come out
/// as bucket bounds, exactly as Prometheus would estimate them.
#[derive(Default)]
pub struct LatencyTally {
    count: AtomicU64,
    sum_ns: AtomicU64,
    buckets: [AtomicU64; TALLY_BUCKETS],
}

impl LatencyTally {
    fn bound(i: usize) -> f64 {
        5e-6 * 2f64.powi(i as i32)
    }

    pub fn observe(&self, seconds: f64) {
        let i = (0..TALLY_BUCKETS - 1)
            .find(|&i| seconds <= Self::bound(i))
            .unwrap_or(TALLY_BUCKETS - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns
            .fetch_add((seconds * 1e9) as u64, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The mean, in milliseconds.
    pub fn mean_ms(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| self.sum_ns.load(Ordering::Relaxed) as f64 / 1e6 / n as f64)
    }

    /// The upper bound of the bucket holding quantile `q`, in milliseconds
    /// (`None` with no observations or past the last bound).
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let n = self.count();
        let rank = (q * n as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate().take(TALLY_BUCKETS - 1) {
            seen += b.load(Ordering::Relaxed);
            if seen >= rank {
                return Some(Self::bound(i) * 1e3);
            }
        }
        None
    }
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
    /// 1 once the local log's chain has been walked from its start to where
    /// it was opened without a break; 0 before, and when it is broken.
    pub evidence_chain_verified: Gauge,
    pub malformed_requests: Counter,
    pub reloads: Family<ReloadLabels, Counter>,
    pub policy_refusals: Family<RefusalLabels, Counter>,
    /// Evaluation latencies again, readable (the histogram's are not).
    pub latency: LatencyTally,
    pub notifications: Family<NotificationLabels, Counter>,
    pub notification_events_missed: Counter,
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
            evidence_chain_verified: Gauge::default(),
            malformed_requests: Counter::default(),
            reloads: Family::default(),
            policy_refusals: Family::default(),
            latency: LatencyTally::default(),
            notifications: Family::default(),
            notification_events_missed: Counter::default(),
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
            "evidence_chain_verified",
            "1 once the local evidence log's chain was walked whole after opening without a break",
            m.evidence_chain_verified.clone(),
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
        registry.register(
            "notifications",
            "Review notifications by webhook and result (sent, failed after its retries, dropped from a full queue)",
            m.notifications.clone(),
        );
        registry.register(
            "notification_events_missed",
            "Review events the notifier fell too far behind to see",
            m.notification_events_missed.clone(),
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
        self.latency.observe(seconds);
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

    /// Counts one notification's fate at one webhook.
    pub fn count_notification(&self, webhook: &str, result: &str) {
        self.notifications
            .get_or_create(&NotificationLabels {
                webhook: webhook.to_string(),
                result: result.to_string(),
            })
            .inc();
    }

    /// The figures the console's summary shows (`GET /v1/summary`), read
    /// from the same metrics `/metrics` exports: decisions by verdict,
    /// reviews closed by outcome, pending reviews, mean latencies, faults.
    pub fn snapshot(&self) -> serde_json::Value {
        let decisions = |v: &str| {
            self.decisions
                .get(&EvaluationLabels {
                    evaluation: v.into(),
                })
                .map_or(0, |c| c.get())
        };
        let closed = |o: &str| {
            self.reviews_closed
                .get(&ReviewLabels { outcome: o.into() })
                .map_or(0, |c| c.get())
        };
        serde_json::json!({
            "decisions": {
                "ALLOW": decisions("ALLOW"),
                "DENY": decisions("DENY"),
                "ESCALATE": decisions("ESCALATE"),
            },
            "evaluations": self.latency.count(),
            "latency_ms": {
                "mean": self.latency.mean_ms(),
                "p50_at_most": self.latency.quantile_ms(0.5),
                "p99_at_most": self.latency.quantile_ms(0.99),
            },
            "reviews": {
                "pending": self.reviews_pending.get(),
                "approved": closed("approved"),
                "denied": closed("denied"),
                "expired": closed("expired"),
            },
            "evidence_write_failures": self.evidence_failures.get(),
            "malformed_requests": self.malformed_requests.get(),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latency_tally_gives_mean_and_bucket_quantiles() {
        let t = LatencyTally::default();
        assert_eq!(t.mean_ms(), None);
        for _ in 0..99 {
            t.observe(0.000_1); // 100 µs: the 160 µs bucket
        }
        t.observe(0.5); // the 655 ms bucket
        assert_eq!(t.count(), 100);
        assert!((t.mean_ms().unwrap() - (99.0 * 0.1 + 500.0) / 100.0).abs() < 1e-6);
        assert!((t.quantile_ms(0.5).unwrap() - 0.16).abs() < 1e-9);
        assert!((t.quantile_ms(0.99).unwrap() - 0.16).abs() < 1e-9);
        assert!((t.quantile_ms(1.0).unwrap() - 655.36).abs() < 1e-6);
        t.observe(100.0);
        assert_eq!(t.quantile_ms(1.0), None, "past the last bound");
    }
}

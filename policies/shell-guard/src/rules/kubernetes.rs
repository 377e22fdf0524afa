//! The kubernetes pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const DELETE_NAMESPACE: PackRule = PackRule {
    id: "k8s.delete-namespace",
    pack: Pack::Kubernetes,
    verdict: Verdict::Escalate,
    risk: 0.9,
    summary: "Escalate `kubectl delete namespace`: it deletes every object in the namespace, volumes' claims included",
    instead: "delete the specific resources you mean by name, after `kubectl get all -n <ns>`",
};
pub(crate) const DELETE_ALL: PackRule = PackRule {
    id: "k8s.delete-all",
    pack: Pack::Kubernetes,
    verdict: Verdict::Escalate,
    risk: 0.9,
    summary: "Escalate `kubectl delete` of every object of a kind (`--all`, `all`, `-A`, an empty selector)",
    instead: "delete named objects or a narrow `-l` selector, and check with `--dry-run=client -o name` first",
};
pub(crate) const DELETE_STORAGE: PackRule = PackRule {
    id: "k8s.delete-storage",
    pack: Pack::Kubernetes,
    verdict: Verdict::Escalate,
    risk: 0.85,
    summary: "Escalate `kubectl delete` of persistent volumes or claims: with the usual `Delete` reclaim policy the data goes with them",
    instead: "snapshot the volume first, or set its reclaim policy to `Retain` before deleting the claim",
};

pub(crate) const RULES: &[&PackRule] = &[&DELETE_NAMESPACE, &DELETE_ALL, &DELETE_STORAGE];

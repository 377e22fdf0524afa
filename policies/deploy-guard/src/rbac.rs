//! Access control objects that hand out the cluster: a binding of the
//! `cluster-admin` role (or of any role to everyone: `system:anonymous`,
//! `system:unauthenticated`, `system:authenticated`), a role granting
//! every verb on every resource (`*`), and a role granting a power its
//! holder can turn into more (Kubernetes' own list of privilege escalation
//! paths): `escalate` or `bind` on roles, `impersonate`, running commands
//! in pods or on nodes (`pods/exec`, `pods/attach`, `nodes/proxy`),
//! minting service-account tokens, reading every secret of the cluster,
//! changing admission webhooks, approving certificate requests. Each is a
//! [`Finding`] of `deploy.rbac`: DENY when the grantee is everyone,
//! ESCALATE otherwise.

use clawlaw_sdk::Verdict;
use serde_json::Value;

use crate::RBAC;
use crate::checks::Finding;
use crate::manifest::Object;

/// Subjects that are everyone who can reach the API server.
const EVERYONE: &[&str] = &[
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
];

/// Roles that hold every power in their scope.
const ADMIN_ROLES: &[&str] = &["cluster-admin"];

/// The findings for one RBAC object (none for other kinds).
pub fn check(obj: &Object, out: &mut Vec<Finding>) {
    let v = &obj.value;
    match obj.kind.as_str() {
        "ClusterRoleBinding" | "RoleBinding" => {
            let role = v
                .pointer("/roleRef/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let everyone = v
                .get("subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("name").and_then(Value::as_str))
                .find(|n| EVERYONE.contains(n));
            if let Some(who) = everyone {
                out.push(Finding {
                    verdict: Verdict::Deny,
                    rule: RBAC,
                    message: format!(
                        "{} grants the role {role} to {who}: everyone who can reach the API server",
                        obj.label()
                    ),
                });
            } else if ADMIN_ROLES.contains(&role) {
                out.push(Finding {
                    verdict: Verdict::Escalate,
                    rule: RBAC,
                    message: format!(
                        "{} grants cluster-admin, every power over the cluster",
                        obj.label()
                    ),
                });
            }
        }
        "ClusterRole" | "Role" => {
            let all = |rule: &Value, key: &str| {
                rule.get(key)
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("*")))
            };
            let wildcard = v
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|r| all(r, "verbs") && all(r, "resources"));
            let powers: Vec<&str> = if wildcard {
                Vec::new()
            } else {
                escalation_powers(obj.kind == "ClusterRole", v)
            };
            if wildcard {
                out.push(Finding {
                    verdict: Verdict::Escalate,
                    rule: RBAC,
                    message: format!(
                        "{} grants every verb on every resource (`*`): an administrator's role",
                        obj.label()
                    ),
                });
            } else if !powers.is_empty() {
                out.push(Finding {
                    verdict: Verdict::Escalate,
                    rule: RBAC,
                    message: format!(
                        "{} grants powers its holder can turn into more: {}",
                        obj.label(),
                        powers.join("; ")
                    ),
                });
            }
        }
        _ => {}
    }
}

/// The privilege escalation paths a role's rules grant, each as a phrase
/// (Kubernetes' "RBAC good practices": escalate and bind, impersonate,
/// workload and node access, token requests, secrets, admission,
/// certificate approval). `cluster`: a ClusterRole, whose secrets are every
/// namespace's.
fn escalation_powers(cluster: bool, role: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    for rule in role
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let list = |key: &str| -> Vec<&str> {
            rule.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        };
        let verbs = list("verbs");
        let resources = list("resources");
        let verb = |v: &[&str]| verbs.iter().any(|x| *x == "*" || v.contains(x));
        let resource = |r: &[&str]| {
            resources.iter().any(|x| {
                *x == "*"
                    || r.contains(x)
                    || x.strip_suffix("/*")
                        .is_some_and(|base| r.iter().any(|r| r.starts_with(&format!("{base}/"))))
            })
        };
        let found: [(bool, &'static str); 8] = [
            (
                verb(&["escalate", "bind"]) && resource(&["roles", "clusterroles"]),
                "`escalate` or `bind` on roles (any permission, granted to itself)",
            ),
            (
                verb(&["impersonate"])
                    && resource(&["users", "groups", "serviceaccounts", "userextras", "uids"]),
                "`impersonate` (acting as any user or service account)",
            ),
            (
                verb(&["create", "get"]) && resource(&["pods/exec", "pods/attach"]),
                "commands run in any pod (`pods/exec`, `pods/attach`)",
            ),
            (
                verb(&["create", "get"]) && resource(&["nodes/proxy"]),
                "the nodes' kubelet API (`nodes/proxy`): commands in every pod of a node",
            ),
            (
                verb(&["create"]) && resource(&["serviceaccounts/token"]),
                "tokens minted for service accounts (`serviceaccounts/token`)",
            ),
            (
                cluster && verb(&["get", "list", "watch"]) && resource(&["secrets"]),
                "every secret of every namespace read",
            ),
            (
                verb(&["create", "update", "patch", "delete"])
                    && resource(&[
                        "mutatingwebhookconfigurations",
                        "validatingwebhookconfigurations",
                        "validatingadmissionpolicies",
                        "validatingadmissionpolicybindings",
                    ]),
                "admission control changed (webhooks and admission policies)",
            ),
            (
                verb(&["update", "patch", "approve"])
                    && resource(&["certificatesigningrequests/approval", "signers"]),
                "certificate requests approved (new identities minted)",
            ),
        ];
        for (granted, what) in found {
            if granted && !out.contains(&what) {
                out.push(what);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn powers(cluster: bool, rules: Value) -> Vec<&'static str> {
        escalation_powers(cluster, &json!({ "rules": rules }))
    }

    #[test]
    fn escalation_paths() {
        for rules in [
            json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]}]),
            json!([{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]}]),
            json!([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]),
            json!([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["*"]}]),
            json!([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]),
            json!([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}]),
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
            json!([{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["patch"]}]),
        ] {
            assert!(!powers(true, rules.clone()).is_empty(), "{rules}");
        }
    }

    #[test]
    fn ordinary_roles() {
        for rules in [
            json!([{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list", "watch"]}]),
            json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]),
            json!([{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]),
            json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "update"]}]),
        ] {
            assert!(powers(true, rules.clone()).is_empty(), "{rules}");
        }
        // A namespace's own secrets, read by an operator's Role.
        let secrets = json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]);
        assert!(powers(false, secrets).is_empty());
    }
}

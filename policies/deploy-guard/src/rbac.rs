//! Access control objects that hand out the cluster: a binding of the
//! `cluster-admin` role (or of any role to everyone: `system:anonymous`,
//! `system:unauthenticated`, `system:authenticated`), and a role granting
//! every verb on every resource (`*`). Each is a [`Finding`] of
//! `deploy.rbac`: DENY when the grantee is everyone, ESCALATE otherwise.

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
            if wildcard {
                out.push(Finding {
                    verdict: Verdict::Escalate,
                    rule: RBAC,
                    message: format!(
                        "{} grants every verb on every resource (`*`): an administrator's role",
                        obj.label()
                    ),
                });
            }
        }
        _ => {}
    }
}

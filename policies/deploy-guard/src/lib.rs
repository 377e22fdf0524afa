//! deploy-guard: Kubernetes manifests an agent proposes to apply are pinned,
//! roll out safely, keep credentials out of plain text, and escalate the
//! node-level powers (privileged containers, `hostPath` mounts, the node's
//! namespaces, ports and capabilities) and access control that hands out
//! the cluster (`rbac.rs`).
//!
//! Acts on `k8s.apply`; every other kind is allowed with no rule (other
//! policies govern them).
//!
//! ## Input
//!
//! The manifest is YAML text, one or many documents (`---`), in the action's
//! `content` — as a `Write` of the manifest file would carry it. Without
//! `content`, the tool input's `manifest` is used: YAML text, or the object
//! (or a list of objects) as JSON; then the input's `content`. `target` may
//! name the cluster or namespace; it is only shown. `List` kinds (`List`,
//! `PodList`, `DeploymentList`, … with `items`) are flattened.
//!
//! ```json
//! {
//!   "kind": "k8s.apply",
//!   "tool": "mcp__kubernetes__apply",
//!   "target": "prod/web",
//!   "content": "apiVersion: apps/v1\nkind: Deployment\n...",
//!   "input": { "manifest": "apiVersion: apps/v1\nkind: Deployment\n..." }
//! }
//! ```
//!
//! Pod specs are found where each kind keeps one: `Pod` (`spec`),
//! `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`,
//! `ReplicationController`, `Job` (`spec.template.spec`), `CronJob`
//! (`spec.jobTemplate.spec.template.spec`), `PodTemplate` (`template.spec`);
//! in each, `containers`, `initContainers` and `ephemeralContainers`. Of
//! other kinds, roles and bindings, Services' external IPs, the cluster's
//! admission control and the gate's own objects are judged by the rules
//! below; the rest (ConfigMaps, most custom resources) pass unchecked.
//!
//! ## Rules
//!
//! | rule | verdict | when |
//! |---|---|---|
//! | `deploy.image-latest` | DENY | an image uses a mutable tag (`:latest`, or one listed in `mutable_tags`) and no digest (R5) |
//! | `deploy.image-untagged` | DENY | an image has neither tag nor digest, a malformed digest, or is missing (R5) |
//! | `deploy.rollout-strategy` | DENY | a Deployment uses `Recreate`, another non-rolling type, `maxUnavailable` of 100% (or ≥ replicas), or declares no strategy while `require_strategy` is on (R6) |
//! | `deploy.plaintext-secret` | DENY | a container's `env` gives a credential as a literal `value` (R2): what `clawlaw_sdk::secrets` detects in `NAME=value`, or any literal for a variable named `*PASSWORD`, `*SECRET`, `*TOKEN`, `*API_KEY`, … (`valueFrom` and `$(VAR)` are fine) |
//! | `deploy.privileged` | ESCALATE (setting) | a container sets `securityContext.privileged: true` |
//! | `deploy.host-path` | ESCALATE (setting) | a pod mounts a `hostPath` volume |
//! | `deploy.host-access` | ESCALATE (setting) | what else the Pod Security Standards' baseline profile forbids: a pod sharing the node's network, PID or IPC namespace (`hostNetwork`, `hostPID`, `hostIPC`), a container binding a `hostPort`, adding capabilities beyond the baseline's (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `ALL`, …), or running unconfined (`seccompProfile` or AppArmor `Unconfined`, `procMount: Unmasked`); a Service claiming external IPs (`spec.externalIPs`, CVE-2020-8554) |
//! | `deploy.rbac` | DENY / ESCALATE | a `ClusterRoleBinding`/`RoleBinding` grants a role to everyone who reaches the API server (`system:anonymous`, `system:unauthenticated`, `system:authenticated`): DENY; one that grants `cluster-admin`, a `ClusterRole`/`Role` granting every verb on every resource (`*`), or one granting a privilege escalation path (`escalate`/`bind` on roles, `impersonate`, `pods/exec`, `nodes/proxy`, `serviceaccounts/token`, every secret of the cluster, admission webhooks, certificate approval): ESCALATE |
//! | `deploy.admission` | ESCALATE | the cluster's admission control changed: an admission webhook or admission policy (`ValidatingWebhookConfiguration`, `MutatingWebhookConfiguration`, `ValidatingAdmissionPolicy`, their bindings), any object of a policy engine (Kyverno, Gatekeeper, Kubewarden: policies, constraints, exceptions), a `Namespace` labelled to enforce only the `privileged` Pod Security level or to be ignored by Gatekeeper (`admission.rs`) |
//! | `deploy.gate-workload` | DENY | an object named or labelled for the clawlaw gate, or in a namespace named for it (the gate's process names, `$gate.processes`; `clawlaw` by default): applying it replaces or stops the gate (`gate.rs`) |
//! | `deploy.manifest-invalid` | DENY | the YAML does not parse, a document is not a Kubernetes object (no `kind`/`apiVersion`), a workload has no pod spec or containers, the YAML uses aliases (`*name`: refused, so no alias bomb is expanded) or nests flow collections deeper than 64, or the manifest is over the size limits |
//! | `deploy.manifest-missing` | DENY | the action carries no manifest |
//!
//! One decision reports every finding: the strictest verdict, every rule
//! matched, and a reason listing the findings (the first few, then a count).
//!
//! Agreement with Kyverno: on the test resources of Kyverno's
//! `disallow-latest-tag`, `disallow-privileged-containers` and
//! `disallow-host-path` policies, the matching rules here fire exactly where
//! Kyverno's recorded results say `fail` (`tests/kyverno.rs`). Kyverno
//! accepts an image whose only `:` is a registry port (`localhost:5000/app`);
//! this policy does not, since that image has no tag.
//!
//! Cost: parsing is linear, about 10 µs per document natively (a 200 KB,
//! 2,000-document manifest takes ~50 ms, more than the gate's default
//! 100 ms deadline once in WebAssembly on a busy machine). So manifests over
//! `max_manifest_bytes` (128 KiB by default) are denied with that reason
//! rather than by a deadline; to admit larger bundles raise both it and the
//! policy's deadline in the gate's configuration.
//!
//! ## Settings (all optional)
//!
//! ```json
//! {
//!   "mutable_tags": ["latest"],    // tags that do not pin an image
//!   "require_strategy": true,      // false: a Deployment may omit strategy (Kubernetes then rolls)
//!   "privileged": "escalate",      // or "deny"
//!   "host_path": "escalate",       // or "deny"
//!   "host_access": "escalate",     // or "deny"
//!   "max_manifest_bytes": 131072   // larger manifests are denied unread (see Cost)
//! }
//! ```

mod admission;
mod checks;
mod gate;
mod image;
mod manifest;
mod rbac;

pub use checks::{CONTAINER_LISTS, Finding};
pub use image::{Pin, pin};
pub use manifest::{Object, Problem, Source};

use clawlaw_sdk::gate::GateFacts;
use clawlaw_sdk::{Action, Decision, Info, Policy, Session, Verdict, kinds};
use serde::Deserialize;

pub const IMAGE_LATEST: &str = "deploy.image-latest";
pub const IMAGE_UNTAGGED: &str = "deploy.image-untagged";
pub const ROLLOUT: &str = "deploy.rollout-strategy";
pub const PLAINTEXT_SECRET: &str = "deploy.plaintext-secret";
pub const PRIVILEGED: &str = "deploy.privileged";
pub const RBAC: &str = "deploy.rbac";
pub const HOST_PATH: &str = "deploy.host-path";
pub const HOST_ACCESS: &str = "deploy.host-access";
pub const MANIFEST_INVALID: &str = "deploy.manifest-invalid";
pub const MANIFEST_MISSING: &str = "deploy.manifest-missing";
pub const GATE_WORKLOAD: &str = "deploy.gate-workload";
pub const ADMISSION: &str = "deploy.admission";

/// How many findings a reason lists before it only counts the rest.
const REASON_FINDINGS: usize = 5;

/// The policy.
pub struct DeployGuard;

/// What a node-level power gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Response {
    Escalate,
    Deny,
}

impl Response {
    pub fn verdict(self) -> Verdict {
        match self {
            Response::Escalate => Verdict::Escalate,
            Response::Deny => Verdict::Deny,
        }
    }
}

/// deploy-guard's settings (see the crate documentation).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub mutable_tags: Vec<String>,
    pub require_strategy: bool,
    pub privileged: Response,
    pub host_path: Response,
    pub host_access: Response,
    pub max_manifest_bytes: usize,
    /// What the gate reported about itself: its process names name its
    /// workload ([`gate`]).
    #[serde(rename = "$gate")]
    pub gate: GateFacts,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            mutable_tags: vec!["latest".into()],
            require_strategy: true,
            privileged: Response::Escalate,
            host_path: Response::Escalate,
            host_access: Response::Escalate,
            max_manifest_bytes: 128 << 10,
            gate: GateFacts::default(),
        }
    }
}

impl Policy for DeployGuard {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("deploy-guard", env!("CARGO_PKG_VERSION"))
            .rule(
                IMAGE_LATEST,
                "Deny images with a mutable tag such as :latest (R5: pin a digest or version tag)",
            )
            .rule(
                IMAGE_UNTAGGED,
                "Deny images with neither tag nor digest (R5: pin a digest or version tag)",
            )
            .rule(
                ROLLOUT,
                "Deny Deployments without a rolling update strategy or with Recreate (R6)",
            )
            .rule(
                PLAINTEXT_SECRET,
                "Deny plaintext credentials in container env values (R2)",
            )
            .rule(PRIVILEGED, "Escalate privileged containers")
            .rule(HOST_PATH, "Escalate pods mounting hostPath volumes")
            .rule(
                HOST_ACCESS,
                "Escalate pods that share the node's namespaces, bind host ports, add capabilities or run unconfined (Pod Security Standards, baseline), and Services that claim external IPs",
            )
            .rule(
                RBAC,
                "Deny role bindings to everyone (system:anonymous, system:unauthenticated, system:authenticated); escalate cluster-admin bindings, roles granting every verb on every resource, and roles granting a privilege escalation path (escalate/bind, impersonate, pods/exec, nodes/proxy, token requests, every secret, admission webhooks, certificate approval)",
            )
            .rule(
                ADMISSION,
                "Escalate changes to the cluster's admission control: admission webhooks and policies, a policy engine's policies and exceptions (Kyverno, Gatekeeper, Kubewarden), namespaces exempted from Pod Security admission or Gatekeeper",
            )
            .rule(
                GATE_WORKLOAD,
                "Deny manifests that change the clawlaw gate's own workload: objects named or labelled for it, or in its namespace",
            )
            .rule(
                MANIFEST_INVALID,
                "Deny manifests that do not parse as Kubernetes objects",
            )
            .rule(
                MANIFEST_MISSING,
                "Deny k8s.apply actions that carry no manifest",
            )
            // `evaluate` allows every other kind outright, and no kind
            // implies a k8s.apply: the gate need not consult it on them.
            .judging(&[kinds::K8S_APPLY])
            .reading(&[])
    }

    fn validate(s: &Settings) -> Result<(), String> {
        // Literal env values go through the secret scanner: build its shared
        // state now, so a pre-initialised instance starts with it instead
        // of every evaluation building it again.
        clawlaw_sdk::secrets::prepare();
        for t in &s.mutable_tags {
            if t.is_empty() || t.contains([':', '@', '/']) || t.trim() != t {
                return Err(format!("mutable_tags: {t:?} is not an image tag"));
            }
        }
        if s.max_manifest_bytes == 0 {
            return Err("max_manifest_bytes must be at least 1".into());
        }
        Ok(())
    }

    fn evaluate(s: &Settings, action: &Action, _session: &Session) -> Decision {
        if action.kind != kinds::K8S_APPLY {
            return Decision::allow();
        }
        let source = match manifest::source(action) {
            Ok(src) => src,
            Err(p) => return problem(p),
        };
        if source.size() > s.max_manifest_bytes {
            return Decision::deny(
                MANIFEST_INVALID,
                format!(
                    "the manifest is {} bytes, over the {}-byte limit",
                    source.size(),
                    s.max_manifest_bytes
                ),
            );
        }
        let objects = match manifest::parse(&source) {
            Ok(o) => o,
            Err(p) => return problem(p),
        };
        let findings: Vec<Finding> = objects
            .iter()
            .flat_map(|o| {
                let mut found = checks::check(s, o);
                rbac::check(o, &mut found);
                admission::check(o, &mut found);
                gate::check(&s.gate.processes, o, &mut found);
                found
            })
            .collect();
        decide(&objects, findings)
    }
}

fn problem(p: Problem) -> Decision {
    match p {
        Problem::Missing => Decision::deny(
            MANIFEST_MISSING,
            "k8s.apply carries no manifest (expected YAML in `content` or the input's `manifest`)",
        ),
        Problem::Invalid(why) => Decision::deny(
            MANIFEST_INVALID,
            format!("the manifest is malformed: {why}"),
        ),
    }
}

/// One decision from every finding: strictest verdict, all rules, a reason
/// listing the findings.
fn decide(objects: &[Object], findings: Vec<Finding>) -> Decision {
    if findings.is_empty() {
        let mut d = Decision::allow();
        d.reason = match objects {
            [one] => format!("{} passes every deploy check", one.label()),
            many => format!("{} objects pass every deploy check", many.len()),
        };
        return d;
    }
    let verdict = findings
        .iter()
        .fold(Verdict::Allow, |v, f| v.max(f.verdict));
    let mut rules: Vec<String> = Vec::new();
    for f in &findings {
        if !rules.iter().any(|r| r == f.rule) {
            rules.push(f.rule.to_string());
        }
    }
    // The strictest findings first, so the reason leads with what decided.
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.verdict));
    let mut reason: Vec<String> = ordered
        .iter()
        .take(REASON_FINDINGS)
        .map(|f| f.message.clone())
        .collect();
    if findings.len() > REASON_FINDINGS {
        reason.push(format!("and {} more", findings.len() - REASON_FINDINGS));
    }
    Decision {
        verdict,
        risk: match verdict {
            Verdict::Deny => 1.0,
            Verdict::Escalate => 0.6,
            Verdict::Allow => 0.0,
        },
        reason: reason.join("; "),
        rules,
        labels: Vec::new(),
        counters: Vec::new(),
        redactions: Vec::new(),
    }
}

clawlaw_sdk::export_policy!(DeployGuard);

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::testing::eval;

    #[test]
    fn cases() {
        clawlaw_sdk::testing::assert_cases::<DeployGuard>(include_str!("../cases.toml"));
    }

    fn apply(yaml: &str) -> Action {
        Action {
            content: Some(yaml.into()),
            ..Action::new(kinds::K8S_APPLY)
        }
    }

    const GOOD: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 1}}
  template:
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.4.2
        env:
        - {name: LOG_LEVEL, value: info}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
";

    #[test]
    fn info_declares_every_rule_it_reports() {
        let info = DeployGuard::info();
        let ids: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        for id in [
            IMAGE_LATEST,
            IMAGE_UNTAGGED,
            ROLLOUT,
            PLAINTEXT_SECRET,
            PRIVILEGED,
            HOST_PATH,
            HOST_ACCESS,
            MANIFEST_INVALID,
            MANIFEST_MISSING,
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(info.name, "deploy-guard");
    }

    #[test]
    fn a_pinned_rolling_deployment_is_allowed() {
        let d = eval::<DeployGuard>(&apply(GOOD));
        assert_eq!(d.verdict, Verdict::Allow, "{}", d.reason);
        assert!(d.rules.is_empty());
        assert_eq!(d.reason, "Deployment/web passes every deploy check");
    }

    #[test]
    fn other_kinds_are_allowed_without_rules() {
        for kind in [kinds::SHELL_EXEC, kinds::MODEL_PROMOTE, kinds::FILE_WRITE] {
            let d = eval::<DeployGuard>(&Action::new(kind));
            assert_eq!(d, Decision::allow(), "{kind}");
        }
    }

    #[test]
    fn every_finding_is_reported_with_the_strictest_verdict() {
        let yaml = GOOD.replace("web:1.4.2", "web:latest").replace(
            "type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 1}",
            "type: Recreate",
        ) + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n  - {name: sh, image: 'busybox:1.36', securityContext: {privileged: true}}\n";
        let d = eval::<DeployGuard>(&apply(&yaml));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, [ROLLOUT, IMAGE_LATEST, PRIVILEGED]);
        assert!(d.reason.contains("Recreate"), "{}", d.reason);
        assert!(
            d.reason.contains("Pod/debug container sh runs privileged"),
            "{}",
            d.reason
        );
        assert_eq!(d.risk, 1.0);
    }

    #[test]
    fn escalations_alone_escalate_and_settings_can_make_them_deny() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: 'a:1'}]\n  volumes: [{name: v, hostPath: {path: /var/run/docker.sock}}]\n";
        let d = eval::<DeployGuard>(&apply(pod));
        assert_eq!(
            (d.verdict, d.rules.as_slice()),
            (Verdict::Escalate, [HOST_PATH.to_string()].as_slice())
        );
        assert!(d.reason.contains("/var/run/docker.sock"), "{}", d.reason);
        let d = clawlaw_sdk::evaluate_json::<DeployGuard>(
            r#"{"host_path":"deny"}"#,
            &apply(pod),
            &Session::default(),
        );
        assert_eq!(d.verdict, Verdict::Deny);
    }

    #[test]
    fn the_manifest_may_come_from_the_input() {
        let mut a = Action::new(kinds::K8S_APPLY);
        a.input = serde_json::json!({ "manifest": GOOD }).to_string();
        assert_eq!(eval::<DeployGuard>(&a).verdict, Verdict::Allow);
        a.input = serde_json::json!({ "manifest": {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }})
        .to_string();
        let d = eval::<DeployGuard>(&a);
        assert_eq!(d.rules, [IMAGE_UNTAGGED]);
        a.input = r#"{"manifest": 42}"#.into();
        assert_eq!(eval::<DeployGuard>(&a).rules, [MANIFEST_INVALID]);
        a.input = "{}".into();
        assert_eq!(eval::<DeployGuard>(&a).rules, [MANIFEST_MISSING]);
    }

    #[test]
    fn oversized_manifests_are_denied_unread() {
        let d = clawlaw_sdk::evaluate_json::<DeployGuard>(
            r#"{"max_manifest_bytes":64}"#,
            &apply(GOOD),
            &Session::default(),
        );
        assert_eq!(d.rules, [MANIFEST_INVALID]);
        assert!(d.reason.contains("over the 64-byte limit"), "{}", d.reason);
    }

    #[test]
    fn long_reasons_count_the_rest() {
        let mut yaml = String::new();
        for i in 0..8 {
            yaml.push_str(&format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n"
            ));
        }
        let d = eval::<DeployGuard>(&apply(&yaml));
        assert!(d.reason.ends_with("and 3 more"), "{}", d.reason);
    }

    #[test]
    fn settings_are_validated() {
        use clawlaw_sdk::validate_settings;
        assert!(validate_settings::<DeployGuard>("{}").is_ok());
        assert!(
            validate_settings::<DeployGuard>(
                r#"{"mutable_tags":["latest","main"],"privileged":"deny","require_strategy":false}"#
            )
            .is_ok()
        );
        for bad in [
            r#"{"mutable_tags":["a:b"]}"#,
            r#"{"mutable_tags":[""]}"#,
            r#"{"privileged":"allow"}"#,
            r#"{"max_manifest_bytes":0}"#,
            r#"{"mutable_tag":["x"]}"#,
        ] {
            assert!(validate_settings::<DeployGuard>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_that_no_longer_parse_deny() {
        let d = clawlaw_sdk::evaluate_json::<DeployGuard>("{", &apply(GOOD), &Session::default());
        assert_eq!(d.rules, ["settings.invalid"]);
    }
}

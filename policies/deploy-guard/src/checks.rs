//! The checks on one Kubernetes object: its containers' images, plaintext
//! credentials in their `env`, privileged containers, `hostPath` volumes, the
//! rest of the Pod Security Standards' baseline (the node's namespaces, host
//! ports, added capabilities, unconfined profiles), and a Deployment's
//! rollout strategy. Each problem is a [`Finding`].

use clawlaw_sdk::{Verdict, secrets};
use serde_json::Value;

use crate::image::{self, Pin};
use crate::manifest::{Object, type_name};
use crate::{
    HOST_ACCESS, HOST_PATH, IMAGE_LATEST, IMAGE_UNTAGGED, MANIFEST_INVALID, PLAINTEXT_SECRET,
    PRIVILEGED, ROLLOUT, Settings,
};

/// The capabilities the Pod Security Standards' baseline profile lets a
/// container add; any other (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `ALL`)
/// is a power over the node.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// One problem found in an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub verdict: Verdict,
    pub rule: &'static str,
    pub message: String,
}

/// The container lists of a pod spec.
pub const CONTAINER_LISTS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

/// Env var names that hold a credential: a literal value for one is a
/// plaintext credential, whatever it looks like.
const CREDENTIAL_NAME_ENDINGS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRET_KEY",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIALS",
];

/// Every finding for one object.
pub fn check(s: &Settings, obj: &Object) -> Vec<Finding> {
    let mut out = Vec::new();
    if obj.kind == "Deployment" {
        rollout(s, obj, &mut out);
    }
    // A Service that claims external IPs receives the cluster's traffic to
    // those addresses, whoever owns them (CVE-2020-8554).
    if obj.kind == "Service"
        && let Some(Value::Array(ips)) = obj.value.pointer("/spec/externalIPs")
        && !ips.is_empty()
    {
        let ips: Vec<&str> = ips.iter().filter_map(Value::as_str).collect();
        out.push(access(
            s,
            format!(
                "{} claims the external IPs {} (spec.externalIPs): the cluster's traffic to them is sent to it, whoever owns them",
                obj.label(),
                ips.join(", ")
            ),
        ));
    }
    if let Some(spec) = obj.pod_spec() {
        pod(s, obj, spec, &mut out);
    } else if is_workload(&obj.kind) {
        out.push(Finding {
            verdict: Verdict::Deny,
            rule: MANIFEST_INVALID,
            message: format!("{} has no pod spec where its kind keeps one", obj.label()),
        });
    }
    out
}

fn is_workload(kind: &str) -> bool {
    matches!(
        kind,
        "Pod"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "CronJob"
            | "PodTemplate"
    )
}

fn pod(s: &Settings, obj: &Object, spec: &Value, out: &mut Vec<Finding>) {
    let at = obj.label();
    for list in CONTAINER_LISTS {
        let containers = match spec.get(*list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(c)) => c,
            Some(other) => {
                out.push(invalid(format!("{at}: `{list}` is a {}", type_name(other))));
                continue;
            }
        };
        for (i, c) in containers.iter().enumerate() {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{}", i + 1), str::to_string);
            let what = format!("{at} {} {name}", singular(list));
            container(s, &what, c, out);
        }
    }
    if spec
        .get("containers")
        .is_none_or(|c| c.as_array().is_none_or(Vec::is_empty))
    {
        out.push(invalid(format!("{at} has no containers")));
    }
    host_access(s, at, spec, out);
    if let Some(Value::Array(volumes)) = spec.get("volumes") {
        for v in volumes {
            if let Some(hp) = v.get("hostPath").filter(|h| !h.is_null()) {
                let name = v.get("name").and_then(Value::as_str).unwrap_or("?");
                let path = hp.get("path").and_then(Value::as_str).unwrap_or("?");
                out.push(Finding {
                    verdict: s.host_path.verdict(),
                    rule: HOST_PATH,
                    message: format!("{at} mounts the node's {path} (hostPath volume {name})"),
                });
            }
        }
    }
}

fn singular(list: &str) -> &'static str {
    match list {
        "initContainers" => "init container",
        "ephemeralContainers" => "ephemeral container",
        _ => "container",
    }
}

fn container(s: &Settings, what: &str, c: &Value, out: &mut Vec<Finding>) {
    match c.get("image") {
        Some(Value::String(img)) => match image::pin(img, &s.mutable_tags) {
            Pin::Digest | Pin::Tag(_) => {}
            Pin::Mutable(tag) => out.push(Finding {
                verdict: Verdict::Deny,
                rule: IMAGE_LATEST,
                message: format!(
                    "{what}: image {img} uses the mutable tag :{tag} (R5: pin a digest or a version tag)"
                ),
            }),
            Pin::Nothing => out.push(Finding {
                verdict: Verdict::Deny,
                rule: IMAGE_UNTAGGED,
                message: format!(
                    "{what}: image {img} has no tag and no digest (R5: pin a digest or a version tag)"
                ),
            }),
            Pin::Malformed(why) => out.push(Finding {
                verdict: Verdict::Deny,
                rule: IMAGE_UNTAGGED,
                message: format!("{what}: image {img:?} is not pinned: {why}"),
            }),
        },
        _ => out.push(Finding {
            verdict: Verdict::Deny,
            rule: IMAGE_UNTAGGED,
            message: format!("{what} names no image (R5: pin a digest or a version tag)"),
        }),
    }
    if let Some(Value::Array(env)) = c.get("env") {
        for e in env {
            if let Some(f) = plaintext_secret(what, e) {
                out.push(f);
            }
        }
    }
    container_host_access(s, what, c, out);
    if c.pointer("/securityContext/privileged") == Some(&Value::Bool(true)) {
        out.push(Finding {
            verdict: s.privileged.verdict(),
            rule: PRIVILEGED,
            message: format!("{what} runs privileged (full access to the node)"),
        });
    }
}

/// The pod-level powers over the node the baseline profile forbids: its
/// namespaces, and an unconfined seccomp or AppArmor profile for every
/// container.
fn host_access(s: &Settings, at: &str, spec: &Value, out: &mut Vec<Finding>) {
    for (field, what) in [
        (
            "hostNetwork",
            "the node's network (every port and interface it has)",
        ),
        (
            "hostPID",
            "the node's process namespace (every process on it)",
        ),
        ("hostIPC", "the node's IPC namespace"),
    ] {
        if spec.get(field) == Some(&Value::Bool(true)) {
            out.push(access(s, format!("{at} shares {what} ({field}: true)")));
        }
    }
    unconfined(s, at, spec.get("securityContext"), out);
}

/// A container's own: host ports, capabilities beyond the baseline's, and
/// unconfined profiles or `/proc`.
fn container_host_access(s: &Settings, what: &str, c: &Value, out: &mut Vec<Finding>) {
    if let Some(Value::Array(ports)) = c.get("ports") {
        for p in ports {
            if let Some(port) = p.get("hostPort").and_then(Value::as_u64).filter(|&n| n > 0) {
                out.push(access(
                    s,
                    format!("{what} binds the node's port {port} (hostPort)"),
                ));
            }
        }
    }
    if let Some(Value::Array(add)) = c.pointer("/securityContext/capabilities/add") {
        let extra: Vec<&str> = add
            .iter()
            .filter_map(Value::as_str)
            .filter(|cap| {
                let cap = cap.trim_start_matches("CAP_").to_ascii_uppercase();
                !BASELINE_CAPABILITIES.contains(&cap.as_str())
            })
            .collect();
        if !extra.is_empty() {
            out.push(access(
                s,
                format!(
                    "{what} adds the capabilities {} (beyond the baseline set)",
                    extra.join(", ")
                ),
            ));
        }
    }
    if let Some(mount) = c
        .pointer("/securityContext/procMount")
        .and_then(Value::as_str)
        .filter(|m| *m != "Default")
    {
        out.push(access(
            s,
            format!("{what} sees the node's /proc unmasked (procMount: {mount})"),
        ));
    }
    unconfined(s, what, c.get("securityContext"), out);
}

/// `seccompProfile.type: Unconfined`, `appArmorProfile.type: Unconfined`.
fn unconfined(s: &Settings, what: &str, ctx: Option<&Value>, out: &mut Vec<Finding>) {
    let Some(ctx) = ctx else { return };
    for (profile, name) in [
        ("seccompProfile", "seccomp"),
        ("appArmorProfile", "AppArmor"),
    ] {
        if ctx
            .pointer(&format!("/{profile}/type"))
            .and_then(Value::as_str)
            == Some("Unconfined")
        {
            out.push(access(
                s,
                format!("{what} runs with no {name} profile ({profile}.type: Unconfined)"),
            ));
        }
    }
}

fn access(s: &Settings, message: String) -> Finding {
    Finding {
        verdict: s.host_access.verdict(),
        rule: HOST_ACCESS,
        message,
    }
}

/// A literal env value that is a credential: one `secrets::find` detects in
/// `NAME=value`, or any non-empty literal for a credential-named variable.
/// `valueFrom` (a Secret reference) is the right way and is never reported.
fn plaintext_secret(what: &str, e: &Value) -> Option<Finding> {
    let name = e.get("name").and_then(Value::as_str).unwrap_or("");
    let value = match e.get("value")? {
        Value::String(v) => v.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if value.trim().is_empty() || is_env_reference(&value) {
        return None;
    }
    let finding = |desc: &str, excerpt: String| Finding {
        verdict: Verdict::Deny,
        rule: PLAINTEXT_SECRET,
        message: format!(
            "{what}: env {name} holds {desc} in plain text ({excerpt}; R2: use valueFrom.secretKeyRef)"
        ),
    };
    if let Some(f) = secrets::find(&format!("{name}={value}")).first() {
        return Some(finding(f.description(), f.excerpt.clone()));
    }
    let upper = name.to_ascii_uppercase();
    if CREDENTIAL_NAME_ENDINGS
        .iter()
        .any(|end| upper.ends_with(end))
    {
        return Some(finding("a credential", secrets::redact_value(&value)));
    }
    None
}

/// `$(OTHER_VAR)`: Kubernetes expands it from another variable.
fn is_env_reference(v: &str) -> bool {
    let v = v.trim();
    v.starts_with("$(") && v.ends_with(')') && !v[2..v.len() - 1].contains(['(', ')'])
}

fn rollout(s: &Settings, obj: &Object, out: &mut Vec<Finding>) {
    let at = obj.label();
    let deny = |message: String| Finding {
        verdict: Verdict::Deny,
        rule: ROLLOUT,
        message,
    };
    let strategy = obj
        .value
        .pointer("/spec/strategy")
        .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()));
    let Some(strategy) = strategy else {
        if s.require_strategy {
            out.push(deny(format!(
                "{at} declares no rollout strategy (R6: declare strategy.type RollingUpdate)"
            )));
        }
        return;
    };
    match strategy.get("type") {
        Some(Value::String(t)) if t == "RollingUpdate" => {}
        None | Some(Value::Null) if strategy.get("rollingUpdate").is_some() => {}
        Some(Value::String(t)) if t == "Recreate" => out.push(deny(format!(
            "{at} uses the Recreate strategy: every pod stops before new ones start \
             (R6: use RollingUpdate)"
        ))),
        Some(other) => out.push(deny(format!(
            "{at} has strategy.type {other}, not RollingUpdate (R6)"
        ))),
        None => out.push(deny(format!(
            "{at} declares a strategy with no type (R6: declare RollingUpdate)"
        ))),
    }
    if let Some(mu) = strategy.pointer("/rollingUpdate/maxUnavailable")
        && (mu.as_str().is_some_and(|p| p.trim() == "100%") || replicas_or_more(obj, mu))
    {
        out.push(deny(format!(
            "{at}: rollingUpdate.maxUnavailable {mu} takes every pod down at once, \
             as Recreate does (R6)"
        )));
    }
}

/// Whether an absolute `maxUnavailable` is at least the replica count.
fn replicas_or_more(obj: &Object, mu: &Value) -> bool {
    let replicas = obj
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    mu.as_u64().is_some_and(|n| n >= replicas)
}

fn invalid(message: String) -> Finding {
    Finding {
        verdict: Verdict::Deny,
        rule: MANIFEST_INVALID,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_references_are_recognised() {
        assert!(is_env_reference("$(DB_PASSWORD)"));
        assert!(!is_env_reference("$(a)(b)"));
        assert!(!is_env_reference("hunter2"));
    }

    #[test]
    fn credential_env_values() {
        let e = |n: &str, v: &str| {
            plaintext_secret(
                "Pod/x container c",
                &serde_json::json!({"name": n, "value": v}),
            )
        };
        assert!(e("DB_PASSWORD", "hunter2").is_some());
        assert!(e("API_TOKEN", "abcdefghij").is_some(), "credential name");
        let token = concat!("gh", "p_U8JZpDE0iGXlD6gNCFbaEPFjbD0kH8Oool8D");
        assert!(e("GH", token).is_some());
        assert!(e("DB_PASSWORD", "$(FROM_SECRET)").is_none());
        assert!(e("DB_PASSWORD", "").is_none());
        assert!(e("LOG_LEVEL", "debug").is_none());
        assert!(e("MAX_TOKENS", "4096").is_none());
        assert!(e("DB_PASSWORD_FILE", "/run/secrets/db").is_none());
        let f = e("DB_PASSWORD", "hunter2hunter2").unwrap();
        assert!(!f.message.contains("hunter2hunter2"), "{}", f.message);
    }
}

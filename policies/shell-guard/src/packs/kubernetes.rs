//! The kubernetes pack: deleting cluster objects with `kubectl`/`oc` and
//! releases with `helm` — whole namespaces, everything of a kind, persistent
//! volumes and the data on them, draining nodes or tainting them to evict
//! their pods, scaling workloads to zero, applies that prune what the
//! manifests no longer hold, manifests applied straight from the
//! network, and pod specs that reach their node (privileged, the host's
//! namespaces or files) given inline: `kubectl run --overrides`, `kubectl
//! patch -p`, a manifest fed to `kubectl apply -f -` or written by the
//! line.

use clawlaw_sdk::shell::CommandLine;
use clawlaw_sdk::shell::containers::KUBECTL_GLOBAL;

use crate::checker::Checker;
use crate::given::{fed_text, file_text};
use crate::packs::{arg_texts, positionals};
use crate::programs::Shown;
use crate::programs::subcommand;
use crate::rules::kubernetes::{DELETE_ALL, DELETE_NAMESPACE, DELETE_STORAGE};

/// Options of `kubectl delete` that take a value, beside the global ones
/// ([`KUBECTL_GLOBAL`]).
const DELETE_VALUED: &[&str] = &[
    "-l",
    "--selector",
    "-f",
    "--filename",
    "-o",
    "--output",
    "--grace-period",
    "--timeout",
    "--field-selector",
    "-k",
    "--kustomize",
];

impl Checker<'_> {
    /// A release or workload put back to an earlier revision.
    fn revert(&mut self, subject: &str, shown: &Shown) {
        self.escalate(
            "shell.infrastructure",
            0.7,
            Some(subject),
            format!("`{shown}` puts a live release back to an earlier revision: what was deployed since is withdrawn; check the revision with `history` first"),
        );
    }

    pub(crate) fn check_kubernetes(&mut self, cl: &CommandLine, i: usize, shown: &Shown) {
        let c = &cl.commands[i];
        let Some((at, sub)) = subcommand(c) else {
            return;
        };
        let p = c.program.as_str();
        let subject = format!("{p} {sub}");
        let infra = |this: &mut Self| {
            this.escalate(
                "shell.infrastructure",
                0.7,
                Some(&subject),
                format!("`{shown}` deletes or changes live infrastructure; check the target with `get` or `--dry-run=client` first"),
            )
        };
        let dry_run = || {
            arg_texts(c)
                .iter()
                .any(|a| *a == "--dry-run" || a.starts_with("--dry-run="))
        };
        if p == "helm" {
            if matches!(sub, "uninstall" | "delete" | "del" | "un") {
                infra(self);
            } else if sub == "rollback" && !dry_run() {
                self.revert(&subject, shown);
            }
            return;
        }
        match sub {
            "drain" => infra(self),
            // `kubectl taint nodes n1 k=v:NoExecute`: every pod that does not
            // tolerate it is evicted from the node at once.
            "taint" if arg_texts(c).iter().any(|a| a.ends_with(":NoExecute")) => infra(self),
            // `kubectl rollout undo deploy/api`: the live workload goes back
            // to an earlier revision, whatever was deployed since.
            "rollout" if c.args().get(at).is_some_and(|w| w.text == "undo") && !dry_run() => {
                self.revert(&subject, shown)
            }
            // `kubectl run x --privileged`, or a pod spec given inline that
            // reaches the node (`--overrides='{"spec":{"hostPID":true,…}}'`).
            "run" | "debug" => {
                let args = arg_texts(c);
                let host = args
                    .iter()
                    .any(|a| *a == "--privileged" || *a == "--privileged=true" || reaches_node(a))
                    || (sub == "debug" && args.iter().any(|a| a.starts_with("node/")));
                if host {
                    self.escalate(
                        "shell.container",
                        0.8,
                        Some(&subject),
                        format!("`{shown}` starts a pod that reaches its node (privileged, or the host's processes, network or files): it can take the node over"),
                    );
                }
            }
            // `kubectl scale --replicas=0`, or the same through a patch
            // (`kubectl patch deploy api -p '{"spec":{"replicas":0}}'`).
            "scale" | "patch" => {
                let args = arg_texts(c);
                let zero = args.iter().enumerate().any(|(k, a)| {
                    *a == "--replicas=0"
                        || (*a == "--replicas" && args.get(k + 1) == Some(&"0"))
                        || (sub == "patch" && sets_zero_replicas(a))
                });
                if zero {
                    self.escalate(
                        "shell.infrastructure",
                        0.7,
                        Some(&subject),
                        format!(
                            "`{shown}` scales a workload to zero, stopping every one of its pods"
                        ),
                    );
                }
                // `kubectl patch deploy api -p '{…"hostNetwork":true…}'`.
                if sub == "patch" && args.iter().any(|a| reaches_node(a)) {
                    self.escalate(
                        "shell.container",
                        0.8,
                        Some(&subject),
                        format!("`{shown}` patches a pod spec to reach its node (privileged, or the host's processes, network or files): it can take the node over"),
                    );
                }
            }
            "apply" | "create" | "replace" => {
                let args = arg_texts(c);
                // `kubectl apply --prune`: what the manifests no longer hold
                // is deleted from the cluster.
                if sub == "apply" && args.iter().any(|a| *a == "--prune" || *a == "--prune=true") {
                    self.escalate(
                        "shell.infrastructure",
                        0.7,
                        Some(&subject),
                        format!("`{shown}` deletes every live object of the selection that the manifests do not hold; check with `kubectl diff` or `--dry-run=server` first"),
                    );
                }
                if sub == "replace" && args.iter().any(|a| *a == "--force" || *a == "--force=true")
                {
                    self.escalate(
                        "shell.infrastructure",
                        0.7,
                        Some(&subject),
                        format!("`{shown}` deletes the live objects and creates them again: their pods restart, and what only they held is lost"),
                    );
                }
                // A manifest the line gives it (`-f -` fed a here-document
                // or an `echo`, or a file the line wrote) that reaches the
                // node: what deploy-guard escalates in a `k8s.apply`.
                let files: Vec<&str> = args
                    .iter()
                    .enumerate()
                    .filter_map(|(k, a)| match *a {
                        "-f" | "--filename" => args.get(k + 1).copied(),
                        _ => a
                            .strip_prefix("--filename=")
                            .or_else(|| a.strip_prefix("-f").filter(|f| !f.is_empty())),
                    })
                    .collect();
                let given: Vec<String> = files
                    .iter()
                    .flat_map(|f| match *f {
                        "-" => fed_text(cl, i),
                        f => file_text(cl, i, f).into_iter().collect(),
                    })
                    .collect();
                if given.iter().any(|m| reaches_node(m)) {
                    self.escalate(
                        "shell.container",
                        0.8,
                        Some(&subject),
                        format!("`{shown}` applies a pod spec that reaches its node (privileged, or the host's processes, network or files): it can take the node over"),
                    );
                }
                let remote = args.iter().enumerate().any(|(k, a)| {
                    let value = match *a {
                        "-f" | "--filename" | "-k" | "--kustomize" => {
                            args.get(k + 1).copied().unwrap_or("")
                        }
                        _ => a
                            .strip_prefix("--filename=")
                            .or_else(|| a.strip_prefix("--kustomize="))
                            .unwrap_or(""),
                    };
                    value.contains("://") || value.starts_with("github.com/")
                });
                if remote {
                    self.escalate(
                        "shell.infrastructure",
                        0.7,
                        Some(&subject),
                        format!("`{shown}` applies manifests fetched from the network, which nobody here has read; download them and review them first"),
                    );
                }
            }
            "delete" => {
                if dry_run() {
                    return;
                }
                let args = arg_texts(c);
                let valued: Vec<&str> = KUBECTL_GLOBAL
                    .iter()
                    .chain(DELETE_VALUED)
                    .copied()
                    .collect();
                let pos = positionals(&args, &valued);
                // pos[0] is `delete`; then `kind[,kind]` or `kind/name`.
                let kinds: Vec<&str> = pos
                    .get(1)
                    .map(|k| k.split('/').next().unwrap_or(k).split(',').collect())
                    .unwrap_or_default();
                let kind_is = |names: &[&str]| {
                    kinds.iter().any(|k| {
                        let k = k.split('.').next().unwrap_or(k).to_ascii_lowercase();
                        names.contains(&k.as_str())
                    })
                };
                let every = args.iter().any(|a| {
                    matches!(*a, "--all" | "-A" | "--all-namespaces") || a.starts_with("--all=true")
                }) || kind_is(&["all"]);
                if kind_is(&["namespace", "namespaces", "ns", "project", "projects"]) {
                    self.hit(
                        &DELETE_NAMESPACE,
                        Some(&subject),
                        format!("`{shown}` deletes whole namespaces and every object in them"),
                    );
                } else if every {
                    self.hit(
                        &DELETE_ALL,
                        Some(&subject),
                        format!("`{shown}` deletes every matching object, not one you named"),
                    );
                } else if kind_is(&[
                    "pv",
                    "pvc",
                    "persistentvolume",
                    "persistentvolumes",
                    "persistentvolumeclaim",
                    "persistentvolumeclaims",
                ]) {
                    self.hit(
                        &DELETE_STORAGE,
                        Some(&subject),
                        format!("`{shown}` deletes persistent storage and, usually, its data"),
                    );
                } else {
                    infra(self);
                }
            }
            _ => {}
        }
    }
}

/// A JSON or YAML fragment without blanks, quotes and escapes, so that
/// `"replicas": 0` and `replicas: 0` both read `replicas:0`.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '\\'))
        .collect()
}

/// Whether a patch body sets a replica count to zero (JSON, YAML or a
/// JSON patch's `value`), spaces and quotes aside.
fn sets_zero_replicas(body: &str) -> bool {
    let compact = compact(body);
    ["replicas:0", "/replicas,value:0"].iter().any(|needle| {
        compact.match_indices(needle).any(|(at, m)| {
            !compact[at + m.len()..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
        })
    })
}

/// Whether an inline pod spec reaches its node: privileged, the host's
/// namespaces or a host path.
fn reaches_node(spec: &str) -> bool {
    let compact = compact(spec);
    [
        "privileged:true",
        "hostPID:true",
        "hostNetwork:true",
        "hostIPC:true",
        "hostPath:",
    ]
    .iter()
    .any(|n| compact.contains(n))
}

#[cfg(test)]
mod tests {
    use super::{reaches_node, sets_zero_replicas};

    #[test]
    fn pod_specs_that_reach_the_node() {
        assert!(reaches_node(r#"--overrides={"spec":{"hostPID":true}}"#));
        assert!(reaches_node(r#"{"securityContext": {"privileged": true}}"#));
        assert!(!reaches_node(r#"{"spec":{"containers":[{"name":"x"}]}}"#));
    }

    #[test]
    fn patches_that_scale_to_zero() {
        assert!(sets_zero_replicas(r#"{"spec":{"replicas":0}}"#));
        assert!(sets_zero_replicas("spec:\n  replicas: 0\n"));
        assert!(sets_zero_replicas(
            r#"[{"op":"replace","path":"/spec/replicas","value":0}]"#
        ));
        assert!(!sets_zero_replicas(r#"{"spec":{"replicas":10}}"#));
        assert!(!sets_zero_replicas(r#"{"spec":{"replicas":3}}"#));
    }
}

//! Workloads an orchestrator stops: what `kubectl` (and `oc`) scales to
//! zero, deletes or restarts, and what it changes in place (`set image`,
//! `set env`, `patch`, `edit`: a changed pod template rolls the running
//! pods over to pods of the new spec, another image or none at all) or
//! takes control of (`exec`, `attach`, `debug` of a pod), what
//! `helm uninstall` removes and `helm upgrade`/`rollback` replaces, what
//! `nomad job stop` stops, and the services `docker compose`
//! (`docker-compose`, `podman compose`) stops, kills, removes, pauses or
//! restarts. Each is a
//! signal ([`super::Signal`]) whose targets are the workloads' names as the
//! command gives them (`deploy/clawlaw`, `clawlaw`, `app=clawlaw` for a
//! label selector), each prefixed with its namespace or project when the
//! command names one (`clawlaw/web`), so a process running in it is one the
//! command stops.
//!
//! A command that names no workload stops none that the line shows: `docker
//! compose down` in a project the line does not name, `kubectl apply -f
//! gate.yaml` (the manifest names it, not the line), `kubectl scale
//! deploy/web --replicas=3` (not to zero).

use super::context::Cx;
use super::options::{dash_operands, parse};
use crate::shell::Word;

/// `kubectl`'s options that take a value (the common ones of the verbs
/// below and the global ones).
const KUBECTL_VALUED_SHORT: &str = "nlfocLsp";
const KUBECTL_VALUED_LONG: &[&str] = &[
    "namespace",
    "selector",
    "filename",
    "output",
    "context",
    "cluster",
    "kubeconfig",
    "user",
    "server",
    "token",
    "replicas",
    "current-replicas",
    "timeout",
    "grace-period",
    "field-selector",
    "cascade",
    "resource-version",
    "template",
    "as",
    "as-group",
    "request-timeout",
    "patch",
    "patch-file",
    "type",
    "containers",
    "from",
    "prefix",
    "limits",
    "requests",
];

/// Records what `prog` stops when it is an orchestrator this module reads
/// and the command stops a workload it names; `false` otherwise (the
/// command is then read as any other is).
pub(crate) fn program(cx: &mut Cx, prog: &str, args: &[Word]) -> bool {
    let targets = match prog {
        "kubectl" | "oc" => kubectl(args),
        "helm" => helm(args),
        "nomad" => nomad(args),
        "docker-compose" | "podman-compose" => compose(args),
        "docker" | "podman" if args.first().is_some_and(|w| w.text == "compose") => {
            compose(&args[1..])
        }
        _ => return false,
    };
    if targets.is_empty() {
        return false;
    }
    cx.signal(prog, targets);
    true
}

/// `name` in `scope` (a namespace or project), as a target.
fn scoped(scope: Option<&str>, name: &str) -> String {
    match scope {
        Some(s) if !s.is_empty() => format!("{s}/{name}"),
        _ => name.to_string(),
    }
}

fn kubectl(args: &[Word]) -> Vec<String> {
    let p = parse(args, KUBECTL_VALUED_SHORT, "", KUBECTL_VALUED_LONG);
    let value = |names: &[&str]| p.value(names).map(|(w, at)| &w.text[at..]);
    let ops: Vec<&str> = p.operands.iter().map(|w| w.text.as_str()).collect();
    let ns = value(&["n", "namespace"]);
    // `delete pod NAME`, `delete pod/NAME`, `delete pod,svc NAME`: the
    // first operand is the kind unless it already names one.
    let names = |rest: &[&str]| -> Vec<String> {
        let mut out: Vec<String> = match rest.split_first() {
            // `delete namespace NAME`: the namespace is the workload.
            Some((kind, more)) if matches!(*kind, "namespace" | "namespaces" | "ns") => {
                more.iter().map(|n| n.to_string()).collect()
            }
            Some((kind, more)) if !kind.contains('/') => {
                more.iter().map(|n| scoped(ns, n)).collect()
            }
            _ => rest.iter().map(|n| scoped(ns, n)).collect(),
        };
        if let Some(sel) = value(&["l", "selector"]) {
            out.push(scoped(ns, sel));
        }
        // `kubectl -n clawlaw delete all --all`: every workload there.
        if p.has(&["all"]) && out.is_empty() {
            out.extend(ns.map(|n| n.to_string()));
        }
        out
    };
    match ops.as_slice() {
        ["delete", rest @ ..] => names(rest),
        ["rollout", "restart" | "pause" | "undo", rest @ ..] => names(rest),
        ["patch" | "edit", rest @ ..] => names(rest),
        // `set image deploy/clawlaw gate=IMAGE`, `set env deploy/clawlaw
        // KEY=VALUE KEY-`: the workload, not the pairs after it.
        [
            "set",
            "image" | "env" | "resources" | "serviceaccount" | "sa",
            rest @ ..,
        ] => {
            let workload: Vec<&str> = rest
                .iter()
                .copied()
                .take_while(|w| !w.contains('=') && !w.ends_with('-'))
                .collect();
            names(&workload)
        }
        ["scale", rest @ ..] if value(&["replicas"]).is_some_and(|r| r.trim() == "0") => {
            names(rest)
        }
        // `exec POD -- CMD`, `attach POD`, `debug POD --target=C`: a
        // command or a debugging container run inside the pod, or its
        // process's input and output taken over.
        ["exec" | "attach" | "debug", pod, ..] => vec![scoped(ns, pod)],
        _ => Vec::new(),
    }
}

fn helm(args: &[Word]) -> Vec<String> {
    let p = parse(
        args,
        "nf",
        "",
        &[
            "namespace",
            "kube-context",
            "kubeconfig",
            "timeout",
            "cascade",
            "description",
            "set",
            "set-string",
            "set-file",
            "set-json",
            "set-literal",
            "values",
            "version",
            "repo",
            "post-renderer",
            "history-max",
            "max-history",
        ],
    );
    let ns = p.value(&["n", "namespace"]).map(|(w, at)| &w.text[at..]);
    match p.operands.split_first() {
        Some((verb, releases))
            if matches!(verb.text.as_str(), "uninstall" | "delete" | "del" | "un") =>
        {
            releases.iter().map(|r| scoped(ns, &r.text)).collect()
        }
        // `upgrade RELEASE CHART`, `rollback RELEASE [REVISION]`: the
        // release's pods are replaced by the chart's (or the revision's).
        Some((verb, [release, ..]))
            if matches!(verb.text.as_str(), "upgrade" | "rollback" | "rb") =>
        {
            vec![scoped(ns, &release.text)]
        }
        _ => Vec::new(),
    }
}

/// `nomad job stop [-purge …] JOB`, and the older `nomad stop JOB`; nomad's
/// options are single-dashed, with their values after `=` or a space.
fn nomad(args: &[Word]) -> Vec<String> {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let rest = match words.as_slice() {
        ["job", "stop", ..] => &args[2..],
        ["stop", ..] => &args[1..],
        _ => return Vec::new(),
    };
    const VALUED: &[&str] = &[
        "-namespace",
        "-region",
        "-address",
        "-token",
        "-eval-priority",
    ];
    dash_operands(rest, VALUED)
        .into_iter()
        .map(|w| w.text.clone())
        .collect()
}

/// `compose [-p PROJECT] [-f FILE] VERB [options] [SERVICE…]`: the named
/// services, in the project when the command names it; the project itself
/// when it names no service. Compose's own options come before the verb
/// (where `-f` is a file), the verb's after it (where `-f` forces).
fn compose(args: &[Word]) -> Vec<String> {
    const GLOBAL_LONG: &[&str] = &[
        "project-name",
        "file",
        "project-directory",
        "env-file",
        "profile",
        "ansi",
        "progress",
        "parallel",
    ];
    let global = parse(args, "pf", "", GLOBAL_LONG);
    let Some(verb) = global.operands.first() else {
        return Vec::new();
    };
    let at = args
        .iter()
        .position(|w| std::ptr::eq(w, *verb))
        .expect("an operand is one of the words");
    // The project named before the verb (the verb's own options follow it).
    let before_verb = |w: &Word| args[..at].iter().any(|a| std::ptr::eq(a, w));
    let project = global
        .value(&["p", "project-name"])
        .filter(|(w, _)| before_verb(w))
        .map(|(w, i)| &w.text[i..]);
    if !matches!(
        verb.text.as_str(),
        "stop" | "kill" | "down" | "rm" | "pause" | "restart"
    ) {
        return Vec::new();
    }
    let services = parse(&args[at + 1..], "ts", "", &["timeout", "signal", "rmi"]).operands;
    if services.is_empty() {
        return project.map(|p| vec![p.to_string()]).unwrap_or_default();
    }
    services.iter().map(|s| scoped(project, &s.text)).collect()
}

#[cfg(test)]
mod tests {
    use crate::effects::tests::{one, signals as stops};

    #[test]
    fn kubectl_stops_what_it_deletes_restarts_or_scales_to_zero() {
        assert_eq!(
            stops("kubectl -n gate scale deploy/clawlaw --replicas=0"),
            one("kubectl", &["gate/deploy/clawlaw"])
        );
        assert_eq!(
            stops("kubectl scale --replicas 0 deployment web api"),
            one("kubectl", &["web", "api"])
        );
        assert_eq!(
            stops("oc delete pod,svc gate-1 --grace-period 0"),
            one("oc", &["gate-1"])
        );
        assert_eq!(
            stops("kubectl delete ns clawlaw"),
            one("kubectl", &["clawlaw"])
        );
        assert_eq!(
            stops("kubectl delete pods --selector=app=clawlaw -n ops"),
            one("kubectl", &["ops/app=clawlaw"])
        );
        assert_eq!(
            stops("kubectl --namespace clawlaw delete all --all"),
            one("kubectl", &["clawlaw"])
        );
        assert_eq!(
            stops("kubectl rollout restart deploy/clawlaw"),
            one("kubectl", &["deploy/clawlaw"])
        );
        // Changed in place: the pods roll over to the new spec.
        assert_eq!(
            stops("kubectl -n clawlaw set image deployment/clawlaw gate=evil/gate:latest"),
            one("kubectl", &["clawlaw/deployment/clawlaw"])
        );
        assert_eq!(
            stops("kubectl set env deploy clawlaw CLAWLAW_POLICIES=/tmp/none MODE-"),
            one("kubectl", &["clawlaw"])
        );
        assert_eq!(
            stops(r#"kubectl patch deployment clawlaw -p '{"spec":{"replicas":0}}' -n ops"#),
            one("kubectl", &["ops/clawlaw"])
        );
        assert_eq!(stops("oc edit dc/clawlaw"), one("oc", &["dc/clawlaw"]));
        // Taken control of: a command, a debugging container or its input.
        assert_eq!(
            stops("kubectl exec -it clawlaw-0 -n ops -c gate -- sh"),
            one("kubectl", &["ops/clawlaw-0"])
        );
        assert_eq!(
            stops("kubectl debug clawlaw-0 -it --image=busybox --target=gate"),
            one("kubectl", &["clawlaw-0"])
        );
        assert_eq!(
            stops("kubectl attach deploy/clawlaw -i"),
            one("kubectl", &["deploy/clawlaw"])
        );
        // Scaling up, reading, applying: nothing stops.
        for line in [
            "kubectl scale deploy/clawlaw --replicas=3",
            "kubectl get pods -n clawlaw",
            "kubectl logs deploy/clawlaw",
            "kubectl apply -f gate.yaml",
        ] {
            assert!(stops(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn helm_nomad_and_compose_stop_what_they_name() {
        assert_eq!(
            stops("helm uninstall clawlaw -n ops"),
            one("helm", &["ops/clawlaw"])
        );
        assert_eq!(
            stops("helm upgrade --install -f v.yaml --set image.tag=evil clawlaw ./chart"),
            one("helm", &["clawlaw"])
        );
        assert_eq!(
            stops("helm -n ops rollback clawlaw 3"),
            one("helm", &["ops/clawlaw"])
        );
        assert_eq!(
            stops("nomad job stop -purge -namespace ops clawlaw"),
            one("nomad", &["clawlaw"])
        );
        assert_eq!(
            stops("docker compose -f deploy/compose.yaml stop -t 1 gate"),
            one("docker", &["gate"])
        );
        assert_eq!(
            stops("docker-compose rm -f gate"),
            one("docker-compose", &["gate"])
        );
        assert_eq!(
            stops("podman compose -p clawlaw down"),
            one("podman", &["clawlaw"])
        );
        // A project the line does not name, and verbs that stop nothing.
        for line in [
            "docker compose down",
            "docker compose up -d gate",
            "helm install clawlaw ./chart",
            "helm upgrade",
            "helm status clawlaw",
            "nomad job run gate.nomad",
        ] {
            assert!(stops(line).is_empty(), "{line}");
        }
    }
}

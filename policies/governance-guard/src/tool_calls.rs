//! What a tool call does to the gate's processes and port: an MCP tool
//! that runs, forwards or serves something on the gate's port
//! (`mcp__docker__run_container {"ports": {"7070": "80"}}`,
//! `…__port_forward {"localPort": 7070}`), which answers the hook as the
//! gate once it is down (as `docker run -p 7070:80` would: see
//! [`crate::listeners`]); and an MCP tool that stops,
//! kills or signals, deletes, restarts or scales to zero a workload, container,
//! service, release or process (`mcp__docker__stop_container`,
//! `mcp__kubernetes__kubectl_scale {"replicas": 0}`, `…__kill_process
//! {"pid": …}`), or runs a command in, updates, patches or disconnects one
//! (`…__exec_in_pod`, `…__update_container`), whose input names the gate:
//! the tool's counterpart of `docker stop`, `kubectl scale --replicas=0`,
//! `docker exec` or `kill`, judged as those are ([`crate::commands`]).
//!
//! Read from the tool's own name (its verb, word by word: `stop_container`,
//! `deleteDeployment`, `kubectl-delete`; and what it acts on: a workload,
//! an orchestrator, a process) and the input's naming fields (`name`,
//! `container_id`, `deployment`, `release`, `pid`, …) only; the
//! paths a file tool names are judged as the file actions they imply, so a
//! delete of `notes/clawlaw.md` is not a stop of the gate.

use clawlaw_sdk::implied::tools::{name_words, tool_name};
use serde_json::Value;

use crate::findings::Finding;
use crate::processes::{GateProcesses, Reach};

/// Verbs whose tool stops what it names, or takes control of it: runs a
/// command in it, attaches to it, changes its limits or spec in place, cuts
/// its network.
const STOPS: &[&str] = &[
    "stop",
    "kill",
    "signal",
    "delete",
    "remove",
    "rm",
    "destroy",
    "terminate",
    "uninstall",
    "restart",
    "pause",
    "evict",
    "drain",
    "suspend",
    "freeze",
    "exec",
    "attach",
    "update",
    "patch",
    "edit",
    "disconnect",
];

/// What a tool acts on when it stops a process: a workload's kind, or the
/// orchestrator or service manager it speaks to (words of the tool's whole
/// name, `mcp__kubernetes__kubectl_delete`, or of the input's `kind` or
/// `resourceType`). A tool that deletes a repository or a branch named
/// like the gate stops nothing.
const WORKLOADS: &[&str] = &[
    "container",
    "pod",
    "deployment",
    "statefulset",
    "daemonset",
    "replicaset",
    "cronjob",
    "job",
    "service",
    "process",
    "release",
    "app",
    "application",
    "workload",
    "unit",
    "task",
    "instance",
    "namespace",
    "stack",
    "machine",
    "vm",
    "server",
    "kubectl",
    "kubernetes",
    "k8s",
    "docker",
    "podman",
    "helm",
    "nomad",
    "compose",
    "systemd",
    "systemctl",
    "pm2",
    "supervisor",
];

/// Input fields that name what a tool acts on (compared without case,
/// `_` or `-`).
const NAMING_FIELDS: &[&str] = &[
    "name",
    "id",
    "container",
    "containerid",
    "containername",
    "service",
    "servicename",
    "deployment",
    "statefulset",
    "daemonset",
    "pod",
    "podname",
    "release",
    "releasename",
    "job",
    "jobid",
    "unit",
    "process",
    "processname",
    "program",
    "programname",
    "executable",
    "imagename",
    "taskname",
    "app",
    "appname",
    "application",
    "namespace",
    "project",
    "resourcename",
    "target",
    "selector",
    "labelselector",
];

/// Verbs whose tool opens what its input's port fields name on this
/// machine.
const OPENS: &[&str] = &[
    "run", "start", "create", "forward", "expose", "serve", "listen", "publish", "tunnel", "up",
    "launch", "bind", "open",
];

/// The stops a call of `tool` with `input` makes of the gate's processes,
/// and the gate's port it takes.
pub fn judge(gate: &GateProcesses, tool: &str, input: &Value, out: &mut Vec<Finding>) {
    let verb_words = name_words(tool_name(tool));
    if let Some(port) = port_taken(gate.ports, &verb_words, input) {
        out.push(Finding::impersonate(
            tool,
            &format!("listening on {port}, the gate's port"),
        ));
    }
    let scales_to_zero = verb_words.iter().any(|w| w == "scale") && scaled_to_zero(input);
    if !scales_to_zero && !verb_words.iter().any(|w| STOPS.contains(&w.as_str())) {
        return;
    }
    let Value::Object(o) = input else { return };
    // What it acts on: a process unless the tool says otherwise.
    let kinds = ["kind", "resourceType", "resource_type", "type"]
        .iter()
        .filter_map(|k| o.get(*k)?.as_str())
        .flat_map(name_words);
    // A pid in the input is a process (`…__force_terminate {"pid": 4242}`).
    let names_pid = o.keys().any(|k| {
        matches!(
            k.to_ascii_lowercase().replace(['_', '-'], "").as_str(),
            "pid" | "processid"
        )
    });
    let acts_on_workload = verb_words.iter().any(|w| w == "kill")
        || names_pid
        || scales_to_zero
        || name_words(tool).into_iter().chain(kinds).any(|w| {
            let one = w.strip_suffix('s').unwrap_or(&w);
            WORKLOADS.contains(&w.as_str()) || WORKLOADS.contains(&one)
        });
    if !acts_on_workload {
        return;
    }
    for (key, value) in o {
        let field = key.to_ascii_lowercase().replace(['_', '-'], "");
        let pid = matches!(field.as_str(), "pid" | "processid");
        if !pid && !NAMING_FIELDS.contains(&field.as_str()) {
            continue;
        }
        for text in scalars(value) {
            let reach = if pid {
                gate.kill_target(&text)
            } else {
                gate.unit(&text)
            };
            if let Reach::Gate(target) = reach {
                out.push(Finding::stop(tool, &target));
                return;
            }
        }
    }
}

/// The gate's port a tool that opens something (`run_container`,
/// `port_forward`, `start_server`) is given in a port field of its input
/// (`port`, `localPort`, `hostPort`, `ports`, `listen`, `bind`, `address`:
/// `7070`, `"127.0.0.1:7070"`, `{"7070": "80"}`, `["7070:80"]`). Either
/// side of a mapping counts: tools spell it both ways round.
fn port_taken(ports: &[u16], verb_words: &[String], input: &Value) -> Option<u16> {
    if !verb_words.iter().any(|w| OPENS.contains(&w.as_str())) {
        return None;
    }
    let Value::Object(o) = input else { return None };
    o.iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.contains("port") || matches!(k.as_str(), "listen" | "bind" | "address" | "addr")
        })
        .flat_map(|(_, v)| scalars(v))
        .flat_map(|text| {
            text.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u16>().ok())
                .collect::<Vec<_>>()
        })
        .find(|p| ports.contains(p))
}

/// Whether the input sets a replica count to zero (`replicas: 0`,
/// `"replicaCount": "0"`, `scale: 0`).
fn scaled_to_zero(input: &Value) -> bool {
    let Value::Object(o) = input else {
        return false;
    };
    o.iter().any(|(k, v)| {
        let k = k.to_ascii_lowercase();
        (k.contains("replica") || k == "scale" || k == "count")
            && match v {
                Value::Number(n) => n.as_f64() == Some(0.0),
                Value::String(s) => s.trim() == "0",
                _ => false,
            }
    })
}

/// The scalar values of a field, as text (a list's items too).
fn scalars(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(scalars).collect(),
        Value::Object(o) => o
            .iter()
            .flat_map(|(k, v)| scalars(v).into_iter().map(move |s| format!("{k}={s}")))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stops(tool: &str, input: Value) -> bool {
        let names = vec!["clawlaw".to_string()];
        let gate = GateProcesses {
            names: &names,
            pids: &[4242],
            ports: &[7070],
        };
        let mut out = Vec::new();
        judge(&gate, tool, &input, &mut out);
        !out.is_empty()
    }

    #[test]
    fn a_tool_named_for_stopping_that_names_the_gate() {
        assert!(stops(
            "mcp__docker__stop_container",
            json!({"container_id": "clawlaw-gate"})
        ));
        assert!(stops(
            "mcp__kubernetes__kubectl_delete",
            json!({"resourceType": "deployment", "name": "web", "namespace": "clawlaw"})
        ));
        assert!(stops(
            "mcp__k8s__scaleDeployment",
            json!({"name": "clawlaw", "replicas": 0})
        ));
        assert!(stops("mcp__os__killProcess", json!({"pid": 4242})));
        assert!(stops(
            "mcp__system__kill_process",
            json!({"process_name": "clawlaw-full"})
        ));
        assert!(stops(
            "mcp__windows__kill_process",
            json!({"imageName": "clawlaw.exe"})
        ));
        assert!(stops(
            "mcp__k8s__delete_pods",
            json!({"labelSelector": {"app": "clawlaw"}})
        ));
        assert!(stops(
            "mcp__process__signal",
            json!({"process": "clawlaw", "signal": "SIGKILL"})
        ));
    }

    #[test]
    fn other_workloads_other_verbs_and_paths_are_not_stops() {
        assert!(!stops(
            "mcp__docker__stop_container",
            json!({"container_id": "web-1"})
        ));
        assert!(!stops(
            "mcp__k8s__scaleDeployment",
            json!({"name": "clawlaw", "replicas": 3})
        ));
        assert!(!stops(
            "mcp__docker__inspect_container",
            json!({"container_id": "clawlaw-gate"})
        ));
        assert!(!stops(
            "mcp__filesystem__delete_file",
            json!({"path": "/work/app/notes/clawlaw.md"})
        ));
        assert!(!stops("mcp__os__killProcess", json!({"pid": 4243})));
        // Deleting a repository or a branch named like the gate stops nothing.
        assert!(!stops(
            "mcp__github__delete_repository",
            json!({"name": "clawlaw-demo"})
        ));
        assert!(!stops(
            "mcp__git__delete_branch",
            json!({"name": "clawlaw-docs"})
        ));
    }

    #[test]
    fn a_tool_that_opens_the_gates_port() {
        for (tool, input) in [
            (
                "mcp__docker__run_container",
                json!({"image": "nginx", "ports": {"7070": "80"}}),
            ),
            (
                "mcp__docker__create_container",
                json!({"image": "nginx", "ports": ["7070:80/tcp"]}),
            ),
            (
                "mcp__kubernetes__port_forward",
                json!({"resourceName": "web", "localPort": 7070, "targetPort": 80}),
            ),
            (
                "mcp__dev__startServer",
                json!({"command": "vite", "address": "127.0.0.1:7070"}),
            ),
        ] {
            assert!(stops(tool, input.clone()), "{tool} {input}");
        }
        assert!(!stops(
            "mcp__docker__run_container",
            json!({"image": "nginx", "ports": {"8080": "80"}})
        ));
        // Reading or connecting is not taking the port.
        assert!(!stops(
            "mcp__docker__list_containers",
            json!({"filters": {"publish": "7070"}})
        ));
    }
}

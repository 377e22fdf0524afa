//! The host access a container is started with, written as the `docker
//! run` line that starts it so: privileged, the host's process, IPC,
//! network or user namespace, added capabilities, devices, security options
//! and host paths mounted as volumes. Compose services (`compose.rs`) and a
//! container tool's input (`mcp__docker__run_container {"image": …,
//! "privileged": true, "volumes": ["/:/host"]}`, the Docker Engine API's
//! `HostConfig`) are read into one, so a policy that judges `docker run
//! --privileged -v /:/host` judges them the same way.

use serde_json::{Map, Value};

/// The `docker run` line that starts `image` with `flags` (each
/// `--name` or `--name=value`) and runs `command` (a shell line) in it;
/// `None` when no flag asks for host access.
pub(super) fn docker_run(flags: &[String], image: &str, command: Option<&str>) -> Option<String> {
    if flags.is_empty() {
        return None;
    }
    let words: Vec<String> = flags.iter().map(|f| arg(f)).collect();
    let mut line = format!("docker run --rm {} {}", words.join(" "), arg(image));
    if let Some(c) = command {
        line.push(' ');
        line.push_str(c);
    }
    Some(line)
}

/// The flag a host namespace setting (`pid: host`, `PidMode: "host"`)
/// amounts to, by the setting's name in Compose (`network_mode`) or the
/// Engine API (`NetworkMode`), compared without case or `_`.
pub(super) fn host_namespace(key: &str) -> Option<&'static str> {
    match key.to_ascii_lowercase().replace('_', "").as_str() {
        "pid" | "pidmode" => Some("--pid=host"),
        "ipc" | "ipcmode" => Some("--ipc=host"),
        "networkmode" | "network" => Some("--network=host"),
        "usernsmode" | "userns" => Some("--userns=host"),
        _ => None,
    }
}

/// Whether a volume's source is a path on the host (not a named volume).
pub(super) fn host_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '$'])
}

/// The `docker run` line a container tool's input amounts to, when the
/// tool's own name (`run_container`) says it runs or creates a container
/// and its input names an image and asks for host access. `command` is the
/// command line the input holds, run in the container.
pub(super) fn docker_run_of(
    name: &str,
    o: &Map<String, Value>,
    command: Option<&str>,
) -> Option<String> {
    let name = name.to_ascii_lowercase();
    if !name.contains("container") && !name.contains("run") {
        return None;
    }
    let image = ["image", "Image", "image_name"]
        .iter()
        .find_map(|k| o.get(*k)?.as_str())?;
    let mut flags = Vec::new();
    host_config(o, &mut flags);
    for key in ["HostConfig", "host_config", "hostConfig"] {
        if let Some(Value::Object(h)) = o.get(key) {
            host_config(h, &mut flags);
        }
    }
    docker_run(&flags, image, command)
}

/// The flags an object's host access settings amount to.
fn host_config(o: &Map<String, Value>, flags: &mut Vec<String>) {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    // By name, so that the line does not depend on whether the map keeps
    // the input's order (serde_json's `preserve_order`, which another crate
    // of a build may switch on).
    let mut settings: Vec<(&String, &Value)> = o.iter().collect();
    settings.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    for (key, v) in settings {
        let k = key.to_ascii_lowercase().replace('_', "");
        match k.as_str() {
            "privileged" if v == &Value::Bool(true) => flags.push("--privileged".into()),
            _ if v.as_str() == Some("host") && host_namespace(key).is_some() => {
                flags.extend(host_namespace(key).map(str::to_string))
            }
            "capadd" => flags.extend(strings(v).into_iter().map(|c| format!("--cap-add={c}"))),
            "securityopt" => flags.extend(
                strings(v)
                    .into_iter()
                    .map(|s| format!("--security-opt={s}")),
            ),
            "devices" => {
                let mut found = strings(v);
                if let Value::Array(items) = v {
                    found.extend(items.iter().filter_map(|i| {
                        Some(
                            i.get("PathOnHost")
                                .or_else(|| i.get("path"))?
                                .as_str()?
                                .to_string(),
                        )
                    }));
                }
                flags.extend(found.into_iter().map(|d| format!("--device={d}")));
            }
            "volumes" | "binds" | "mounts" => volumes(v, flags),
            _ => {}
        }
    }
}

/// Volumes as `--volume` flags: `SRC:DST[:MODE]` strings, mount objects
/// (`{"source", "target", "read_only"}`, the Engine API's `Source`,
/// `Target`, `ReadOnly`), or docker-py's map (`{"/src": {"bind": "/dst",
/// "mode": "ro"}}`); named volumes left out.
fn volumes(v: &Value, flags: &mut Vec<String>) {
    let mut add = |src: &str, dst: &str, ro: bool| {
        if host_path(src) {
            let mode = if ro { ":ro" } else { "" };
            flags.push(format!("--volume={src}:{dst}{mode}"));
        }
    };
    let field = |o: &Map<String, Value>, keys: &[&str]| {
        keys.iter()
            .find_map(|k| o.get(*k)?.as_str())
            .map(str::to_string)
    };
    match v {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => {
                        if let Some((src, dst)) = s.split_once(':') {
                            // `SRC:DST[:MODE]`, the mode kept with the target.
                            add(src, dst, false);
                        }
                    }
                    Value::Object(m) => {
                        let src = field(m, &["source", "Source", "host_path", "hostPath"]);
                        let dst = field(m, &["target", "Target", "container_path", "destination"]);
                        let ro = ["read_only", "ReadOnly", "readonly"]
                            .iter()
                            .any(|k| m.get(*k) == Some(&Value::Bool(true)));
                        if let (Some(s), Some(d)) = (src, dst) {
                            add(&s, &d, ro);
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(m) => {
            for (src, spec) in m {
                let dst = spec.get("bind").and_then(Value::as_str).unwrap_or(src);
                let ro = spec.get("mode").and_then(Value::as_str) == Some("ro");
                add(src, dst, ro);
            }
        }
        _ => {}
    }
}

/// `word` written for the shell: a flag's value as a word of its own
/// (`--volume ~/x:/h`, so that the shell expands a leading `~` as Compose
/// does), `$VAR` left to expand as Compose interpolates it (double quotes),
/// anything else quoted.
fn arg(word: &str) -> String {
    if let Some((flag, v)) = word.split_once('=')
        && flag.starts_with("--")
    {
        if let Some(rest) = v.strip_prefix('~') {
            return format!("{flag} ~{}", crate::shell::quote(rest));
        }
        return format!("{flag} {}", arg(v));
    }
    if word.contains('$') && !word.contains(['"', '\\', '`']) {
        return format!("\"{word}\"");
    }
    crate::shell::quote(word)
}

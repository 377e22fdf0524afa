//! What writes to the registry repositories the gate pulls its policies
//! from (reported as `oci://host/repository` among its addresses): an
//! artifact pushed, copied, tagged, mutated, signed, attached or deleted
//! there (`oras push`, `cosign sign|attach|copy|clean`, `crane
//! push|copy|tag|mutate|delete`, `docker|podman push`, `skopeo
//! copy|delete`, `regctl image copy|mod|delete`, `notation sign`, `wkg oci
//! push`). The gate hot-reloads what it finds there, after checking its
//! signature: a push there is an attempt to change the rules that govern
//! the agent, whether or not the agent can sign it. Reading from it (`oras
//! pull`, `cosign verify`, a copy out of it) stays allowed.

use clawlaw_sdk::shell::Command;

/// The references `c` writes to: the artifacts it pushes, copies into,
/// tags, signs or deletes.
pub fn written(c: &Command) -> Vec<String> {
    if c.program_dynamic {
        return Vec::new();
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let (ops, tags) = operands(&args);
    let verb = |k: usize| ops.get(k).copied().unwrap_or("");
    let rest = |k: usize| ops.get(k..).unwrap_or(&[]).to_vec();
    let last = |k: usize| ops.get(k..).and_then(|r| r.last().copied());
    let mut out: Vec<&str> = match c.program.as_str() {
        // `oras push REF files…`, `oras cp SRC DST`, `oras manifest push REF`.
        "oras" => match (verb(0), verb(1)) {
            ("push" | "attach" | "tag", _) => rest(1).into_iter().take(1).collect(),
            ("cp" | "copy", _) => last(1).into_iter().collect(),
            ("manifest" | "blob", "push" | "delete") => rest(2).into_iter().take(1).collect(),
            _ => Vec::new(),
        },
        // `cosign sign REF`, `cosign copy SRC DST`, `cosign upload wasm -f
        // x.wasm REF`, `cosign attach signature REF`.
        "cosign" => match (verb(0), verb(1)) {
            ("sign" | "attest" | "clean", _) => rest(1),
            ("copy", _) => last(1).into_iter().collect(),
            ("attach" | "upload", _) => rest(2),
            _ => Vec::new(),
        },
        "notation" if verb(0) == "sign" => rest(1),
        // `crane push TAR REF`, `crane copy SRC DST`, `crane tag REF TAG`,
        // `crane mutate REF -t NEW`, `crane delete REF`.
        "crane" => match verb(0) {
            "push" | "cp" | "copy" => last(1).into_iter().collect(),
            "tag" | "delete" => rest(1).into_iter().take(1).collect(),
            // In place, unless `-t` names where the result goes.
            "mutate" | "rebase" | "flatten" | "append" if tags.is_empty() => {
                rest(1).into_iter().take(1).collect()
            }
            _ => Vec::new(),
        },
        "docker" | "podman" | "nerdctl" | "buildah" if verb(0) == "push" => rest(1),
        "skopeo" => match verb(0) {
            "copy" | "sync" => last(1).into_iter().collect(),
            "delete" => rest(1),
            _ => Vec::new(),
        },
        "regctl" => match (verb(0), verb(1)) {
            ("image", "copy" | "cp") => last(2).into_iter().collect(),
            (
                "image" | "manifest" | "tag" | "artifact",
                "mod" | "delete" | "rm" | "put" | "push",
            ) => rest(2).into_iter().take(1).collect(),
            _ => Vec::new(),
        },
        "wkg" if verb(0) == "oci" && verb(1) == "push" => rest(2).into_iter().take(1).collect(),
        "wasm-to-oci" if verb(0) == "push" => last(1).into_iter().collect(),
        _ => Vec::new(),
    };
    // `-t REF` of a build that pushes (`docker buildx build --push -t REF
    // .`), `crane mutate -t NEW`.
    let tagging = matches!(
        c.program.as_str(),
        "crane" | "docker" | "podman" | "buildah"
    ) && (c.program == "crane" || args.contains(&"--push"));
    if tagging {
        out.extend(tags);
    }
    out.into_iter().map(str::to_string).collect()
}

/// The words of `args` that are not options or their values, and the
/// values of `-t`/`--tag`.
fn operands<'a>(args: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    const VALUED: &[&str] = &[
        "-t",
        "--tag",
        "-f",
        "--file",
        "-a",
        "--annotation",
        "--key",
        "-k",
        "--artifact-type",
        "--platform",
        "--type",
        "--config",
        "--registry-config",
        "-u",
        "--username",
        "-p",
        "--password",
        "--output",
        "-o",
        "--signature",
        "--payload",
        "--attestation",
        "--certificate",
        "--predicate",
        "--sbom",
        "--dest",
        "--src",
        "--format",
    ];
    let mut ops = Vec::new();
    let mut tags = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        k += 1;
        if a.starts_with('-') {
            if let Some((name, value)) = a.split_once('=') {
                if matches!(name, "-t" | "--tag") {
                    tags.push(value);
                }
            } else if VALUED.contains(&a) {
                if matches!(a, "-t" | "--tag") {
                    tags.extend(args.get(k).copied());
                }
                k += 1;
            }
            continue;
        }
        ops.push(a);
    }
    (ops, tags)
}

/// `host[:port]/repository` of a reference as a client writes it
/// (`oci://h/r:tag`, `docker://h/r@sha256:…`, `h/r`), without tag or
/// digest; `None` when it names no registry host.
pub fn repository(reference: &str) -> Option<String> {
    let r = reference
        .split_once("://")
        .map_or(reference, |(_, rest)| rest)
        .trim_matches(['"', '\'']);
    let r = r.split('@').next()?;
    let (host, path) = r.split_once('/')?;
    if !(host.contains(['.', ':']) || host == "localhost") {
        return None;
    }
    // A tag is after the last `:` of the path.
    let path = match path.rsplit_once(':') {
        Some((p, tag)) if !tag.contains('/') => p,
        _ => path,
    };
    Some(format!("{}/{}", host.to_ascii_lowercase(), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(cmd: &str) -> Vec<String> {
        let line = clawlaw_sdk::shell::parse(cmd);
        line.commands
            .iter()
            .flat_map(written)
            .filter_map(|r| repository(&r))
            .collect()
    }

    const GATE: &str = "harbor.example.com/clawlaw/shell-guard";

    #[test]
    fn writes_to_a_repository() {
        for cmd in [
            "oras push harbor.example.com/clawlaw/shell-guard:1.3 policy.wasm:application/wasm",
            "oras tag harbor.example.com/clawlaw/shell-guard:1.2 latest",
            "oras cp ghcr.io/me/evil:1 harbor.example.com/clawlaw/shell-guard:1.2",
            "oras manifest delete harbor.example.com/clawlaw/shell-guard@sha256:abc",
            "cosign sign --key cosign.key harbor.example.com/clawlaw/shell-guard@sha256:abc",
            "cosign copy ghcr.io/me/evil:1 harbor.example.com/clawlaw/shell-guard:1.2",
            "cosign clean --type all harbor.example.com/clawlaw/shell-guard:1.2",
            "cosign upload wasm -f evil.wasm harbor.example.com/clawlaw/shell-guard:1.2",
            "crane push evil.tar harbor.example.com/clawlaw/shell-guard:1.2",
            "crane mutate ghcr.io/me/x:1 -t harbor.example.com/clawlaw/shell-guard:1.2",
            "crane delete harbor.example.com/clawlaw/shell-guard:1.2",
            "docker push harbor.example.com/clawlaw/shell-guard:1.2",
            "docker buildx build --push -t harbor.example.com/clawlaw/shell-guard:1.2 .",
            "skopeo copy docker://ghcr.io/me/x:1 docker://harbor.example.com/clawlaw/shell-guard:1.2",
            "regctl image copy ghcr.io/me/x:1 harbor.example.com/clawlaw/shell-guard:1.2",
            "wkg oci push harbor.example.com/clawlaw/shell-guard:1.2 evil.wasm",
        ] {
            assert_eq!(writes(cmd), [GATE], "{cmd}");
        }
    }

    #[test]
    fn reads_and_other_repositories() {
        for cmd in [
            "oras pull harbor.example.com/clawlaw/shell-guard:1.2",
            "cosign verify --key cosign.pub harbor.example.com/clawlaw/shell-guard:1.2",
            "crane digest harbor.example.com/clawlaw/shell-guard:1.2",
            "docker pull harbor.example.com/clawlaw/shell-guard:1.2",
            "docker build -t harbor.example.com/clawlaw/shell-guard:1.2 .",
        ] {
            assert!(writes(cmd).is_empty(), "{cmd}");
        }
        assert_eq!(
            writes("oras cp harbor.example.com/clawlaw/shell-guard:1.2 localhost:5000/copy:1"),
            ["localhost:5000/copy"]
        );
        assert_eq!(repository("myimage:latest"), None);
        assert_eq!(
            repository("oci://127.0.0.1:5000/p:1").as_deref(),
            Some("127.0.0.1:5000/p")
        );
    }
}

//! Containers given write access to governance files: a writable bind
//! mount (`docker run -v ~/.claude:/c`) of a protected path, of something
//! inside one, or of a directory above it but the working tree.

use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::CommandLine;

use crate::Context;
use crate::findings::Finding;

/// `docker run -v ~/.claude:/c …`: a container given a writable bind mount
/// of a protected path, of something inside one or of the directory that
/// holds it can change it from inside, where no hook sees what it does. A
/// mount of a directory further up (the workspace, which holds
/// `.claude/settings.json` a level down) is ordinary work and stays
/// allowed; so does any mount made read-only.
pub fn mounts(ctx: &Context, line: &CommandLine, cwd: Option<&str>, out: &mut Vec<Finding>) {
    for c in &line.commands {
        if !matches!(c.program.as_str(), "docker" | "podman" | "nerdctl") {
            continue;
        }
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        if !args.iter().any(|a| matches!(*a, "run" | "create")) {
            continue;
        }
        for (k, a) in args.iter().enumerate() {
            let spec = match *a {
                "-v" | "--volume" | "--mount" => args.get(k + 1).copied(),
                _ => a
                    .strip_prefix("--volume=")
                    .or_else(|| a.strip_prefix("--mount="))
                    .or_else(|| a.strip_prefix("-v").filter(|v| !v.is_empty())),
            };
            let Some((source, writable)) = spec.and_then(bind_source) else {
                continue;
            };
            let Ok(path) = normalize(source, cwd, ctx.home.as_deref()) else {
                continue;
            };
            // The protected path itself, inside it, the directory that
            // directly holds it (`~/.claude`, whose files are the hooks), or
            // any directory above it but the working tree (`/`, `~`): the
            // container may rewrite what lies below. The working tree is
            // what containers are for; only its agent directories count.
            let p = &ctx.d.protected;
            let workspace = cwd.is_some_and(|w| clawlaw_sdk::path::is_within(&path, w));
            let hit = p.change_hit(&path).filter(|h| !h.above).or_else(|| {
                p.removal_hit(&path).filter(|h| {
                    !workspace
                        || h.protected
                            .rsplit_once('/')
                            .is_some_and(|(parent, _)| parent == path)
                })
            });
            if writable && let Some(h) = hit {
                out.push(Finding::change(
                    h,
                    &format!("{} {a} {source}", c.program),
                    "hand a container write access to",
                    &path,
                ));
            }
        }
    }
}

/// The host path of a bind mount and whether it is writable:
/// `SRC:DST[:opts]` (`-v`) or `type=bind,source=SRC,…` (`--mount`).
fn bind_source(spec: &str) -> Option<(&str, bool)> {
    if spec.contains("source=") || spec.contains("src=") || spec.contains("type=") {
        let mut source = None;
        let mut writable = true;
        for field in spec.split(',') {
            match field.split_once('=') {
                Some(("source" | "src", v)) => source = Some(v),
                Some(("readonly" | "ro", v)) => writable = v == "false" || v == "0",
                None if matches!(field, "readonly" | "ro") => writable = false,
                _ => {}
            }
        }
        return source.map(|s| (s, writable));
    }
    let mut parts = spec.split(':');
    let source = parts.next()?;
    let _target = parts.next()?;
    let writable = !parts
        .next()
        .is_some_and(|o| o.split(',').any(|o| o == "ro"));
    // A named volume (`data:/var/lib`) is not a host path.
    let host = source.starts_with(['/', '.', '~', '$']);
    host.then_some((source, writable))
}

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
        for m in clawlaw_sdk::shell::containers::bind_mounts(c) {
            let (a, source, writable) = (m.option.as_str(), m.source.text.as_str(), m.writable);
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

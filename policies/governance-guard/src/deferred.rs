//! Commands stashed in a file now and run later by its path: a file that
//! is no script by its name or shebang (`cmd.txt`, `notes`) but whose
//! lines, run by a shell, would break one of this policy's rules is
//! labelled when it is written (`gate-script:RULE:DIGEST`, on the session:
//! labels are short names, so the path is a digest of it, [`path_key`]);
//! running it later (`sh cmd.txt`, `source cmd.txt`, `./cmd.txt`) is
//! denied under that rule. The write itself stays allowed: the same lines
//! in notes or documentation harm nothing until they run.
//!
//! Only text that names something governed (the gate's processes, files,
//! variables, pid or port, an agent's settings directory) is read as a
//! script, and at most [`MAX_SCRIPT`] bytes of it.

use clawlaw_sdk::effects::Effects;
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::CommandLine;
use clawlaw_sdk::{Session, Verdict};
use sha2::{Digest, Sha256};

use crate::Context;
use crate::findings::{Finding, RULES};

/// The session label's prefix.
const PREFIX: &str = "gate-script:";
/// Most bytes of a written file read as a script.
const MAX_SCRIPT: usize = 64 * 1024;

/// The label for `content` written to `path` (absolute, normalised) when
/// its lines, run by a shell in `cwd`, would be denied by a rule of this
/// policy.
pub fn label(ctx: &Context, path: &str, content: &str, cwd: Option<&str>) -> Option<String> {
    if content.len() > MAX_SCRIPT || !names_governed(ctx, content) {
        return None;
    }
    let found = crate::commands::judge(ctx, content, cwd);
    let denied = found.iter().find(|f| f.verdict == Verdict::Deny)?;
    Some(format!("{PREFIX}{}:{}", denied.rule, path_key(path)))
}

/// A path as a label may hold it: the first 8 bytes of its SHA-256, in
/// hexadecimal (a label is at most 64 of `a-z0-9.-_:`).
fn path_key(path: &str) -> String {
    Sha256::digest(path.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `text` names the gate's pid or port besides what
/// [`Context::mentions_governance`] looks for.
fn names_governed(ctx: &Context, text: &str) -> bool {
    ctx.mentions_governance(text)
        || ctx.facts.pids.iter().any(|p| text.contains(&p.to_string()))
        || ctx
            .gate_ports()
            .iter()
            .any(|p| text.contains(&p.to_string()))
}

/// The labels for the files command line `cmd` writes from literal text
/// (`echo 'pkill clawlaw' > cmd.txt`), read only when it writes and names
/// something governed.
pub fn written_by_line(
    ctx: &Context,
    cmd: &str,
    line: &CommandLine,
    cwd: Option<&str>,
) -> Vec<String> {
    let writes = cmd.contains('>') || cmd.contains("tee");
    if !writes || !names_governed(ctx, cmd) {
        return Vec::new();
    }
    let mut written = Vec::new();
    for c in &line.commands {
        clawlaw_sdk::implied::literal_writes(c, &mut written);
    }
    written
        .iter()
        .filter_map(|(raw, text)| {
            let path = normalize(raw, cwd, ctx.home.as_deref()).ok()?;
            label(ctx, &path, text, cwd)
        })
        .collect()
}

/// The runs, in a command line whose effects are `fx`, of files the
/// session labelled when they were written.
pub fn judge(session: &Session, fx: &Effects, out: &mut Vec<Finding>) {
    if !session.labels.iter().any(|l| l.starts_with(PREFIX)) {
        return;
    }
    for path in fx.executes.iter().filter_map(|x| x.path.as_deref()) {
        let key = path_key(path);
        for label in &session.labels {
            let Some((rule, labelled)) = label.strip_prefix(PREFIX).and_then(|r| r.split_once(':'))
            else {
                continue;
            };
            if labelled == key {
                let rule = RULES
                    .iter()
                    .map(|(r, _)| *r)
                    .find(|r| *r == rule)
                    .unwrap_or(crate::findings::STOP_GATE);
                out.push(Finding::stashed(rule, path));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path_key;

    #[test]
    fn a_label_holds_any_path_as_a_short_name() {
        let key = path_key("/work/app/some dir/Notes (old).txt");
        assert_eq!(key.len(), 16);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(key, path_key("/work/app/cmd.txt"));
        let label = format!("gate-script:governance.gate-secrets:{key}");
        assert!(label.len() <= 64, "{label}");
    }
}

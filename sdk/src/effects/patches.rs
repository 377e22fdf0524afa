//! The files a patch given on the line changes: `patch` and `git apply` fed
//! a unified diff on their input (a here-document, a here-string, an
//! upstream `echo`/`printf`/`cat <<EOF`). Each file the diff creates or
//! changes (`+++ b/path`) is written, each it removes (`+++ /dev/null`)
//! deleted, at its path once the leading components `-p N` strips are gone
//! (`git apply` strips one by default; `patch` without `-p` keeps the base
//! name), below the directory the command patches in. A patch read from a
//! file the line does not show is not read: the caller records what the
//! program may write without it.

use super::args::stdin_text;
use super::context::{Cx, Kind};
use crate::shell::Word;

/// How many leading components to strip from the diff's names: `Some(n)`
/// for `-p n`, `None` for `patch`'s default (the base name).
pub(crate) type Strip = Option<usize>;

/// Records the files the diff on `cx`'s input changes, below `dir` (the
/// working directory when `None`); `false` when the input is not known.
pub(crate) fn from_input(cx: &mut Cx, strip: Strip, dir: Option<&Word>, how: &str) -> bool {
    let Ok(Some(diff)) = stdin_text(cx) else {
        return false;
    };
    for (kind, name) in changes(&diff) {
        let Some(name) = stripped(&name, strip) else {
            continue;
        };
        let at = match dir {
            Some(d) => {
                let end = d.text.len();
                let base = d.with_value(end..end, &Word::literal("/"));
                let end = base.text.len();
                base.with_value(end..end, &Word::literal(name))
            }
            None => Word::literal(name),
        };
        cx.path(kind, &at, 0, how, false);
    }
    true
}

/// The files a unified diff changes, as named in it: `(Write, new name)`
/// for `+++ NAME`, `(Delete, old name)` when the new one is `/dev/null`.
fn changes(diff: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let mut old: Option<&str> = None;
    for line in diff.lines() {
        let name = |rest: &str| -> String {
            let rest = rest.split('\t').next().unwrap_or(rest).trim();
            rest.trim_matches('"').to_string()
        };
        if let Some(rest) = line.strip_prefix("--- ") {
            old = Some(rest);
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            let new = name(rest);
            if new == "/dev/null" {
                if let Some(o) = old.take() {
                    out.push((Kind::Delete, name(o)));
                }
            } else {
                out.push((Kind::Write, new));
            }
        }
    }
    out
}

/// `name` with `strip` leading components removed (`None`: its base name);
/// `None` when it has too few.
fn stripped(name: &str, strip: Strip) -> Option<String> {
    match strip {
        None => name.rsplit('/').next().map(str::to_string),
        Some(0) => Some(name.to_string()),
        Some(n) => {
            let parts: Vec<&str> = name.split('/').collect();
            (parts.len() > n).then(|| parts[n..].join("/"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::effects::analyze;
    use crate::shell::parse;

    fn touched(line: &str) -> (Vec<String>, Vec<String>) {
        let e = analyze(&parse(line), Some("/w"), Some("/h"));
        let paths = |v: &[crate::effects::PathEffect]| v.iter().map(|p| p.path.clone()).collect();
        (paths(&e.writes), paths(&e.deletes))
    }

    const DIFF: &str = "diff --git a/.claude/settings.json b/.claude/settings.json\n--- a/.claude/settings.json\n+++ b/.claude/settings.json\n@@ -1 +1 @@\n-{\"hooks\": 1}\n+{}\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";

    #[test]
    fn git_apply_of_a_diff_on_the_line() {
        let (writes, deletes) = touched(&format!("git apply <<'EOF'\n{DIFF}EOF"));
        assert!(
            writes.contains(&"/w/.claude/settings.json".to_string()),
            "{writes:?}"
        );
        assert_eq!(deletes, ["/w/old.txt"]);
        let (writes, _) = touched(&format!(
            "git apply --directory=sub -p1 - <<'EOF'\n{DIFF}EOF"
        ));
        assert!(
            writes.contains(&"/w/sub/.claude/settings.json".to_string()),
            "{writes:?}"
        );
    }

    #[test]
    fn patch_of_a_diff_on_the_line() {
        let (writes, _) = touched(&format!("patch -p1 <<'EOF'\n{DIFF}EOF"));
        assert!(
            writes.contains(&"/w/.claude/settings.json".to_string()),
            "{writes:?}"
        );
        // Without `-p`, patch keeps the base name.
        let (writes, _) = touched(&format!("patch <<'EOF'\n{DIFF}EOF"));
        assert!(
            writes.contains(&"/w/settings.json".to_string()),
            "{writes:?}"
        );
        let (writes, _) = touched(&format!("patch -d /srv/app -p1 <<'EOF'\n{DIFF}EOF"));
        assert!(
            writes.contains(&"/srv/app/.claude/settings.json".to_string()),
            "{writes:?}"
        );
    }
}

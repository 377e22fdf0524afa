//! The git pack: commands that throw away work git cannot give back —
//! uncommitted changes (`reset --hard`, `checkout -- .`, `restore`),
//! untracked files (`clean -f`), unmerged branches (`branch -D`), stashes
//! (`stash drop|clear`), remote history (force pushes) and the reflog
//! (`reflog expire`, `filter-branch`).

use clawlaw_sdk::Verdict;
use clawlaw_sdk::shell::{Command, Word};

use crate::checker::Checker;
use crate::loc::{Danger, Loc, resolve};
use crate::programs::subcommand;
use crate::rules::{Pack, PackRule};

pub(crate) const RESET_HARD: PackRule = PackRule {
    id: "git.reset-hard",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate `git reset --hard` (and `--merge`): it discards uncommitted changes in the work tree and index",
    instead: "commit or `git stash` first, or use `git reset --keep`, which refuses to discard local changes",
};
pub(crate) const CLEAN_FORCE: PackRule = PackRule {
    id: "git.clean-force",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate `git clean -f`: it deletes untracked (with -x also ignored) files, which git cannot restore",
    instead: "preview with `git clean -n` and delete the files you mean by name, or `git stash -u` to keep them",
};
pub(crate) const DISCARD_CHANGES: PackRule = PackRule {
    id: "git.discard-changes",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate `git checkout -- <paths>`, `git checkout .`, `git checkout -f`, `git restore <paths>` and `git switch -f`: they overwrite uncommitted changes",
    instead: "look at `git diff` first and `git stash` what should be kept; `git restore --staged` only unstages",
};
pub(crate) const BRANCH_FORCE_DELETE: PackRule = PackRule {
    id: "git.branch-force-delete",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate `git branch -D` (`--delete --force`): it deletes a branch even when its commits are merged nowhere",
    instead: "use `git branch -d`, which refuses unmerged branches, or push the branch first",
};
pub(crate) const STASH_DROP: PackRule = PackRule {
    id: "git.stash-drop",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate `git stash drop` and `git stash clear`: stashed changes are in no commit",
    instead: "check `git stash list` and `git stash show -p` first, or `git stash pop` to keep the changes",
};
pub(crate) const REWRITE_HISTORY: PackRule = PackRule {
    id: "git.rewrite-history",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate `git filter-branch`, `git filter-repo`, `git reflog expire`/`delete`, `git gc --prune=now` and `git update-ref -d`: they rewrite history or remove the reflog that recovers lost commits",
    instead: "work on a fresh clone or a backup branch, and keep the reflog until the result is checked",
};

pub(crate) const RULES: &[&PackRule] = &[
    &RESET_HARD,
    &CLEAN_FORCE,
    &DISCARD_CHANGES,
    &BRANCH_FORCE_DELETE,
    &STASH_DROP,
    &REWRITE_HISTORY,
];

/// Whether a short-option cluster (`-fdx`) contains `flag`.
fn short(a: &str, flag: char) -> bool {
    a.len() > 1 && a.starts_with('-') && !a.starts_with("--") && a[1..].contains(flag)
}

impl Checker<'_> {
    pub(crate) fn check_git(&mut self, c: &Command, cwd: &Loc, shown: &str) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let rest = &c.argv[k + 1..];
        let has = |pred: &dyn Fn(&str) -> bool| rest.iter().any(|w| pred(&w.text));
        let subject = format!("git {sub}");
        let subject = Some(subject.as_str());
        match sub {
            "push" => self.check_push(rest, shown),
            "clean" => {
                let mut dirs: Vec<Word> = rest
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .cloned()
                    .collect();
                let globals = &c.argv[1..k];
                if let Some(p) = globals.iter().position(|w| w.text == "-C") {
                    dirs.extend(globals.get(p + 1).cloned());
                }
                for d in dirs {
                    if let Some(Danger::Deny(what)) = self.danger(&resolve(&d, cwd)) {
                        self.deny(
                            "shell.destructive",
                            format!("`{shown}` would delete untracked files across {what}"),
                        );
                    }
                }
                let dry = has(&|a| short(a, 'n') || a == "--dry-run");
                let force = has(&|a| short(a, 'f') || a == "--force");
                if force && !dry {
                    let ignored = if has(&|a| short(a, 'x') || short(a, 'X')) {
                        " and ignored files (build outputs, but also `.env` and local settings)"
                    } else {
                        ""
                    };
                    self.hit(
                        &CLEAN_FORCE,
                        subject,
                        format!(
                            "`{shown}` deletes untracked files{ignored}, which git cannot restore"
                        ),
                    );
                }
            }
            "reset" if has(&|a| a == "--hard" || a == "--merge") => self.hit(
                &RESET_HARD,
                subject,
                format!("`{shown}` discards uncommitted changes in the work tree and index"),
            ),
            "checkout" | "switch" | "restore" => self.check_discard(sub, rest, shown),
            "branch" => {
                let delete = has(&|a| short(a, 'd') || short(a, 'D') || a == "--delete");
                let force = has(&|a| short(a, 'D') || short(a, 'f') || a == "--force");
                if delete && force {
                    self.hit(
                        &BRANCH_FORCE_DELETE,
                        subject,
                        format!("`{shown}` deletes branches even if their commits are merged nowhere else"),
                    );
                }
            }
            "stash" => {
                let action = rest.iter().find(|w| !w.text.starts_with('-'));
                if let Some(a) = action.filter(|a| matches!(a.text.as_str(), "drop" | "clear")) {
                    let what = if a.text == "clear" {
                        "every stash"
                    } else {
                        "a stash"
                    };
                    self.hit(
                        &STASH_DROP,
                        subject,
                        format!("`{shown}` deletes {what}, whose changes are in no commit"),
                    );
                }
            }
            "filter-branch" | "filter-repo" => self.hit(
                &REWRITE_HISTORY,
                subject,
                format!("`{shown}` rewrites every commit it touches"),
            ),
            "reflog"
                if rest
                    .first()
                    .is_some_and(|w| matches!(w.text.as_str(), "expire" | "delete")) =>
            {
                self.hit(
                    &REWRITE_HISTORY,
                    subject,
                    format!("`{shown}` removes reflog entries, the way back to lost commits"),
                )
            }
            "gc" if has(&|a| a == "--prune=now" || a == "--prune=all") => self.hit(
                &REWRITE_HISTORY,
                subject,
                format!("`{shown}` deletes unreachable commits at once"),
            ),
            "update-ref" if has(&|a| a == "-d" || a == "--delete") => self.hit(
                &REWRITE_HISTORY,
                subject,
                format!("`{shown}` deletes a ref without the checks `git branch -d` makes"),
            ),
            _ => {}
        }
    }

    fn check_push(&mut self, rest: &[Word], shown: &str) {
        let mut lease = false;
        let mut force = false;
        for w in rest {
            let a = w.text.as_str();
            if a.starts_with("--force-with-lease") || a == "--force-if-includes" {
                lease = true;
            } else if a.starts_with("--force")
                || matches!(a, "--mirror" | "--delete" | "--prune")
                || short(a, 'f')
                || short(a, 'd')
                || ((a.starts_with('+') || a.starts_with(':')) && a.len() > 1)
            {
                force = true;
            }
        }
        if force {
            self.escalate(
                "shell.force-push",
                0.7,
                Some("git push"),
                format!("`{shown}` rewrites or deletes history on the remote"),
            );
        } else if lease {
            self.escalate(
                "shell.force-push",
                0.6,
                Some("git push"),
                format!("`{shown}` may rewrite history on the remote (force with lease)"),
            );
        }
    }

    /// `checkout`/`switch`/`restore` forms that overwrite work-tree changes.
    fn check_discard(&mut self, sub: &str, rest: &[Word], shown: &str) {
        let args: Vec<&str> = rest.iter().map(|w| w.text.as_str()).collect();
        let forced = args.iter().any(|a| *a == "--force" || short(a, 'f'))
            && !args
                .iter()
                .any(|a| short(a, 'b') || short(a, 'c') || short(a, 'B'));
        let paths: Vec<&str> = match args.iter().position(|a| *a == "--") {
            Some(dd) => args[dd + 1..].to_vec(),
            None => args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .filter(|a| {
                    // Without `--`, only what is clearly a path: `.`, a
                    // directory, a glob, a pathspec magic.
                    matches!(*a, "." | "./" | ":/" | "*") || a.ends_with('/') || a.starts_with(":(")
                })
                .collect(),
        };
        let discards = match sub {
            "restore" => {
                let staged = args.iter().any(|a| *a == "--staged" || short(a, 'S'));
                let worktree = args.iter().any(|a| *a == "--worktree" || short(a, 'W'));
                let named = rest.iter().any(|w| !w.text.starts_with('-'));
                named && (!staged || worktree)
            }
            "switch" => args
                .iter()
                .any(|a| *a == "--discard-changes" || *a == "--force" || short(a, 'f')),
            _ => forced || !paths.is_empty(),
        };
        if discards {
            let subject = format!("git {sub}");
            self.hit(
                &DISCARD_CHANGES,
                Some(&subject),
                format!("`{shown}` overwrites uncommitted changes in the work tree"),
            );
        }
    }
}

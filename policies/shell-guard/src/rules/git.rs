//! The git pack's rules.

use super::{Pack, PackRule, Verdict};

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
    summary: "Escalate `git branch -D` (`--delete --force`) and `git branch -f NAME`: they delete or move a branch even when its commits are merged nowhere",
    instead: "use `git branch -d`, which refuses unmerged branches, or a new branch name; push the branch first",
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

pub(crate) const SKIP_HOOKS: PackRule = PackRule {
    id: "git.skip-hooks",
    pack: Pack::Git,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate skipping or switching off the repository's hooks (`git commit --no-verify`/`-n`, `git push --no-verify`, `core.hooksPath` set elsewhere, `HUSKY=0`, pre-commit's `SKIP=`, `pre-commit uninstall`): the checks the project runs before a commit or push are bypassed",
    instead: "fix what the hook reports and commit again; if the hook itself is wrong, say so and let a human decide",
};

pub(crate) const RULES: &[&PackRule] = &[
    &RESET_HARD,
    &CLEAN_FORCE,
    &DISCARD_CHANGES,
    &BRANCH_FORCE_DELETE,
    &STASH_DROP,
    &REWRITE_HISTORY,
    &SKIP_HOOKS,
];

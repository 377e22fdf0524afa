//! The git pack: commands that throw away work git cannot give back —
//! uncommitted changes (`reset --hard`, `checkout -- .`, `restore`),
//! untracked files (`clean -f`), unmerged branches (`branch -D`), stashes
//! (`stash drop|clear`), remote history (force pushes) and the reflog
//! (`reflog expire`, `filter-branch`); and the repository's own checks
//! skipped or switched off (`commit --no-verify`, `core.hooksPath`).

use clawlaw_sdk::shell::{Command, Word};

use crate::checker::Checker;
use crate::loc::{Danger, Loc, resolve};
use crate::programs::Shown;
use crate::programs::subcommand;
use crate::rules::git::{
    BRANCH_FORCE_DELETE, CLEAN_FORCE, DISCARD_CHANGES, RESET_HARD, REWRITE_HISTORY, SKIP_HOOKS,
    STASH_DROP,
};

/// Whether a `core.hooksPath` value names hooks kept in the repository
/// (`.githooks`, `.husky/_`), as a project sets it up: not empty, not
/// absolute, not home-relative and not climbing out with `..`.
fn hooks_in_repository(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('/')
        && !value.starts_with('~')
        && !value.starts_with('$')
        && !value.split('/').any(|part| part == "..")
}

/// Whether a short-option cluster (`-fdx`) contains `flag`.
fn short(a: &str, flag: char) -> bool {
    a.len() > 1 && a.starts_with('-') && !a.starts_with("--") && a[1..].contains(flag)
}

impl Checker<'_> {
    pub(crate) fn check_git(&mut self, c: &Command, cwd: &Loc, shown: &Shown) {
        let Some((k, sub)) = subcommand(c) else {
            return;
        };
        let rest = &c.argv[k + 1..];
        let has = |pred: &dyn Fn(&str) -> bool| rest.iter().any(|w| pred(&w.text));
        let subject = format!("git {sub}");
        let subject = Some(subject.as_str());
        self.check_hooks_skipped(c, k, sub, shown);
        self.check_credential_helper(c, k, sub, shown);
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
            // `git worktree remove --force ../wt`: its uncommitted and
            // untracked changes go with it.
            "worktree"
                if rest.first().is_some_and(|w| w.text == "remove")
                    && has(&|a| short(a, 'f') || a == "--force") =>
            {
                self.hit(
                    &DISCARD_CHANGES,
                    subject,
                    format!(
                        "`{shown}` deletes a work tree with its uncommitted and untracked changes"
                    ),
                )
            }
            "branch" => {
                let delete = has(&|a| short(a, 'd') || short(a, 'D') || a == "--delete");
                let force = has(&|a| short(a, 'D') || short(a, 'f') || a == "--force");
                let named = rest.iter().any(|w| !w.text.starts_with('-'));
                if delete && force {
                    self.hit(
                        &BRANCH_FORCE_DELETE,
                        subject,
                        format!("`{shown}` deletes branches even if their commits are merged nowhere else"),
                    );
                } else if force && named {
                    // `git branch -f NAME [START]`: an existing NAME is moved.
                    self.hit(
                        &BRANCH_FORCE_DELETE,
                        subject,
                        format!("`{shown}` moves an existing branch, leaving behind its commits that are merged nowhere else"),
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

    /// The repository's hooks skipped for this command (`--no-verify`,
    /// `HUSKY=0`, pre-commit's `SKIP=`) or pointed elsewhere for good
    /// (`core.hooksPath` outside the repository, or nowhere).
    fn check_hooks_skipped(&mut self, c: &Command, k: usize, sub: &str, shown: &Shown) {
        let rest = &c.argv[k + 1..];
        let flag = rest.iter().any(|w| {
            w.text == "--no-verify"
                // Only `commit` spells it `-n` (`push -n` is a dry run).
                || (sub == "commit" && short(&w.text, 'n') && !w.text.starts_with("--"))
        });
        // `HUSKY=0 git commit`, and `env HUSKY=0 git commit`: the parser
        // keeps `env`'s assignments with the command too.
        let env = c
            .assignments
            .iter()
            .map(|a| (a.name.as_str(), a.value.text.as_str()))
            .any(|(name, value)| match name {
                "HUSKY" | "LEFTHOOK" => value == "0",
                "HUSKY_SKIP_HOOKS" => !matches!(value, "" | "0"),
                "SKIP" => !value.is_empty(),
                _ => false,
            });
        // `git -c core.hooksPath=/dev/null commit`, `git config core.hooksPath /tmp/x`.
        let globals = &c.argv[1..k];
        let set_inline = globals
            .iter()
            .filter_map(|w| w.text.split_once('='))
            .find(|(key, _)| key.eq_ignore_ascii_case("core.hooksPath"))
            .map(|(_, v)| v.to_string());
        let set_config = (sub == "config")
            .then(|| {
                let pos: Vec<&str> = rest
                    .iter()
                    .map(|w| w.text.as_str())
                    .filter(|a| !a.starts_with('-'))
                    .collect();
                let pos = match pos.first() {
                    Some(&"set") => &pos[1..],
                    _ => &pos[..],
                };
                match pos {
                    [key, value, ..] if key.eq_ignore_ascii_case("core.hooksPath") => {
                        Some(value.to_string())
                    }
                    _ => None,
                }
            })
            .flatten();
        let elsewhere = set_inline
            .into_iter()
            .chain(set_config)
            .any(|v| !hooks_in_repository(&v));
        if flag || env || elsewhere {
            let what = if elsewhere {
                "points git at other hooks than the repository's, so its checks no longer run"
            } else {
                "skips the repository's hooks, the checks the project runs before a commit or push"
            };
            let subject = format!("git {sub}");
            self.hit(&SKIP_HOOKS, Some(&subject), format!("`{shown}` {what}"));
        }
    }

    /// `git config --global credential.helper '!f() { cat >> /tmp/c; }; f'`:
    /// every later authentication hands its username and password to a
    /// command of the agent's making; the helpers git and the platforms
    /// ship (`store`, `cache`, `osxkeychain`, `manager`, `libsecret`, …)
    /// are fine.
    fn check_credential_helper(&mut self, c: &Command, k: usize, sub: &str, shown: &Shown) {
        let helper_key = |key: &str| {
            let key = key.to_ascii_lowercase();
            key.starts_with("credential.") && key.ends_with(".helper")
        };
        let inline = c.argv[1..k]
            .iter()
            .filter_map(|w| w.text.split_once('='))
            .filter(|(key, _)| helper_key(key))
            .map(|(_, v)| v.to_string());
        let configured = (sub == "config")
            .then(|| {
                let pos: Vec<&str> = c.argv[k + 1..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .filter(|a| !a.starts_with('-'))
                    .collect();
                match pos.as_slice() {
                    ["set", key, value, ..] | [key, value, ..] if helper_key(key) => {
                        Some(value.to_string())
                    }
                    _ => None,
                }
            })
            .flatten();
        let custom = inline.chain(configured).find(|v| {
            let program = v.split_whitespace().next().unwrap_or("");
            !v.is_empty()
                && !matches!(
                    program,
                    "store"
                        | "cache"
                        | "osxkeychain"
                        | "manager"
                        | "manager-core"
                        | "libsecret"
                        | "wincred"
                        | "gnome-keyring"
                        | "netrc"
                        | "oauth"
                        | "1password"
                )
                && !program.starts_with("/usr/")
        });
        if let Some(v) = custom {
            self.escalate(
                "shell.persistence",
                0.7,
                Some("git config"),
                format!("`{shown}` makes `{v}` git's credential helper: every later authentication hands it a username and password"),
            );
        }
    }

    /// `pre-commit uninstall`, `lefthook uninstall`: the hook manager takes
    /// the repository's hooks out.
    pub(crate) fn check_hook_manager(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        if matches!(p, "pre-commit" | "lefthook" | "husky")
            && c.args().first().is_some_and(|w| w.text == "uninstall")
        {
            self.hit(
                &SKIP_HOOKS,
                Some(p),
                format!("`{shown}` removes the repository's hooks, the checks the project runs before a commit or push"),
            );
        }
    }

    fn check_push(&mut self, rest: &[Word], shown: &Shown) {
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
        } else if lease && !leases_own_branches(rest) {
            self.escalate(
                "shell.force-push",
                0.6,
                Some("git push"),
                format!("`{shown}` may rewrite history on the remote (force with lease)"),
            );
        }
    }

    /// `checkout`/`switch`/`restore` forms that overwrite work-tree changes.
    fn check_discard(&mut self, sub: &str, rest: &[Word], shown: &Shown) {
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

/// Whether a push with `--force-with-lease` names every branch it updates
/// and none is a shared one (`git push --force-with-lease origin
/// feature/login` after a rebase): the lease refuses to overwrite what
/// others pushed since the last fetch. With no refspec (the current
/// branch, unknown here), `HEAD`, or `main`, `master`, `develop`,
/// `release/…`, `prod…` it stays a question for a human.
fn leases_own_branches(rest: &[Word]) -> bool {
    const VALUED: &[&str] = &["-o", "--push-option", "--repo", "--receive-pack", "--exec"];
    let mut operands = Vec::new();
    let mut k = 0;
    while k < rest.len() {
        let a = rest[k].text.as_str();
        k += 1;
        if VALUED.contains(&a) {
            k += 1;
        } else if !a.starts_with('-') {
            operands.push(&rest[k - 1]);
        }
    }
    let refspecs = operands.get(1..).unwrap_or_default();
    !refspecs.is_empty()
        && refspecs.iter().all(|w| {
            let dest = w.text.rsplit(':').next().unwrap_or("");
            let dest = dest.strip_prefix("refs/heads/").unwrap_or(dest);
            !w.is_dynamic()
                && !dest.is_empty()
                && dest != "HEAD"
                && !dest.contains('*')
                && !shared_branch(dest)
        })
}

/// Branch names teams share and deploy from.
fn shared_branch(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "main"
            | "master"
            | "trunk"
            | "develop"
            | "development"
            | "dev"
            | "staging"
            | "stable"
            | "gh-pages"
    ) || ["release", "prod", "hotfix"]
        .iter()
        .any(|p| lower.starts_with(p))
}

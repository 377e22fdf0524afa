//! Commands a walk feeds: `find … -exec CMD {} +`, `find … | xargs CMD`,
//! `git ls-files | xargs CMD`. The walk hands such a command every file it
//! finds, at run time, so what the SDK's effects model says the command
//! deletes or changes (`shred -u`, `truncate -s 0`, `sed -i`, `chmod`)
//! happens to every file below the walk's roots. It is judged as if done to
//! the whole tree, the way `rm` fed the same way is (`packs/filesystem.rs`):
//! a walk that filters what it finds (`-name '*.log'`, a listing) reaches
//! the files it selects in the tree, not the tree itself.

use clawlaw_sdk::effects::{self, Effects, PathEffect};
use clawlaw_sdk::shell::CommandLine;

use crate::checker::Checker;
use crate::interp::effect_loc;
use crate::loc::{ANY, Danger, Loc, system_file};
use crate::packs::filesystem::DELETERS;
use crate::programs::{find_scope, show};
use crate::rules::filesystem::REWRITE_OUTSIDE;

/// A fed command: what reasons call it, and whether its walk filters.
struct Fed {
    doer: String,
    filtered: bool,
}

impl Checker<'_> {
    /// Judges what each command a walk feeds deletes or changes. `fx` holds
    /// the line's effects once a check of the line has analysed them.
    pub(crate) fn check_fed(&mut self, cl: &CommandLine, fx: &mut Option<Effects>) {
        let fed: Vec<(usize, Fed)> = (0..cl.commands.len())
            .filter_map(|i| fed(cl, i).map(|f| (i, f)))
            .collect();
        if fed.is_empty() {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        for (i, f) in &fed {
            let c = &cl.commands[*i];
            // `check_delete` judges these when `find -exec` feeds them, and
            // `rm` when `xargs` does.
            let judged = DELETERS.contains(&c.program.as_str())
                && (cl.find_of_exec(*i).is_some() || c.program == "rm");
            let walked = |e: &&PathEffect| e.command == *i && e.recursive;
            for d in fx.deletes.iter().filter(walked).filter(|_| !judged) {
                if let Some(loc) = scope(d, f) {
                    self.tree_deleted(&loc, None, &format!("{} ({})", f.doer, d.how));
                }
            }
            // `shred -u` overwrites what it then deletes: judged as deleted.
            let deleted = |w: &&PathEffect| {
                fx.deletes
                    .iter()
                    .any(|d| d.command == *i && d.path == w.path)
            };
            for w in fx
                .writes
                .iter()
                .filter(walked)
                .filter(|w| !w.appends() && !deleted(w))
            {
                if let Some(loc) = scope(w, f) {
                    self.tree_changed(&loc, &f.doer, &w.how);
                    if !f.filtered && w.replaces_content() {
                        self.tree_emptied(&loc, &f.doer, &w.how);
                    }
                }
            }
        }
    }

    /// Judges `doer` changing (`how`) every file it is fed below `loc`:
    /// system files are denied; the root, a home directory or a parent of
    /// the working directory escalate; elsewhere outside the working
    /// directory is [`REWRITE_OUTSIDE`]. The working directory is the
    /// agent's to change.
    pub(crate) fn tree_changed(&mut self, loc: &Loc, doer: &str, how: &str) {
        let Loc::Abs(v) = loc else { return };
        let base = v.strip_suffix(&[ANY.to_string()]).unwrap_or(v);
        let place = loc.display();
        if base.is_empty() || system_file(base) {
            self.deny(
                "shell.system-write",
                format!("{doer} would change every file it finds in {place} ({how}), system files among them"),
            );
        } else if let Some(Danger::Deny(what)) = self.danger(loc) {
            self.escalate(
                "shell.destructive",
                0.8,
                None,
                format!("{doer} would change every file it finds in {what} ({how})"),
            );
        } else if self.beyond_workspace(loc) {
            let cwd = self.cwd.display();
            self.hit(
                &REWRITE_OUTSIDE,
                None,
                format!("{doer} changes every file it finds in {place} ({how}), outside the working directory {cwd}"),
            );
        }
    }

    /// Judges `doer` emptying or overwriting (`how`) every file below
    /// `loc` when `loc` is the whole working directory: its files are gone
    /// as if the tree were deleted (`rm -rf .` escalates the same way).
    fn tree_emptied(&mut self, loc: &Loc, doer: &str, how: &str) {
        if let Some(Danger::Escalate(what)) = self.danger(loc) {
            self.escalate(
                "shell.destructive",
                0.8,
                None,
                format!("{doer} would overwrite every file it finds in {what} ({how}), as good as deleting them"),
            );
        }
    }
}

/// Command `i` of `cl`, when a walk feeds it: run by a `find -exec`, or by
/// `xargs` downstream of a command.
fn fed(cl: &CommandLine, i: usize) -> Option<Fed> {
    let c = &cl.commands[i];
    if let Some(p) = cl.find_of_exec(i) {
        let find = &cl.commands[p];
        return Some(Fed {
            doer: format!("`{}`", show(find)),
            filtered: find_scope(find).1,
        });
    }
    if !c.has_wrapper("xargs") {
        return None;
    }
    let ups = cl.upstream(i);
    let up = ups.first()?;
    let finds: Vec<&usize> = ups
        .iter()
        .filter(|&&u| cl.commands[u].program == "find")
        .collect();
    Some(Fed {
        doer: format!("`{} | {}`", show(&cl.commands[*up]), show(c)),
        // A listing (`git ls-files`, `rg -l`) selects what it prints.
        filtered: finds.is_empty() || finds.iter().any(|&&u| find_scope(&cl.commands[u]).1),
    })
}

/// Where a walked effect reaches: its tree, or the files a filtering walk
/// selects in it. `None` when the tree is only known at run time.
fn scope(e: &PathEffect, f: &Fed) -> Option<Loc> {
    let mut loc = effect_loc(e);
    if loc == Loc::Unknown {
        return None;
    }
    if f.filtered {
        loc.push(ANY);
    }
    Some(loc)
}

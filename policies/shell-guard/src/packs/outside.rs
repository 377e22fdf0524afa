//! What the filesystem pack judges outside the working directory: a
//! directory tree deleted there, or every file a glob matches
//! ([`DELETE_OUTSIDE`]), and a single file written, moved away or deleted
//! there ([`FILE_OUTSIDE`]) — unless it is a temporary directory, a cache,
//! a device, or so near the root that a stricter rule judges it.

use clawlaw_sdk::effects::registry;

use crate::checker::Checker;
use crate::loc::*;
use crate::rules::filesystem::{DELETE_OUTSIDE, FILE_OUTSIDE};

impl Checker<'_> {
    /// Reports a recursive delete of `loc` (or, when `matching`, a delete
    /// of every file a glob matches in it) when it lies outside the working
    /// directory (known and absolute), outside temporary directories and
    /// caches, and no stricter finding applies.
    /// `doer` names what deletes, as reasons show it.
    pub(crate) fn outside_workspace(&mut self, loc: &Loc, doer: &str, matching: bool) {
        if !self.beyond_workspace(loc) {
            return;
        }
        let scope = if matching {
            "the files a glob matches in"
        } else {
            "everything below and including"
        };
        let what = format!(
            "{doer} deletes {scope} {}, outside the working directory {}",
            loc.display(),
            self.cwd.display()
        );
        self.hit(&DELETE_OUTSIDE, None, what);
    }

    /// Reports a write, move or delete of the single file `loc` outside the
    /// working directory ([`FILE_OUTSIDE`]), when no stricter finding
    /// applies; `doer` names what does it, `verb` what happens to the file.
    /// A device or a process's file (`/dev/stderr`, `/proc/self/fd/1`) is
    /// not a file anyone keeps, and a Windows registry value (the effects
    /// model's [`registry::ROOT`]) not a file at all.
    pub(crate) fn file_outside(&mut self, loc: &Loc, doer: &str, verb: &str) {
        let Loc::Abs(v) = loc else { return };
        let registry = registry::ROOT.trim_start_matches('/');
        if !self.beyond_workspace(loc)
            || matches!(v[0].as_str(), "dev" | "proc")
            || v[0] == registry
        {
            return;
        }
        let what = format!(
            "{doer} {verb} {}, outside the working directory {}",
            loc.display(),
            self.cwd.display()
        );
        self.hit(&FILE_OUTSIDE, None, what);
    }

    /// Whether `loc` (known and absolute) lies outside the working
    /// directory (known and absolute), outside temporary directories and
    /// caches, and is not so near the root that a stricter rule judges it.
    pub(crate) fn beyond_workspace(&self, loc: &Loc) -> bool {
        let (Loc::Abs(v), Loc::Abs(w)) = (loc, &self.cwd) else {
            return false;
        };
        let scratch = v
            .iter()
            .any(|c| matches!(c.as_str(), ".cache" | "Caches" | "cache" | "tmp" | "temp"));
        !(v.starts_with(w) || scratch || v.len() < 2 || v.iter().any(|c| c == ANY) && v.len() < 3)
    }
}

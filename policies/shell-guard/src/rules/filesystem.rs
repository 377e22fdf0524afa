//! The filesystem pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const DELETE_OUTSIDE: PackRule = PackRule {
    id: "fs.delete-outside-workspace",
    pack: Pack::Filesystem,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate deleting a directory tree, or every file a glob matches, outside the working directory (not a temporary directory or a cache): other projects, data, installed software",
    instead: "delete only inside the working directory, or move the tree aside (`mv dir dir.bak`) and delete it once nothing needs it",
};

pub(crate) const REWRITE_OUTSIDE: PackRule = PackRule {
    id: "fs.rewrite-outside-workspace",
    pack: Pack::Filesystem,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate rewriting every file a walk finds (`find … -exec sed -i …`, `find … | xargs truncate -s 0`) below a directory outside the working directory (not a temporary directory or a cache): other projects, data, installed software",
    instead: "change only files inside the working directory, or list the files first (`find … -print`) and change the ones you mean by name",
};

pub(crate) const FILE_OUTSIDE: PackRule = PackRule {
    id: "fs.file-outside-workspace",
    pack: Pack::Filesystem,
    verdict: Verdict::Escalate,
    risk: 0.5,
    summary: "Escalate writing, moving away or deleting a single file outside the working directory (not a temporary directory, a cache or a device) by the shell or inline code (`echo x > ~/other/main.rs`, `sed -i … /work/other/a.py`, `rm ~/notes/todo.md`): another project's or the user's files, which a file tool would not be let write either",
    instead: "change files inside the working directory; if the change elsewhere is meant, ask the user to make it or to widen the session's scope",
};

pub(crate) const RULES: &[&PackRule] = &[&DELETE_OUTSIDE, &REWRITE_OUTSIDE, &FILE_OUTSIDE];

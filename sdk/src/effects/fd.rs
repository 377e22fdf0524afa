//! What an `fd` command walks and selects, read once for every policy that
//! asks: the directories it searches, its pattern, the extensions and glob
//! it filters by, and whether anything filters at all. The command it runs
//! for each path (`-x`, `-X`) is the shell parser's (`shell::nested`).

use super::options::parse;
use crate::shell::{self, Word, fd_exec_flag};

/// An `fd` command's walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdWalk {
    /// The directories searched: the operands after the pattern and each
    /// `--search-path`, or `.` when none is named.
    pub roots: Vec<Word>,
    /// The pattern, as written (a regex, or a glob under `--glob`).
    pub pattern: Option<String>,
    /// Each `-e EXT`, as written; fd takes a file with any of them.
    pub extensions: Vec<String>,
    /// `-g`/`--glob`: the pattern is a glob.
    pub glob: bool,
    /// Whether it selects among what it walks: a pattern that can fail to
    /// match (not `.`, `^` or empty) or an option that filters (`-e`, `-t`,
    /// `-E`, `--size`, …); options that only widen the walk or shape the
    /// output do not.
    pub filters: bool,
}

/// Options that widen the walk or shape the output, selecting nothing.
const WIDENING: &[&str] = &[
    "H",
    "hidden",
    "I",
    "no-ignore",
    "u",
    "unrestricted",
    "L",
    "follow",
    "a",
    "absolute-path",
    "0",
    "print0",
    "p",
    "full-path",
    "j",
    "threads",
    "d",
    "max-depth",
    "color",
    "c",
];

/// `c`'s walk, when it is `fd` (Debian's `fdfind`).
pub fn fd_walk(c: &shell::Command) -> Option<FdWalk> {
    if !matches!(c.program.as_str(), "fd" | "fdfind") {
        return None;
    }
    let args = c.args();
    let own = &args[..fd_exec_flag(args).unwrap_or(args.len())];
    let parsed = parse(
        own,
        "etEdSocj",
        "",
        &[
            "extension",
            "type",
            "exclude",
            "max-depth",
            "min-depth",
            "size",
            "owner",
            "changed-within",
            "changed-before",
            "threads",
            "base-directory",
            "search-path",
            "color",
        ],
    );
    let pattern = parsed.operands.first().map(|w| w.text.clone());
    let mut roots: Vec<Word> = parsed.operands.iter().skip(1).map(|&w| w.clone()).collect();
    roots.extend(
        parsed
            .values(&["search-path"])
            .into_iter()
            .map(|(w, at)| w.tail(at)),
    );
    if roots.is_empty() {
        roots.push(Word::literal("."));
    }
    let extensions = parsed
        .values(&["e", "extension"])
        .into_iter()
        .map(|(w, at)| w.text[at..].to_string())
        .collect();
    let filters = pattern
        .as_deref()
        .is_some_and(|p| !matches!(p, "." | "^" | ""))
        || parsed.opts.iter().any(|(n, _)| !WIDENING.contains(n));
    Some(FdWalk {
        roots,
        glob: parsed.has(&["g", "glob"]),
        pattern,
        extensions,
        filters,
    })
}

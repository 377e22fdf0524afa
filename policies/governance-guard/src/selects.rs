//! Which files a walk's name filters select: the `-name` patterns of a
//! `find`, the extensions, glob or plain pattern of an `fd`, read as globs
//! over file names, so that a walk that deletes or changes what it finds
//! below a protected directory is judged by whether it can select a
//! protected file (`find ~ -name '*.pyc' -delete` cannot select
//! `settings.json`); and which a recursive search leaves out, by name or
//! by directory (`grep -r --include='*.rs'`, `--exclude-dir=target`, `rg
//! -g '!target'`), so that a search of the working tree is judged by
//! whether it can read a protected file; and which directories an archive
//! or copy of a tree leaves out (`tar --exclude=target`, `rsync --exclude
//! target/`, `zip -x 'target/*'`).

use clawlaw_sdk::effects::{FdWalk, PathEffect};
use clawlaw_sdk::glob;
use clawlaw_sdk::shell::{Command, CommandLine};

use crate::protected::{Hit, Protected};

/// The `-name`/`-iname` patterns of the `find` behind a delete, lower-cased:
/// such a delete removes only the files they select. Empty when no `find`
/// is behind it or when another test (`-path`, `-regex`) selects too.
pub(crate) fn name_filters(line: &CommandLine, e: &PathEffect) -> Vec<String> {
    let Some(cmd) = walk_of(line, e) else {
        return Vec::new();
    };
    let args = cmd.args();
    if let Some(fd) = clawlaw_sdk::effects::fd_walk(cmd) {
        return fd_name_filters(&fd);
    }
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        match w.text.as_str() {
            "-name" | "-iname" => match args.get(i + 1) {
                Some(v) => out.push(v.text.to_ascii_lowercase()),
                None => return Vec::new(),
            },
            "-path" | "-ipath" | "-wholename" | "-iwholename" | "-regex" | "-iregex" | "-o"
            | "-or" | "-not" | "!" => return Vec::new(),
            _ => {}
        }
    }
    out
}

/// The walk behind effect `e`: the `find` itself (`-delete`), the one
/// whose `-exec rm` this is, or the one piping its results to it (`find … |
/// xargs rm`); or such an `fd`.
fn walk_of<'a>(line: &'a CommandLine, e: &PathEffect) -> Option<&'a Command> {
    let exec_parent = line.find_of_exec(e.command);
    std::iter::once(e.command)
        .chain(exec_parent)
        .chain(line.upstream(e.command))
        .filter_map(|i| line.commands.get(i))
        .find(|c| matches!(c.program.as_str(), "find" | "fd" | "fdfind"))
}

/// Whether the `find` behind `e` selects only empty directories (`find .
/// -type d -empty -delete`): a protected directory holds what it protects,
/// so such a walk reaches none of it.
pub(crate) fn only_empty_directories(line: &CommandLine, e: &PathEffect) -> bool {
    let Some(cmd) = walk_of(line, e).filter(|c| c.program == "find") else {
        return false;
    };
    let args: Vec<&str> = cmd.args().iter().map(|w| w.text.as_str()).collect();
    let widened = args
        .iter()
        .any(|a| matches!(*a, "-o" | "-or" | "," | "!" | "-not"));
    !widened && args.contains(&"-empty") && args.windows(2).any(|w| w == ["-type", "d"])
}

/// The names `fd`'s filters select, as globs: each `-e EXT` (`*.ext`; fd
/// takes any of them), else a `--glob` pattern, else a pattern of plain
/// characters (a regex matching names that contain it: `*pat*`). Empty when
/// the pattern is a regex, or matches every name (`.`, `^`).
fn fd_name_filters(fd: &FdWalk) -> Vec<String> {
    let extensions: Vec<String> = fd
        .extensions
        .iter()
        .map(|e| format!("*.{}", e.to_ascii_lowercase()))
        .collect();
    if !extensions.is_empty() {
        return extensions;
    }
    match fd.pattern.as_deref().map(str::to_ascii_lowercase) {
        Some(p) if fd.glob => vec![p],
        Some(p)
            if !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)) =>
        {
            vec![format!("*{p}*")]
        }
        _ => Vec::new(),
    }
}

/// Names the protected entries hold, to judge whether a `find -name`
/// filter may select one: the entry's own name, and the kinds of files a
/// protected directory holds (settings, evidence segments, components,
/// keys, tokens).
const NAMES_INSIDE: [&str; 14] = [
    "settings.json",
    "hooks.json",
    "config.toml",
    // The evidence log's files (`crates/gate/src/evidence/format.rs`).
    "head",
    "index",
    "lock",
    "evidence-000001.jsonl",
    "redaction.key",
    "policy.wasm",
    "component.cwasm",
    "tokens.json",
    "tokens-7070.json",
    "cache.key",
    "gate.toml",
];

/// What a walk from `e`'s path that met `h` reaches through its name
/// filters: `h` when it has none, else the first of `h` and the protected
/// entries below the walk's root that a filter may select (`find target
/// -name 'evidence-*' -delete` spares no evidence however deep it lies).
pub(crate) fn selected(p: &Protected, filters: &[String], e: &PathEffect, h: Hit) -> Option<Hit> {
    if filters.is_empty() {
        return Some(h);
    }
    let reached: Vec<Hit> = std::iter::once(h).chain(p.below(&e.path)).collect();
    // An entry the filters name is what they select; else one whose
    // contents they may.
    let named = reached.iter().position(|h| {
        let own = own_name(h);
        filters.iter().any(|f| glob::matches(f, &own))
    });
    let at = named.or_else(|| reached.iter().position(|h| filters_may_select(filters, h)))?;
    reached.into_iter().nth(at)
}

/// The last component of the protected path, lower-cased.
fn own_name(h: &Hit) -> String {
    h.protected
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(crate) fn filters_may_select(patterns: &[String], h: &Hit) -> bool {
    let own = own_name(h);
    patterns
        .iter()
        .any(|p| glob::matches(p, &own) || NAMES_INSIDE.iter().any(|n| glob::matches(p, n)))
}

/// Whether the recursive search behind read `e` (`grep -r`, `rg`, `ag`)
/// leaves the protected file `h` out: its `--include` globs (`rg -g GLOB`)
/// cannot select it, or one of its `--exclude-dir` directories (`rg -g
/// '!DIR'`) holds it below the searched directory.
pub(crate) fn search_leaves_out(line: &CommandLine, e: &PathEffect, h: &Hit) -> bool {
    let Some(cmd) = line.commands.get(e.command) else {
        return false;
    };
    if let Some(patterns) = copy_excludes(cmd) {
        return excluded_below(&patterns, e, h);
    }
    if !matches!(
        cmd.program.as_str(),
        "grep" | "egrep" | "fgrep" | "rg" | "ag"
    ) {
        return false;
    }
    let args = cmd.args();
    let mut includes = Vec::new();
    let mut excluded_dirs = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        let value = |name: &str| {
            t.strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
                .map(str::to_string)
                .or_else(|| (t == name).then(|| args.get(i + 1).map(|v| v.text.clone()))?)
        };
        if let Some(v) = value("--include") {
            includes.push(v.to_ascii_lowercase());
        } else if let Some(v) = value("--exclude-dir") {
            excluded_dirs.push(v);
        } else if let Some(v) = value("--glob").or_else(|| value("-g")) {
            match v.strip_prefix('!') {
                Some(dir) => excluded_dirs.push(dir.trim_end_matches("/**").to_string()),
                None => includes.push(v.to_ascii_lowercase()),
            }
        }
    }
    if !includes.is_empty() && !filters_may_select(&includes, h) {
        return true;
    }
    let below = h
        .protected
        .strip_prefix(e.path.trim_end_matches('/'))
        .unwrap_or("");
    below.split('/').filter(|c| !c.is_empty()).any(|c| {
        excluded_dirs
            .iter()
            .any(|d| glob::matches(d.trim_end_matches('/'), c))
    })
}

/// The exclude patterns of an archiver or copier (`tar --exclude=target`,
/// `rsync --exclude target/`, `zip -r a.zip . -x 'target/*'`), when `cmd`
/// is one; `None` for any other program.
fn copy_excludes(cmd: &Command) -> Option<Vec<String>> {
    let program = cmd.program.as_str();
    if !matches!(program, "tar" | "bsdtar" | "gtar" | "rsync" | "zip") {
        return None;
    }
    let args = cmd.args();
    // Rules that put back what an exclude leaves out (rsync's `--include`
    // before it, `--filter`, a list of files): nothing is spared.
    let puts_back = args.iter().any(|w| {
        let t = w.text.as_str();
        ["--include", "--filter", "--files-from", "-T", "-i"]
            .iter()
            .any(|o| t == *o || t.starts_with(&format!("{o}=")))
            || (t.starts_with("-f") && program == "rsync")
    });
    if puts_back {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut zip_list = false;
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if program == "zip" {
            if t == "-x" || t == "--exclude" {
                zip_list = true;
            } else if t.starts_with('-') {
                zip_list = false;
            } else if zip_list {
                out.push(t.to_string());
            }
            continue;
        }
        if let Some(v) = t.strip_prefix("--exclude=") {
            out.push(v.to_string());
        } else if t == "--exclude" {
            out.extend(args.get(i + 1).map(|v| v.text.clone()));
        }
    }
    Some(out)
}

/// Whether one of `patterns` leaves out the protected file `h` below the
/// walked directory of `e`: a pattern for a name (`target`, `target/`,
/// `target/*`, `target/**`, `*.key`) leaves out every file or directory of
/// that name, one anchored to the root (`/target`, rsync's) only the first
/// level's; a pattern for a deeper path is not read (nothing is spared).
fn excluded_below(patterns: &[String], e: &PathEffect, h: &Hit) -> bool {
    let below = h
        .protected
        .strip_prefix(e.path.trim_end_matches('/'))
        .unwrap_or("");
    let parts: Vec<&str> = below.split('/').filter(|c| !c.is_empty()).collect();
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./");
        let name = ["/**", "/*", "/"]
            .iter()
            .fold(p, |p, suffix| p.strip_suffix(suffix).unwrap_or(p));
        if let Some(anchored) = name.strip_prefix('/') {
            return !anchored.contains('/')
                && parts.first().is_some_and(|d| glob::matches(anchored, d));
        }
        !name.is_empty() && !name.contains('/') && parts.iter().any(|d| glob::matches(name, d))
    })
}

//! Which files a walk's name filters select: the `-name` patterns of a
//! `find`, the extensions, glob or plain pattern of an `fd`, read as globs
//! over file names, so that a walk that deletes or changes what it finds
//! below a protected directory is judged by whether it can select a
//! protected file (`find ~ -name '*.pyc' -delete` cannot select
//! `settings.json`).

use clawlaw_sdk::effects::PathEffect;
use clawlaw_sdk::glob;
use clawlaw_sdk::shell::{CommandLine, Word};

use crate::protected::Hit;

/// The `-name`/`-iname` patterns of the `find` behind a delete, lower-cased:
/// such a delete removes only the files they select. Empty when no `find`
/// is behind it or when another test (`-path`, `-regex`) selects too.
pub(crate) fn name_filters(line: &CommandLine, e: &PathEffect) -> Vec<String> {
    // The `find` itself (`-delete`), the one whose `-exec rm` this is, or
    // the one piping its results to the delete (`find … | xargs rm`).
    let exec_parent = line.find_of_exec(e.command);
    let find = std::iter::once(e.command)
        .chain(exec_parent)
        .chain(line.upstream(e.command))
        .filter_map(|i| line.commands.get(i))
        .find(|c| matches!(c.program.as_str(), "find" | "fd" | "fdfind"));
    let Some(cmd) = find else {
        return Vec::new();
    };
    let args = cmd.args();
    if cmd.program != "find" {
        return fd_name_filters(args);
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

/// The names `fd`'s filters select, as globs: each `-e EXT` (`*.ext`; fd
/// takes any of them), else a `--glob` pattern, else a pattern of plain
/// characters (a regex matching names that contain it: `*pat*`). Empty when
/// the pattern is a regex, or matches every name (`.`, `^`).
fn fd_name_filters(args: &[Word]) -> Vec<String> {
    const VALUED: &[&str] = &[
        "-t",
        "--type",
        "-E",
        "--exclude",
        "-d",
        "--max-depth",
        "--min-depth",
        "-j",
        "--threads",
        "-S",
        "--size",
        "-o",
        "--owner",
        "-c",
        "--color",
        "--changed-within",
        "--changed-before",
        "--base-directory",
        "--search-path",
    ];
    let mut extensions = Vec::new();
    let mut pattern = None;
    let mut glob = false;
    let mut k = 0;
    while let Some(w) = args.get(k) {
        let a = w.text.as_str();
        match a {
            "-x" | "--exec" | "-X" | "--exec-batch" => break,
            "-e" | "--extension" => {
                if let Some(v) = args.get(k + 1) {
                    extensions.push(format!("*.{}", v.text.to_ascii_lowercase()));
                }
                k += 1;
            }
            "-g" | "--glob" => glob = true,
            _ if a.starts_with("--extension=") => {
                extensions.push(format!(
                    "*.{}",
                    a["--extension=".len()..].to_ascii_lowercase()
                ));
            }
            _ if VALUED.contains(&a) => k += 1,
            _ if a.starts_with('-') && a.len() > 1 => {}
            _ if pattern.is_none() => pattern = Some(a.to_ascii_lowercase()),
            _ => {}
        }
        k += 1;
    }
    if !extensions.is_empty() {
        return extensions;
    }
    match pattern {
        Some(p) if glob => vec![p],
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
const NAMES_INSIDE: [&str; 10] = [
    "settings.json",
    "hooks.json",
    "config.toml",
    "head",
    "segment-000001.jsonl",
    "policy.wasm",
    "component.cwasm",
    "tokens.json",
    "cache.key",
    "gate.toml",
];

pub(crate) fn filters_may_select(patterns: &[String], h: &Hit) -> bool {
    let own = h
        .protected
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    patterns
        .iter()
        .any(|p| glob::matches(p, &own) || NAMES_INSIDE.iter().any(|n| glob::matches(p, n)))
}

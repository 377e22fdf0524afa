//! `cargo xtask arch [--top N] [--max-lines N]`: the workspace's
//! architecture checks.
//!
//! - **Module cycles** (fails the command): for every library and binary
//!   target of every workspace member, the module tree is read from its
//!   sources ([`modules`]) and each reference one module makes to another
//!   becomes an edge between two sibling modules (the children of their
//!   lowest common ancestor). Any cycle among siblings ([`cycles`]) is
//!   printed as `crate <name>: cycle a -> b -> a`, each edge with one
//!   `file:line` that makes it. Test-only code is not counted.
//! - **File sizes** (warns; fails only with `--max-lines N`): the N
//!   (`--top`, default 15) largest source files, as lines before their tests
//!   and in total, `  2642 (3283) sdk/src/shell.rs`, marked when over the
//!   limit (600, or `--max-lines`); every file over it is listed. Test
//!   files (`tests/`, `benches/`, `tests.rs`) are never held to the limit:
//!   the five largest are listed apart ([`sizes`]).
//!
//! `cargo xtask lint` runs it too, without `--max-lines`.

mod cycles;
mod modules;
mod sizes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::Result;
use modules::{Crate, Edge, Site};

/// Lines before tests above which a source file is marked.
const WARN_LINES: usize = 600;

/// What `cargo xtask arch` was asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// How many of the largest files to list.
    pub top: usize,
    /// Fail when a non-test source file has more lines before its tests.
    pub max_lines: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: 15,
            max_lines: None,
        }
    }
}

impl Options {
    /// Parses the arguments after `arch`.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<usize> {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("arch: {name} needs a number"))
            };
            match arg.as_str() {
                "--top" => options.top = number("--top")?,
                "--max-lines" => options.max_lines = Some(number("--max-lines")?),
                other => {
                    return Err(format!(
                        "arch: unknown argument {other:?} (usage: cargo xtask arch [--top N] [--max-lines N])"
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// A lib or bin target of a workspace member.
struct Target {
    /// `clawlaw-sdk`, or `clawlaw (bin clawlaw)` for a binary.
    name: String,
    root: PathBuf,
}

/// The workspace's root, its members' directories and their lib/bin targets,
/// from `cargo metadata --no-deps`.
fn workspace() -> Result<(PathBuf, BTreeSet<PathBuf>, Vec<Target>)> {
    let out = crate::cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let root = PathBuf::from(meta["workspace_root"].as_str().unwrap_or("."));
    let mut dirs = BTreeSet::new();
    let mut targets = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or("?");
        if let Some(dir) = package["manifest_path"]
            .as_str()
            .and_then(|m| Path::new(m).parent())
        {
            dirs.insert(dir.to_path_buf());
        }
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str())
                .collect();
            let lib = kinds.iter().any(|k| {
                matches!(
                    *k,
                    "lib" | "rlib" | "cdylib" | "dylib" | "staticlib" | "proc-macro"
                )
            });
            let target_name = if lib {
                name.to_string()
            } else if kinds.contains(&"bin") {
                format!("{name} (bin {})", target["name"].as_str().unwrap_or("?"))
            } else {
                continue;
            };
            if let Some(src) = target["src_path"].as_str() {
                targets.push(Target {
                    name: target_name,
                    root: PathBuf::from(src),
                });
            }
        }
    }
    Ok((root, dirs, targets))
}

/// `cargo xtask arch` (see the module doc).
pub fn arch(options: &Options) -> Result<()> {
    let (root, dirs, targets) = workspace()?;
    let relative = |path: &Path| {
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut found = 0;
    let (mut module_count, mut edge_count) = (0, 0);
    for target in &targets {
        let krate = Crate::load(&target.root)?;
        for warning in &krate.warnings {
            eprintln!("xtask: arch: {}: {warning}", target.name);
        }
        let edges = krate.edges();
        module_count += krate.modules.len();
        edge_count += edges.len();
        for (cycle, sites) in crate_cycles(&edges) {
            found += 1;
            println!("crate {}: cycle {}", target.name, cycle.join(" -> "));
            for (pair, site) in cycle.windows(2).zip(sites) {
                println!(
                    "    {} -> {}  {}:{}",
                    pair[0],
                    pair[1],
                    relative(&site.file),
                    site.line
                );
            }
        }
    }
    println!(
        "xtask: arch: {} crate targets, {module_count} modules, {edge_count} sibling edges, {found} cycles",
        targets.len()
    );

    let files = sizes::measure(&root, &dirs)?;
    let limit = options.max_lines.unwrap_or(WARN_LINES);
    let over: Vec<&sizes::FileSize> = files
        .iter()
        .filter(|f| !f.test && f.before_tests > limit)
        .collect();
    let print = |f: &sizes::FileSize| {
        let mark = if !f.test && f.before_tests > limit {
            format!("  <- over {limit}")
        } else {
            String::new()
        };
        println!(
            "  {:>5} ({:>5}) {}{mark}",
            f.before_tests,
            f.total,
            f.path.display()
        );
    };
    println!("largest source files: lines before tests (total):");
    let sources = files.iter().filter(|f| !f.test);
    sources.take(options.top.max(over.len())).for_each(print);
    println!("largest test files (not held to the limit):");
    files
        .iter()
        .filter(|f| f.test)
        .take(options.top.min(5))
        .for_each(print);
    println!(
        "xtask: arch: {} source files over {limit} lines before tests",
        over.len()
    );

    let mut failures = Vec::new();
    if found > 0 {
        failures.push(format!("{found} module cycles"));
    }
    if let (Some(max), false) = (options.max_lines, over.is_empty()) {
        failures.push(format!(
            "{} source files over {max} lines before tests",
            over.len()
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("arch: {}", failures.join(", ")))
    }
}

/// The sibling cycles of one crate target, named by full module paths
/// (`evidence::log -> evidence::recover -> evidence::log`), each with the
/// site of each of its edges.
fn crate_cycles(edges: &BTreeMap<Edge, Site>) -> Vec<(Vec<String>, Vec<Site>)> {
    let mut by_parent: BTreeMap<&[String], BTreeSet<(&str, &str)>> = BTreeMap::new();
    for edge in edges.keys() {
        by_parent
            .entry(&edge.parent)
            .or_default()
            .insert((&edge.from, &edge.to));
    }
    let mut out = Vec::new();
    for (parent, graph) in by_parent {
        for cycle in cycles::cycles(&graph) {
            let sites = cycle
                .windows(2)
                .map(|pair| {
                    let edge = Edge {
                        parent: parent.to_vec(),
                        from: pair[0].to_string(),
                        to: pair[1].to_string(),
                    };
                    edges[&edge].clone()
                })
                .collect();
            let names = cycle
                .iter()
                .map(|child| {
                    let mut path = parent.to_vec();
                    path.push(child.to_string());
                    path.join("::")
                })
                .collect();
            out.push((names, sites));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_parse_their_flags_and_reject_others() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        assert_eq!(
            Options::parse(&args(&["--top", "3", "--max-lines", "800"])).unwrap(),
            Options {
                top: 3,
                max_lines: Some(800)
            }
        );
        assert!(Options::parse(&args(&["--top"])).is_err());
        assert!(Options::parse(&args(&["--max-lines", "many"])).is_err());
        assert!(Options::parse(&args(&["--fix"])).is_err());
    }

    #[test]
    fn cycles_are_named_by_full_paths_with_each_edge_site() {
        let site = |line| Site {
            file: PathBuf::from("src/evidence/log.rs"),
            line,
        };
        let edge = |parent: &[&str], from: &str, to: &str| Edge {
            parent: parent.iter().map(|s| s.to_string()).collect(),
            from: from.to_string(),
            to: to.to_string(),
        };
        let edges = BTreeMap::from([
            (edge(&["evidence"], "log", "recover"), site(3)),
            (edge(&["evidence"], "recover", "log"), site(9)),
            (edge(&[], "gate", "evidence"), site(1)),
        ]);
        let found = crate_cycles(&edges);
        assert_eq!(found.len(), 1);
        let (names, sites) = &found[0];
        assert_eq!(
            names,
            &["evidence::log", "evidence::recover", "evidence::log"]
        );
        assert_eq!(sites.iter().map(|s| s.line).collect::<Vec<_>>(), vec![3, 9]);
    }
}

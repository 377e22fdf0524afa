//! Everything `git` does to files and the network: `clone`, `fetch`,
//! `pull` and `push` contact remotes; `checkout`, `restore`, `reset`,
//! `clean`, `rm`, `mv`, `stash`, … rewrite or delete the work tree.

use super::context::{Cx, Kind};
use super::net::{host_of, is_remote};
use super::options::parse;
use crate::shell::Word;

pub(crate) fn git(cx: &mut Cx, args: &[Word]) {
    let mut k = 0;
    while k < args.len() {
        let t = args[k].text.as_str();
        if matches!(t, "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace") {
            if (t == "-C" || t == "--work-tree")
                && let Some(d) = args.get(k + 1)
            {
                let dir = cx.targets(d, 0).pop();
                cx.cwd = dir.filter(|t| !t.dynamic).map(|t| t.path);
            }
            k += 2;
        } else if t.starts_with('-') {
            k += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(k) else { return };
    let rest = &args[k + 1..];
    let p = parse(
        rest,
        "bmoujcCXsS",
        "",
        &[
            "branch",
            "origin",
            "depth",
            "upload-pack",
            "reference",
            "config",
            "template",
            "separate-git-dir",
            "jobs",
            "filter",
            "source",
            "pathspec-from-file",
        ],
    );
    let sub = sub.text.as_str();
    let how = format!("git {sub}");
    match sub {
        "clone" => {
            let url = p.operands.first();
            if let Some(u) = url {
                cx.net("git", Some(u.text.clone()), host_of(&u.text), false);
            }
            match (p.operands.get(1), url) {
                (Some(d), _) => cx.path(Kind::Write, d, 0, &how, true),
                (None, Some(u)) => {
                    let name = crate::path::file_name(&u.text);
                    let name = name
                        .strip_suffix(".git")
                        .unwrap_or(name)
                        .rsplit(':')
                        .next()
                        .unwrap_or("");
                    cx.path(Kind::Write, &Word::literal(name), 0, &how, true);
                }
                _ => {}
            }
        }
        "fetch" | "pull" | "push" | "ls-remote" => {
            let remote = p.operands.first().map(|w| w.text.clone());
            let urlish = remote
                .as_deref()
                .is_some_and(|r| r.contains("://") || is_remote(r));
            let host = remote.as_deref().filter(|_| urlish).and_then(host_of);
            cx.net("git", remote, host, sub == "push");
            if sub == "pull" {
                cx.cwd_path(Kind::Write, &how);
            }
        }
        "checkout" | "restore" => {
            let dashdash = rest.iter().position(|w| w.text == "--");
            let paths: Vec<&Word> = match dashdash {
                Some(d) => rest[d + 1..].iter().collect(),
                None if sub == "restore" => p.operands.clone(),
                None => Vec::new(),
            };
            if sub == "restore" && p.has(&["staged", "S"]) && !p.has(&["worktree", "W"]) {
                return;
            }
            if paths.is_empty() {
                if let Some(w) = p
                    .operands
                    .first()
                    .filter(|_| sub == "checkout" && dashdash.is_none())
                {
                    cx.path(Kind::Write, w, 0, &how, true);
                }
                cx.cwd_path(Kind::Write, &how);
            }
            for w in paths {
                cx.path(Kind::Write, w, 0, &how, true);
            }
        }
        "reset" if p.has(&["hard", "merge", "keep"]) => {
            cx.cwd_path(Kind::Write, "git reset --hard")
        }
        "clean" => {
            // Its own options: `-X` (ignored files only) takes no value here.
            let p = parse(rest, "e", "", &["exclude"]);
            if p.has(&["n", "dry-run"]) {
                return;
            }
            // Without `-x`/`-X` it keeps ignored files: what a checkout holds
            // and does not track is mostly those (`settings.local.json`,
            // `.env`, build output); the untracked rest is new work.
            if p.operands.is_empty() && p.has(&["x", "X"]) {
                cx.cwd_path(Kind::Delete, &how);
            }
            for w in &p.operands {
                cx.path(Kind::Delete, w, 0, &how, true);
            }
        }
        "rm" if !p.has(&["cached"]) => {
            let rec = p.has(&["r"]);
            for w in &p.operands {
                cx.path(Kind::Delete, w, 0, &how, rec);
            }
        }
        "mv" => {
            if let Some((d, s)) = p.operands.split_last() {
                for w in s {
                    cx.path(Kind::Delete, w, 0, &how, true);
                }
                cx.path(Kind::Write, d, 0, &how, true);
            }
        }
        // `git stash [push] -- .claude`: the paths named go back to HEAD.
        "stash" => {
            let dashdash = rest.iter().position(|w| w.text == "--");
            let named: Vec<&Word> = match dashdash {
                Some(d) => rest[d + 1..].iter().collect(),
                None if p.operands.first().is_some_and(|w| w.text == "push") => {
                    p.operands[1..].to_vec()
                }
                None => Vec::new(),
            };
            // `git stash -a`: ignored files are stashed too, and so leave
            // the work tree as `git clean -x` would delete them.
            let saves = p
                .operands
                .first()
                .is_none_or(|w| matches!(w.text.as_str(), "push" | "save"));
            if saves && named.is_empty() && p.has(&["a", "all"]) {
                cx.cwd_path(Kind::Delete, &how);
            }
            for w in named {
                cx.path(Kind::Write, w, 0, &how, true);
            }
            cx.cwd_path(Kind::Write, &how)
        }
        "apply" => apply(cx, rest, &how),
        "switch" | "merge" | "rebase" | "cherry-pick" | "revert" | "am" => {
            cx.cwd_path(Kind::Write, &how)
        }
        _ => {}
    }
}

/// `git apply`: the files a diff on its input changes
/// ([`super::patches`]); any file of the work tree otherwise.
fn apply(cx: &mut Cx, rest: &[Word], how: &str) {
    let p = parse(
        rest,
        "pC",
        "p",
        &["directory", "exclude", "include", "build-fake-ancestor"],
    );
    let strip = p
        .value(&["p"])
        .and_then(|(w, f)| w.text[f..].parse().ok())
        .unwrap_or(1);
    let from_input = p.operands.iter().all(|w| w.text == "-");
    let checks_only = p.has(&["check", "stat", "numstat", "summary"]) && !p.has(&["apply"]);
    if checks_only {
        return;
    }
    let dir = p.value(&["directory"]).map(|(w, f)| w.tail(f));
    if !(from_input && super::patches::from_input(cx, Some(strip), dir.as_ref(), how)) {
        cx.cwd_path(Kind::Write, how);
    }
}

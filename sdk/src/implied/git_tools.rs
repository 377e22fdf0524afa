//! The reference git MCP server's tools (`git_status`, `git_commit`,
//! `git_reset`, `git_checkout`, …), each read as the `git` command line it
//! runs in its `repo_path`, so that the policies judge it as that command.

use serde_json::{Map, Value};

use super::{Implied, Sink};
use crate::shell::quote;

/// The reference git MCP server's tools, as the command lines they run.
/// Returns false for any other tool.
pub(super) fn git_tool(name: &str, o: &Map<String, Value>, sink: &mut Sink) -> bool {
    if !name.starts_with("git_") {
        return false;
    }
    let Some(repo) = o.get("repo_path").and_then(Value::as_str) else {
        return false;
    };
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(quote);
    let n = |k: &str, d: u64| o.get(k).and_then(Value::as_u64).unwrap_or(d);
    let mut words: Vec<String> = vec!["git".into()];
    let mut add = |w: &[String]| words.extend(w.iter().cloned());
    match name {
        "git_status" => add(&["status".into()]),
        "git_diff_unstaged" => add(&[
            "diff".into(),
            format!("--unified={}", n("context_lines", 3)),
        ]),
        "git_diff_staged" => add(&[
            "diff".into(),
            format!("--unified={}", n("context_lines", 3)),
            "--cached".into(),
        ]),
        "git_diff" => {
            add(&[
                "diff".into(),
                format!("--unified={}", n("context_lines", 3)),
            ]);
            add(&s("target").into_iter().collect::<Vec<_>>());
        }
        "git_commit" => add(&[
            "commit".into(),
            "-m".into(),
            s("message").unwrap_or_default(),
        ]),
        "git_add" => {
            let files: Vec<String> = o
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(quote)
                .collect();
            add(&["add".into(), "--".into()]);
            add(&files);
        }
        "git_reset" => add(&["reset".into()]),
        "git_log" => {
            add(&["log".into(), format!("--max-count={}", n("max_count", 10))]);
            if let Some(since) = s("start_timestamp") {
                add(&[format!("--since={since}")]);
            }
            if let Some(until) = s("end_timestamp") {
                add(&[format!("--until={until}")]);
            }
        }
        "git_create_branch" => {
            add(&["branch".into(), s("branch_name").unwrap_or_default()]);
            add(&s("base_branch").into_iter().collect::<Vec<_>>());
        }
        "git_checkout" => add(&["checkout".into(), s("branch_name").unwrap_or_default()]),
        "git_show" => add(&["show".into(), s("revision").unwrap_or_default()]),
        "git_init" => add(&["init".into()]),
        "git_branch" => {
            let kind = match o.get("branch_type").and_then(Value::as_str) {
                Some("remote") => "-r",
                Some("all") => "-a",
                _ => "--list",
            };
            add(&["branch".into(), kind.into()]);
            if let Some(c) = s("contains") {
                add(&["--contains".into(), c]);
            }
            if let Some(c) = s("not_contains") {
                add(&["--no-contains".into(), c]);
            }
        }
        _ => return false,
    }
    let line = words.join(" ");
    let mut exec = Implied::exec(line, format!("`{name}` runs git in {repo}"), "git MCP tool");
    exec.cwd = Some(repo.to_string());
    sink.push(exec);
    true
}

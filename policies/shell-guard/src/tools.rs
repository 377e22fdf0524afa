//! Tool calls judged by what they do to a service. An MCP tool
//! (`mcp__<server>__<tool>`) whose operation deletes (`mcp__github__delete_repository`,
//! `mcp__stripe__deleteCustomer`) is a service client's deleting
//! subcommand (`services.delete`), and the SQL a database tool runs
//! (`mcp__postgres__query` with `DROP TABLE users`) is judged as the
//! database pack judges `psql -c`. An operation told to destroy by its
//! input (`mcp__terraform__apply {"destroy": true}`, `{"purge": true}`) is
//! the destroying command, and a push told to force (`{"force": true}`)
//! is `git push --force`. The command lines, file writes and URLs
//! a tool carries are the SDK's implied actions, walked like any other
//! command line.

use clawlaw_sdk::{Action, Decision};
use serde_json::Value;

use crate::checker::Checker;
use crate::packs::services::{DELETING_OPERATION, is_deleting_word};
use crate::rules::database::{DROP_DATABASE, FLUSH};
use crate::settings::Settings;

/// Keys whose string (or list of strings) value a database tool runs.
const SQL_KEYS: &[&str] = &[
    "sql",
    "query",
    "statement",
    "statements",
    "sql_query",
    "queries",
];
/// Keys that name a path on this machine; a tool given one is judged by the
/// file action it implies, not as a remote service.
const LOCAL_PATH_KEYS: &[&str] = &["path", "file_path", "filePath", "filepath", "paths"];
/// Deepest nesting of the input read, as the SDK's implied actions do.
const MAX_DEPTH: usize = 4;

/// The decision for tool call `action`.
pub(crate) fn judge(settings: &Settings, action: &Action) -> Decision {
    let mut ck = Checker::new(settings, action.cwd.as_deref(), |_, _, _| {});
    let tool = action.tool.as_str();
    let input = action.input_json();
    // `mcp__<server>__<tool>`: an operation of a server, as Claude Code and
    // the gate's MCP gateway name them. An agent's own tools work on this
    // machine, and the file policies judge the file actions they imply.
    let operation = tool
        .strip_prefix("mcp__")
        .and_then(|rest| rest.split_once("__"))
        .map(|(_, op)| op);
    // `mcp__mongodb__drop-database`, `mcp__redis__flushall`: what
    // `dropDatabase()` and `FLUSHALL` do from the shell, denied the same.
    let whole = operation.and_then(|op| {
        let lower = op.to_ascii_lowercase().replace(['-', '_'], "");
        if lower.contains("dropdatabase") || lower.contains("dropdb") {
            Some(&DROP_DATABASE)
        } else if matches!(lower.as_str(), "flushall" | "flushdb") {
            Some(&FLUSH)
        } else {
            None
        }
    });
    if let Some(rule) = whole {
        ck.hit(
            rule,
            Some(tool),
            format!("the tool `{tool}` deletes a whole database: it has no undo"),
        );
    } else if let Some(operation) = operation.filter(|op| deletes(op))
        && !holds_local_path(&input, 0)
    {
        ck.hit(
            &DELETING_OPERATION,
            Some(tool),
            format!("the tool `{tool}` deletes what its service holds (`{operation}`): it may have no undo"),
        );
    }
    // `mcp__terraform__apply {"destroy": true}`, `…__sync {"purge": true}`:
    // an operation told to destroy, whatever its name.
    if let Some(op) = operation
        && let Some(switch) = switched_on(&input, DESTROYING_SWITCHES)
    {
        let rule = if switch == "destroy" {
            &crate::rules::iac::DESTROY
        } else {
            &DELETING_OPERATION
        };
        ck.hit(
            rule,
            Some(tool),
            format!("the tool `{tool}` is told to destroy (`{switch}: true`) what `{op}` manages: it may have no undo"),
        );
    }
    // `mcp__git__git_push {"force": true}`: `git push --force`.
    if operation.is_some_and(|op| words(op).iter().any(|w| w.eq_ignore_ascii_case("push")))
        && let Some(switch) = switched_on(&input, FORCE_SWITCHES)
    {
        ck.escalate(
            "shell.force-push",
            0.7,
            Some(tool),
            format!("the tool `{tool}` pushes with `{switch}: true`: it rewrites or deletes history on the remote"),
        );
    }
    let mut sql = Vec::new();
    sql_texts(&input, &mut sql, 0);
    for text in sql {
        ck.judge_sql_of_tool(text, tool);
    }
    ck.decision()
}

/// Input switches that make an operation destroy what its service holds.
const DESTROYING_SWITCHES: &[&str] = &["destroy", "purge", "wipe", "delete_all", "deleteAll"];
/// Input switches that make a push overwrite the remote's history.
const FORCE_SWITCHES: &[&str] = &["force", "force_push", "forcePush"];

/// The first of `switches` set to `true` at the input's top level.
fn switched_on<'a>(input: &Value, switches: &[&'a str]) -> Option<&'a str> {
    switches
        .iter()
        .find(|k| input.get(**k).and_then(Value::as_bool) == Some(true))
        .copied()
}

/// An operation's words: split at `_`, `-` and before capitals
/// (`delete_repository`, `deleteCustomer`, `drop-table`).
fn words(operation: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (k, c) in operation.char_indices().skip(1) {
        if c == '_' || c == '-' || c.is_ascii_uppercase() {
            words.push(&operation[start..k]);
            start = k + usize::from(!c.is_ascii_uppercase());
        }
    }
    words.push(&operation[start..]);
    words
}

/// Whether an operation's name says it deletes: a deleting verb among its
/// words (`delete_repository`, `deleteCustomer`, `kubectl_delete`,
/// `bucket_remove_object`), unless it starts by reading (`list_delete_markers`).
fn deletes(operation: &str) -> bool {
    let words = words(operation);
    let reads = |w: &str| READ_VERBS.iter().any(|r| w.eq_ignore_ascii_case(r));
    match words.split_first() {
        Some((first, _)) if is_deleting_word(first) => true,
        Some((first, rest)) => !reads(first) && rest.iter().any(|w| is_deleting_word(w)),
        None => false,
    }
}

/// First words of operations that only look: `list_delete_markers`.
const READ_VERBS: &[&str] = &[
    "get", "list", "read", "search", "describe", "show", "view", "find", "query", "fetch", "count",
    "check", "preview", "explain", "validate",
];

fn holds_local_path(v: &Value, depth: usize) -> bool {
    match v {
        Value::Object(map) if depth < MAX_DEPTH => map.iter().any(|(k, v)| {
            let local = |s: &str| s.starts_with(['/', '~', '.']);
            (LOCAL_PATH_KEYS.contains(&k.as_str())
                && match v {
                    Value::String(s) => local(s),
                    Value::Array(items) => items.iter().any(|i| i.as_str().is_some_and(local)),
                    _ => false,
                })
                || holds_local_path(v, depth + 1)
        }),
        Value::Array(items) if depth < MAX_DEPTH => {
            items.iter().any(|i| holds_local_path(i, depth + 1))
        }
        _ => false,
    }
}

fn sql_texts<'v>(v: &'v Value, out: &mut Vec<&'v str>, depth: usize) {
    if depth >= MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if SQL_KEYS.contains(&k.as_str()) {
                    match v {
                        Value::String(s) => out.push(s),
                        Value::Array(items) => out.extend(items.iter().filter_map(Value::as_str)),
                        _ => {}
                    }
                } else {
                    sql_texts(v, out, depth + 1);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| sql_texts(i, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::deletes;

    #[test]
    fn an_operation_deletes_by_its_words() {
        for op in [
            "delete_repository",
            "deleteCustomer",
            "drop-table",
            "purge",
            "remove_member",
            "kubectl_delete",
            "bucketDeleteObject",
            "repo-destroy",
        ] {
            assert!(deletes(op), "{op}");
        }
        for op in [
            "get_issue",
            "list_tables",
            "query",
            "create_pull_request",
            "deleted_items",
            "dropdown",
            "list_delete_markers",
            "get_deletion_policy",
            "show_dropped_rows",
        ] {
            assert!(!deletes(op), "{op}");
        }
    }
}

//! Tool inputs: what a `tool.call` amounts to, read from its input.
//!
//! Any tool, under any name (`mcp__<server>__<tool>` as Claude Code names
//! MCP tools, or a plain name), is read the same way: its JSON input is
//! walked (nested objects and lists, [`MAX_DEPTH`] levels, [`MAX_NODES`]
//! values) and each object is judged by its keys:
//!
//! | the object holds | implied |
//! |---|---|
//! | `command`, `cmd`, `script`, `shell_command`, `commandLine`, `command_line` (a string, or an argv list; a sibling `args`/`arguments` list is appended), or an `argv` list | `shell.exec` of that command line |
//! | a path (`path`, `file_path`, `filepath`, `filename`, `file`, `target`) with content (`content`, `contents`, `text`, `data`, `new_string`, `newText`, `edits[].newText`/`new_string`) | `file.write` of the path |
//! | a source and a destination (`source`/`src`/`from`/`old_path` and `destination`/`dest`/`to`/`new_path`) | `file.write` of the destination, and `file.delete` of the source (`file.read` when the tool name says it copies) |
//! | a lone path, or a `paths` list | `file.delete` when the tool name says it deletes, removes, unlinks or trashes; `file.write` when it says it creates, writes, saves, appends or makes a directory; else `file.read` |
//! | code (`code`, `cell`, `script`, …) in the language the tool's name, the input's `language` or the code itself says (Python, Node, Ruby, AppleScript) | `shell.exec` of `python3 -c CODE` (and a cell's `!cmd` lines) |
//! | text a tool types into a terminal (`…__send_keys {"keys": …}`, `computer {"action": "type"}`) | `shell.exec` of the text, its `Enter` taken off |
//! | a database file (`db_path`, `database`, …) with SQL (`query`, `sql`, `statement`) | `shell.exec` of `sqlite3 FILE 'SQL'` (a write of the file when the statements change it) |
//! | `url`, `uri`, `endpoint`, `href`, or any string value that is an `http(s)://` URL | `net.request` of the URL (`file://` URIs are a `file.read`) |
//!
//! An input that names a remote store (`owner`/`repo`, `repository`,
//! `bucket`, `host`, `project_id`, …) holds paths in that store, not on
//! this machine: no file action is implied for them, but a script written
//! there (a CI workflow, a Makefile) is still judged by what it runs.
//!
//! On top, tools whose names the reference MCP servers use are mapped
//! exactly: the git server's tools (`git_status`, `git_diff*`, `git_commit`,
//! `git_add`, `git_reset`, `git_log`, `git_create_branch`, `git_checkout`,
//! `git_show`, `git_init`, `git_branch`, each with `repo_path`) are the
//! `git …` command line they run, as a `shell.exec` in `repo_path`. The
//! filesystem server's tools (`read_file`, `write_file`, `edit_file`,
//! `move_file`, `create_directory`, …) and the fetch server's `fetch`
//! (`url`) are covered by the rules above.

use serde_json::{Map, Value};

use super::formats::argv_line;
use super::tool_input::{ARG_KEYS, PATH_KEYS, looks_like_path, str_of};
pub use super::tool_input::{name_words, tool_name};
use super::{Implied, PatchChange, Sink, containers, tool_code};
use crate::kinds;
use crate::shell::quote;

/// Deepest nesting of the input read.
pub const MAX_DEPTH: usize = 4;
/// Most JSON values visited in one input.
pub const MAX_NODES: usize = 512;

const COMMAND_KEYS: &[&str] = &[
    "command",
    "cmd",
    "script",
    "cli_command",
    "cliCommand",
    "bash_command",
    "shell_command",
    "shellCommand",
    "commandLine",
    "command_line",
];
/// Keys that name a path only when the value looks like one.
const WEAK_PATH_KEYS: &[&str] = &["target", "file", "filename"];
const CONTENT_KEYS: &[&str] = &[
    "content",
    "contents",
    "text",
    "data",
    "new_string",
    "newText",
    "new_text",
    "new_source",
];
const SOURCE_KEYS: &[&str] = &[
    "source",
    "src",
    "from",
    "old_path",
    "oldPath",
    "source_path",
    "sourcePath",
];
const DEST_KEYS: &[&str] = &[
    "destination",
    "dest",
    "dst",
    "to",
    "new_path",
    "newPath",
    "destination_path",
    "destinationPath",
];
const URL_KEYS: &[&str] = &["url", "uri", "endpoint", "href", "webhook_url"];
const REMOTE_KEYS: &[&str] = &[
    "owner",
    "repo",
    "repository",
    "repo_name",
    "project_id",
    "projectId",
    "bucket",
    "Bucket",
    "host",
    "hostname",
    "remote",
    "gist_id",
    "container",
    "pod",
];

/// What a tool's name says it does to the paths it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Delete,
    Move,
    Copy,
    Write,
    Read,
    /// The name says nothing about files.
    Other,
}

impl Verb {
    fn of(tool: &str) -> Verb {
        let words = name_words(tool);
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        if has(&[
            "delete", "remove", "rm", "unlink", "trash", "rmdir", "erase", "purge",
        ]) {
            Verb::Delete
        } else if has(&["move", "rename", "mv"]) {
            Verb::Move
        } else if has(&["copy", "cp", "duplicate"]) {
            Verb::Copy
        } else if has(&[
            "write", "create", "save", "append", "mkdir", "put", "touch", "upload", "edit",
            "replace", "insert", "patch",
        ]) {
            Verb::Write
        } else if has(&[
            "read", "get", "search", "find", "list", "grep", "query", "view", "show", "stat",
            "info", "tree", "ls", "cat", "open",
        ]) {
            Verb::Read
        } else {
            Verb::Other
        }
    }
}

/// Adds what a `tool.call`'s input amounts to.
pub(super) fn implied(tool: &str, input: &Value, sink: &mut Sink) {
    let name = tool_name(tool);
    if let Some(obj) = input.as_object()
        && super::git_tools::git_tool(name, obj, sink)
    {
        return;
    }
    let remote = input
        .as_object()
        .is_some_and(|o| REMOTE_KEYS.iter().any(|k| o.contains_key(*k)));
    let mut walk = Walk {
        tool,
        verb: Verb::of(name),
        nodes: 0,
        sink,
    };
    walk.value(input, 0, remote);
}

struct Walk<'a, 'b> {
    tool: &'a str,
    verb: Verb,
    nodes: usize,
    sink: &'a mut Sink<'b>,
}

impl Walk<'_, '_> {
    fn value(&mut self, v: &Value, depth: usize, remote: bool) {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES || self.sink.full() {
            return;
        }
        match v {
            Value::Object(o) => {
                let remote = remote || REMOTE_KEYS.iter().any(|k| o.contains_key(*k));
                self.object(o, remote);
                for (k, child) in o {
                    if child.is_object() || child.is_array() {
                        // `edits` and `paths` were read with their object.
                        if k != "edits" && k != "paths" {
                            self.value(child, depth + 1, remote);
                        }
                    } else if let Value::String(s) = child
                        && !URL_KEYS.contains(&k.as_str())
                        && is_http_url(s)
                    {
                        self.url(s);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    if item.is_object() || item.is_array() {
                        self.value(item, depth + 1, remote);
                    } else if let Value::String(s) = item
                        && is_http_url(s)
                    {
                        self.url(s);
                    }
                }
            }
            _ => {}
        }
    }

    fn object(&mut self, o: &Map<String, Value>, remote: bool) {
        let tool = self.tool;
        let inner = command_line(o);
        let container = containers::docker_run_of(tool_name(tool), o, inner.as_deref());
        let command = container
            .or_else(|| tool_code::cli_verb_line(tool, o))
            .or(inner)
            .or_else(|| tool_code::cli_args_line(tool, o))
            .or_else(|| tool_code::typed_line(tool, o))
            .or_else(|| (!remote).then(|| tool_code::database_line(o)).flatten());
        for line in tool_code::code_lines(tool, o) {
            self.sink.push(Implied::exec(
                line,
                format!("`{tool}` runs code"),
                "tool input",
            ));
        }
        if let Some(command) = command {
            let mut exec = Implied::exec(
                command,
                format!("`{tool}` runs a command line"),
                "tool input",
            );
            // Where the tool runs it, when its input says: there.
            if !remote {
                exec.cwd = run_dir(o, self.sink.of.cwd.as_deref());
            }
            self.sink.push(exec);
        }
        for key in URL_KEYS {
            if let Some(Value::String(u)) = o.get(*key) {
                if let Some(path) = u.strip_prefix("file://") {
                    if !remote {
                        self.file(kinds::FILE_READ, path, None);
                    }
                } else if is_http_url(u) || (u.contains("://") && !u.contains(char::is_whitespace))
                {
                    self.url(u);
                }
            }
        }
        // `apply_patch {"input": "*** Begin Patch …"}`: a Codex patch given
        // to a tool writes and deletes the files it names.
        if !remote {
            let patches = o.values().filter_map(Value::as_str);
            for patch in patches.filter(|s| s.starts_with("*** Begin Patch")) {
                for change in super::patch_changes(patch) {
                    match change {
                        PatchChange::Write(path, added) => {
                            self.file(kinds::FILE_WRITE, &path, Some(added))
                        }
                        PatchChange::Delete(path) => self.file(kinds::FILE_DELETE, &path, None),
                    }
                }
            }
        }
        let path = path_of(o);
        // A tool that says it reads or searches takes `text` or `data` as
        // what to look for, not what to write.
        let content = content_of(o).filter(|_| self.verb != Verb::Read);
        if let Some(content) = content {
            if let Some(path) = &path {
                if remote {
                    self.sink.scripts_written(path, &content, tool);
                } else {
                    self.file(kinds::FILE_WRITE, path, Some(content));
                }
            }
            return;
        }
        if remote {
            return;
        }
        let pair = (str_of(o, SOURCE_KEYS), str_of(o, DEST_KEYS));
        if let (Some(src), Some(dst)) = pair {
            let explicit = matches!(self.verb, Verb::Move | Verb::Copy);
            if explicit || (looks_like_path(src) && looks_like_path(dst)) {
                let src_kind = if self.verb == Verb::Copy {
                    kinds::FILE_READ
                } else {
                    kinds::FILE_DELETE
                };
                self.file(src_kind, src, None);
                self.file(kinds::FILE_WRITE, dst, None);
                return;
            }
        }
        let lone_kind = match self.verb {
            Verb::Delete | Verb::Move => kinds::FILE_DELETE,
            Verb::Write => kinds::FILE_WRITE,
            Verb::Copy | Verb::Read | Verb::Other => kinds::FILE_READ,
        };
        if let Some(path) = path {
            self.file(lone_kind, &path, None);
        }
        if let Some(Value::Array(paths)) = o.get("paths") {
            for p in paths.iter().filter_map(Value::as_str) {
                self.file(lone_kind, p, None);
            }
        }
    }

    fn file(&mut self, kind: &'static str, path: &str, content: Option<String>) {
        let verb = match kind {
            kinds::FILE_WRITE => "writes",
            kinds::FILE_DELETE => "deletes",
            _ => "reads",
        };
        let origin = format!("`{}` {verb} {path}", self.tool);
        self.sink
            .push(Implied::file(kind, path, content, origin, "tool input"));
    }

    fn url(&mut self, url: &str) {
        let origin = format!("`{}` contacts {url}", self.tool);
        self.sink.push(Implied::request(url, origin));
    }
}

/// The command line an object holds, if any.
fn command_line(o: &Map<String, Value>) -> Option<String> {
    let args: Option<Vec<String>> = ARG_KEYS
        .iter()
        .find_map(|k| o.get(*k))
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|w| w.as_str().map(str::to_string)).collect());
    for key in COMMAND_KEYS {
        match o.get(*key) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                return Some(match &args {
                    Some(args) if !args.is_empty() => {
                        let mut argv = vec![s.clone()];
                        argv.extend(args.iter().cloned());
                        if s.contains(char::is_whitespace) {
                            let rest: Vec<String> = args.iter().map(|a| quote(a)).collect();
                            format!("{s} {}", rest.join(" "))
                        } else {
                            argv_line(&argv)
                        }
                    }
                    _ => s.clone(),
                });
            }
            Some(Value::Array(words)) => {
                let argv: Option<Vec<String>> = words
                    .iter()
                    .map(|w| w.as_str().map(str::to_string))
                    .collect();
                if let Some(argv) = argv.filter(|a| !a.is_empty()) {
                    return Some(argv_line(&argv));
                }
            }
            _ => {}
        }
    }
    let argv: Vec<String> = o
        .get("argv")?
        .as_array()?
        .iter()
        .map(|w| w.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    (!argv.is_empty()).then(|| argv_line(&argv))
}

fn path_of(o: &Map<String, Value>) -> Option<String> {
    PATH_KEYS.iter().chain(WEAK_PATH_KEYS).find_map(|k| {
        let s = o.get(*k)?.as_str()?;
        let weak = WEAK_PATH_KEYS.contains(k);
        let ok = !s.trim().is_empty()
            && !s.contains('\n')
            && !s.contains("://")
            && (!weak || looks_like_path(s));
        ok.then(|| s.to_string())
    })
}

/// What an object says is to be written: a content field, or the new text
/// of every edit.
fn content_of(o: &Map<String, Value>) -> Option<String> {
    if let Some(c) = CONTENT_KEYS
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
    {
        return Some(c.to_string());
    }
    let edits = o.get("edits")?.as_array()?;
    let texts: Vec<&str> = edits
        .iter()
        .filter_map(|e| {
            ["newText", "new_string", "new_text", "content", "text"]
                .iter()
                .find_map(|k| e.get(*k).and_then(Value::as_str))
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

pub(super) fn is_http_url(s: &str) -> bool {
    let lower = s.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    (lower.starts_with("http://") || lower == "https://")
        && s.len() > 8
        && !s.contains(char::is_whitespace)
}

/// The directory a tool's input says its command runs in (`cwd`,
/// `workdir`, `working_directory`, `directory`, …), against the action's
/// own when relative; `None` when it names none.
fn run_dir(o: &Map<String, Value>, cwd: Option<&str>) -> Option<String> {
    let dir = [
        "cwd",
        "workdir",
        "working_directory",
        "workingDirectory",
        "working_dir",
        "directory",
    ]
    .iter()
    .find_map(|k| o.get(*k)?.as_str().filter(|d| !d.is_empty()))?;
    Some(match cwd {
        Some(base) if !dir.starts_with(['/', '~']) => {
            format!("{}/{dir}", base.trim_end_matches('/'))
        }
        _ => dir.to_string(),
    })
}

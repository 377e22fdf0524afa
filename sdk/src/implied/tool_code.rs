//! What a tool runs besides a command line it is given: code in another
//! language (`mcp__python__run {"code": …}`, an IDE's `executeCode`, an
//! AppleScript), the CLI it wraps given its arguments as a list, SQL on a
//! local database file, and keystrokes typed into a terminal
//! (`mcp__tmux__send_keys {"keys": "pkill x Enter"}`, a computer-use
//! tool's `type`) — each as the shell command line it amounts to.

use serde_json::{Map, Value};

use super::formats::argv_line;
use super::tool_input::{ARG_KEYS, PATH_KEYS, looks_like_path, str_of, tool_name};
use crate::shell::quote;

/// Command-line programs an MCP server wraps, named in its tools'
/// names (`kubectl_generic`, `run_git`), given their arguments as a list.
const WRAPPED_CLIS: &[&str] = &[
    "kubectl",
    "helm",
    "docker",
    "podman",
    "git",
    "aws",
    "gcloud",
    "az",
    "terraform",
    "npm",
];

/// The CLI a tool's name says it wraps (`kubectl_generic`, `run_git`).
fn wrapped_cli(tool: &str) -> Option<&'static str> {
    let name = tool_name(tool).to_ascii_lowercase();
    WRAPPED_CLIS
        .iter()
        .find(|c| name.split(['_', '-']).any(|w| w == **c))
        .copied()
}

/// `mcp__kubernetes__kubectl_generic {"args": ["delete", "ns", "prod"]}`:
/// the CLI a tool is named for, run with its `args`.
pub(super) fn cli_args_line(tool: &str, o: &Map<String, Value>) -> Option<String> {
    let cli = wrapped_cli(tool)?;
    let args: Vec<String> = ARG_KEYS
        .iter()
        .find_map(|k| o.get(*k))?
        .as_array()?
        .iter()
        .map(|w| w.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let mut argv = vec![cli.to_string()];
    argv.extend(args);
    (argv.len() > 1).then(|| argv_line(&argv))
}

/// Keys naming the CLI subcommand a tool runs as one word.
const VERB_KEYS: &[&str] = &["command", "action", "verb", "operation", "subcommand"];
/// Keys naming the kind of object it acts on, then the object.
const KIND_KEYS: &[&str] = &["resourceType", "resource_type", "resource", "kind", "type"];
const OBJECT_KEYS: &[&str] = &[
    "name",
    "resourceName",
    "resource_name",
    "release",
    "container",
    "containerId",
    "container_id",
    "id",
];

/// `mcp__kubernetes__kubectl_generic {"command": "delete", "resourceType":
/// "namespace", "name": "prod"}`: the CLI a tool is named for, run with the
/// one-word subcommand its input gives and the object it names (`kubectl
/// delete namespace prod`; a namespace as `-n NS` for the orchestrators).
pub(super) fn cli_verb_line(tool: &str, o: &Map<String, Value>) -> Option<String> {
    let cli = wrapped_cli(tool)?;
    let verb = VERB_KEYS.iter().find_map(|k| o.get(*k)?.as_str())?;
    if verb.is_empty() || !verb.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
        return None;
    }
    let mut argv = vec![cli.to_string(), verb.to_string()];
    argv.extend(str_of(o, KIND_KEYS).map(str::to_string));
    argv.extend(str_of(o, OBJECT_KEYS).map(str::to_string));
    if matches!(cli, "kubectl" | "helm")
        && let Some(ns) = str_of(o, &["namespace", "ns"])
    {
        argv.extend(["-n".to_string(), ns.to_string()]);
    }
    Some(argv_line(&argv))
}

/// Keys holding code a tool runs.
const CODE_KEYS: &[&str] = &["code", "source", "cell", "python_code", "js_code", "script"];

/// How a language's code runs: a shell's is the command line itself,
/// another's is given to its interpreter (`python3 -c CODE`).
#[derive(Clone, Copy)]
enum Runner {
    Shell,
    Interpreter(&'static str, &'static str),
}

/// The language a name says (a tool's, or an input's `language`):
/// `mcp__python__run_python`, `jupyter`, `node`, `applescript`, `bash`.
fn language_named(name: &str) -> Option<Runner> {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    Some(if has(&["python", "jupyter", "ipython", "notebook"]) {
        Runner::Interpreter("python3", "-c")
    } else if has(&["node", "javascript", "deno"]) {
        Runner::Interpreter("node", "-e")
    } else if has(&["applescript", "osascript"]) {
        Runner::Interpreter("osascript", "-e")
    } else if has(&["ruby"]) {
        Runner::Interpreter("ruby", "-e")
    } else if has(&["bash", "shell", "terminal"]) {
        Runner::Shell
    } else {
        return None;
    })
}

/// The command lines `code` run by `runner` amounts to; a notebook cell's
/// `!cmd` lines are shell commands.
fn run_lines(runner: Runner, code: &str) -> Vec<String> {
    let (program, flag) = match runner {
        Runner::Shell => return vec![code.to_string()],
        Runner::Interpreter(program, flag) => (program, flag),
    };
    let mut out: Vec<String> = code
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('!'))
        .map(str::to_string)
        .collect();
    let rest: Vec<&str> = code
        .lines()
        .filter(|l| !l.trim_start().starts_with(['!', '%']))
        .collect();
    out.push(super::formats::interpreter_line(
        program,
        flag,
        &rest.join("\n"),
    ));
    out
}

/// Keys naming a local database file a SQL tool opens.
const DATABASE_KEYS: &[&str] = &[
    "db_path",
    "dbPath",
    "database_path",
    "databasePath",
    "db_file",
    "dbFile",
    "sqlite_path",
    "database",
    "db",
];
/// Keys holding the statements it runs.
const SQL_KEYS: &[&str] = &["sql", "query", "statement", "statements"];

/// `{"db_path": "data/app.db", "query": "DELETE …"}`: a SQL tool given a
/// database file is `sqlite3 FILE 'SQL'`, which writes the file when the
/// statements change it.
pub(super) fn database_line(o: &Map<String, Value>) -> Option<String> {
    let db = DATABASE_KEYS
        .iter()
        .find_map(|k| o.get(*k)?.as_str())
        .filter(|d| {
            let ext = d.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            looks_like_path(d)
                && (d.contains('/')
                    || d.starts_with('~')
                    || ext.is_some_and(|e| {
                        matches!(e.as_str(), "db" | "sqlite" | "sqlite3" | "db3" | "s3db")
                    }))
        })?;
    let sql = str_of(o, SQL_KEYS).or_else(|| SQL_KEYS.iter().find_map(|k| o.get(*k)?.as_str()))?;
    Some(format!("sqlite3 {} {}", quote(db), quote(sql)))
}

/// The command lines the code a tool runs amounts to (`mcp__python__run
/// {"code": …}` is `python3 -c …`): by the language the tool's name says,
/// else — when its name says it runs what it is given (`executeCode`,
/// `run_cell`, `eval`; code searched for or stored is not run) — by the
/// input's `language` field or by what the code looks like (`import os`
/// is Python, `require(` is Node).
pub(super) fn code_lines(tool: &str, o: &Map<String, Value>) -> Vec<String> {
    let Some(code) = CODE_KEYS.iter().find_map(|k| o.get(*k)?.as_str()) else {
        // Text typed into a process that reads code (`interact_with_process
        // {"input": "import os; os.system(…)"}` to a Python REPL).
        return typed_text(tool, o)
            .and_then(|(text, _)| {
                let runner = language_named(guess_language(&text))?;
                Some(run_lines(runner, &text))
            })
            .unwrap_or_default();
    };
    let runner = language_named(tool).or_else(|| {
        let name = tool_name(tool).to_ascii_lowercase();
        ["run", "exec", "eval", "interpret"]
            .iter()
            .any(|v| name.contains(v))
            .then(|| {
                ["language", "lang", "kernel"]
                    .iter()
                    .find_map(|k| o.get(*k)?.as_str())
                    .unwrap_or_else(|| guess_language(code))
            })
            .and_then(language_named)
    });
    runner.map_or_else(Vec::new, |r| run_lines(r, code))
}

/// The language code looks written in, from the calls that matter to a
/// policy: `""` when it does not say.
fn guess_language(code: &str) -> &'static str {
    let has = |words: &[&str]| words.iter().any(|w| code.contains(w));
    if has(&[
        "import os",
        "import subprocess",
        "import shutil",
        "os.system(",
        "subprocess.",
    ]) {
        "python"
    } else if has(&["require(", "child_process", "process.kill", "fs.rm"]) {
        "javascript"
    } else {
        ""
    }
}

/// Verbs of a tool that types into something.
const TYPES: &[&str] = &[
    "interact",
    "type",
    "keys",
    "key",
    "keystroke",
    "keystrokes",
    "send",
    "write",
    "input",
    "paste",
];
/// What a tool types into, when its name says: a terminal.
const TERMINALS: &[&str] = &[
    "terminal", "tmux", "screen", "tty", "pty", "shell", "console", "iterm", "konsole", "computer",
    "keyboard", "xdotool",
];
/// Or a running process's input (`interact_with_process`, `write_stdin`).
const PROCESS_INPUTS: &[&str] = &["process", "stdin", "repl"];
/// Keys holding the text typed.
const TYPED_KEYS: &[&str] = &["keys", "text", "input", "chars", "data", "command"];

/// `mcp__tmux__send_keys {"keys": "rm -rf ~ Enter"}`, `computer {"action":
/// "type", "text": "pkill x\n"}`: text typed into a terminal is the
/// command line it runs (with its newline, `Enter` or `C-m`, or with one
/// typed next). Typed into a running process (`interact_with_process`), it
/// is a command line when it reads as one: the process may be a shell, or
/// a REPL reading code ([`code_lines`]).
pub(super) fn typed_line(tool: &str, o: &Map<String, Value>) -> Option<String> {
    let (line, terminal) = typed_text(tool, o)?;
    (terminal || crate::shell::parse(&line).issues.is_empty()).then_some(line)
}

/// The text a tool types, and whether it types into a terminal (rather
/// than a process's input).
fn typed_text(tool: &str, o: &Map<String, Value>) -> Option<(String, bool)> {
    let lower = tool.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let action = o.get("action").and_then(Value::as_str).unwrap_or("");
    let types = words.iter().any(|w| TYPES.contains(w)) || matches!(action, "type" | "key");
    let terminal = words.iter().any(|w| TERMINALS.contains(w));
    let process = words.iter().any(|w| PROCESS_INPUTS.contains(w));
    // A file written by a terminal server's tool (`…__write_file {"path",
    // "text"}`) is a write, not typing.
    let names_file = PATH_KEYS.iter().any(|k| o.contains_key(*k));
    if !(types && (terminal || process)) || names_file {
        return None;
    }
    let text = TYPED_KEYS.iter().find_map(|k| o.get(*k)?.as_str())?;
    let line = ["\n", "\r", " Enter", " C-m", " KPEnter"]
        .iter()
        .fold(text.trim_end(), |t, end| t.strip_suffix(end).unwrap_or(t))
        .trim();
    (!line.is_empty()).then(|| (line.to_string(), terminal))
}

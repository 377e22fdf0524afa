//! Readers of the structured files that hold command lines: Makefiles,
//! justfiles, `package.json`, CI workflows, Dockerfiles and notebooks.
//!
//! Each reader is line-based (JSON formats are parsed, with a line-based
//! fallback) and forgiving: the content may be a fragment, such as the text
//! an `Edit` puts into the file, and a fragment's command lines count as
//! much as a whole file's. None of them fails or panics; each returns at
//! most [`MAX_COMMANDS`] command lines, each with the unit of the file it
//! belongs to ([`Found`]); `scripts.rs` says which format a file is and
//! names what is found. Also how a command line is spelt from an argv
//! ([`argv_line`]) or from code for an interpreter ([`interpreter_line`]).

use std::collections::HashMap;

use serde_json::Value;

use crate::shell::quote;

/// Most command lines a reader returns.
pub(super) const MAX_COMMANDS: usize = 64;

/// A command line a reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The unit of the file it belongs to: a target, a recipe, a script
    /// name, a job, a cell.
    pub name: Option<String>,
    pub command: String,
}

fn found(name: Option<String>, command: String) -> Found {
    Found { name, command }
}

/// `program flag '<code>'`, the code quoted for the shell.
pub fn interpreter_line(program: &str, flag: &str, code: &str) -> String {
    format!("{program} {flag} {}", quote(code))
}

/// Indentation of a line, in bytes of leading spaces and tabs.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Lines with backslash continuations joined (the backslash and newline
/// kept, which the shell reads as one line).
fn logical_lines(content: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in content.lines() {
        if open && let Some(last) = out.last_mut() {
            last.push('\n');
            last.push_str(line);
        } else {
            out.push(line.to_string());
        }
        open = line.ends_with('\\');
    }
    out
}

// ------------------------------------------------------------------ Makefile

/// Make's built-in variables a recipe commonly uses.
const MAKE_BUILTINS: &[(&str, &str)] = &[
    ("RM", "rm -f"),
    ("MAKE", "make"),
    ("CC", "cc"),
    ("CXX", "g++"),
    ("SHELL", "/bin/sh"),
];

/// Each target's recipe lines, one command line per target. Variables the
/// file assigns (`X = …`, `X := …`) and Make's built-ins (`$(RM)`) are
/// expanded one level; `$$` is a literal `$`.
pub fn makefile(content: &str) -> Vec<Found> {
    let mut vars: HashMap<String, String> = MAKE_BUILTINS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut units: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let mut in_rule = false;
    let mut in_define = false;
    for line in logical_lines(content) {
        if in_define {
            in_define = line.trim() != "endef";
            continue;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            let recipe = recipe.trim_start_matches(['@', '-', '+', ' ', '\t']);
            if recipe.is_empty() || recipe.starts_with('#') && !in_rule {
                continue;
            }
            if !in_rule || units.is_empty() {
                units.push((None, Vec::new()));
                in_rule = true;
            }
            if let Some((_, lines)) = units.last_mut() {
                lines.push(recipe.to_string());
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with("define ") {
            in_define = true;
            in_rule = false;
            continue;
        }
        if let Some((name, value)) = assignment(trimmed) {
            vars.insert(name.to_string(), value.trim().to_string());
            in_rule = false;
            continue;
        }
        in_rule = false;
        if let Some((targets, rest)) = trimmed.split_once(':') {
            let rest = rest.trim_start_matches(':');
            let name = targets.split_whitespace().next().map(str::to_string);
            units.push((name, Vec::new()));
            in_rule = true;
            if let Some((_, inline)) = rest.split_once(';')
                && let Some((_, lines)) = units.last_mut()
            {
                lines.push(inline.trim().to_string());
            }
        }
    }
    units
        .into_iter()
        .filter(|(_, lines)| !lines.is_empty())
        .take(MAX_COMMANDS)
        .map(|(name, lines)| found(name, expand_make(&lines.join("\n"), &vars)))
        .collect()
}

/// `NAME = value` (also `:=`, `::=`, `?=`, `+=`, `export NAME = …`).
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line
        .strip_prefix("export ")
        .or_else(|| line.strip_prefix("override "))
        .unwrap_or(line);
    let eq = line.find('=')?;
    let colon = line.find(':');
    if colon.is_some_and(|c| c < eq && !line[c..eq].chars().all(|ch| ch == ':')) {
        return None;
    }
    let name = line[..eq].trim_end_matches([':', '?', '+', '!']).trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
    valid.then(|| (name, &line[eq + 1..]))
}

/// `$(X)` and `${X}` replaced by the value of X when known, `$$` by `$`.
fn expand_make(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let close = match after.as_bytes().first() {
            Some(b'$') => {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            Some(b'(') => ')',
            Some(b'{') => '}',
            _ => {
                out.push('$');
                rest = after;
                continue;
            }
        };
        match after[1..].find(close) {
            Some(end) if vars.contains_key(&after[1..1 + end]) => {
                out.push_str(&vars[&after[1..1 + end]]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------ justfile

/// Each recipe's indented lines, as written: a recipe starting with a
/// shebang is a script of its own, which `scripts.rs` reads.
pub fn justfile(content: &str) -> Vec<Found> {
    let mut units: Vec<(Option<String>, Vec<String>)> = Vec::new();
    let mut in_recipe = false;
    for line in content.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if indent(line) > 0 {
            let body = line.trim_start().trim_start_matches(['@', '-']);
            if !in_recipe {
                units.push((None, Vec::new()));
                in_recipe = true;
            }
            if let Some((_, lines)) = units.last_mut() {
                lines.push(body.to_string());
            }
            continue;
        }
        in_recipe = false;
        let t = line.trim();
        if t.starts_with('#') || t.starts_with('[') || t.contains(":=") {
            continue;
        }
        if let Some((head, _)) = t.split_once(':') {
            let name = head.trim_start_matches('@').split_whitespace().next();
            units.push((name.map(str::to_string), Vec::new()));
            in_recipe = true;
        }
    }
    units
        .into_iter()
        .filter(|(_, lines)| !lines.is_empty())
        .take(MAX_COMMANDS)
        .map(|(name, lines)| found(name, lines.join("\n")))
        .collect()
}

// ------------------------------------------------------------------ package.json

/// Every `scripts` value. Content that is not a JSON object (an edited
/// fragment) is read line by line: every `"name": "value"` pair counts.
pub fn package_json(content: &str) -> Vec<Found> {
    if let Some(v) = json_object_or_fragment(content) {
        let scripts = v.get("scripts").and_then(Value::as_object);
        return scripts
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some(found(Some(k.clone()), v.as_str()?.to_string())))
            .take(MAX_COMMANDS)
            .collect();
    }
    content
        .lines()
        .filter_map(json_pair)
        .take(MAX_COMMANDS)
        .map(|(k, v)| found(Some(k), v))
        .collect()
}

/// A JSON object, or an edited fragment of its members (no outer braces).
pub(super) fn json_object_or_fragment(content: &str) -> Option<Value> {
    serde_json::from_str::<Value>(content)
        .ok()
        .filter(Value::is_object)
        .or_else(|| serde_json::from_str::<Value>(&format!("{{{content}}}")).ok())
}

/// A `"key": "value"` pair on one line, both JSON strings.
fn json_pair(line: &str) -> Option<(String, String)> {
    let line = line.trim().trim_end_matches(',');
    let (k, v) = split_json_string(line)?;
    let v = v.trim_start().strip_prefix(':')?.trim_start();
    let (value, rest) = split_json_string(v)?;
    rest.trim().is_empty().then_some((k, value))
}

/// A leading JSON string, decoded, and what follows it.
fn split_json_string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let decoded = serde_json::from_str(&s[..i + 2]).ok()?;
                return Some((decoded, &body[i + 1..]));
            }
            _ => escaped = false,
        }
    }
    None
}

// ------------------------------------------------------------------ CI workflows

/// A YAML scalar written inline, its quotes removed.
pub(super) fn yaml_scalar(v: &str) -> String {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    if let Some(Ok(s)) = double_quoted(v).map(serde_json::from_str::<String>) {
        return s;
    }
    // An unquoted scalar ends at a comment.
    v.split(" #").next().unwrap_or(v).to_string()
}

/// The double-quoted string `v` starts with, quotes included.
pub(super) fn double_quoted(v: &str) -> Option<&str> {
    let bytes = v.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut k = 1;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return Some(&v[..=k]),
            _ => k += 1,
        }
    }
    None
}

/// The lines of a block scalar (`|`, `>` and their modifiers) that starts
/// after `lines[start]`, whose key sits at `key_indent`; and the index of
/// the first line after it.
fn block_scalar(lines: &[&str], start: usize, key_indent: usize, folded: bool) -> (String, usize) {
    let mut body: Vec<&str> = Vec::new();
    let mut strip = None;
    let mut i = start + 1;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() {
            body.push("");
            i += 1;
            continue;
        }
        let n = indent(l);
        if n <= key_indent {
            break;
        }
        let s = *strip.get_or_insert(n);
        body.push(l.get(s.min(n)..).unwrap_or(""));
        i += 1;
    }
    let sep = if folded { " " } else { "\n" };
    (body.join(sep).trim_end().to_string(), i)
}

fn is_block_indicator(v: &str) -> Option<bool> {
    let v = v.trim();
    let v = v.split(" #").next().unwrap_or(v).trim();
    match v.chars().next()? {
        '|' if v[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9')) => Some(false),
        '>' if v[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9')) => Some(true),
        _ => None,
    }
}

/// Every `run:` value of a GitHub Actions workflow (or composite action),
/// named by the step's `name:` when it has one.
pub fn github_workflow(content: &str) -> Vec<Found> {
    let lines: Vec<&str> = content.lines().collect();
    let mut out = Vec::new();
    let mut step_name: Option<String> = None;
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_COMMANDS {
        let line = lines[i];
        let item = line.trim_start().trim_start_matches("- ");
        let key_indent = indent(line) + (line.trim_start().len() - item.len());
        if line.trim_start().starts_with("- ") {
            step_name = None;
        }
        if let Some(v) = item.strip_prefix("name:") {
            step_name = Some(yaml_scalar(v));
        }
        if let Some(v) = item.strip_prefix("run:") {
            if let Some(folded) = is_block_indicator(v) {
                let (body, next) = block_scalar(&lines, i, key_indent, folded);
                out.push(found(step_name.clone(), body));
                i = next;
                continue;
            }
            out.push(found(step_name.clone(), yaml_scalar(v)));
        }
        i += 1;
    }
    out
}

/// Every entry of `script:`, `before_script:` and `after_script:` in a
/// GitLab CI file, named by its job.
pub fn gitlab_ci(content: &str) -> Vec<Found> {
    yaml_commands(content, &["script:", "before_script:", "after_script:"])
}

/// Every value of the keys `keys` (each spelt with its colon) in a YAML
/// file — a scalar, a block scalar, a flow list or a block list of
/// commands — named by the top-level key it is under (a job, a service).
pub(super) fn yaml_commands(content: &str, keys: &[&str]) -> Vec<Found> {
    let lines: Vec<&str> = content.lines().collect();
    let mut out = Vec::new();
    let mut job: Option<String> = None;
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_COMMANDS {
        let line = lines[i];
        let t = line.trim();
        if indent(line) == 0
            && !t.starts_with('#')
            && !t.starts_with('-')
            && let Some(name) = t.strip_suffix(':')
        {
            job = Some(name.trim().to_string());
        }
        let key = keys
            .iter()
            .find_map(|k| t.trim_start_matches("- ").strip_prefix(k));
        let Some(value) = key else {
            i += 1;
            continue;
        };
        let key_indent = indent(line);
        let value = value.trim();
        if let Some(folded) = is_block_indicator(value) {
            let (body, next) = block_scalar(&lines, i, key_indent, folded);
            out.push(found(job.clone(), body));
            i = next;
            continue;
        }
        if let Some(flow) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            out.extend(flow.split(',').map(|s| found(job.clone(), yaml_scalar(s))));
            i += 1;
            continue;
        }
        if !value.is_empty() {
            out.push(found(job.clone(), yaml_scalar(value)));
            i += 1;
            continue;
        }
        // A block list: items at the key's indentation or deeper.
        i += 1;
        while i < lines.len() && out.len() < MAX_COMMANDS {
            let l = lines[i];
            let lt = l.trim();
            if lt.is_empty() || lt.starts_with('#') {
                i += 1;
                continue;
            }
            let Some(item) = lt.strip_prefix("- ").or((lt == "-").then_some("")) else {
                break;
            };
            if indent(l) < key_indent {
                break;
            }
            if let Some(folded) = is_block_indicator(item) {
                let (body, next) = block_scalar(&lines, i, indent(l), folded);
                out.push(found(job.clone(), body));
                i = next;
                continue;
            }
            out.push(found(job.clone(), yaml_scalar(item)));
            i += 1;
        }
    }
    out
}

// ------------------------------------------------------------------ Dockerfile

/// Every `RUN` instruction: shell form, exec form and here-documents.
pub fn dockerfile(content: &str) -> Vec<Found> {
    let lines = logical_lines(content);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_COMMANDS {
        let line = lines[i].trim_start();
        i += 1;
        let Some(args) = line
            .get(..4)
            .filter(|w| w.eq_ignore_ascii_case("RUN ") || w.eq_ignore_ascii_case("RUN\t"))
            .map(|_| line[4..].trim_start())
        else {
            continue;
        };
        let mut args = args;
        while args.starts_with("--") {
            args = args
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r.trim_start());
        }
        if let Some(delim) = args.strip_prefix("<<") {
            let delim = delim.trim_start_matches('-').trim_matches(['"', '\'']);
            let delim = delim.split_whitespace().next().unwrap_or("");
            let mut body = Vec::new();
            while i < lines.len() && lines[i].trim() != delim {
                body.push(lines[i].as_str());
                i += 1;
            }
            i += 1;
            out.push(found(None, body.join("\n")));
            continue;
        }
        if args.starts_with('[')
            && let Ok(argv) = serde_json::from_str::<Vec<String>>(args)
        {
            out.push(found(None, argv_line(&argv)));
            continue;
        }
        out.push(found(None, args.to_string()));
    }
    out
}

/// An argv as a command line: `sh -c '<script>'` is the script itself,
/// other argvs are joined with each word quoted.
pub fn argv_line(argv: &[String]) -> String {
    match argv {
        [shell, flag, script, ..]
            if matches!(
                shell.rsplit('/').next(),
                Some("sh" | "bash" | "zsh" | "dash")
            ) && matches!(flag.as_str(), "-c" | "-lc" | "-ec" | "-xc") =>
        {
            script.clone()
        }
        _ => argv.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "),
    }
}

// ------------------------------------------------------------------ notebooks

/// Each code cell of a Jupyter notebook: `!cmd` lines and `%%bash`/`%%sh`
/// cells as command lines, the rest of the cell as `python3 -c <code>`.
/// Content that is not a notebook is read as one cell's source (what
/// `NotebookEdit` writes).
pub fn notebook(content: &str) -> Vec<Found> {
    let cells: Vec<String> = match serde_json::from_str::<Value>(content) {
        Ok(v) if v.get("cells").is_some() => v["cells"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c.get("cell_type").and_then(Value::as_str) == Some("code"))
            .map(|c| match c.get("source") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(parts)) => parts.iter().filter_map(Value::as_str).collect(),
                _ => String::new(),
            })
            .collect(),
        _ => vec![content.to_string()],
    };
    let mut out = Vec::new();
    for (n, cell) in cells.iter().enumerate() {
        let name = Some(format!("cell {}", n + 1));
        let first = cell.lines().next().unwrap_or("").trim();
        if let Some(magic) = first.strip_prefix("%%") {
            let program = magic.split_whitespace().last().unwrap_or("");
            if matches!(
                magic.split_whitespace().next(),
                Some("bash" | "sh" | "script")
            ) && matches!(program.rsplit('/').next(), Some("bash" | "sh" | "zsh"))
            {
                let body = cell.split_once('\n').map_or("", |(_, b)| b);
                out.push(found(name, body.to_string()));
            }
            continue;
        }
        let mut python = Vec::new();
        for line in cell.lines() {
            let t = line.trim_start();
            if let Some(cmd) = t.strip_prefix('!') {
                out.push(found(name.clone(), cmd.to_string()));
            } else if let Some(magic) = t.strip_prefix('%') {
                if let Some(rest) = ["pip ", "conda ", "sx ", "system "]
                    .iter()
                    .find_map(|m| magic.strip_prefix(m).map(|r| (m, r)))
                {
                    let program = rest.0.trim();
                    let program = if matches!(program, "sx" | "system") {
                        ""
                    } else {
                        program
                    };
                    out.push(found(
                        name.clone(),
                        format!("{program} {}", rest.1).trim().to_string(),
                    ));
                }
            } else {
                python.push(line);
            }
        }
        let code = python.join("\n");
        if !code.trim().is_empty() {
            out.push(found(name, interpreter_line("python3", "-c", &code)));
        }
        if out.len() >= MAX_COMMANDS {
            break;
        }
    }
    out.truncate(MAX_COMMANDS);
    out
}

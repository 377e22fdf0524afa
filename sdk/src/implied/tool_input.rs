//! Reading a tool's JSON input: the tool's own name and its words, a
//! string by one of several keys, whether a string reads as a path.

use serde_json::{Map, Value};

/// Keys holding a list of arguments.
pub(super) const ARG_KEYS: &[&str] = &["args", "arguments"];
/// Keys naming the file a tool acts on (`relative_path`: Serena's tools;
/// `pathInProject`: JetBrains'; `target_file`: Cursor's; `absolute_path`:
/// Gemini CLI's `read_file`).
pub(super) const PATH_KEYS: &[&str] = &[
    "path",
    "notebook_path",
    "file_path",
    "filePath",
    "filepath",
    "filename",
    "file",
    "relative_path",
    "relativePath",
    "pathInProject",
    "target_file",
    "targetFile",
    "absolute_path",
    "absolutePath",
];

/// The tool's own name: `mcp__server__tool` → `tool`.
pub fn tool_name(tool: &str) -> &str {
    match tool.strip_prefix("mcp__") {
        Some(rest) => rest.split_once("__").map_or(rest, |(_, t)| t),
        None => tool,
    }
}

/// The lowercase words of a name, snake_case, kebab-case, dotted and
/// camelCase alike: `deleteDeployment`, `delete_deployment` and
/// `delete-deployment` are `delete`, `deployment`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut lower_before = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            lower_before = false;
            continue;
        }
        if ch.is_ascii_uppercase() && lower_before && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        lower_before = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        current.push(ch.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The first of `keys` that holds a one-line, non-blank string.
pub(super) fn str_of<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty() && !s.contains('\n'))
}

/// Whether a string reads as a file path rather than a word or an address.
pub(super) fn looks_like_path(s: &str) -> bool {
    if s.is_empty() || s.contains('\n') || s.contains("://") {
        return false;
    }
    if s.contains('@') && !s.contains('/') {
        return false;
    }
    s.starts_with(['/', '~', '.'])
        || s.contains('/')
        || s.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_a_tool_name() {
        assert_eq!(name_words("stop_container"), ["stop", "container"]);
        assert_eq!(name_words("deleteDeployment"), ["delete", "deployment"]);
        assert_eq!(name_words("kubectl-delete"), ["kubectl", "delete"]);
        assert_eq!(name_words("RestartService"), ["restart", "service"]);
        assert_eq!(tool_name("mcp__docker__stop_container"), "stop_container");
    }
}

//! `[mcp]` in the gate's config: the upstream MCP servers the gate serves
//! over streamable HTTP at `/mcp/{name}` (see `server::mcp`), and the
//! checks an entry must pass before the gate starts.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

/// `[mcp]`: the upstream MCP servers the gate serves at `/mcp/{name}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpSection {
    /// `[[mcp.server]]`
    #[serde(rename = "server")]
    pub servers: Vec<McpServerEntry>,
    /// Live MCP sessions at most (each runs a server process); past it a
    /// new `initialize` is refused with 503.
    pub max_sessions: usize,
    /// How long an `elicitation/create` waits for the human.
    pub elicitation_timeout_secs: u64,
    /// A session unused this long (no request in flight) is ended when a
    /// new one starts, so clients that never `DELETE` do not fill the gate.
    pub idle_timeout_secs: u64,
}

impl Default for McpSection {
    fn default() -> McpSection {
        McpSection {
            servers: Vec::new(),
            max_sessions: 64,
            elicitation_timeout_secs: 300,
            idle_timeout_secs: 3600,
        }
    }
}

/// One `[[mcp.server]]`: a stdio MCP server the gate launches per session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerEntry {
    /// Its path segment and its name in actions (`mcp__<name>__<tool>`).
    pub name: String,
    /// The command and its arguments.
    pub command: Vec<String>,
    /// The working directory of the server and of its actions.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// The workspace roots its sessions declare (absolute paths).
    #[serde(default)]
    pub roots: Vec<String>,
    /// The intent its sessions declare.
    #[serde(default)]
    pub intent: Option<String>,
    /// Pin its tool definitions (a changed one needs a human's approval).
    #[serde(default = "yes")]
    pub pin: bool,
    /// Let the client's user answer an ESCALATE through elicitation (off
    /// under four eyes: then only a gate reviewer can).
    #[serde(default = "yes")]
    pub elicit: bool,
}

fn yes() -> bool {
    true
}

/// Why the `[mcp]` section cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum McpConfigError {
    #[error("mcp.server {0:?}: a name is letters, digits, '-' and '_'")]
    Name(String),
    #[error("mcp.server {0:?} is named twice")]
    Duplicate(String),
    #[error("mcp.server {0:?}: command is empty")]
    NoCommand(String),
    #[error("mcp.server {0:?}: roots must be absolute paths")]
    Roots(String),
}

/// The servers by name, after checking their entries.
pub(crate) fn checked(
    entries: Vec<McpServerEntry>,
) -> Result<HashMap<String, McpServerEntry>, McpConfigError> {
    let mut servers = HashMap::new();
    for s in entries {
        let name_ok = !s.name.is_empty()
            && s.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(McpConfigError::Name(s.name));
        }
        if s.command.first().is_none_or(String::is_empty) {
            return Err(McpConfigError::NoCommand(s.name));
        }
        if s.roots.iter().any(|r| !r.starts_with('/')) {
            return Err(McpConfigError::Roots(s.name));
        }
        if servers.contains_key(&s.name) {
            return Err(McpConfigError::Duplicate(s.name));
        }
        servers.insert(s.name.clone(), s);
    }
    Ok(servers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(toml_text: &str) -> McpSection {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn the_section_parses_with_defaults() {
        let s = section(
            "[[server]]\nname = \"fs\"\ncommand = [\"mcp-server-filesystem\", \"/w\"]\nroots = [\"/w\"]\n",
        );
        assert_eq!(s.max_sessions, 64);
        assert_eq!(s.idle_timeout_secs, 3600);
        let servers = checked(s.servers).unwrap();
        let fs = &servers["fs"];
        assert!(fs.pin && fs.elicit);
        assert_eq!(fs.roots, ["/w"]);
        assert!(fs.cwd.is_none());
        // Unknown keys are refused, not ignored.
        assert!(
            toml::from_str::<McpSection>(
                "[[server]]\nname = \"a\"\ncommand = [\"x\"]\nurl = \"http://h\"\n"
            )
            .is_err()
        );
    }

    #[test]
    fn bad_entries_are_refused_naming_the_server() {
        let entry = |name: &str, command: &[&str], roots: &[&str]| McpServerEntry {
            name: name.into(),
            command: command.iter().map(|c| c.to_string()).collect(),
            cwd: None,
            roots: roots.iter().map(|c| c.to_string()).collect(),
            intent: None,
            pin: true,
            elicit: true,
        };
        let err = |entries| checked(entries).unwrap_err().to_string();
        assert!(err(vec![entry("a/b", &["x"], &[])]).contains("\"a/b\""));
        assert!(err(vec![entry("", &["x"], &[])]).contains("name"));
        assert!(err(vec![entry("a", &[], &[])]).contains("command is empty"));
        assert!(err(vec![entry("a", &[""], &[])]).contains("command is empty"));
        assert!(err(vec![entry("a", &["x"], &["rel"])]).contains("absolute"));
        assert!(err(vec![entry("a", &["x"], &[]), entry("a", &["y"], &[])]).contains("twice"));
        let ok = checked(vec![
            entry("git_1-x", &["x"], &["/r"]),
            entry("b", &["y"], &[]),
        ])
        .unwrap();
        assert_eq!(ok.len(), 2);
    }
}

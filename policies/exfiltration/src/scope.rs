//! The session's declared scope, by category: `host:<glob>` entries (the
//! hosts it may contact), `tool:<glob>` entries (the tools it may use) and
//! workspace roots (absolute paths, `~/…` with a known home). A category
//! with no entry is not declared.

use crate::hosts::host_matches;
use clawlaw_sdk::{Session, glob, workspace};

/// The declared scope, by category.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub(crate) roots: Vec<String>,
    pub(crate) hosts: Vec<String>,
    pub(crate) tools: Vec<String>,
}

impl Scope {
    pub(crate) fn of(session: &Session, home: Option<&str>) -> Scope {
        let mut scope = Scope {
            roots: workspace::scope_roots(&session.scope, home),
            ..Scope::default()
        };
        for entry in &session.scope {
            let e = entry.trim();
            if let Some(h) = e.strip_prefix("host:") {
                let h = h.trim().to_ascii_lowercase();
                if !h.is_empty() {
                    scope.hosts.push(h);
                }
            } else if let Some(t) = e.strip_prefix("tool:") {
                let t = t.trim();
                if !t.is_empty() {
                    scope.tools.push(t.to_string());
                }
            }
        }
        scope
    }

    pub(crate) fn host_in(&self, host: &str) -> bool {
        self.hosts.iter().any(|p| host_matches(p, host))
    }

    /// Whether `tool` is among the declared tools (a name or a glob).
    pub(crate) fn tool_in(&self, tool: &str) -> bool {
        self.tools
            .iter()
            .any(|p| p == tool || glob::matches(p, tool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_entries_are_read_by_category() {
        let scope = Scope::of(
            &Session {
                scope: vec![
                    "/work/app/**".into(),
                    "host:API.GitHub.com".into(),
                    "host:".into(),
                    "tool:Bash".into(),
                    "github.com".into(),
                    "/work/*/x".into(),
                    "~/proj".into(),
                ],
                ..Session::default()
            },
            Some("/home/dev"),
        );
        assert_eq!(scope.roots, ["/work/app", "/home/dev/proj"]);
        assert_eq!(scope.hosts, ["api.github.com"]);
        assert_eq!(scope.tools, ["Bash"]);
    }
}

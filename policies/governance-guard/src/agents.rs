//! Where each agent that clawlaw adapts keeps the configuration that wires
//! it to the gate: its hook settings at project level (relative to a project
//! root), at user level (relative to the home directory) and the managed or
//! system-wide files users cannot override.
//!
//! This is data, not logic: [`crate::protected`] turns it into the paths an
//! action must not change. A file listed here may be read; it may not be
//! written, edited, moved, deleted, replaced or symlinked away.

/// One agent's hook configuration files.
pub struct AgentConfig {
    /// The agent's name, as a reason shows it.
    pub agent: &'static str,
    /// The directory, relative to a project root or the home directory, that
    /// holds the agent's settings (`.claude`). Deleting or moving it away
    /// takes the hook configuration with it.
    pub dir: &'static str,
    /// Files and directories relative to a project root and to the home
    /// directory (the same layout at both levels).
    pub files: &'static [&'static str],
    /// Files relative to the home directory only, outside the agent's
    /// directory (`~/.claude.json`: per-project permissions and MCP servers).
    pub home_files: &'static [&'static str],
    /// Managed, enterprise or system-wide files and directories: absolute.
    pub managed: &'static [&'static str],
}

/// Every agent clawlaw has a hook adapter for.
pub const AGENTS: &[AgentConfig] = &[
    AgentConfig {
        agent: "Claude Code",
        dir: ".claude",
        // settings.json and settings.local.json carry `hooks` and the
        // permission rules; hook scripts conventionally live in .claude/hooks.
        files: &[
            ".claude/settings.json",
            ".claude/settings.local.json",
            ".claude/hooks",
        ],
        // Claude Code's own state: each project's allowed tools and MCP
        // servers (programs it starts) live here.
        home_files: &[".claude.json"],
        managed: &[
            "/etc/claude-code",
            "/Library/Application Support/ClaudeCode",
            // `C:\Program Files\ClaudeCode` (and `C:\ProgramData\ClaudeCode`)
            // as the SDK reads a Windows path.
            "/usr/programs/ClaudeCode",
            // Its managed settings in the registry, as the SDK's effects
            // name registry keys.
            "/registry/HKLM/SOFTWARE/Policies/ClaudeCode",
            "/registry/HKCU/SOFTWARE/Policies/ClaudeCode",
        ],
    },
    AgentConfig {
        agent: "Codex",
        dir: ".codex",
        files: &[".codex/hooks.json", ".codex/config.toml"],
        home_files: &[],
        managed: &["/etc/codex"],
    },
    AgentConfig {
        agent: "Gemini CLI",
        dir: ".gemini",
        files: &[".gemini/settings.json"],
        home_files: &[],
        // The last is `C:\ProgramData\gemini-cli` as the SDK reads it.
        managed: &[
            "/etc/gemini-cli",
            "/Library/Application Support/GeminiCli",
            "/usr/programs/gemini-cli",
        ],
    },
    AgentConfig {
        agent: "Cursor",
        dir: ".cursor",
        files: &[".cursor/hooks.json"],
        home_files: &[],
        // The last is `C:\ProgramData\Cursor` as the SDK reads it.
        managed: &[
            "/etc/cursor",
            "/Library/Application Support/Cursor",
            "/usr/programs/Cursor",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_lives_in_its_agents_directory() {
        for a in AGENTS {
            for f in a.files {
                assert!(f.starts_with(&format!("{}/", a.dir)), "{f}");
            }
            for m in a.managed {
                assert!(m.starts_with('/'), "{m}");
            }
        }
    }
}

//! Core check: a development tool's setting that puts other code into every
//! later use of the tool, where no later command shows it. npm's, pnpm's and
//! Yarn's `script-shell` set to a program that is not a shell (every `npm
//! run`, `npm test` and install script then runs through it), and their
//! `node-options` made to load a module before every Node process they start
//! (`--require`, `--import`, `--loader`). The gate sees `npm test` later and
//! nothing of what it runs first; the setting is kept in the user's
//! `~/.npmrc`, after the session.
//!
//! The settings whose value the tool runs as a command line (a git alias,
//! `gh alias set --shell`, `gh config set editor`) are judged by that
//! command, as if typed (`elsewhere`).

use crate::checker::Checker;
use crate::programs::Shown;
use clawlaw_sdk::shell::Command;

/// The shells a script may run through, by the name of their program
/// (`/bin/bash`, `C:\Program Files\Git\bin\bash.exe`).
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "mksh",
    "fish",
    "ash",
    "busybox",
    "pwsh",
    "powershell",
    "cmd",
    "nu",
    "elvish",
    "xonsh",
];

/// Node's options that load a module before the program's own code.
const PRELOADS: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
];

impl Checker<'_> {
    pub(crate) fn check_tool_settings(&mut self, c: &Command, shown: &Shown) {
        let Some((key, value)) = package_manager_setting(c) else {
            return;
        };
        let program = c.program.as_str();
        let what = match key.to_ascii_lowercase().as_str() {
            "script-shell" | "scriptshell" if !is_shell(&value) => format!(
                "makes `{value}` the program every later `{program} run`, `{program} test` and install script runs through, in place of a shell"
            ),
            "node-options" | "nodeoptions" => match preloaded(&value) {
                Some(module) => format!(
                    "makes every Node process `{program}` starts load `{module}` before its own code"
                ),
                None => return,
            },
            _ => return,
        };
        self.escalate(
            "shell.persistence",
            0.6,
            Some(program),
            format!("`{shown}` {what}: later commands show nothing of it, and the setting outlives the session"),
        );
    }
}

/// The key and value `c` sets when it is `npm|pnpm|yarn|bun config set KEY
/// VALUE` (or `KEY=VALUE`, or npm's and pnpm's `set KEY VALUE`), options
/// such as `--location=global` anywhere.
pub(crate) fn package_manager_setting(c: &Command) -> Option<(String, String)> {
    if !matches!(c.program.as_str(), "npm" | "pnpm" | "yarn" | "bun") {
        return None;
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    // The words up to the key are the subcommand's, options skipped
    // (`--location global` takes a value); the value is the word after the
    // key, whatever it looks like (`node-options '--require x.js'`).
    let mut k = 0;
    let mut subcommand = Vec::new();
    let key = loop {
        let a = *args.get(k)?;
        k += 1;
        if a.starts_with('-') && a.len() > 1 {
            k += usize::from(matches!(a, "--location" | "-L" | "--userconfig"));
        } else if subcommand.len() < 2 && matches!(a, "config" | "set") {
            subcommand.push(a);
        } else {
            break a;
        }
    };
    let sets = match subcommand.as_slice() {
        ["config", "set"] => true,
        ["set"] => matches!(c.program.as_str(), "npm" | "pnpm"),
        _ => false,
    };
    if !sets {
        return None;
    }
    if let Some((key, value)) = key.split_once('=') {
        return Some((key.to_string(), value.to_string()));
    }
    let value = args[k..].iter().find(|a| !a.starts_with("--location"))?;
    Some((key.to_string(), value.to_string()))
}

/// Whether `program` (a name or a path, any case, `.exe` or not) is a shell.
fn is_shell(program: &str) -> bool {
    let name = program.trim().trim_matches(['"', '\'']);
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    SHELLS.contains(&name)
}

/// The module a `node-options` value loads first, when it loads one.
fn preloaded(options: &str) -> Option<String> {
    let words: Vec<&str> = options.split_whitespace().collect();
    words.iter().enumerate().find_map(|(k, w)| {
        PRELOADS.iter().find_map(|p| {
            if w == p {
                words.get(k + 1).map(|m| m.to_string())
            } else {
                w.strip_prefix(p)?.strip_prefix('=').map(|m| m.to_string())
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{is_shell, package_manager_setting, preloaded};
    use clawlaw_sdk::shell::parse;

    fn setting(line: &str) -> Option<(String, String)> {
        package_manager_setting(&parse(line).commands[0])
    }

    #[test]
    fn settings_as_each_tool_spells_them() {
        let want = Some(("script-shell".to_string(), "/tmp/x.sh".to_string()));
        assert_eq!(setting("npm config set script-shell /tmp/x.sh"), want);
        assert_eq!(setting("npm set script-shell=/tmp/x.sh"), want);
        assert_eq!(
            setting("npm config set --location=global script-shell /tmp/x.sh"),
            want
        );
        assert_eq!(setting("pnpm config set script-shell /tmp/x.sh"), want);
        assert_eq!(
            setting("npm config set -L user node-options '--require /tmp/x.js'"),
            Some((
                "node-options".to_string(),
                "--require /tmp/x.js".to_string()
            ))
        );
        assert_eq!(setting("yarn set version stable"), None);
        assert_eq!(setting("npm config get script-shell"), None);
        assert_eq!(setting("cargo config set script-shell x"), None);
    }

    #[test]
    fn shells_and_preloads() {
        assert!(is_shell("/bin/bash"));
        assert!(is_shell(r"C:\Program Files\Git\bin\bash.exe"));
        assert!(is_shell("pwsh"));
        assert!(!is_shell("/tmp/x.sh"));
        assert!(!is_shell("./hook"));
        assert_eq!(
            preloaded("--max-old-space-size=4096 --require /tmp/x.js").as_deref(),
            Some("/tmp/x.js")
        );
        assert_eq!(
            preloaded("--import=./register.mjs").as_deref(),
            Some("./register.mjs")
        );
        assert_eq!(preloaded("--max-old-space-size=4096"), None);
    }
}

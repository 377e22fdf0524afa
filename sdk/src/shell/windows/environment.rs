//! PowerShell's ways of reading and setting the environment: `$env:NAME`,
//! `[Environment]::GetEnvironmentVariable(…)`, a listing of the `env:`
//! drive (each a `printenv`), and `[Environment]::SetEnvironmentVariable(…)`
//! (an `export`, or one a start-up file keeps for later processes, as
//! `cmd`'s `setx` is too).

use super::super::model::quote;
use super::opts::Opts;
use super::quoted;
use super::text::unquote;

/// What a statement that sets a variable through .NET amounts to
/// (`[Environment]::SetEnvironmentVariable('NAME', 'VALUE', 'User')`): a
/// variable for the processes started after it.
/// `lower` is the statement lower-cased.
pub(super) fn sets(statement: &str, lower: &str) -> Option<String> {
    let call = ["[environment]::", "[system.environment]::"]
        .iter()
        .find_map(|p| lower.trim_start().strip_prefix(p))
        .and_then(|c| c.strip_prefix("setenvironmentvariable("))?;
    let start = statement.len() - call.len();
    let inner = statement[start..].trim_end().trim_end_matches(')');
    let mut parts = inner.split(',').map(|p| unquote(p.trim()));
    let (name, value) = (parts.next()?, parts.next()?);
    // The user's or the machine's: every later process; the process's own
    // (the default): this one.
    let lasting = parts
        .next()
        .is_some_and(|s| !s.eq_ignore_ascii_case("process"));
    Some(if lasting {
        persistent_variable(&name, &value)
    } else {
        format!("export {name}={}", quote(&value))
    })
}

/// The variables a statement reads through `$env:NAME` (not the one it
/// assigns, `$env:NAME = …`), as the `printenv` reading them amounts to;
/// `lower` is the statement lower-cased.
pub(super) fn env_reads(statement: &str, lower: &str) -> Option<String> {
    let assigned = statement
        .trim_start()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("$env:"))
        && statement.contains('=');
    let mut names = Vec::new();
    for (at, _) in lower.match_indices("$env:").skip(usize::from(assigned)) {
        let name: String = statement[at + 5..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // The profile and system directories stand for paths
        // ([`posix_path`]), not for values anyone keeps secret.
        let directory = [
            "USERPROFILE",
            "HOME",
            "HOMEDRIVE",
            "HOMEPATH",
            "TEMP",
            "TMP",
            "APPDATA",
            "LOCALAPPDATA",
            "PROGRAMDATA",
            "PROGRAMFILES",
            "SYSTEMROOT",
            "WINDIR",
        ]
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&name));
        if !name.is_empty() && !directory && !names.contains(&name) {
            names.push(name);
        }
    }
    // `[Environment]::GetEnvironmentVariable('NAME')`, and `…Variables()`:
    // every one.
    for (at, _) in lower.match_indices("getenvironmentvariable") {
        let rest = &statement[at + "getenvironmentvariable".len()..];
        if rest.starts_with(['s', 'S']) {
            return Some("printenv".into());
        }
        let name: String = rest
            .trim_start_matches(['(', ' ', '\'', '"'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| format!("printenv {}", quoted(&names)))
}

/// A listing or read of PowerShell's `env:` drive (`Get-ChildItem env:`,
/// `gci env:CLAW*`, `Get-Content env:\TOKEN`) as the `printenv` it is: the
/// named variables, or every one when none is named or a name has a
/// wildcard.
pub(super) fn env_drive(name: &str, opts: &Opts) -> Option<String> {
    let reads = matches!(
        name,
        "get-childitem"
            | "gci"
            | "ls"
            | "dir"
            | "get-item"
            | "gi"
            | "get-content"
            | "gc"
            | "cat"
            | "type"
    );
    if !reads {
        return None;
    }
    let mut names = Vec::new();
    for target in opts
        .values(&["path", "literalpath", "lp"])
        .iter()
        .chain(&opts.positional)
    {
        let t = unquote(target);
        let Some(rest) = t
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("env:"))
            .map(|_| &t[4..])
        else {
            continue;
        };
        let var = rest.trim_start_matches(['\\', '/']);
        if var.is_empty() || var.contains(['*', '?']) {
            return Some("printenv".into());
        }
        names.push(var.to_string());
    }
    (!names.is_empty()).then(|| format!("printenv {}", quoted(&names)))
}

/// A variable set for the user's later processes (`setx`, PowerShell's
/// `SetEnvironmentVariable(…, 'User')`): as the POSIX line that gives
/// every later shell the same, an `export` appended to a start-up file.
pub(super) fn persistent_variable(name: &str, value: &str) -> String {
    let export = format!("export {name}={}", quote(value));
    format!("echo {} >> \"$HOME/.profile\"", quote(&export))
}

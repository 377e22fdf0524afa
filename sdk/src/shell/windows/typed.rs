//! Lines typed straight into PowerShell or `cmd.exe` (a shell tool whose
//! shell is one of them), told apart from POSIX lines by what only those
//! shells have: read as the `pwsh -Command` or `cmd /c` that runs them.

use super::super::model::{quote, without_exe};
use super::text::unqualified;

/// The POSIX command line of a PowerShell line typed as it is (a shell
/// tool whose shell is PowerShell: `Remove-Item -Recurse -Force ~`, `ls |
/// Remove-Item`), when a command of it starts with a cmdlet (`Verb-Noun`
/// with one of PowerShell's approved verbs) or an alias only PowerShell
/// has (`irm`, `iwr`, `gci`), or reads the environment PowerShell's way
/// (`$env:NAME`, `[Environment]::…`, `dir env:`), first in the line or
/// after a `|`, `;` or `&`; or starts with a removal alias PowerShell
/// shares with POSIX or `cmd` (`rm`, `del`, `rd`) given what only
/// PowerShell takes (`rm -Recurse C:\src`: see [`powershell_argument`]);
/// or a statement starts with the call operator (`& 'Remove-Item' …`).
/// Read as `pwsh -Command LINE`, so its commands are the nested commands of
/// that `pwsh`.
pub(in crate::shell) fn bare_powershell(line: &str) -> Option<String> {
    is_powershell(line).then(|| format!("pwsh -Command {}", quote(line.trim())))
}

/// Whether `line` is one typed into PowerShell: see [`bare_powershell`].
pub(in crate::shell) fn is_powershell(line: &str) -> bool {
    let cmdlet = |word: &str| {
        unqualified(word)
            .split_once('-')
            .is_some_and(|(verb, noun)| {
                APPROVED_VERBS.iter().any(|v| v.eq_ignore_ascii_case(verb))
                    && !noun.is_empty()
                    && noun.bytes().all(|b| b.is_ascii_alphanumeric())
                    && noun.as_bytes()[0].is_ascii_alphabetic()
            })
    };
    // PowerShell's own syntax for the environment: `$env:NAME`,
    // `[Environment]::GetEnvironmentVariable(…)`, a listing of `env:`.
    let env_syntax = |segment: &str| {
        let mut words = segment.split_whitespace();
        let first = words.next().unwrap_or("");
        let starts = |prefix: &str| {
            first
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        starts("$env:")
            || starts("[environment]::")
            || (["dir", "ls", "gci", "gi", "gc", "cat", "type"]
                .iter()
                .any(|l| first.eq_ignore_ascii_case(l))
                && words.any(|w| w.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("env:"))))
    };
    // Aliases only PowerShell has (no POSIX program is called so).
    let alias = |word: &str| {
        [
            "iwr", "irm", "iex", "gci", "spps", "rni", "ri", "saps", "sls",
        ]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(word))
    };
    // `rm -Recurse -Force C:\src`, `del -r -f C:\src`: a name PowerShell
    // shares with POSIX or `cmd`, given what only PowerShell takes.
    let shared_alias = |segment: &str| {
        let mut words = segment.split_whitespace();
        let first = words.next().unwrap_or("");
        ["rm", "del", "erase", "rd", "rmdir"]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(first))
            && words.any(powershell_argument)
    };
    // `& "Remove-Item" -Recurse C:\src`: the call operator.
    let call_operator = |segment: &str| {
        let t = segment.trim_start();
        t.len() > 2 && t.starts_with('&') && matches!(t.as_bytes()[1], b' ' | b'\'' | b'"')
    };
    // `&` starts a statement only as the call operator (POSIX puts it
    // between commands).
    let call = line.contains('&') && line.split(['\n', ';']).any(call_operator);
    call || line.split(['\n', ';', '|', '&']).any(|segment| {
        segment
            .split_whitespace()
            .next()
            .is_some_and(|w| cmdlet(w) || alias(w))
            || env_syntax(segment)
            || shared_alias(segment)
    })
}

/// The `cmd /c` of a line typed into `cmd.exe` (a shell tool whose shell
/// is `cmd`: `rd /s /q C:\`, `del /f /s /q build`), when a command of it,
/// first in the line or after `&` or `|`, is one of `cmd`'s own with
/// `cmd`'s switches: `rd` or `rmdir` with `/s` or `/q`, `del` or `erase`
/// with `/s`, `/q`, `/f`, `/p` or `/a`, `format` of a drive (`format D:`).
/// No POSIX program is called `rd`, `del` or `erase`, and POSIX `rmdir`
/// and `format` take no such switch. Or `setx`, `mklink`, `icacls`,
/// `takeown`, `ntdsutil`, `esentutl`, `bitsadmin`, `netsh`, `pssuspend`,
/// `sdelete`, `schtasks`, `wmic`, or `reg` with one of its operations,
/// which are only Windows'. Or one of `cmd`'s commands that copy, move, show, write or
/// search files (`copy`, `xcopy`, `robocopy`, `move`, `ren`, `type`,
/// `echo`, `findstr`) given a path only `cmd` spells so: on a drive with
/// backslashes (`C:\Users\x`) or through a variable (`%USERPROFILE%\x`).
pub(in crate::shell) fn bare_cmd(line: &str) -> Option<String> {
    is_cmd(line).then(|| format!("cmd /c {}", quote(line.trim())))
}

/// Whether `line` is one typed into `cmd.exe`: see [`bare_cmd`].
pub(in crate::shell) fn is_cmd(line: &str) -> bool {
    let cmd_own = |segment: &str| {
        let mut words = segment.split_whitespace();
        let name = without_exe(words.next().unwrap_or(""));
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        // No POSIX program is called so.
        if [
            "setx",
            "mklink",
            "icacls",
            "takeown",
            "ntdsutil",
            "esentutl",
            "bitsadmin",
            "netsh",
            "pssuspend",
            "pssuspend64",
            "sdelete",
            "sdelete64",
            "schtasks",
            "wmic",
        ]
        .iter()
        .any(|n| is(n))
        {
            return true;
        }
        // `reg save HKLM\SAM f`: `reg` and one of its operations.
        if is("reg") {
            return words.next().is_some_and(|op| {
                [
                    "query", "add", "delete", "copy", "save", "restore", "load", "unload",
                    "export", "import",
                ]
                .iter()
                .any(|n| op.eq_ignore_ascii_case(n))
            });
        }
        if [
            "copy", "xcopy", "robocopy", "move", "ren", "rename", "type", "echo", "findstr",
        ]
        .iter()
        .any(|n| is(n))
        {
            return words.any(cmd_path);
        }
        let switches: &[&str] = if is("rd") || is("rmdir") {
            &["/s", "/q"]
        } else if is("del") || is("erase") {
            &["/s", "/q", "/f", "/p", "/a"]
        } else if is("format") {
            return words.any(|w| {
                let w = w.trim_matches('"');
                w.len() == 2 && w.ends_with(':') && w.as_bytes()[0].is_ascii_alphabetic()
            });
        } else {
            return false;
        };
        words.any(|w| switches.iter().any(|s| w.eq_ignore_ascii_case(s)))
    };
    // `d^el /s C:\src`: what `cmd` runs once its escapes are read.
    let plain;
    let read = if line.contains('^') {
        plain = super::cmd::uncaret(line);
        plain.as_str()
    } else {
        line
    };
    read.split(['\n', '|', '&']).any(cmd_own)
}

/// Whether `word` (an argument, or a redirection with its target) is a path
/// as only `cmd` writes one: `%NAME%\…` or `C:\…`.
fn cmd_path(word: &str) -> bool {
    let w = word.rsplit('>').next().unwrap_or(word).trim_matches('"');
    let drive = on_drive(w, b"\\");
    let variable = w
        .strip_prefix('%')
        .and_then(|r| r.split_once('%'))
        .is_some_and(|(name, _)| {
            name.len() >= 2 && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        });
    drive || variable
}

/// Whether `word` is a path on a drive (`C:\…`), its first separator one
/// of `separators`.
fn on_drive(word: &str, separators: &[u8]) -> bool {
    let b = word.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && separators.contains(&b[2])
}

/// Whether `word`, an argument, is one only PowerShell would be given: a
/// parameter by its full name (`-Recurse`, `-LiteralPath`, `-Force:$true`)
/// or after another dash than `-` (`–Recurse`), a path on a drive (`C:\src`,
/// `C:/src`) or in the environment's (`$env:TEMP\x`, `%USERPROFILE%\x`).
fn powershell_argument(word: &str) -> bool {
    let drive = on_drive(word, b"\\/");
    let env = word
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("$env:"))
        || (word.starts_with('%') && word[1..].contains('%'));
    let dash = word.starts_with(super::text::DASHES);
    let parameter = word.strip_prefix('-').is_some_and(|name| {
        let name = name.split(':').next().unwrap_or("");
        [
            "recurse",
            "force",
            "path",
            "literalpath",
            "include",
            "exclude",
            "filter",
            "confirm",
        ]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name))
    });
    drive || env || dash || parameter
}

/// PowerShell's approved verbs that start the commands an agent runs, and
/// the verbs of its core cmdlets that are not approved ones (`Tee-Object`,
/// `ForEach-Object`, `Where-Object`).
const APPROVED_VERBS: &[&str] = &[
    "Tee",
    "ForEach",
    "Where",
    "Group",
    "Compare",
    "Backup",
    "Restore",
    "Checkpoint",
    "Unblock",
    "Lock",
    "Unlock",
    "Protect",
    "Unprotect",
    "Publish",
    "Unpublish",
    "Edit",
    "Use",
    "Add",
    "Clear",
    "Close",
    "Compress",
    "Connect",
    "Convert",
    "ConvertFrom",
    "ConvertTo",
    "Copy",
    "Disable",
    "Disconnect",
    "Dismount",
    "Enable",
    "Enter",
    "Exit",
    "Expand",
    "Export",
    "Find",
    "Format",
    "Get",
    "Grant",
    "Import",
    "Initialize",
    "Install",
    "Invoke",
    "Join",
    "Measure",
    "Mount",
    "Move",
    "New",
    "Out",
    "Push",
    "Pop",
    "Read",
    "Register",
    "Remove",
    "Rename",
    "Repair",
    "Reset",
    "Resolve",
    "Restart",
    "Resume",
    "Revoke",
    "Save",
    "Select",
    "Send",
    "Set",
    "Sort",
    "Split",
    "Start",
    "Stop",
    "Suspend",
    "Test",
    "Uninstall",
    "Unregister",
    "Update",
    "Wait",
    "Write",
];

//! Whole PowerShell statements that act through WMI or CIM on what they
//! select, as the POSIX commands with the same effect: the volume shadow
//! copies removed (`Get-WmiObject Win32_ShadowCopy | Remove-WmiObject`:
//! `vssadmin delete shadows`) and processes terminated
//! (`Get-CimInstance Win32_Process -Filter "Name='x.exe'" |
//! Invoke-CimMethod -MethodName Terminate`: `pkill -x x`), or given the
//! lowest priority (`$_.PriorityClass = 'Idle'`, `wmic process … call
//! setpriority 64`: `renice`).

use super::super::model::{quote, without_exe};
use super::text::name_pattern;

/// What `statement` (and `lower`, its lower-cased text) amounts to, when
/// it removes or terminates WMI objects of one of those classes.
pub(super) fn statement(statement: &str, lower: &str) -> Option<String> {
    let removes = [
        "remove-wmiobject",
        "remove-ciminstance",
        "rwmi",
        "rcim",
        ".delete(",
    ]
    .iter()
    .any(|r| lower.contains(r));
    if lower.contains("win32_shadowcopy") && removes {
        return Some("vssadmin delete shadows /all /quiet".to_string());
    }
    // A process's priority lowered (`$_.PriorityClass = 'Idle'` on what
    // `Get-Process NAME` lists, WMI's `SetPriority`): `renice` of it.
    if lower.contains("priorityclass") || lower.contains("setpriority") {
        let name = filtered_name(statement, lower).or_else(|| listed_process(statement, lower))?;
        return Some(format!(
            "renice -n 19 -p \"$(pgrep -x {})\"",
            quote(&name_pattern(without_exe(&name)))
        ));
    }
    let terminates = lower.contains(".terminate(")
        || (lower.contains("invoke-cimmethod") || lower.contains("invoke-wmimethod"))
            && lower.contains("terminate");
    if !(lower.contains("win32_process") && (terminates || removes)) {
        return None;
    }
    // The filter's name (`Name='clawlaw.exe'`, `name = "x"`), or every
    // process the class lists.
    Some(match filtered_name(statement, lower) {
        Some(name) => format!("pkill -x {}", quote(&name_pattern(without_exe(&name)))),
        None => "kill -9 -1".to_string(),
    })
}

/// The process `Get-Process NAME` (`gps`, `-Name NAME`) lists in the
/// statement.
fn listed_process(statement: &str, lower: &str) -> Option<String> {
    let at = ["get-process ", "gps "]
        .iter()
        .find_map(|c| lower.find(c).map(|k| k + c.len()))?;
    statement[at..]
        .split_whitespace()
        .find(|w| !w.starts_with('-'))
        .map(|w| w.trim_matches(['\'', '"']).to_string())
        .filter(|w| !w.is_empty() && !w.starts_with('|'))
}

/// The value a WQL filter gives `Name` (`Name='x.exe'`, `name = "x"`,
/// `Name LIKE 'claw%'` as a wildcard).
fn filtered_name(statement: &str, lower: &str) -> Option<String> {
    // `-ClassName Win32_Process` names too: the first `name` a comparison
    // follows.
    lower.match_indices("name").find_map(|(at, _)| {
        let rest = statement[at + 4..].trim_start();
        let rest = rest
            .strip_prefix('=')
            .or_else(|| {
                rest.get(..4)
                    .filter(|p| p.eq_ignore_ascii_case("like"))
                    .map(|_| &rest[4..])
            })?
            .trim_start();
        let quote_char = rest.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
        let value = rest[1..].split(quote_char).next()?;
        (!value.is_empty()).then(|| value.replace('%', "*"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Option<String> {
        statement(text, &text.to_ascii_lowercase())
    }

    #[test]
    fn priorities_lowered() {
        let idle = Some("renice -n 19 -p \"$(pgrep -x clawlaw)\"".to_string());
        assert_eq!(
            s("Get-Process clawlaw | ForEach-Object { $_.PriorityClass = 'Idle' }"),
            idle
        );
        assert_eq!(
            s("wmic process where name=\"clawlaw.exe\" CALL setpriority 64"),
            idle
        );
    }

    #[test]
    fn shadow_copies_and_processes() {
        assert_eq!(
            s("Get-WmiObject Win32_ShadowCopy | Remove-WmiObject").as_deref(),
            Some("vssadmin delete shadows /all /quiet")
        );
        assert_eq!(
            s("Get-CimInstance Win32_Process -Filter \"Name='clawlaw.exe'\" | Invoke-CimMethod -MethodName Terminate").as_deref(),
            Some("pkill -x clawlaw")
        );
        assert_eq!(
            s("Get-WmiObject Win32_Process -Filter \"name LIKE 'claw%'\" | ForEach-Object { $_.Terminate() }").as_deref(),
            Some("pkill -x 'claw.*'")
        );
        assert_eq!(
            s("gcim -ClassName Win32_Process -Filter \"Name = 'node.exe'\" | rcim").as_deref(),
            Some("pkill -x node")
        );
        assert_eq!(
            s("Get-CimInstance Win32_Process | Remove-CimInstance").as_deref(),
            Some("kill -9 -1")
        );
        assert_eq!(
            s("Get-CimInstance Win32_Process -Filter \"Name='x.exe'\""),
            None
        );
        assert_eq!(s("Get-WmiObject Win32_ShadowCopy"), None);
    }
}

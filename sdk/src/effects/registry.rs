//! Windows' registry as paths: what `reg add`, `delete`, `copy`, `restore`
//! and `load` change is the key they name, at `/registry/HIVE/KEY`
//! (`HKLM\SOFTWARE\Policies\ClaudeCode` is
//! `/registry/HKLM/SOFTWARE/Policies/ClaudeCode`, a value below its key),
//! so that a policy protects a key as it protects a file. PowerShell's
//! registry writes reach here as the `reg` lines the parser reads them as
//! (`Set-ItemProperty HKLM:\…` is `reg add HKLM\… /v NAME /d VALUE`).

use super::context::{Cx, Kind};
use crate::shell::Word;

/// Where the registry's keys are, as paths.
pub const ROOT: &str = "/registry";

/// The path of a key as `reg` names it (`HKLM\SOFTWARE\X`,
/// `HKEY_CURRENT_USER\Environment`, `\\HOST\HKLM\…` for another machine's
/// is not this machine's: `None`).
pub fn key_path(key: &str) -> Option<String> {
    let key = key.trim_matches(['"', '\'']).replace('/', "\\");
    let (hive, rest) = key.split_once('\\').unwrap_or((&key, ""));
    let hive = crate::shell::registry_hive(hive.trim_end_matches(':'))?;
    let rest: Vec<&str> = rest.split('\\').filter(|c| !c.is_empty()).collect();
    Some(if rest.is_empty() {
        format!("{ROOT}/{hive}")
    } else {
        format!("{ROOT}/{hive}/{}", rest.join("/"))
    })
}

/// `reg OPERATION KEY …`: the keys or values it writes or deletes.
pub(crate) fn reg(cx: &mut Cx, args: &[Word]) {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let Some((op, rest)) = words.split_first() else {
        return;
    };
    let after = |flag: &str| {
        let at = rest.iter().position(|w| w.eq_ignore_ascii_case(flag))?;
        rest.get(at + 1).copied()
    };
    let op = op.to_ascii_lowercase();
    let how = format!("reg {op}");
    // `copy SRC DEST` changes DEST; the others the key they name first.
    let key = match op.as_str() {
        "copy" => rest.get(1),
        "add" | "delete" | "restore" | "load" | "unload" => rest.first(),
        _ => return,
    };
    let Some(key) = key.and_then(|k| key_path(k)) else {
        return;
    };
    // One value (`/v NAME`) or the whole key.
    let (path, whole) = match after("/v") {
        Some(value) => (format!("{key}/{value}"), false),
        None => (key, true),
    };
    let kind = if op == "delete" || op == "unload" {
        Kind::Delete
    } else {
        Kind::Write
    };
    cx.path(kind, &Word::literal(path), 0, &how, whole);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_paths() {
        assert_eq!(
            key_path("HKLM\\SOFTWARE\\Policies\\ClaudeCode").as_deref(),
            Some("/registry/HKLM/SOFTWARE/Policies/ClaudeCode")
        );
        assert_eq!(
            key_path("hkey_current_user\\Environment\\").as_deref(),
            Some("/registry/HKCU/Environment")
        );
        assert_eq!(key_path("HKCU").as_deref(), Some("/registry/HKCU"));
        assert_eq!(key_path("\\\\host\\HKLM\\x"), None);
        assert_eq!(key_path("Software\\x"), None);
    }

    #[test]
    fn what_reg_changes() {
        let fx = |line: &str| crate::effects::of(line, Some("/w"), Some("/home/u"));
        let e = fx("reg add 'HKLM\\SOFTWARE\\Policies\\ClaudeCode' /v Settings /d '{}' /f");
        assert_eq!(
            e.writes[0].path,
            "/registry/HKLM/SOFTWARE/Policies/ClaudeCode/Settings"
        );
        let e = fx("reg delete 'HKLM\\SOFTWARE\\Policies\\ClaudeCode' /f");
        assert_eq!(
            e.deletes[0].path,
            "/registry/HKLM/SOFTWARE/Policies/ClaudeCode"
        );
        assert!(e.deletes[0].recursive);
        let e = fx("reg copy 'HKCU\\Software\\A' 'HKCU\\Software\\B' /s /f");
        assert_eq!(e.writes[0].path, "/registry/HKCU/Software/B");
        assert!(fx("reg query 'HKCU\\Environment'").writes.is_empty());
        assert!(
            fx("reg export 'HKCU\\Software\\A' a.reg")
                .deletes
                .is_empty()
        );
    }
}

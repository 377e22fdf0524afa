//! The registry as PowerShell and `cmd` reach it, read as `reg` lines: its
//! drives' paths (`HKLM:\SOFTWARE\X`) as the keys `reg` names, a value
//! written or removed (`Set-ItemProperty`, `New-ItemProperty`,
//! `Remove-ItemProperty`) as `reg add` or `reg delete`, and a value under
//! the environment keys (`HKCU\Environment`) as the variable every later
//! process starts with, as `setx` sets it.

use super::super::model::quote;
use super::environment::persistent_variable;
use super::opts::Opts;
use super::text::unquote;

/// A registry key as `reg` names it (`HKLM\SOFTWARE\X`) when `path` is
/// one on PowerShell's registry drives (`HKLM:\SOFTWARE\X`, `HKCU:\…`),
/// its provider path (`Registry::HKEY_LOCAL_MACHINE\…`) or `reg`'s own.
pub(super) fn key(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("registry::")
        .map_or(path, |_| &path["registry::".len()..]);
    let (name, key) = rest.split_once([':', '\\'])?;
    let hive = hive(name)?;
    Some(format!("{hive}\\{}", key.trim_start_matches(['\\', '/'])))
}

/// A registry hive by any of its names, in any case (`hklm`,
/// `HKEY_LOCAL_MACHINE`), as `reg`'s short name (`HKLM`).
pub(crate) fn hive(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "HKLM" | "HKEY_LOCAL_MACHINE" => "HKLM",
        "HKCU" | "HKEY_CURRENT_USER" => "HKCU",
        "HKCR" | "HKEY_CLASSES_ROOT" => "HKCR",
        "HKU" | "HKEY_USERS" => "HKU",
        "HKCC" | "HKEY_CURRENT_CONFIG" => "HKCC",
        _ => return None,
    })
}

/// The registry keys a `Remove-Item` names, as `reg` names them; `None`
/// when it names no key.
pub(super) fn keys(opts: &Opts) -> Option<Vec<String>> {
    let keys: Vec<String> = opts
        .values(&["path", "literalpath", "lp"])
        .into_iter()
        .chain(opts.positional.iter().cloned())
        .filter_map(|p| key(&unquote(&p)))
        .collect();
    (!keys.is_empty()).then_some(keys)
}

/// A value written under one of the registry's environment keys (`reg add
/// HKCU\Environment /v NAME /d VALUE`, `Set-ItemProperty
/// HKCU:\Environment -Name NAME -Value VALUE`, the machine's under `Session
/// Manager`): a variable every later process starts with, as `setx` sets.
pub(super) fn registry_variable(path: &str, name: &str, value: &str) -> Option<String> {
    let key = key(path.trim_matches(['"', '\'']))?.to_ascii_lowercase();
    let key = key.trim_end_matches('\\');
    let environment = key == "hkcu\\environment"
        || key == "hklm\\system\\currentcontrolset\\control\\session manager\\environment";
    environment.then(|| persistent_variable(name, value))
}

/// `Set-ItemProperty PATH -Name NAME -Value VALUE` (positionally in that
/// order), `New-ItemProperty`, `Remove-ItemProperty PATH -Name NAME`
/// (`name` is the cmdlet, lower-cased): the `reg` line with the same
/// effect, or `setx`'s under the environment keys; `None` for a path that
/// is no key.
pub(super) fn item_property(name: &str, opts: &Opts) -> Option<String> {
    let mut rest = opts.positional.iter().cloned();
    let mut named = |names: &[&str]| {
        opts.values(names)
            .into_iter()
            .next()
            .or_else(|| rest.next())
            .map(|v| unquote(&v))
    };
    let path = named(&["path", "literalpath", "lp"]).unwrap_or_default();
    let value_name = named(&["name"]).unwrap_or_default();
    let value = named(&["value"]).unwrap_or_default();
    let removes = name.starts_with('r');
    if !removes && let Some(line) = registry_variable(&path, &value_name, &value) {
        return Some(line);
    }
    let key = key(&path)?;
    Some(if removes {
        format!("reg delete {} /v {} /f", quote(&key), quote(&value_name))
    } else {
        format!(
            "reg add {} /v {} /d {} /f",
            quote(&key),
            quote(&value_name),
            quote(&value)
        )
    })
}

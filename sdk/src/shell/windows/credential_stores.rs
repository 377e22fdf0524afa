//! Windows' credential stores copied by its own tools, as the POSIX copy
//! of the store's file, whose path the secrets module knows
//! (`secrets::is_credential_path`): `reg save HKLM\SAM FILE` copies the
//! account database (and `SYSTEM`, `SECURITY` the keys that decrypt it and
//! the service passwords), as `cp /etc/shadow FILE` would; `ntdsutil "ac i
//! ntds" ifm "create full DIR"` copies a domain's `ntds.dit`; `esentutl /y
//! SRC /d DEST` copies a database Windows keeps open (`ntds.dit`, a
//! browser's `Login Data`).

use super::super::model::Word;
use super::text::posix_path;

/// Where the hives `reg save` copies live, as [`posix_path`] maps
/// `C:\Windows\System32\config`.
const HIVES: &str = "/usr/windows/System32/config";

/// The POSIX line `program` (without `.exe`) amounts to, when it copies a
/// credential store.
pub(super) fn line(program: &str, args: &[Word]) -> Option<String> {
    let is = |name: &str| program.eq_ignore_ascii_case(name);
    if !(is("reg") || is("ntdsutil") || is("esentutl")) {
        return None;
    }
    let words: Vec<&str> = args
        .iter()
        .map(|w| w.text.trim_matches(['"', '\'']))
        .collect();
    if is("reg") {
        return hive_saved(&words);
    }
    if is("ntdsutil") {
        // `ifm` then `create full C:\dir` (or `create sysvol full …`).
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let ifm = lower
            .iter()
            .any(|w| w.split_whitespace().any(|t| t == "ifm"));
        let dest = lower.iter().zip(&words).find_map(|(l, w)| {
            let at = l.find("full ")?;
            l.starts_with("create").then(|| w[at + 5..].trim())
        })?;
        return ifm.then(|| {
            format!(
                "cp /usr/windows/NTDS/ntds.dit {}",
                posix_path(&format!("{dest}\\ntds.dit"))
            )
        });
    }
    // esentutl: `/y SOURCE … /d DEST`.
    let after = |flag: &str| {
        let at = words.iter().position(|w| w.eq_ignore_ascii_case(flag))?;
        words.get(at + 1).copied()
    };
    let source = after("/y")?;
    let dest = after("/d").unwrap_or(".");
    Some(format!("cp {} {}", posix_path(source), posix_path(dest)))
}

/// `reg save|export HKLM\SAM FILE`: the hive's file copied to `FILE`.
fn hive_saved(words: &[&str]) -> Option<String> {
    let (verb, rest) = words.split_first()?;
    if !(verb.eq_ignore_ascii_case("save") || verb.eq_ignore_ascii_case("export")) {
        return None;
    }
    let key = rest.first()?.to_ascii_lowercase().replace('/', "\\");
    let key = key
        .strip_prefix("hklm\\")
        .or_else(|| key.strip_prefix("hkey_local_machine\\"))?;
    let hive = match key.split('\\').next()? {
        "sam" => "SAM",
        "system" => "SYSTEM",
        "security" => "SECURITY",
        _ => return None,
    };
    let dest = rest.get(1).map_or("\"\"".to_string(), |d| posix_path(d));
    Some(format!("cp {HIVES}/{hive} {dest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(program: &str, args: &[&str]) -> Option<String> {
        line(program, &super::super::literal_words(args))
    }

    #[test]
    fn credential_stores_copied() {
        assert_eq!(
            l("reg", &["save", "HKLM\\SAM", "C:\\tmp\\sam.hiv"]).as_deref(),
            Some("cp /usr/windows/System32/config/SAM \"/tmp/sam.hiv\"")
        );
        assert_eq!(
            l(
                "REG",
                &["export", "hkey_local_machine\\security\\policy", "s.reg"]
            )
            .as_deref(),
            Some("cp /usr/windows/System32/config/SECURITY \"s.reg\"")
        );
        assert_eq!(
            l(
                "ntdsutil",
                &["ac i ntds", "ifm", "create full c:\\tmp", "q", "q"]
            )
            .as_deref(),
            Some("cp /usr/windows/NTDS/ntds.dit \"/tmp/ntds.dit\"")
        );
        assert_eq!(
            l(
                "esentutl",
                &[
                    "/y",
                    "C:\\Windows\\NTDS\\ntds.dit",
                    "/vss",
                    "/d",
                    "C:\\tmp\\n.dit"
                ]
            )
            .as_deref(),
            Some("cp \"/usr/windows/NTDS/ntds.dit\" \"/tmp/n.dit\"")
        );
        // What they do with other keys and databases.
        assert_eq!(l("reg", &["save", "HKCU\\Software\\App", "app.hiv"]), None);
        assert_eq!(l("reg", &["query", "HKLM\\SAM"]), None);
        assert_eq!(l("reg", &["export", "HKLM\\SOFTWARE\\App", "a.reg"]), None);
        assert_eq!(l("ntdsutil", &["snapshot", "list all", "q"]), None);
        assert_eq!(l("esentutl", &["/g", "db.edb"]), None);
    }
}

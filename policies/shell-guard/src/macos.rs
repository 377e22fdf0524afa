//! macOS's defences switched off: System Integrity Protection, Gatekeeper
//! and the quarantine mark it checks, code-signing enforcement through
//! the boot arguments, the application firewall and `pf`, FileVault, the
//! unified log, Time Machine's backups and snapshots, and the configuration
//! profiles a device manager installs. Read by `defenses.rs` as one of the
//! machine's defences (`shell.defenses`).

use clawlaw_sdk::shell::Command;

/// The programs [`defence_off`] judges.
pub(crate) const PROGRAMS: &[&str] = &[
    "csrutil",
    "spctl",
    "xattr",
    "nvram",
    "socketfilterfw",
    "pfctl",
    "fdesetup",
    "log",
    "tmutil",
    "profiles",
];

/// What `c` switches off, if it is one of macOS's defences.
pub(crate) fn defence_off(c: &Command) -> Option<String> {
    let p = c.program.as_str();
    if !PROGRAMS.contains(&p) {
        return None;
    }
    let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let has = |a: &str| args.contains(&a);
    let what = match p {
        // `csrutil disable`, `csrutil authenticated-root disable`.
        "csrutil" if ops.contains(&"disable") => "switches System Integrity Protection off",
        "spctl"
            if has("--master-disable")
                || has("--global-disable")
                || has("--disable")
                || has("--add") =>
        {
            "lets unsigned and unnotarised programs run (Gatekeeper off, or an exception added)"
        }
        // `xattr -d com.apple.quarantine app`, `xattr -cr app`: the mark
        // that makes Gatekeeper check a downloaded program, taken off.
        "xattr" => {
            let clears = args.iter().any(|a| {
                a.strip_prefix('-')
                    .is_some_and(|f| !f.starts_with('-') && f.contains('c'))
            });
            let deletes = args.iter().any(|a| {
                a.strip_prefix('-')
                    .is_some_and(|f| !f.starts_with('-') && f.contains('d'))
            }) && ops
                .iter()
                .any(|o| o.eq_ignore_ascii_case("com.apple.quarantine"));
            if !(clears || deletes) {
                return None;
            }
            "takes the quarantine mark off a downloaded program, so Gatekeeper does not check it"
        }
        // `nvram boot-args="amfi_get_out_of_my_way=1"`.
        "nvram"
            if ops.iter().any(|o| {
                o.starts_with("boot-args=")
                    && (o.contains("amfi_get_out_of_my_way")
                        || o.contains("cs_enforcement_disable"))
            }) =>
        {
            "switches code-signing enforcement off at the next boot"
        }
        "socketfilterfw"
            if args
                .windows(2)
                .any(|w| w[0] == "--setglobalstate" && w[1] == "off") =>
        {
            "switches the application firewall off"
        }
        // `pfctl -d`; `pfctl -F all` (`-Fa`, `-F rules`) flushes the rules.
        "pfctl" if c.has_flag('d') => "switches the packet filter off",
        "pfctl"
            if args.iter().enumerate().any(|(k, a)| {
                let value = a.strip_prefix("-F").map(|v| {
                    if v.is_empty() {
                        args.get(k + 1).copied().unwrap_or("")
                    } else {
                        v
                    }
                });
                value.is_some_and(|v| matches!(v, "all" | "a" | "rules" | "r"))
            }) =>
        {
            "removes the packet filter's rules"
        }
        "fdesetup" if ops.first() == Some(&"disable") => "switches FileVault's disk encryption off",
        "log" if ops.first() == Some(&"erase") => {
            "erases the unified log, the record of what happened on this machine"
        }
        "tmutil"
            if matches!(
                ops.first(),
                Some(&"disable" | &"delete" | &"deletelocalsnapshots" | &"thinlocalsnapshots")
            ) =>
        {
            "switches the machine's backups off or deletes them"
        }
        // `profiles remove -all`, `profiles -R -p ID`.
        "profiles" if ops.first() == Some(&"remove") || c.has_flag('R') || c.has_flag('D') => {
            "removes configuration profiles, the security settings a device manager installs"
        }
        _ => return None,
    };
    Some(what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    fn off(line: &str) -> Option<String> {
        parse(line).commands.iter().find_map(defence_off)
    }

    #[test]
    fn defences_switched_off() {
        for line in [
            "csrutil disable",
            "csrutil authenticated-root disable",
            "spctl --master-disable",
            "spctl --add --label ok ./tool",
            "xattr -d com.apple.quarantine ~/Downloads/tool",
            "xattr -dr com.apple.quarantine /Applications/X.app",
            "xattr -cr /Applications/X.app",
            "nvram boot-args=\"amfi_get_out_of_my_way=1\"",
            "/usr/libexec/ApplicationFirewall/socketfilterfw --setglobalstate off",
            "pfctl -d",
            "pfctl -F all",
            "pfctl -Fa",
            "fdesetup disable",
            "log erase --all",
            "tmutil disable",
            "tmutil deletelocalsnapshots /",
            "tmutil thinlocalsnapshots / 999999999999 4",
            "profiles remove -all",
        ] {
            assert!(off(line).is_some(), "{line}");
        }
    }

    #[test]
    fn defences_read_or_kept() {
        for line in [
            "csrutil status",
            "spctl --assess -v X.app",
            "xattr -l tool",
            "xattr -p com.apple.quarantine tool",
            "xattr -d com.apple.metadata:kMDItemWhereFroms file.pdf",
            "nvram -p",
            "socketfilterfw --getglobalstate",
            "pfctl -s rules",
            "pfctl -e",
            "fdesetup status",
            "log show --last 1h",
            "tmutil listbackups",
            "tmutil localsnapshot",
            "profiles list",
        ] {
            assert_eq!(off(line), None, "{line}");
        }
    }
}

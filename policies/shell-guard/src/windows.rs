//! Windows' defences and the ways to leave a program running there, as
//! PowerShell and `cmd` lines run from the shell reach the policy
//! (`clawlaw_sdk::shell` keeps the names of these programs and cmdlets):
//!
//! - defences switched off ([`defence_off`], `shell.defenses`): Defender's
//!   protections (or Defender removed), the firewall, the services that
//!   defend or record (`sc stop WinDefend`, `net stop eventlog`), the
//!   execution policy, the boot's recovery (`bcdedit /set {default}
//!   recoveryenabled no`), the event logs cleared (`wevtutil cl Security`,
//!   `Clear-EventLog`), auditing cleared (`auditpol /clear`), PowerShell's
//!   script logging, BitLocker, the file system's change journal deleted;
//! - programs registered to run later or at every logon ([`persists`],
//!   `shell.persistence`): scheduled tasks (`schtasks /create`,
//!   `Register-ScheduledTask`), services (`sc create`, `New-Service`), and
//!   the registry's autostart keys (`reg add …\CurrentVersion\Run`,
//!   `New-ItemProperty -Path HKCU:\…\Run`). What a task runs is read as a
//!   line of its own by the SDK and judged as if typed;
//! - disks erased by `diskpart` ([`Checker::check_diskpart`], `shell.disk`):
//!   `clean`, `delete` or `format` fed to it, or a script it runs;
//! - boot entries deleted ([`Checker::check_boot_entry`], `shell.disk`):
//!   `bcdedit /delete {current}`, and UEFI's (`efibootmgr -B`) on Linux.

use clawlaw_sdk::shell::{Command, CommandLine, RedirectOp, without_exe};

use crate::checker::Checker;
use crate::given::fed_text;
use crate::programs::Shown;

/// The words of `c`'s arguments, lower-cased, a PowerShell parameter
/// given its value after a colon (`-Enabled:$false`) read as two words
/// (`-enabled`, `$false`).
fn lower_args(c: &Command) -> Vec<String> {
    let mut words = Vec::with_capacity(c.args().len());
    for w in c.args() {
        let lower = w.text.to_ascii_lowercase();
        match lower.split_once(':') {
            Some((name, value))
                if name.len() > 1
                    && name.starts_with('-')
                    && name[1..].bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                words.push(name.to_string());
                if !value.is_empty() {
                    words.push(value.to_string());
                }
            }
            _ => words.push(lower),
        }
    }
    words
}

/// Whether `word` names a service that defends the machine or records
/// what happens on it (quoted or not).
fn security_service(word: &str) -> bool {
    crate::security_services::defence_service(word.trim_matches(['\'', '"']))
}

/// The registry keys of PowerShell's own logging: what scripts ran, and
/// the transcript of each session.
const LOGGING_KEYS: &[&str] = &["scriptblocklogging", "transcription", "modulelogging"];

/// The programs and cmdlets this module judges, lower-cased.
const PROGRAMS: &[&str] = &[
    "set-mppreference",
    "add-mppreference",
    "netsh",
    "set-netfirewallprofile",
    "set-executionpolicy",
    "bcdedit",
    "wevtutil",
    "clear-eventlog",
    "remove-eventlog",
    "auditpol",
    "fsutil",
    "sc",
    "net",
    "uninstall-windowsfeature",
    "remove-windowsfeature",
    "disable-windowsoptionalfeature",
    "disable-bitlocker",
    "suspend-bitlocker",
    "manage-bde",
    "schtasks",
    "register-scheduledtask",
    "set-scheduledtask",
    "new-scheduledtask",
    "new-service",
    "reg",
    "new-itemproperty",
    "set-itemproperty",
    "new-item",
];

/// `c`'s program without `.exe`, lower-cased, when it is one of
/// [`PROGRAMS`] (most commands are not: nothing is allocated for them).
fn program(c: &Command) -> Option<&'static str> {
    let p = without_exe(&c.program);
    PROGRAMS
        .iter()
        .copied()
        .find(|name| p.eq_ignore_ascii_case(name))
}

/// What `c` switches off, if it switches off one of Windows' defences:
/// Defender's protections (`Set-MpPreference -DisableRealtimeMonitoring
/// $true`, an exclusion added), the firewall (`Set-NetFirewallProfile
/// -Enabled False`, `netsh advfirewall set allprofiles state off`), the
/// services that defend or record, the execution policy, the boot's
/// recovery, the event logs, auditing, PowerShell's script logging,
/// BitLocker, the change journal.
pub(crate) fn defence_off(c: &Command) -> Option<String> {
    let p = program(c)?;
    let words = lower_args(c);
    let pair = |key: &str, values: &[&str]| {
        words
            .windows(2)
            .any(|w| w[0] == key && values.contains(&w[1].as_str()))
    };
    let what = match p {
        "set-mppreference" | "add-mppreference" => {
            // `-DisableRealtimeMonitoring $true`, an exclusion of a path,
            // a process, an extension or an address.
            let disables = words
                .windows(2)
                .any(|w| w[0].starts_with("-disable") && matches!(w[1].as_str(), "$true" | "1"))
                || words.iter().any(|w| w.starts_with("-exclusion"));
            disables.then_some(
                "switches Microsoft Defender's protection off or exempts what it scans from it",
            )
        }
        "uninstall-windowsfeature" | "remove-windowsfeature" | "disable-windowsoptionalfeature" => {
            words
                .iter()
                .any(|w| w.contains("defender"))
                .then_some("removes Microsoft Defender from the machine")
        }
        // `sc stop WinDefend`, `net stop mpssvc`, `sc config WinDefend
        // start= disabled` (PowerShell's `Stop-Service` and `Set-Service`
        // reach the policy as the `systemctl` lines they are).
        "sc" | "net" => {
            let verb_ok = match p {
                // `sc config NAME start= disabled` (or `start=disabled`).
                "sc" => match words.first().map(String::as_str) {
                    Some("stop" | "delete") => true,
                    Some("config") => {
                        pair("start=", &["disabled"]) || words.iter().any(|w| w == "start=disabled")
                    }
                    _ => false,
                },
                _ => words.first().is_some_and(|w| w == "stop"),
            };
            (verb_ok && words.iter().any(|w| security_service(w))).then_some(
                "stops or disables a service that defends the machine or records what happens on it",
            )
        }
        "disable-bitlocker" | "suspend-bitlocker" => {
            Some("switches off or suspends the disk encryption (BitLocker)")
        }
        "manage-bde" => (words.iter().any(|w| w == "-off")
            || pair("-protectors", &["-disable", "-delete"]))
        .then_some("switches off or suspends the disk encryption (BitLocker)"),
        "netsh" => (words.first().is_some_and(|w| w == "advfirewall") && pair("state", &["off"]))
            .then_some("switches the Windows firewall off"),
        "set-netfirewallprofile" => pair("-enabled", &["false", "$false", "0"])
            .then_some("switches the Windows firewall off"),
        "set-executionpolicy" => words
            .iter()
            .any(|w| w == "unrestricted" || w == "bypass")
            .then_some("lets any PowerShell script run, signed or not"),
        // `bcdedit /set {default} recoveryenabled no`, `… bootstatuspolicy
        // ignoreallfailures`: the machine no longer recovers from a bad boot.
        "bcdedit" => (pair("recoveryenabled", &["no", "off", "false", "0"])
            || words.iter().any(|w| w == "ignoreallfailures"))
        .then_some("switches off the recovery of a machine that fails to boot"),
        "wevtutil" => matches!(words.first().map(String::as_str), Some("cl" | "clear-log"))
            .then_some("clears a Windows event log"),
        "clear-eventlog" | "remove-eventlog" => Some("clears a Windows event log"),
        "auditpol" => (words.iter().any(|w| w == "/clear" || w == "/remove")
            || words.iter().any(|w| w.ends_with(":disable")))
        .then_some("switches Windows' auditing off"),
        // `reg add …\PowerShell\ScriptBlockLogging /v EnableScriptBlockLogging
        // /d 0`, `Set-ItemProperty …\Transcription -Name … -Value 0`.
        "reg" | "set-itemproperty" | "new-itemproperty"
            if words
                .iter()
                .any(|w| LOGGING_KEYS.iter().any(|k| w.contains(k))) =>
        {
            (pair("/d", &["0"]) || pair("-value", &["0", "$false"]))
                .then_some("switches off PowerShell's logging of the scripts it runs")
        }
        "fsutil" => (words.first().is_some_and(|w| w == "usn")
            && words.iter().any(|w| w == "deletejournal"))
        .then_some("deletes the file system's record of changes"),
        _ => None,
    };
    what.map(str::to_string)
}

/// Registry keys whose values Windows runs at logon or start-up, or when
/// another program starts (`Image File Execution Options`' debugger).
const AUTOSTART_KEYS: &[&str] = &[
    "\\currentversion\\run",
    "\\currentversion\\policies\\explorer\\run",
    "\\currentversion\\winlogon",
    "\\image file execution options",
    "\\currentcontrolset\\services",
    "\\active setup\\installed components",
];

/// Whether `word` names one of [`AUTOSTART_KEYS`], its separators as
/// written (`\`, `/`) or taken away by a POSIX shell's unquoting
/// (`HKCU\Software\…` unquoted is `HKCUSoftware…`).
fn names_autostart_key(word: &str) -> bool {
    let flat = word.replace(['\\', '/'], "");
    AUTOSTART_KEYS
        .iter()
        .any(|k| flat.contains(&k.replace('\\', "")))
}

/// What `c` registers to run later, at logon or as a service, if it does:
/// see the module documentation.
pub(crate) fn persists(c: &Command) -> Option<String> {
    let p = program(c)?;
    let words = lower_args(c);
    let first = words.first().map(String::as_str);
    let what = match p {
        "schtasks" => matches!(first, Some("/create" | "/change"))
            .then_some("registers a scheduled task that runs later, outliving the session"),
        "register-scheduledtask" | "set-scheduledtask" | "new-scheduledtask" => {
            Some("registers a scheduled task that runs later, outliving the session")
        }
        // `sc create NAME binPath= …`, `sc config NAME binPath= …`.
        "sc" => matches!(first, Some("create" | "config"))
            .then_some("registers a Windows service that starts on its own"),
        "new-service" => Some("registers a Windows service that starts on its own"),
        // `reg add HKCU\…\CurrentVersion\Run /v x /d evil.exe`.
        "reg" if first == Some("add") || first == Some("import") => words
            .iter()
            .any(|w| names_autostart_key(w))
            .then_some("adds a program the registry starts at logon or with another program"),
        "new-itemproperty" | "set-itemproperty" | "new-item" => words
            .iter()
            .any(|w| names_autostart_key(w))
            .then_some("adds a program the registry starts at logon or with another program"),
        _ => None,
    };
    what.map(str::to_string)
}

impl Checker<'_> {
    /// `diskpart` told to erase: what a piped `echo`, a here-document or a
    /// file the line wrote feeds it holds `clean`, `delete` or `format`
    /// (DENY, `shell.disk`); a script of its own (`diskpart /s wipe.txt`)
    /// may (ESCALATE).
    pub(crate) fn check_diskpart(&mut self, cl: &CommandLine, i: usize, shown: &Shown) {
        let c = &cl.commands[i];
        if !without_exe(&c.program).eq_ignore_ascii_case("diskpart") {
            return;
        }
        let erases = |text: &str| {
            text.split(|ch: char| !ch.is_ascii_alphabetic()).any(|w| {
                ["clean", "delete", "format"]
                    .iter()
                    .any(|v| w.eq_ignore_ascii_case(v))
            })
        };
        let fed = fed_text(cl, i);
        if fed.iter().any(|t| erases(t)) {
            self.deny(
                "shell.disk",
                format!("`{shown}` would erase a disk, a partition or a volume"),
            );
        } else if fed.is_empty()
            && (c.piped_in
                || c.args().iter().any(|a| a.text.eq_ignore_ascii_case("/s"))
                || c.redirects.iter().any(|r| r.op == RedirectOp::Read))
        {
            self.escalate(
                "shell.disk",
                0.7,
                None,
                format!("`{shown}` runs diskpart commands the line does not show, which may erase a disk"),
            );
        }
    }
}

impl Checker<'_> {
    /// A boot entry deleted: `bcdedit /delete {current}` (or `{default}`,
    /// `{bootmgr}`) leaves the machine unable to start (DENY, `shell.disk`);
    /// another entry by its id, or UEFI's entries through `efibootmgr -B`,
    /// may be the one it starts from (ESCALATE). Any other change of the
    /// boot configuration (`bcdedit /set`, `/deletevalue`, `/import`,
    /// `/default`, …; not `/enum`, `/v` or `/export`) may start the machine
    /// differently or not at all (ESCALATE). `cipher /w` overwrites a
    /// volume's free space: what was deleted can never be recovered.
    pub(crate) fn check_boot_entry(&mut self, c: &Command, shown: &Shown) {
        let p = without_exe(&c.program);
        let words = lower_args(c);
        if p.eq_ignore_ascii_case("bcdedit")
            && let Some(at) = words.iter().position(|w| w == "/delete")
        {
            let entry = words.get(at + 1).map_or("", String::as_str);
            if matches!(entry, "{current}" | "{default}" | "{bootmgr}") {
                self.deny(
                    "shell.disk",
                    format!("`{shown}` deletes the boot entry the machine starts from: it will not start again"),
                );
            } else {
                self.escalate(
                    "shell.disk",
                    0.7,
                    None,
                    format!("`{shown}` deletes a boot entry, which may be the one the machine starts from"),
                );
            }
        } else if p.eq_ignore_ascii_case("bcdedit")
            && words.iter().any(|w| {
                w.starts_with('/') && !matches!(w.as_str(), "/enum" | "/v" | "/export" | "/?")
            })
            && !words.iter().any(|w| w == "/?")
        {
            self.escalate(
                "shell.disk",
                0.6,
                None,
                format!("`{shown}` changes the boot configuration: the machine may start differently, or not at all"),
            );
        } else if p.eq_ignore_ascii_case("cipher") && words.iter().any(|w| w.starts_with("/w")) {
            self.escalate(
                "shell.disk",
                0.6,
                None,
                format!("`{shown}` overwrites the volume's free space: every deleted file is made unrecoverable, and the disk is busy for hours"),
            );
        } else if p == "efibootmgr" && c.has_flag('B') {
            self.escalate(
                "shell.disk",
                0.7,
                None,
                format!("`{shown}` deletes a UEFI boot entry, which may be the one the machine starts from"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    fn off(line: &str) -> Option<String> {
        parse(line).commands.iter().find_map(defence_off)
    }

    fn persisting(line: &str) -> Option<String> {
        parse(line).commands.iter().find_map(persists)
    }

    #[test]
    fn windows_defences_switched_off() {
        for line in [
            "Set-MpPreference -DisableRealtimeMonitoring $true",
            "Add-MpPreference -ExclusionPath C:/",
            "Set-NetFirewallProfile -Profile Domain,Public -Enabled False",
            "netsh advfirewall set allprofiles state off",
            "Set-ExecutionPolicy Bypass -Scope Process",
            "bcdedit /set {default} recoveryenabled no",
            "bcdedit.exe /set {default} bootstatuspolicy ignoreallfailures",
            "wevtutil cl Security",
            "Clear-EventLog -LogName Security",
            "auditpol /clear /y",
            "fsutil usn deletejournal /d C:",
            "Set-MpPreference -DisableRealtimeMonitoring:$true",
            "Add-MpPreference -ExclusionProcess powershell.exe",
            "Set-NetFirewallProfile -Profile Domain -Enabled:$false",
            "Uninstall-WindowsFeature -Name Windows-Defender",
            "sc stop WinDefend",
            "sc.exe config WinDefend start= disabled",
            "net.exe stop csagent",
            "Disable-BitLocker -MountPoint C:",
            "manage-bde -protectors -disable C:",
            "reg add HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging /v EnableScriptBlockLogging /t REG_DWORD /d 0 /f",
        ] {
            assert!(off(line).is_some(), "{line}");
        }
        for line in [
            "Set-MpPreference -DisableRealtimeMonitoring $false",
            "netsh interface show interface",
            "Set-ExecutionPolicy RemoteSigned",
            "bcdedit /enum",
            "wevtutil qe Security /c:5",
            "auditpol /get /category:*",
            "fsutil usn queryjournal C:",
            "Get-MpPreference",
            "sc query WinDefend",
            "sc config WinDefend start= auto",
            "net start mpssvc",
            "net stop spooler",
            "manage-bde -status",
            "reg add HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging /v EnableScriptBlockLogging /t REG_DWORD /d 1 /f",
        ] {
            assert!(off(line).is_none(), "{line}");
        }
    }

    #[test]
    fn programs_left_running() {
        for line in [
            "schtasks /create /tn x /tr C:\\evil.exe /sc onlogon",
            "schtasks.exe /Change /TN x /TR C:\\evil.exe",
            "Register-ScheduledTask -TaskName x -Action $a -Trigger $t",
            "sc create evil binPath= C:\\evil.exe start= auto",
            "New-Service -Name x -BinaryPathName C:\\evil.exe",
            "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d C:\\evil.exe /f",
            "reg add 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon' /v Shell /d x /f",
            "New-ItemProperty -Path HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run -Name x -Value C:\\evil.exe",
        ] {
            assert!(persisting(line).is_some(), "{line}");
        }
        for line in [
            "schtasks /query /fo LIST",
            "schtasks /delete /tn x /f",
            "sc query clawlaw",
            "reg query HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
            "reg add HKCU\\Software\\Acme\\App /v theme /d dark /f",
        ] {
            assert!(persisting(line).is_none(), "{line}");
        }
    }
}

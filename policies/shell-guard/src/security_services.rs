//! The services that enforce or record security on a machine, Linux's and
//! Windows': stopping or disabling one switches a defence off
//! (`defenses.rs` reads `systemctl` and `service`, and the signals a line
//! sends; `windows.rs` `sc` and `net`).

/// Services whose only job is to enforce or record security.
const DEFENCE_SERVICES: &[&str] = &[
    "firewalld",
    "ufw",
    "nftables",
    "iptables",
    "ip6tables",
    "netfilter-persistent",
    "apparmor",
    "auditd",
    "fail2ban",
    "crowdsec",
    "sshguard",
    "falco",
    "osqueryd",
    "wazuh-agent",
    "clamav-daemon",
    "rsyslog",
    "syslog-ng",
    "systemd-journald",
    // Windows (`Stop-Service WinDefend` is read as `systemctl stop
    // WinDefend`): Defender and its network inspection, Defender for
    // Endpoint, the firewall and its filtering engine, the security
    // center, the event log, Sysmon, and the agents of common endpoint
    // products (CrowdStrike, SentinelOne, Carbon Black, Cylance).
    "windefend",
    "wdnissvc",
    "sense",
    "mpssvc",
    "bfe",
    "wscsvc",
    "securityhealthservice",
    "eventlog",
    "sysmon",
    "sysmon64",
    "csagent",
    "csfalconservice",
    "sentinelagent",
    "cbdefense",
    "cylancesvc",
    // Their processes, by the names a signal reaches them (`pkill
    // rsyslogd`, `taskkill /IM MsMpEng.exe`), and macOS's daemons by their
    // launchd labels' last part (`system/com.apple.auditd`).
    "rsyslogd",
    "syslogd",
    "falcon-sensor",
    "falcond",
    "wazuh-agentd",
    "clamd",
    "fail2ban-server",
    "msmpeng",
    "mssense",
    "sentineld",
];

/// Whether `unit` (`auditd`, `auditd.service`, `WinDefend`, in any case)
/// is one of [`DEFENCE_SERVICES`].
pub(crate) fn defence_service(unit: &str) -> bool {
    let unit = unit.strip_suffix(".service").unwrap_or(unit);
    DEFENCE_SERVICES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(unit))
}

/// The defence a signal's target names, when it names one: a process's
/// name (`auditd`, `MsMpEng.exe`, a path to its program), a pid looked up
/// by name (`$(pidof auditd)`, `$(pgrep -f falcon-sensor)`), a launchd job
/// (`system/com.apple.auditd`, `com.crowdstrike.falcond.plist`).
pub(crate) fn signalled_defence(target: &str) -> Option<&str> {
    let t = target.trim();
    // `$(pidof auditd)`, `` `pgrep auditd` ``: the name looked up.
    let t = match t.strip_prefix("$(").or_else(|| t.strip_prefix('`')) {
        Some(inner) => inner
            .trim_end_matches([')', '`'])
            .split_whitespace()
            .rfind(|w| !w.starts_with('-'))?,
        None => t,
    };
    let name = t.rsplit(['/', '\\']).next().unwrap_or(t);
    let name = [".exe", ".plist", ".service"]
        .iter()
        .find_map(|ext| {
            let cut = name.len().checked_sub(ext.len())?;
            name.get(cut..)
                .filter(|e| e.eq_ignore_ascii_case(ext))
                .map(|_| &name[..cut])
        })
        .unwrap_or(name);
    let label = name.rsplit('.').next().unwrap_or(name);
    (defence_service(name) || defence_service(label)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defences_a_signal_reaches() {
        for (target, name) in [
            ("auditd", "auditd"),
            ("$(pidof auditd)", "auditd"),
            ("$(pgrep -f falcon-sensor)", "falcon-sensor"),
            ("MsMpEng.exe", "MsMpEng"),
            ("system/com.apple.auditd", "com.apple.auditd"),
            (
                "/Library/LaunchDaemons/com.crowdstrike.falcond.plist",
                "com.crowdstrike.falcond",
            ),
            ("/usr/sbin/rsyslogd", "rsyslogd"),
        ] {
            assert_eq!(signalled_defence(target), Some(name), "{target}");
        }
        for target in [
            "node",
            "4242",
            "$(pidof node)",
            "com.example.agent",
            "cargo",
        ] {
            assert_eq!(signalled_defence(target), None, "{target}");
        }
    }
}

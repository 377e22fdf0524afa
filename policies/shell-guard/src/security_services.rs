//! The services that enforce or record security on a machine, Linux's and
//! Windows': stopping or disabling one switches a defence off
//! (`defenses.rs` reads `systemctl` and `service`, `windows.rs` `sc` and
//! `net`).

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
];

/// Whether `unit` (`auditd`, `auditd.service`, `WinDefend`, in any case)
/// is one of [`DEFENCE_SERVICES`].
pub(crate) fn defence_service(unit: &str) -> bool {
    let unit = unit.strip_suffix(".service").unwrap_or(unit);
    DEFENCE_SERVICES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(unit))
}

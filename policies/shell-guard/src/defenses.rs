//! The machine's defences and records: commands that switch off the
//! firewall, mandatory access control (SELinux, AppArmor) or the audit
//! system, stop the services that enforce them, or erase the system's logs
//! or the shell's record of its commands, or take the immutable or
//! append-only attribute off a file, or set the clock those records are
//! stamped with, or add a certificate authority every program trusts
//! (`trust.rs`) — what an intruder does first, and
//! what an agent has no routine reason to do; on Windows too (Defender, the
//! firewall, the execution policy, the boot's recovery, the event logs, as
//! PowerShell and `cmd` lines reach the policy: `windows.rs`) and on macOS
//! (SIP, Gatekeeper, FileVault, Time Machine: `macos.rs`). A security
//! service's process signalled is stopped as surely as its service is.
//! Escalated as `shell.defenses`: a person may have asked for it.
//!
//! Judged by what each command does to the defence, not by its spelling:
//! `iptables -t nat --flush` and `iptables -F` are one flush, `iptables -P
//! INPUT ACCEPT` opens a chain whatever else the line holds, and a log is
//! erased by any delete or overwrite of a file under `/var/log` that the
//! SDK's effects model reads from the line (`truncate -s 0`, `> file`,
//! `cp /dev/null`, `rm`, `shred`), while appending to one is not. A kernel
//! setting changed with `sysctl` is the write under `/proc/sys` it is, and
//! judged as one (`shell.system-write`).

use clawlaw_sdk::effects::{self, Effects};
use clawlaw_sdk::path::is_within;
use clawlaw_sdk::shell::{Command, CommandKind, CommandLine};

use crate::checker::Checker;
use crate::loc::{Loc, resolve_text};
use crate::programs::show;
use crate::security_services::signalled_defence;

const RULE: &str = "shell.defenses";

/// Where the system keeps its logs.
const LOG_DIR: &str = "/var/log";

impl Checker<'_> {
    /// Escalates the commands of `cl` that switch off a defence or erase
    /// the system's logs. `fx` holds the line's effects once a check of the
    /// line has analysed them.
    pub(crate) fn check_defenses(&mut self, cl: &CommandLine, fx: &mut Option<Effects>) {
        for c in &cl.commands {
            if c.kind != CommandKind::Simple || c.program_dynamic {
                continue;
            }
            if let Some(what) = switches_off(c) {
                self.defence_off(c, &what);
            }
        }
        self.check_defence_signals(cl, fx);
        let sets_kernel = cl.commands.iter().any(|c| c.program == "sysctl");
        if !sets_kernel && !mentions_logs(cl) {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        // `sysctl -w kernel.x=0` writes `/proc/sys/kernel/x`, judged as that
        // write is.
        for w in fx.writes.iter().filter(|w| w.how.starts_with("sysctl")) {
            let loc = resolve_text(&w.path, &[], &Loc::Abs(Vec::new()));
            self.check_write_loc(&cl.commands[w.command], &loc);
        }
        let erased = fx
            .deletes
            .iter()
            .chain(fx.writes.iter().filter(|w| !w.appends()))
            .find(|e| is_within(&e.path, LOG_DIR) || e.dynamic && e.path.starts_with("/var/log"));
        if let Some(e) = erased {
            let shown = show(&cl.commands[e.command]);
            self.escalate(
                RULE,
                0.7,
                Some(&cl.commands[e.command].program),
                format!(
                    "`{shown}` erases or overwrites the system's logs ({}, `{}`), the record of what happened on this machine; rotate them with logrotate or ask the operator",
                    e.how, e.path
                ),
            );
        }
    }
}

impl Checker<'_> {
    /// Escalates a signal sent to a security service's process (`pkill
    /// auditd`, `kill -9 $(pidof falcon-sensor)`, `taskkill /IM
    /// MsMpEng.exe`, `launchctl bootout system/com.apple.auditd`): it stops
    /// the service as `systemctl stop` would, without a word to its
    /// manager. The effects are analysed only when the line has a program
    /// that sends signals.
    fn check_defence_signals(&mut self, cl: &CommandLine, fx: &mut Option<Effects>) {
        let signals = cl.commands.iter().any(|c| {
            matches!(
                c.program.as_str(),
                "kill" | "pkill" | "killall" | "skill" | "taskkill" | "launchctl"
            )
        });
        if !signals {
            return;
        }
        let fx = fx.get_or_insert_with(|| effects::analyze(cl, self.cwd_text.as_deref(), None));
        let hit = fx.signals.iter().find_map(|s| {
            let name = s.targets.iter().find_map(|t| signalled_defence(t))?;
            Some((s.command, name.to_string()))
        });
        if let Some((k, name)) = hit {
            let what = format!("stops {name}, a service that enforces or records security");
            self.defence_off(&cl.commands[k], &what);
        }
    }

    /// Escalates `c`, which does `what` to a defence.
    fn defence_off(&mut self, c: &Command, what: &str) {
        let shown = show(c);
        self.escalate(
            RULE,
            0.8,
            Some(&c.program),
            format!("`{shown}` {what}; ask the operator to make the change if it is needed"),
        );
    }
}

/// Whether any word of the line names the log directory: the effects are
/// analysed only then.
fn mentions_logs(cl: &CommandLine) -> bool {
    cl.commands.iter().any(|c| {
        c.argv
            .iter()
            .chain(c.redirects.iter().map(|r| &r.target))
            .any(|w| w.text.contains(LOG_DIR))
    })
}

/// The programs [`switches_off`] judges; every other command is passed
/// over without looking at its words.
const PROGRAMS: &[&str] = &[
    "chattr",
    "aws",
    "gcloud",
    "az",
    "iptables",
    "ip6tables",
    "iptables-legacy",
    "iptables-nft",
    "ip6tables-legacy",
    "ip6tables-nft",
    "ebtables",
    "arptables",
    "nft",
    "ufw",
    "firewall-cmd",
    "setenforce",
    "aa-disable",
    "aa-complain",
    "aa-teardown",
    "apparmor_parser",
    "auditctl",
    "journalctl",
    "systemctl",
    "service",
];

/// The shell's variables that decide whether, and how much of, the
/// session's commands its history keeps (bash's, zsh's, ksh's).
const HISTORY_VARIABLES: &[&str] = &["HISTFILE", "HISTSIZE", "HISTFILESIZE", "SAVEHIST"];

/// What `c` does to the shell's record of its own commands, when it stops
/// it or erases it: the history file pointed at nothing or sized to nothing
/// (`HISTFILE=/dev/null`, `export HISTSIZE=0`, `unset HISTFILE`), every
/// command ignored (`HISTIGNORE='*'`), recording switched off (`set +o
/// history`), the list cleared (`history -c`). Pointing the file elsewhere
/// or growing it is not; nor is reading it.
fn history_off(c: &Command) -> Option<String> {
    const STOPS: &str = "stops the shell keeping a record of the commands run";
    let nothing = |v: &str| {
        let v = v.trim_matches(['"', '\'']);
        v.is_empty() || v == "/dev/null" || v == "0"
    };
    for a in c.assigned() {
        let name = a.name.as_str();
        let values = a.values.iter().map(|w| w.text.as_str());
        if HISTORY_VARIABLES.contains(&name) && !a.append && values.clone().any(nothing) {
            return Some(format!("{STOPS} ({name} set to nothing)"));
        }
        if name == "HISTIGNORE" && values.clone().any(|v| v.trim_matches(['"', '\'']) == "*") {
            return Some(format!("{STOPS} (HISTIGNORE ignores every command)"));
        }
    }
    if c.program_dynamic {
        return None;
    }
    let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    match c.program.as_str() {
        "unset" if !c.has_flag('f') => ops
            .iter()
            .find(|o| HISTORY_VARIABLES.contains(o))
            .map(|v| format!("{STOPS} (unsets {v})")),
        "set" => c
            .args()
            .windows(2)
            .any(|w| w[0].text == "+o" && w[1].text == "history")
            .then(|| STOPS.to_string()),
        "history" if c.has_flag('c') => {
            Some("clears the shell's record of the commands run".into())
        }
        _ => None,
    }
}

/// What `c` switches off, if it switches off a defence.
fn switches_off(c: &Command) -> Option<String> {
    let p = c.program.as_str();
    if let Some(what) = crate::windows::defence_off(c) {
        return Some(what);
    }
    if let Some(what) = crate::macos::defence_off(c) {
        return Some(what);
    }
    if let Some(what) = history_off(c) {
        return Some(what);
    }
    if let Some(what) = sets_clock(c) {
        return Some(what);
    }
    if let Some(what) = cluster_admission(c) {
        return Some(what);
    }
    if let Some(what) = crate::trust::adds_authority(c) {
        return Some(what);
    }
    if !PROGRAMS.contains(&p) {
        return None;
    }
    let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    match p {
        "iptables" | "ip6tables" | "iptables-legacy" | "iptables-nft" | "ip6tables-legacy"
        | "ip6tables-nft" | "ebtables" | "arptables" => iptables(&args),
        "nft" => nft(&ops),
        "ufw" => match ops.as_slice() {
            ["disable", ..] => Some("switches the firewall off".into()),
            ["reset", ..] => Some("removes every firewall rule".into()),
            ["default", "allow", ..] => Some("lets through everything no rule blocks".into()),
            ["delete", ..] => Some("removes a firewall rule".into()),
            _ => None,
        },
        "firewall-cmd" => args
            .iter()
            .any(|a| {
                a.strip_prefix("--set-default-zone=")
                    .is_some_and(|z| z == "trusted")
                    || a.starts_with("--remove-")
            })
            .then(|| "opens the firewall".into()),
        "setenforce" => matches!(
            ops.first().map(|o| o.to_ascii_lowercase()).as_deref(),
            Some("0" | "permissive")
        )
        .then(|| "switches SELinux enforcement off".into()),
        "aa-disable" | "aa-complain" | "aa-teardown" => {
            Some("switches AppArmor confinement off".into())
        }
        "apparmor_parser" if c.has_flag('R') || c.has_long("remove") => {
            Some("removes AppArmor profiles".into())
        }
        "auditctl" => {
            let off = c.has_flag('D') || args.windows(2).any(|w| w[0] == "-e" && w[1] == "0");
            off.then(|| "deletes the audit rules or switches auditing off".into())
        }
        "journalctl" => args
            .iter()
            .any(|a| a.starts_with("--vacuum-"))
            .then(|| "deletes the system journal's archived logs".into()),
        "systemctl" | "service" => stops_defence(p, &ops),
        "aws" | "gcloud" | "az" => cloud_audit_off(&ops, &args),
        // `chattr -i /etc/passwd`, `chattr -a /var/log/auth.log`: the
        // immutable or append-only attribute that keeps a file from being
        // changed or its records rewritten, taken off (`-R`, `-V`, `-f`
        // are options; `+i` adds the protection).
        "chattr" => args
            .iter()
            .filter_map(|a| a.strip_prefix('-'))
            .any(|m| m.chars().all(|ch| ch.is_ascii_lowercase()) && m.contains(['i', 'a']))
            .then(|| {
                let files: Vec<&str> = ops
                    .iter()
                    .copied()
                    .filter(|o| !o.starts_with(['-', '+', '=']))
                    .collect();
                format!(
                    "takes the immutable or append-only protection off {}",
                    files.join(", ")
                )
            }),
        _ => None,
    }
}

/// The system clock set by hand (`date -s`, `date MMDDhhmm`, `timedatectl
/// set-time`, its network sync switched off, `hwclock --set|--hctosys`,
/// PowerShell's `Set-Date`): every log line, evidence record, token expiry
/// and certificate check reads it, so moving it rewrites when things
/// happened and revives expired credentials. Reading it, or formatting a
/// given date (`date -d`, `date +%s`), is not.
fn sets_clock(c: &Command) -> Option<String> {
    const SETS: &str = "sets the system clock, which every log and evidence record, token expiry and certificate check reads";
    let p = c.program.as_str();
    // Every command comes here: the others leave before any work.
    if !matches!(p, "date" | "gdate" | "timedatectl" | "hwclock")
        && !p.eq_ignore_ascii_case("set-date")
    {
        return None;
    }
    let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
    let sets = match p {
        "date" | "gdate" => {
            c.has_flag('s')
                || args.iter().any(|a| a.starts_with("--set"))
                // POSIX and BSD `date [[[[[CC]YY]MM]DD]hh]mm[.ss]` (not the
                // value of `-d 20200101`, `-r FILE`, `-f FILE`).
                || args.iter().enumerate().any(|(k, a)| {
                    let value = k > 0 && matches!(args[k - 1], "-d" | "--date" | "-r" | "--reference" | "-f" | "--file");
                    let digits = a.replace('.', "");
                    !value && digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit())
                })
        }
        "timedatectl" => match args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .collect::<Vec<_>>()[..]
        {
            [&"set-time", ..] => true,
            [&"set-ntp", v, ..] => matches!(*v, "false" | "no" | "0" | "off"),
            _ => false,
        },
        "hwclock" => args
            .iter()
            .any(|a| matches!(*a, "--set" | "--hctosys" | "-s")),
        p => p.eq_ignore_ascii_case("set-date"),
    };
    sets.then(|| SETS.into())
}

/// A Kubernetes cluster's admission control weakened in place: a namespace
/// labelled to enforce only the `privileged` Pod Security level, its
/// enforce label removed, or Gatekeeper told to ignore it (`kubectl label
/// ns x pod-security.kubernetes.io/enforce=privileged`,
/// `admission.gatekeeper.sh/ignore=true`); an admission webhook or policy
/// patched or edited (`failurePolicy: Ignore`, its rules emptied).
/// Manifests applied are judged by deploy-guard's `deploy.admission`.
fn cluster_admission(c: &Command) -> Option<String> {
    if !matches!(c.program.as_str(), "kubectl" | "oc") {
        return None;
    }
    let args: Vec<String> = c
        .args()
        .iter()
        .map(|w| w.text.to_ascii_lowercase())
        .collect();
    let verb = args.iter().find(|a| !a.starts_with('-'))?;
    let exempts = |a: &String| {
        a == "pod-security.kubernetes.io/enforce=privileged"
            || a == "pod-security.kubernetes.io/enforce-"
            || a.starts_with("admission.gatekeeper.sh/ignore") && !a.ends_with('-')
    };
    match verb.as_str() {
        "label" if args.iter().any(exempts) => {
            Some("exempts a namespace from the cluster's admission control".into())
        }
        "patch" | "edit" | "replace" | "set"
            if args
                .iter()
                .any(|a| a.contains("webhookconfiguration") || a.contains("admissionpolic")) =>
        {
            Some(
                "changes an admission webhook or policy, which decides what the cluster accepts"
                    .into(),
            )
        }
        _ => None,
    }
}

/// A cloud account's own records and detectors switched off: CloudTrail
/// stopped, AWS Config's recorder stopped, GuardDuty or Security Hub
/// disabled, a log sink or diagnostic setting removed. (Deleting a trail
/// or a detector is also a deletion, which the cloud pack reports.)
fn cloud_audit_off(ops: &[&str], args: &[&str]) -> Option<String> {
    let what = match ops {
        ["cloudtrail", "stop-logging", ..] => "stops the account's audit trail",
        ["cloudtrail", "delete-trail", ..] => "deletes the account's audit trail",
        [
            "configservice",
            "stop-configuration-recorder" | "delete-configuration-recorder",
            ..,
        ] => "stops recording the account's configuration changes",
        ["guardduty", "update-detector", ..] if args.contains(&"--no-enable") => {
            "switches threat detection off"
        }
        ["guardduty", "delete-detector", ..] => "switches threat detection off",
        ["securityhub", "disable-security-hub", ..] => "switches Security Hub off",
        ["logging", "sinks", "delete", ..] => "deletes where the project's logs are routed",
        ["monitor", "diagnostic-settings", "delete", ..] => {
            "deletes a resource's diagnostic logging"
        }
        _ => return None,
    };
    Some(what.into())
}

/// `iptables -F`, `-X`, `-D`, `-P CHAIN ACCEPT` (long forms too).
fn iptables(args: &[&str]) -> Option<String> {
    let mut k = 0;
    while k < args.len() {
        match args[k] {
            "-F" | "--flush" => return Some("removes every firewall rule of the table".into()),
            "-X" | "--delete-chain" => return Some("deletes firewall chains".into()),
            "-D" | "--delete" => return Some("removes a firewall rule".into()),
            "-P" | "--policy" => {
                if args
                    .get(k + 2)
                    .is_some_and(|t| t.eq_ignore_ascii_case("accept"))
                {
                    return Some("lets through everything no rule blocks".into());
                }
                k += 2;
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// `nft flush ruleset`, `nft delete table inet filter` (one word or many).
fn nft(ops: &[&str]) -> Option<String> {
    let words: Vec<&str> = ops.iter().flat_map(|o| o.split_whitespace()).collect();
    match words.as_slice() {
        ["flush", ..] => Some("removes firewall rules".into()),
        ["delete" | "destroy", "table" | "chain" | "rule", ..] => {
            Some("deletes part of the firewall".into())
        }
        _ => None,
    }
}

/// `systemctl stop firewalld`, `systemctl disable --now auditd`, `service
/// ufw stop`.
fn stops_defence(p: &str, ops: &[&str]) -> Option<String> {
    let stopping = |verb: &str| matches!(verb, "stop" | "disable" | "mask" | "kill");
    let unit = crate::security_services::defence_service;
    let hit = match p {
        "service" => ops.len() >= 2 && unit(ops[0]) && stopping(ops[1]),
        _ => ops
            .split_first()
            .is_some_and(|(verb, units)| stopping(verb) && units.iter().any(|u| unit(u))),
    };
    hit.then(|| "stops a service that enforces or records security".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::shell::parse;

    /// What the line's commands switch off (a line typed into PowerShell
    /// is the nested command of the `pwsh` that runs it).
    fn off(line: &str) -> Option<String> {
        parse(line).commands.iter().find_map(switches_off)
    }

    #[test]
    fn firewall_changes_that_open_it() {
        for line in [
            "iptables -F",
            "iptables -t nat --flush",
            "ip6tables -X",
            "iptables -P INPUT ACCEPT",
            "iptables -D INPUT 3",
            "nft flush ruleset",
            "nft 'delete table inet filter'",
            "ufw disable",
            "ufw --force reset",
            "ufw default allow incoming",
            "firewall-cmd --set-default-zone=trusted",
        ] {
            assert!(off(line).is_some(), "{line}");
        }
        for line in [
            "iptables -L -n",
            "iptables -P INPUT DROP",
            "iptables -A INPUT -p tcp --dport 22 -j DROP",
            "nft list ruleset",
            "ufw status verbose",
            "ufw allow 8080/tcp",
            "firewall-cmd --list-all",
        ] {
            assert!(off(line).is_none(), "{line}");
        }
    }

    #[test]
    fn access_control_and_audit_switched_off() {
        for line in [
            "setenforce 0",
            "setenforce Permissive",
            "aa-teardown",
            "apparmor_parser -R /etc/apparmor.d/usr.bin.x",
            "auditctl -D",
            "auditctl -e 0",
            "journalctl --vacuum-time=1s",
            "systemctl stop firewalld",
            "systemctl disable --now auditd.service",
            "service ufw stop",
        ] {
            assert!(off(line).is_some(), "{line}");
        }
        for line in [
            "setenforce 1",
            "getenforce",
            "auditctl -l",
            "journalctl -u nginx --since today",
            "systemctl status firewalld",
            "systemctl restart nginx",
            "service ufw status",
        ] {
            assert!(off(line).is_none(), "{line}");
        }
    }
}

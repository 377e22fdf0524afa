//! Core checks on the machine itself: disks (formatting, partitioning),
//! power, its network taken down, signalling every process, services and
//! scheduled jobs, and connections to other hosts.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::loc::{Loc, device, resolve};
use crate::programs::Shown;

/// `ip link set IF down`, `ip addr flush`, `ip route flush`/`del
/// default`, `ifconfig IF down`, `ifdown`, `nmcli networking off`, `nmcli
/// device disconnect`, `nmcli connection down`, `route del default`.
fn cuts_network(c: &Command) -> bool {
    let w: Vec<&str> = c
        .args()
        .iter()
        .map(|a| a.text.as_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    // `ip`'s objects and commands may be abbreviated (`ip l s eth0 down`).
    let is = |word: Option<&&str>, full: &str| word.is_some_and(|x| full.starts_with(*x));
    match c.program.as_str() {
        "ip" => {
            (is(w.first(), "link") && is(w.get(1), "set") && w.contains(&"down"))
                || (is(w.first(), "address") || is(w.first(), "route"))
                    && (is(w.get(1), "flush") || is(w.get(1), "delete") && w.contains(&"default"))
        }
        "ifconfig" => w.contains(&"down"),
        "ifdown" => true,
        "nmcli" => matches!(
            w.as_slice(),
            ["networking" | "n", "off", ..]
                | ["device" | "dev" | "d", "disconnect" | "down", ..]
                | ["connection" | "con" | "c", "down", ..]
        ),
        "route" => matches!(w.as_slice(), ["del" | "delete", "default", ..]),
        _ => false,
    }
}

impl Checker<'_> {
    /// The core checks on the machine itself of one command.
    pub(crate) fn check_system(&mut self, c: &Command, cwd: &Loc, shown: &Shown) {
        let p = c.program.as_str();
        match p {
            // Whole disks erased by their firmware: `hdparm
            // --security-erase`, `nvme format`/`sanitize`; macOS's
            // `diskutil eraseDisk`.
            "hdparm"
                if c.args()
                    .iter()
                    .any(|a| a.text.starts_with("--security-erase")) =>
            {
                self.deny("shell.disk", format!("`{shown}` would erase a whole disk"))
            }
            "nvme"
                if matches!(
                    c.operands().next().map(|w| w.text.as_str()),
                    Some("format" | "sanitize")
                ) =>
            {
                self.deny("shell.disk", format!("`{shown}` would erase a whole disk"))
            }
            "diskutil"
                if c.operands().next().is_some_and(|w| {
                    let v = w.text.to_ascii_lowercase();
                    v.starts_with("erase")
                        || matches!(
                            v.as_str(),
                            "secureerase"
                                | "zerodisk"
                                | "randomdisk"
                                | "partitiondisk"
                                | "reformat"
                        )
                }) =>
            {
                self.deny(
                    "shell.disk",
                    format!("`{shown}` would erase a disk or volume"),
                )
            }
            "wipefs" | "blkdiscard" if !(c.has_flag('n') || c.has_long("no-act")) => {
                self.deny(
                    "shell.disk",
                    format!("`{shown}` would erase a disk or its filesystem signatures"),
                );
            }
            "fdisk" | "sfdisk" | "cfdisk" | "parted" | "sgdisk" | "gdisk" => {
                let listing = c.has_flag('l')
                    || c.has_long("list")
                    || c.args().iter().any(|a| a.text == "print");
                if !listing {
                    self.escalate(
                        "shell.disk",
                        0.8,
                        Some(p),
                        format!("`{shown}` changes a disk's partition table"),
                    );
                }
            }
            "lvremove" | "vgremove" | "pvremove" | "lvreduce"
                if !(c.has_flag('t') || c.has_long("test")) =>
            {
                self.escalate(
                    "shell.disk",
                    0.8,
                    Some(p),
                    format!("`{shown}` removes or shrinks a logical volume, volume group or physical volume, and the data on it"),
                );
            }
            "cryptsetup"
                if c.operands().next().is_some_and(|w| {
                    matches!(
                        w.text.as_str(),
                        "luksFormat" | "luksErase" | "erase" | "format" | "luksKillSlot"
                    )
                }) =>
            {
                self.escalate(
                    "shell.disk",
                    0.9,
                    Some(p),
                    format!("`{shown}` formats an encrypted device or destroys its keys; without them its data is lost"),
                );
            }
            "mdadm" if c.has_long("zero-superblock") => self.escalate(
                "shell.disk",
                0.8,
                Some(p),
                format!("`{shown}` erases a RAID member's superblock"),
            ),
            _ if p.starts_with("mkfs")
                || matches!(p, "mke2fs" | "mkswap" | "mkdosfs" | "mkntfs") =>
            {
                let dev = c.operands().find_map(|w| match resolve(w, cwd) {
                    Loc::Abs(v) if device(&v) => Some(Loc::Abs(v).display()),
                    _ => None,
                });
                match dev {
                    Some(d) => self.deny(
                        "shell.disk",
                        format!("`{shown}` would format the device {d}"),
                    ),
                    None => self.escalate(
                        "shell.disk",
                        0.7,
                        Some(p),
                        format!("`{shown}` creates a filesystem"),
                    ),
                }
            }
            "shutdown" | "reboot" | "halt" | "poweroff"
                if !(p == "shutdown" && c.has_flag('c')) =>
            {
                self.deny(
                    "shell.power",
                    format!("`{shown}` would shut down or reboot the machine"),
                );
            }
            "init" | "telinit" if c.operands().any(|w| matches!(w.text.as_str(), "0" | "6")) => {
                self.deny(
                    "shell.power",
                    format!("`{shown}` would shut down or reboot the machine"),
                );
            }
            "init" | "telinit"
                if c.operands().any(|w| matches!(w.text.as_str(), "1" | "s" | "S")) =>
            {
                self.deny(
                    "shell.power",
                    format!("`{shown}` would switch the machine to single-user mode, stopping every service and session"),
                );
            }
            "kill" => {
                self.check_kill(c, shown);
                self.check_service_kill(c, shown);
            }
            "ip" | "ifconfig" | "ifdown" | "nmcli" | "route" if cuts_network(c) => self.escalate(
                "shell.network-down",
                0.7,
                Some(p),
                format!("`{shown}` takes a network interface down or drops its addresses or routes: the machine, and whoever reaches it through that interface (a remote session, the gate on loopback), cut off"),
            ),
            "pkill" | "killall" => self.check_service_kill(c, shown),
            "killall5" => self.deny(
                "shell.kill-all",
                format!("`{shown}` would signal every process"),
            ),
            "ssh" | "scp" | "sftp" | "mosh" | "telnet" | "sshpass" if connects(c) => {
                self.escalate(
                    "shell.remote-access",
                    0.6,
                    Some(p),
                    format!("`{shown}` connects to another host"),
                );
            }
            "nc" | "ncat" | "netcat" | "socat" => self.escalate(
                "shell.remote-access",
                0.6,
                Some(p),
                format!("`{shown}` opens a raw network connection or listener"),
            ),
            "crontab" => {
                let list_only = c.args().iter().all(|a| a.text == "-l" || a.text == "-u")
                    || (c.has_flag('l') && c.operands().count() <= 1);
                if !list_only {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes scheduled jobs"),
                    );
                }
            }
            "at" | "batch" | "update-rc.d" | "chkconfig" | "rc-update"
                if !lists_or_removes_jobs(c) =>
            {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!("`{shown}` schedules or registers jobs that outlive the session"),
                );
            }
            "systemctl" | "service" | "launchctl" | "loginctl" | "defaults" | "osascript" => {
                self.check_services(c, shown)
            }
            _ => {
                if let Some(what) = crate::windows::persists(c) {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` {what}"),
                    );
                }
            }
        }
    }

    pub(crate) fn check_kill(&mut self, c: &Command, shown: &Shown) {
        let args = c.args();
        let mut signal = false;
        let mut after = false;
        let mut k = 0;
        while k < args.len() {
            let a = args[k].text.as_str();
            k += 1;
            if !after {
                if a == "--" {
                    after = true;
                    continue;
                }
                if a == "-l" || a == "-L" || a == "--list" || a == "--table" {
                    return;
                }
                if a == "-s" || a == "-n" || a == "--signal" {
                    k += 1;
                    signal = true;
                    continue;
                }
                if a.starts_with('-') && !signal && a.len() > 1 {
                    signal = true;
                    continue;
                }
            }
            match a {
                "-1" => {
                    self.deny(
                        "shell.kill-all",
                        format!("`{shown}` would signal every process it is allowed to"),
                    );
                }
                "1" => self.deny(
                    "shell.kill-all",
                    format!("`{shown}` would signal init (PID 1)"),
                ),
                _ => {}
            }
        }
    }

    /// `pkill postgres`, `killall -9 mysqld`, `kill $(pgrep redis-server)`:
    /// a server's processes killed by name stop it as `systemctl stop`
    /// would, without letting it shut down cleanly.
    fn check_service_kill(&mut self, c: &Command, shown: &Shown) {
        const VALUED: &[&str] = &[
            "-s",
            "--signal",
            "-u",
            "--euid",
            "-U",
            "--uid",
            "-g",
            "--pgroup",
            "-G",
            "--group",
            "-P",
            "--parent",
            "-t",
            "--terminal",
            "-n",
            "--ns",
            "-F",
            "--pidfile",
            "-o",
            "-y",
            "--older-than",
            "--younger-than",
        ];
        let args = c.args();
        let mut named: Vec<String> = Vec::new();
        let mut k = 0;
        while k < args.len() {
            let t = args[k].text.as_str();
            k += 1;
            if VALUED.contains(&t) {
                k += 1;
            } else if let Some(inner) = t
                .strip_prefix("$(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| t.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
            {
                // `kill $(pgrep -f postgres)`, `kill $(pidof mysqld)`.
                let mut words = inner.split_whitespace();
                if matches!(words.next(), Some("pgrep" | "pidof")) {
                    named.extend(words.filter(|w| !w.starts_with('-')).map(String::from));
                }
            } else if c.program != "kill" && !t.starts_with('-') {
                named.push(t.to_string());
            }
        }
        let server = named.iter().find_map(|n| {
            n.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' || ch == '.'))
                .find(|w| SERVERS.contains(w))
        });
        if let Some(name) = server {
            self.escalate(
                "shell.persistence",
                0.7,
                Some(c.program.as_str()),
                format!("`{shown}` kills the {name} server, as stopping its service would, without a clean shutdown"),
            );
        }
    }

    /// Service managers' and macOS's login settings' changes that outlive
    /// the session.
    pub(crate) fn check_services(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
        let sub = ops.first().copied().unwrap_or("");
        match p {
            "systemctl" | "loginctl" => {
                if matches!(
                    sub,
                    "poweroff"
                        | "reboot"
                        | "halt"
                        | "kexec"
                        | "soft-reboot"
                        | "suspend"
                        | "hibernate"
                        | "hybrid-sleep"
                        | "emergency"
                        | "rescue"
                ) {
                    self.deny(
                        "shell.power",
                        format!("`{shown}` would shut down, suspend or reboot the machine"),
                    );
                    return;
                }
                let read_only = sub.is_empty()
                    || sub.starts_with("list-")
                    || sub.starts_with("is-")
                    || matches!(
                        sub,
                        "status"
                            | "show"
                            | "cat"
                            | "help"
                            | "get-default"
                            | "show-environment"
                            | "show-session"
                            | "show-user"
                    );
                // The user's own services (`systemctl --user restart
                // app-dev`): running them is the session's business; what
                // outlives it (enable, link, edit) is not.
                let users_own = c.has_long("user")
                    && matches!(
                        sub,
                        "start"
                            | "stop"
                            | "restart"
                            | "reload"
                            | "try-restart"
                            | "reload-or-restart"
                            | "daemon-reload"
                            | "reset-failed"
                    );
                if !read_only && !users_own && p == "systemctl" {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes system services"),
                    );
                }
            }
            "service" if ops.len() >= 2 && ops[1] != "status" => {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!("`{shown}` changes system services"),
                );
            }
            "launchctl" => {
                if matches!(
                    sub,
                    "load"
                        | "unload"
                        | "bootstrap"
                        | "bootout"
                        | "enable"
                        | "disable"
                        | "submit"
                        | "remove"
                        | "kickstart"
                ) {
                    self.escalate(
                        "shell.persistence",
                        0.6,
                        Some(p),
                        format!("`{shown}` changes launchd jobs"),
                    );
                }
            }
            // macOS's login hooks and login items: what it runs or opens at
            // every login.
            "defaults"
                if sub == "write"
                    && c.args().iter().any(|w| {
                        let t = w.text.to_ascii_lowercase();
                        t == "loginhook" || t == "logouthook"
                    }) =>
            {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!("`{shown}` sets a login hook, a script macOS runs at every login"),
                );
            }
            "osascript"
                if c.args()
                    .iter()
                    .any(|w| w.text.to_ascii_lowercase().contains("login item")) =>
            {
                self.escalate(
                    "shell.persistence",
                    0.6,
                    Some(p),
                    format!(
                        "`{shown}` changes the login items, programs macOS opens at every login"
                    ),
                );
            }
            _ => {}
        }
    }
}

/// Whether a job scheduler's or init registry's command only shows or
/// removes what is registered, registering nothing that outlives the
/// session: `at -l` (as `atq`), `at -c N` (a job's script), `at -r N`/`-d N`
/// (as `atrm`), `chkconfig --list` or `chkconfig NAME`, `rc-update show`
/// (or no arguments).
fn lists_or_removes_jobs(c: &Command) -> bool {
    let args = c.args();
    match c.program.as_str() {
        "at" => args
            .first()
            .is_some_and(|w| matches!(w.text.as_str(), "-l" | "-c" | "-r" | "-d")),
        // `chkconfig NAME` answers whether it is on.
        "chkconfig" => {
            args.first().is_some_and(|w| w.text == "--list")
                || args.len() == 1 && !args[0].text.starts_with('-')
        }
        "rc-update" => {
            args.is_empty()
                || args
                    .iter()
                    .all(|w| matches!(w.text.as_str(), "show" | "-v" | "--verbose"))
        }
        _ => false,
    }
}

/// Whether a remote-login or copy client connects anywhere: not when it only
/// prints its version or usage (`ssh -V`, `ssh --help`, no host), and `scp`
/// only when an operand is remote (`host:path`, `scp://…`): `scp a.txt
/// /tmp/` copies on this machine.
fn connects(c: &Command) -> bool {
    let args = c.args();
    if args
        .iter()
        .any(|a| matches!(a.text.as_str(), "-V" | "-h" | "--help" | "--version"))
    {
        return false;
    }
    let mut ops = c.operands();
    if c.program == "scp" {
        ops.any(|w| {
            let t = w.text.as_str();
            t.starts_with("scp://")
                || (!t.starts_with(['/', '.', '~'])
                    && t.split('/').next().is_some_and(|head| head.contains(':')))
                || w.is_dynamic()
        })
    } else {
        ops.next().is_some() || c.program == "sshpass"
    }
}

/// Processes of the servers a machine runs for others: databases, queues,
/// web servers, container and cluster daemons, remote access.
const SERVERS: &[&str] = &[
    "postgres",
    "postmaster",
    "mysqld",
    "mariadbd",
    "mongod",
    "mongos",
    "redis-server",
    "valkey-server",
    "memcached",
    "cassandra",
    "clickhouse-server",
    "etcd",
    "nginx",
    "httpd",
    "apache2",
    "haproxy",
    "caddy",
    "traefik",
    "envoy",
    "php-fpm",
    "sshd",
    "dockerd",
    "containerd",
    "kubelet",
    "kube-apiserver",
    "rabbitmq-server",
    "beam.smp",
    "consul",
    "vault",
    "nomad",
    "elasticsearch",
    "opensearch",
    "zookeeper",
    "kafka",
    "named",
    "crond",
    "cron",
    "rsyslogd",
    "systemd-journald",
];

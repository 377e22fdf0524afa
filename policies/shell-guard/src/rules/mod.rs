//! The rule catalogue: the core rules (always on) and the packs, each a
//! domain of destructive commands with its own rules, every one with a stable
//! id, a verdict and risk by severity, and the safer alternative its reasons
//! offer.
//!
//! The catalogue is data only and depends on no other module: each pack's
//! rules are declared in a module of their own here (`rules::git`, …) and
//! reported by that pack's checks (`packs/*`), so that settings validation,
//! `info()` and the checks all read one list.

use clawlaw_sdk::Verdict;

pub(crate) mod cloud;
pub(crate) mod containers;
pub(crate) mod database;
pub(crate) mod filesystem;
pub(crate) mod git;
pub(crate) mod hosting;
pub(crate) mod iac;
pub(crate) mod kubernetes;
pub(crate) mod services;

/// A domain of destructive commands whose rules can be switched off together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pack {
    Git,
    Filesystem,
    Database,
    Containers,
    Kubernetes,
    Cloud,
    Iac,
    Hosting,
    Services,
}

impl Pack {
    /// Every pack.
    pub const ALL: [Pack; 9] = [
        Pack::Git,
        Pack::Filesystem,
        Pack::Database,
        Pack::Containers,
        Pack::Kubernetes,
        Pack::Cloud,
        Pack::Iac,
        Pack::Hosting,
        Pack::Services,
    ];

    /// The name settings use.
    pub fn name(self) -> &'static str {
        match self {
            Pack::Git => "git",
            Pack::Filesystem => "filesystem",
            Pack::Database => "database",
            Pack::Containers => "containers",
            Pack::Kubernetes => "kubernetes",
            Pack::Cloud => "cloud",
            Pack::Iac => "iac",
            Pack::Hosting => "hosting",
            Pack::Services => "services",
        }
    }

    /// The pack of that name.
    pub fn from_name(name: &str) -> Option<Pack> {
        Pack::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The pack's rules.
    pub fn rules(self) -> &'static [&'static PackRule] {
        match self {
            Pack::Git => git::RULES,
            Pack::Filesystem => filesystem::RULES,
            Pack::Database => database::RULES,
            Pack::Containers => containers::RULES,
            Pack::Kubernetes => kubernetes::RULES,
            Pack::Cloud => cloud::RULES,
            Pack::Iac => iac::RULES,
            Pack::Hosting => hosting::RULES,
            Pack::Services => services::RULES,
        }
    }
}

/// One rule of a pack.
#[derive(Debug)]
pub struct PackRule {
    /// Stable id, `<pack>.<what>` (`git.reset-hard`).
    pub id: &'static str,
    pub pack: Pack,
    /// DENY for what cannot be undone and has no routine use by an agent;
    /// ESCALATE otherwise.
    pub verdict: Verdict,
    /// The risk reported with an escalation.
    pub risk: f32,
    /// What the rule catches, for `info()`.
    pub summary: &'static str,
    /// The safer alternative offered in every reason.
    pub instead: &'static str,
}

/// Whether `id` is a built-in rule's id.
pub fn is_builtin(id: &str) -> bool {
    all().any(|(rule, _)| rule == id)
}

/// Every rule, core first, then each pack's: id and summary.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    CORE.iter()
        .copied()
        .chain(
            Pack::ALL
                .into_iter()
                .flat_map(|p| p.rules().iter().map(|r| (r.id, r.summary))),
        )
        .chain([(
            CUSTOM_FAMILY,
            "Rules the settings add (`rules`), each with its own id under `custom.`",
        )])
}

/// The family of rule ids the settings define (`custom.no-prod-db`): the
/// contract lets a policy declare it once.
pub const CUSTOM_FAMILY: &str = "custom.*";

/// The core rules: id and summary. Their ids predate the packs and stay
/// stable; `shell.destructive`, `shell.system-write`, `shell.disk`,
/// `shell.force-push`, `shell.container` and `shell.infrastructure` are
/// reported by the filesystem, git, containers and kubernetes/iac code but
/// cannot be switched off with their pack.
pub const CORE: &[(&str, &str)] = &[
    (
        "shell.destructive",
        "Deny recursive deletion, moving away or recursive permission changes of the root, top-level, home or system directories, protected paths or parents of the working directory; escalate deleting the whole working directory, .git, a path only known at run time, or a credential file outside the working directory",
    ),
    (
        "shell.disk",
        "Deny formatting, wiping or writing raw block devices (mkfs, wipefs, dd of=/dev/sda, > /dev/nvme0n1); escalate partitioning tools, mkfs on files, removing logical volumes (lvremove, vgremove) and destroying encryption keys (cryptsetup luksFormat, luksErase), changing Windows' boot configuration (bcdedit) and overwriting a volume's free space (cipher /w)",
    ),
    (
        "shell.system-write",
        "Deny writing, deleting or changing permissions of system files (/etc, /boot, /usr, /bin, /sbin, /lib, /sys, /proc) or protected paths",
    ),
    (
        "shell.fork-bomb",
        "Deny functions that start copies of themselves in a pipeline or the background, endless loops that start a command in the background at every turn without waiting (while true; do sleep 1 & done), and inline code that forks in an endless loop (perl -e 'fork while 1')",
    ),
    (
        "shell.disk-fill",
        "Escalate writing an endless stream to a file with nothing to bound it (dd if=/dev/zero of=f without count=, cat /dev/urandom > f, yes > f): the disk fills, and with it every service's logs and data",
    ),
    (
        "shell.cryptominer",
        "Escalate starting a cryptocurrency miner: a program told to work for a mining pool (stratum+tcp://, stratum+ssl://), or a miner by name (xmrig, cpuminer, ethminer, …), run directly or as a container image",
    ),
    (
        "shell.remote-exec",
        "Deny running downloaded data as code: curl | sh, bash <(curl ...), sh -c \"$(wget ...)\", download then run; escalate a script run after git clone or an extracted download in the same line",
    ),
    (
        "shell.reverse-shell",
        "Deny shells whose commands come from a network connection: nc -e /bin/sh, socat EXEC:bash TCP:…, nc h p | sh, bash -i >& /dev/tcp/h/p, inline code that connects a socket and spawns a shell",
    ),
    (
        "shell.defenses",
        "Escalate switching off the machine's defences or erasing its records: firewall flushes and disables (iptables -F, -P … ACCEPT, nft flush, ufw disable), SELinux/AppArmor off, audit rules deleted, security services stopped, system logs truncated, overwritten or deleted, the journal vacuumed, the shell's history switched off or cleared (HISTFILE=/dev/null, unset HISTFILE, HISTSIZE=0, set +o history, history -c), a file's immutable or append-only attribute taken off (chattr -i, chattr -a), TLS certificate verification switched off for later fetches (git http.sslVerify, npm strict-ssl, NODE_TLS_REJECT_UNAUTHORIZED=0), a certificate authority added to a trust store (update-ca-certificates, security add-trusted-cert, certutil -addstore Root, mkcert -install); on Windows Defender or the firewall switched off, the execution policy opened",
    ),
    (
        "shell.obfuscated-exec",
        "Deny running decoded data as code (base64 -d | sh, xxd -r, gunzip; inline code's exec(b64decode(…)), eval(atob(…)))",
    ),
    (
        "shell.power",
        "Deny shutting down, halting or rebooting the machine",
    ),
    (
        "shell.network-down",
        "Escalate taking a network interface down or dropping its addresses or routes (ip link set … down, ip route del default, ifconfig … down, nmcli networking off): the machine cut off",
    ),
    (
        "shell.kill-all",
        "Deny signalling every process (kill -9 -1) or init",
    ),
    (
        "shell.unparseable",
        "Escalate (or deny, by setting) command lines that cannot be parsed in full: unclosed quotes or substitutions, too deep, too large",
    ),
    (
        "shell.dynamic-program",
        "Escalate commands whose program name is only known at run time ($(echo rm), $CMD)",
    ),
    (
        "shell.privileged",
        "Escalate commands run with elevated privileges or as another user (sudo, doas, su, pkexec), account changes, kernel module loading and entering another process's namespaces (insmod, modprobe, nsenter)",
    ),
    (
        "shell.force-push",
        "Escalate git pushes that rewrite or delete remote history (--force, --force-with-lease, +refspec, --delete)",
    ),
    (
        "shell.package-install",
        "Escalate installing software: system package managers, global installs, named packages from registries, packages fetched and run at once (npx -y, pnpm dlx, uvx), and changes to where packages come from (registries, indexes, proxies)",
    ),
    (
        "shell.permissions",
        "Escalate making files world-writable or setuid/setgid (chmod 777, o+w, u+s), or a private credential readable by other users (chmod 644 ~/.ssh/id_rsa), by mode or ACL (setfacl -m u:nobody:r)",
    ),
    (
        "shell.remote-access",
        "Escalate connections to other hosts (ssh, scp, sftp, rsync host:, nc, socat, telnet)",
    ),
    (
        "shell.persistence",
        "Escalate changes that outlive the session: crontab, systemctl/service changes, launchctl, at, systemd-run timers, shell start-up files, SSH authorized keys, a program named like a system command put on the PATH, a git credential helper of the agent's making, a package manager's script shell or a module preloaded into every Node process it starts",
    ),
    (
        "shell.container",
        "Escalate containers and pods that can reach the host (--privileged, host namespaces, mounting / or the Docker socket; kubectl run --privileged or with such an inline spec, kubectl debug node/…)",
    ),
    (
        "shell.infrastructure",
        "Escalate destructive cluster and infrastructure operations (kubectl delete, kubectl scale --replicas=0 or a patch to zero replicas, kubectl replace --force, manifests applied from a URL, helm uninstall, terraform destroy/apply)",
    ),
    ("shell.denied-program", "Deny programs the settings deny"),
    (
        "shell.escalated-program",
        "Escalate programs the settings escalate",
    ),
];

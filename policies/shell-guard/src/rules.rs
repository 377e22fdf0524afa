//! The rule catalogue: the core rules (always on) and the packs, each a
//! domain of destructive commands with its own rules, every one with a stable
//! id, a verdict and risk by severity, and the safer alternative its reasons
//! offer.

use clawlaw_sdk::Verdict;

use crate::packs;

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
}

impl Pack {
    /// Every pack.
    pub const ALL: [Pack; 8] = [
        Pack::Git,
        Pack::Filesystem,
        Pack::Database,
        Pack::Containers,
        Pack::Kubernetes,
        Pack::Cloud,
        Pack::Iac,
        Pack::Hosting,
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
        }
    }

    /// The pack of that name.
    pub fn from_name(name: &str) -> Option<Pack> {
        Pack::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The pack's rules.
    pub fn rules(self) -> &'static [&'static PackRule] {
        match self {
            Pack::Git => packs::git::RULES,
            Pack::Filesystem => packs::filesystem::RULES,
            Pack::Database => packs::database::RULES,
            Pack::Containers => packs::containers::RULES,
            Pack::Kubernetes => packs::kubernetes::RULES,
            Pack::Cloud => packs::cloud::RULES,
            Pack::Iac => packs::iac::RULES,
            Pack::Hosting => packs::hosting::RULES,
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
        "Deny recursive deletion, moving away or recursive permission changes of the root, top-level, home or system directories, protected paths or parents of the working directory; escalate deleting the whole working directory, .git, or a path only known at run time",
    ),
    (
        "shell.disk",
        "Deny formatting, wiping or writing raw block devices (mkfs, wipefs, dd of=/dev/sda, > /dev/nvme0n1); escalate partitioning tools and mkfs on files",
    ),
    (
        "shell.system-write",
        "Deny writing, deleting or changing permissions of system files (/etc, /boot, /usr, /bin, /sbin, /lib, /sys, /proc) or protected paths",
    ),
    (
        "shell.fork-bomb",
        "Deny functions that start copies of themselves in a pipeline or the background",
    ),
    (
        "shell.remote-exec",
        "Deny running downloaded data as code: curl | sh, bash <(curl ...), sh -c \"$(wget ...)\", download then run",
    ),
    (
        "shell.obfuscated-exec",
        "Deny running decoded data as code (base64 -d | sh, xxd -r, gunzip)",
    ),
    (
        "shell.power",
        "Deny shutting down, halting or rebooting the machine",
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
        "Escalate commands run with elevated privileges or as another user (sudo, doas, su, pkexec) and account changes",
    ),
    (
        "shell.force-push",
        "Escalate git pushes that rewrite or delete remote history (--force, --force-with-lease, +refspec, --delete)",
    ),
    (
        "shell.package-install",
        "Escalate installing software: system package managers, global installs, named packages from registries",
    ),
    (
        "shell.permissions",
        "Escalate making files world-writable or setuid/setgid (chmod 777, o+w, u+s)",
    ),
    (
        "shell.remote-access",
        "Escalate connections to other hosts (ssh, scp, sftp, rsync host:, nc, socat, telnet)",
    ),
    (
        "shell.persistence",
        "Escalate changes that outlive the session: crontab, systemctl/service changes, launchctl, at, shell start-up files, SSH authorized keys",
    ),
    (
        "shell.container",
        "Escalate containers that can reach the host (--privileged, host namespaces, mounting / or the Docker socket)",
    ),
    (
        "shell.infrastructure",
        "Escalate destructive cluster and infrastructure operations (kubectl delete, helm uninstall, terraform destroy/apply)",
    ),
    ("shell.denied-program", "Deny programs the settings deny"),
    (
        "shell.escalated-program",
        "Escalate programs the settings escalate",
    ),
];

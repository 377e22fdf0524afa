//! Core check: installing software (system package managers, global installs,
//! named packages from registries).

use clawlaw_sdk::shell::{Command, Word};

use crate::checker::Checker;
use crate::programs::*;

impl Checker<'_> {
    pub(crate) fn check_install(&mut self, c: &Command, shown: &str) {
        let p = c.program.as_str();
        if matches!(p, "pacman" | "yay" | "paru") {
            self.check_pacman(c, shown);
            return;
        }
        if matches!(p, "dpkg" | "rpm") {
            let install = c.has_flag('i')
                || c.has_flag('U')
                || c.has_flag('e')
                || c.has_flag('r')
                || c.has_flag('P')
                || ["install", "upgrade", "erase", "remove", "purge"]
                    .iter()
                    .any(|l| c.has_long(l));
            if install {
                self.escalate(
                    "shell.package-install",
                    0.6,
                    Some(p),
                    format!("`{shown}` changes the system's installed packages"),
                );
            }
            return;
        }
        let Some((k, sub)) = subcommand(c).map(|(k, s)| (k, s.to_string())) else {
            return;
        };
        let rest = &c.argv[k + 1..];
        let system = || format!("`{shown}` changes the system's installed packages");
        match p {
            "apt" | "apt-get" | "aptitude" | "yum" | "dnf" | "microdnf" | "zypper" | "apk"
            | "snap" | "flatpak" | "port" | "pkg" | "emerge" | "xbps-install" => {
                let changes = matches!(
                    sub.as_str(),
                    "install"
                        | "reinstall"
                        | "remove"
                        | "purge"
                        | "erase"
                        | "upgrade"
                        | "dist-upgrade"
                        | "full-upgrade"
                        | "autoremove"
                        | "add"
                        | "del"
                        | "downgrade"
                        | "localinstall"
                        | "groupinstall"
                        | "in"
                        | "rm"
                        | "up"
                        | "dup"
                        | "build-dep"
                ) || (sub == "update"
                    && !matches!(p, "apt" | "apt-get" | "aptitude" | "apk" | "pkg"));
                if changes || p == "emerge" || p == "xbps-install" {
                    let subject = format!("{p} {sub}");
                    self.escalate("shell.package-install", 0.6, Some(&subject), system());
                }
            }
            "brew" => {
                if matches!(
                    sub.as_str(),
                    "install"
                        | "reinstall"
                        | "upgrade"
                        | "uninstall"
                        | "remove"
                        | "rm"
                        | "tap"
                        | "link"
                ) {
                    let subject = format!("brew {sub}");
                    self.escalate("shell.package-install", 0.6, Some(&subject), system());
                }
            }
            "cargo" | "go" | "gem" | "pipx" | "nix-env" => {
                let global = match p {
                    "cargo" | "go" => sub == "install",
                    "gem" => matches!(sub.as_str(), "install" | "update"),
                    "pipx" => matches!(sub.as_str(), "install" | "inject" | "upgrade" | "run"),
                    _ => sub == "install" || c.has_flag('i'),
                };
                if global {
                    let subject = format!("{p} {sub}");
                    self.escalate(
                        "shell.package-install",
                        0.6,
                        Some(&subject),
                        format!("`{shown}` installs software for the whole user or system"),
                    );
                }
            }
            "npm" | "pnpm" | "yarn" | "bun" => self.check_js_install(c, &sub, rest, shown),
            _ if versioned(p, "pip") && sub == "install" => {
                self.check_pip(p, "install", rest, shown)
            }
            _ if versioned(p, "python") || versioned(p, "pypy") => {
                let args = c.args();
                if let Some(m) = args.iter().position(|a| a.text == "-m")
                    && args.get(m + 1).is_some_and(|a| versioned(&a.text, "pip"))
                    && args.get(m + 2).is_some_and(|a| a.text == "install")
                {
                    self.check_pip("pip", "install", &args[m + 3..], shown);
                }
            }
            "uv" => {
                if sub == "pip" && rest.first().is_some_and(|a| a.text == "install") {
                    self.check_pip("uv pip", "install", &rest[1..], shown);
                } else if sub == "add" {
                    self.check_pip("uv", "add", rest, shown);
                } else if sub == "tool" && rest.first().is_some_and(|a| a.text == "install") {
                    self.escalate(
                        "shell.package-install",
                        0.6,
                        Some("uv tool"),
                        format!("`{shown}` installs software for the whole user"),
                    );
                }
            }
            "poetry" | "pipenv" | "conda" | "mamba" | "micromamba" => {
                if matches!(sub.as_str(), "add" | "install") {
                    self.check_pip(p, &sub, rest, shown);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn check_pacman(&mut self, c: &Command, shown: &str) {
        let changes = c.args().iter().any(|a| {
            let t = a.text.as_str();
            (t.starts_with("-S") && !t[2..].contains(['s', 'i', 'l', 'g', 'p', 'c']))
                || t.starts_with("-R")
                || t.starts_with("-U")
                || t == "--sync" && !c.has_flag('s')
                || t == "--remove"
                || t == "--upgrade"
        });
        if changes {
            self.escalate(
                "shell.package-install",
                0.6,
                Some(&c.program),
                format!("`{shown}` changes the system's installed packages"),
            );
        }
    }

    pub(crate) fn check_js_install(&mut self, c: &Command, sub: &str, rest: &[Word], shown: &str) {
        let p = c.program.as_str();
        let (global_sub, rest) = if p == "yarn" && sub == "global" {
            (true, rest.get(1..).unwrap_or(&[]))
        } else {
            (false, rest)
        };
        let installs = matches!(
            sub,
            "install" | "i" | "add" | "in" | "ins" | "isntall" | "global"
        ) || (p == "npm" && sub.starts_with("inst"));
        if !installs {
            return;
        }
        let global = global_sub
            || c.has_flag('g')
            || c.has_long("global")
            || c.args().iter().any(|a| a.text == "--location=global");
        let mut named = Vec::new();
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if matches!(
                t,
                "-w" | "--workspace" | "--prefix" | "--registry" | "--tag" | "--cache"
            ) {
                j += 1;
                continue;
            }
            if t.starts_with('-') {
                continue;
            }
            let local = t.starts_with('.')
                || t.starts_with('/')
                || t.starts_with('~')
                || t.starts_with("file:")
                || t.starts_with("link:");
            if !local {
                named.push(t.to_string());
            }
        }
        let subject = format!("{p} {sub}");
        if global {
            self.escalate(
                "shell.package-install",
                0.6,
                Some(&subject),
                format!("`{shown}` installs packages globally"),
            );
        } else if !named.is_empty() {
            self.escalate(
                "shell.package-install",
                0.5,
                Some(&subject),
                format!(
                    "`{shown}` installs {} from a registry, running its install scripts",
                    named.join(", ")
                ),
            );
        }
    }

    pub(crate) fn check_pip(&mut self, p: &str, sub: &str, rest: &[Word], shown: &str) {
        const VALUED: &[&str] = &[
            "-r",
            "-c",
            "-t",
            "-i",
            "-f",
            "--requirement",
            "--constraint",
            "--target",
            "--index-url",
            "--extra-index-url",
            "--find-links",
            "--prefix",
            "--root",
            "--src",
            "--python-version",
            "--platform",
            "--implementation",
            "--abi",
            "--trusted-host",
            "--upgrade-strategy",
            "--progress-bar",
            "--log",
            "--cache-dir",
            "--cert",
            "--client-cert",
            "--proxy",
            "--retries",
            "--timeout",
            "--exists-action",
            "--report",
            "--config-settings",
            "-C",
            "--group",
            "--python",
            "--index",
            "--extra",
            "-p",
            "--optional",
            "--dev-dependency",
        ];
        let mut named = Vec::new();
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if t == "-e" || t == "--editable" {
                if let Some(v) = rest.get(j)
                    && (v.text.contains("://") || v.text.starts_with("git+"))
                {
                    named.push(v.text.clone());
                }
                j += 1;
                continue;
            }
            if VALUED.contains(&t) {
                j += 1;
                continue;
            }
            if t.starts_with('-') {
                continue;
            }
            let local = t.starts_with('.')
                || t.starts_with('/')
                || t.starts_with('~')
                || (t.contains('/') && !t.contains("://"))
                || [".whl", ".tar.gz", ".zip"].iter().any(|e| t.ends_with(e)) && !t.contains("://");
            if !local {
                named.push(t.to_string());
            }
        }
        if !named.is_empty() {
            let subject = format!("{p} {sub}");
            self.escalate(
                "shell.package-install",
                0.5,
                Some(&subject),
                format!(
                    "`{shown}` installs {} from a registry, running its install scripts",
                    truncate(&named.join(", "), 60)
                ),
            );
        }
    }
}

//! Core check: installing software (system package managers, global installs,
//! named packages from registries), running a package fetched on the fly
//! (`npx -y x`, `pnpm dlx x`, `uvx x`, `go run mod@v`), and changing where
//! packages come from (`npm config set registry`, `pip config set
//! global.index-url`, `go env -w GOPROXY`, `git config url.….insteadOf`).

use clawlaw_sdk::shell::{Command, Word};

use crate::checker::Checker;
use crate::programs::*;
use crate::tool_settings::package_manager_setting;

impl Checker<'_> {
    pub(crate) fn check_install(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        self.check_fetched_run(c, shown);
        self.check_package_source(c, shown);
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

    pub(crate) fn check_pacman(&mut self, c: &Command, shown: &Shown) {
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

    pub(crate) fn check_js_install(
        &mut self,
        c: &Command,
        sub: &str,
        rest: &[Word],
        shown: &Shown,
    ) {
        let p = c.program.as_str();
        let (global_sub, rest) = if p == "yarn" && sub == "global" {
            (true, rest.get(1..).unwrap_or(&[]))
        } else {
            (false, rest)
        };
        let installs = matches!(
            sub,
            "install" | "i" | "add" | "in" | "ins" | "isntall" | "global" | "ci"
        ) || (p == "npm" && sub.starts_with("inst"));
        if !installs {
            return;
        }
        let global = global_sub
            || c.has_flag('g')
            || c.has_long("global")
            || c.args().iter().any(|a| a.text == "--location=global");
        let mut named = Vec::new();
        let mut registry = None;
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if let Some(r) = t.strip_prefix("--registry=") {
                registry = Some(r.to_string());
                continue;
            }
            if matches!(
                t,
                "-w" | "--workspace" | "--prefix" | "--registry" | "--tag" | "--cache"
            ) {
                if t == "--registry" {
                    registry = rest.get(j).map(|w| w.text.clone());
                }
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
        } else if let Some(registry) = registry {
            self.other_registry(&subject, shown, &registry);
        }
    }

    /// The project's dependencies installed from a registry or index the
    /// command line chooses (`npm install --registry URL`, `pip install -r
    /// requirements.txt --extra-index-url URL`): any of them may come from
    /// there, install scripts included.
    fn other_registry(&mut self, subject: &str, shown: &Shown, registry: &str) {
        self.escalate(
            "shell.package-install",
            0.5,
            Some(subject),
            format!(
                "`{shown}` installs the project's dependencies from {}, a registry the command line chooses, running their install scripts; configure the registry in the project if it is the right one",
                truncate(registry, 60)
            ),
        );
    }

    pub(crate) fn check_pip(&mut self, p: &str, sub: &str, rest: &[Word], shown: &Shown) {
        /// Options naming the index packages come from.
        const INDEXES: &[&str] = &["-i", "--index-url", "--extra-index-url", "--index"];
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
            // poetry's dependency groups (`poetry install --with dev`).
            "--with",
            "--without",
            "--only",
            "-E",
            "--extras",
        ];
        let mut named = Vec::new();
        let mut index = None;
        let mut j = 0;
        while j < rest.len() {
            let t = rest[j].text.as_str();
            j += 1;
            if let Some((_, v)) = t.split_once('=').filter(|(o, _)| INDEXES.contains(o)) {
                index = Some(v.to_string());
                continue;
            }
            if INDEXES.contains(&t) {
                index = rest.get(j).map(|w| w.text.clone());
                j += 1;
                continue;
            }
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
        let subject = format!("{p} {sub}");
        if !named.is_empty() {
            self.escalate(
                "shell.package-install",
                0.5,
                Some(&subject),
                format!(
                    "`{shown}` installs {} from a registry, running its install scripts",
                    truncate(&named.join(", "), 60)
                ),
            );
        } else if let Some(index) = index {
            self.other_registry(&subject, shown, &index);
        }
    }
}

impl Checker<'_> {
    /// A package fetched from a registry (or a repository) and run at once:
    /// `npx -y x`, `npm exec --yes x`, `pnpm dlx x`, `yarn dlx x`, `bunx x`,
    /// `uvx x`, `uv tool run x`, `go run example.com/m@v`. Its install
    /// scripts and code run unreviewed, as `npm install x` would.
    fn check_fetched_run(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        if !matches!(
            p,
            "npx" | "npm" | "pnpm" | "yarn" | "bunx" | "uvx" | "uv" | "go"
        ) {
            return;
        }
        let args: Vec<&str> = c.args().iter().map(|w| w.text.as_str()).collect();
        let first = args.iter().copied().find(|a| !a.starts_with('-'));
        let yes = args.iter().any(|a| matches!(*a, "-y" | "--yes"));
        let fetched = match p {
            "npx" => yes || args.iter().any(|a| a.starts_with("--package")),
            "npm" => first == Some("exec") && yes,
            "pnpm" | "yarn" => first == Some("dlx"),
            "bunx" | "uvx" => first.is_some(),
            "uv" => args.windows(2).any(|w| w == ["tool", "run"]),
            // `go run ./cmd` builds local code; `go run host/mod@v` fetches.
            "go" => first == Some("run") && args.iter().any(|a| a.contains('@') && a.contains('/')),
            _ => false,
        };
        if fetched {
            self.escalate(
                "shell.package-install",
                0.5,
                Some(p),
                format!("`{shown}` fetches a package and runs it at once, its code and install scripts unreviewed"),
            );
        }
    }

    /// Where packages are installed from, changed: a registry, index or
    /// proxy replaced for every later install.
    fn check_package_source(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        let sources = matches!(
            p,
            "npm" | "pnpm" | "yarn" | "bun" | "poetry" | "go" | "gem" | "conda" | "mamba" | "git"
        ) || versioned(p, "pip");
        if !sources {
            return;
        }
        let args: Vec<String> = c
            .args()
            .iter()
            .map(|w| w.text.to_ascii_lowercase())
            .collect();
        let has = |a: &str| args.iter().any(|x| x == a);
        // The words that are not options: `config set registry URL`.
        let words: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        // `config set KEY VALUE` / `config set KEY=VALUE`, KEY naming one of `keys`.
        let config_set = |keys: &[&str]| match words.as_slice() {
            ["config", "set", key, ..] => keys.iter().any(|k| key.contains(k)),
            _ => false,
        };
        let changes = match p {
            // `registry`, `@scope:registry`, Yarn's `npmRegistryServer`;
            // `npm set registry URL` too.
            // A proxy every later download passes through: `proxy`,
            // `https-proxy`, Yarn's `httpsProxy`, git's `http.proxy`.
            "npm" | "pnpm" | "yarn" | "bun" => {
                package_manager_setting(c).is_some_and(|(key, _)| {
                    let key = key.to_ascii_lowercase();
                    key.contains("registry") || key.ends_with("proxy") && !key.starts_with("no")
                })
            }
            _ if versioned(p, "pip") => config_set(&["index-url", "trusted-host", ".proxy"]),
            "poetry" => words.starts_with(&["source", "add"]),
            // `go env -w GOPROXY=…`
            "go" => {
                words.first() == Some(&"env")
                    && has("-w")
                    && words.iter().any(|a| {
                        a.split('=').next().is_some_and(|k| {
                            matches!(
                                k,
                                "goproxy"
                                    | "gonosumdb"
                                    | "gonosumcheck"
                                    | "goinsecure"
                                    | "goflags"
                                    | "gosumdb"
                                    | "goprivate"
                            )
                        })
                    })
            }
            "gem" => words.first() == Some(&"sources") && (has("-a") || has("--add")),
            "conda" | "mamba" => {
                words.first() == Some(&"config")
                    && has("channels")
                    && (has("--add") || has("--prepend") || has("--append"))
            }
            // `git config url.https://evil/.insteadOf https://github.com/`
            "git" => {
                words.first() == Some(&"config")
                    && words.iter().any(|a| {
                        a.starts_with("url.") && a.ends_with(".insteadof")
                            || (a.starts_with("http.") || a.starts_with("https."))
                                && a.ends_with(".proxy")
                    })
            }
            _ => false,
        };
        if changes {
            self.escalate(
                "shell.package-install",
                0.6,
                Some(p),
                format!("`{shown}` changes where packages or repositories are fetched from, or the proxy they pass through, for every later install"),
            );
        }
    }
}

//! The paths that make up the agent's governance, for one action: every
//! agent's hook configuration (at each project root the session knows, at
//! the home directory, and the managed locations), the gate's own files and
//! the gate's credentials, as the gate reported them ([`GateFacts`]), the
//! defaults every clawlaw install uses, and what the settings add.
//!
//! Three questions are asked of it:
//! - [`Protected::change_hit`]: would writing `path` change governance?
//!   (`path` is a protected file, inside a protected directory, or any
//!   project's hook configuration file, wherever the project is);
//! - [`Protected::removal_hit`]: would removing or moving `path` away take
//!   governance with it? (a change hit, or `path` is a directory holding a
//!   protected file, or an agent's settings directory);
//! - [`Protected::read_hit`]: would reading `path` reveal the gate's
//!   credentials?

use clawlaw_sdk::effects::PathEffect;
use clawlaw_sdk::gate::GateFacts;
use clawlaw_sdk::path::{home_of, is_within_normalized, normalize};

use crate::agents::AGENTS;

/// Who a protected path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    /// An agent's hook configuration.
    Agent(&'static str),
    /// The gate: its binary, config, policies, data, cache.
    Gate,
    /// The gate's credentials and keys.
    Secret,
    /// Listed in the policy's settings.
    Operator,
    /// A program named like the gate's, which would stand in for it.
    Impostor,
}

/// One protected file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub owner: Owner,
}

/// What an action's path met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The protected path.
    pub protected: String,
    pub owner: Owner,
    /// The action's path is a directory above the protected one.
    pub above: bool,
}

/// Gate files every clawlaw install has, relative to the home directory,
/// protected even when the gate said nothing about itself (a hook talking
/// to a gate on another host): the compile cache, the user config, the
/// state directory holding generated tokens.
const DEFAULT_GATE_FILES: [&str; 3] = [".cache/clawlaw", ".config/clawlaw", ".local/state/clawlaw"];
/// Of those, what holds credentials.
const DEFAULT_SECRETS: [&str; 2] = [".local/state/clawlaw", ".config/clawlaw/cache.key"];

/// Directories service managers read their definitions from (a path
/// component): systemd's (`/etc/systemd/system`, `~/.config/systemd/user`),
/// launchd's, SysV init's, supervisord's, runit's and s6's.
const SERVICE_DIRS: [&str; 9] = [
    "systemd",
    "LaunchAgents",
    "LaunchDaemons",
    "init.d",
    "supervisor",
    "supervisord.d",
    "sv",
    "runit",
    "s6-rc",
];

/// Where those directories are: `/etc`, `/lib`, `/usr/lib`, `/run`,
/// `/Library`, `~/Library`, `~/.config`, `~/.local/share`.
const SERVICE_PARENTS: [&str; 6] = ["etc", "lib", "run", "Library", ".config", "share"];

/// The home directory when nothing tells it (a working directory outside
/// any home and no `home` setting): a path no file has, standing for the
/// agent's home wherever that is. `~/…` and `$HOME/…` resolve below it and
/// the home-level entries (hook configuration, the gate's cache, config
/// and tokens) are made below it, so the two meet; a path below a real home
/// (`/root/…`, `/home/u/…`) is also asked as if that home were the agent's
/// ([`Protected::in_any_home`]). Without it, an agent started in `/work/app`
/// could `rm ~/.claude/settings.json`. Reasons show it as `~`.
pub const ANY_HOME: &str = "/~home";

/// The protected paths for one action.
pub struct Protected {
    /// May name a path twice for one owner (a gate file the gate reported
    /// that is also a default): no answer changes, since every question
    /// takes the most or the least specific match, or the first. Not
    /// deduplicated: the set is built for every action a fresh instance
    /// judges, and sorting it cost more than the repeats.
    entries: Vec<Entry>,
    /// The home is [`ANY_HOME`]: the agent's is unknown.
    any_home: bool,
    /// The gate's program names: hook settings run `clawlaw` by name, so a
    /// file of that name anywhere (on the `PATH`, ahead of the real one)
    /// would stand in for the gate.
    programs: Vec<String>,
    /// The same set as a case-insensitive file system sees it (see
    /// [`fold`]), built the first time a path needs it.
    folded: std::cell::OnceCell<Box<Protected>>,
}

impl Protected {
    /// The protected set for an action whose project roots are `roots`
    /// (the session's scope, the settings' roots and the working directory)
    /// under `home`. `extra` and `extra_secrets` come from the settings.
    pub fn new(
        facts: &GateFacts,
        roots: &[String],
        home: Option<&str>,
        extra: &[String],
        extra_secrets: &[String],
        programs: &[String],
    ) -> Protected {
        let mut entries = Vec::new();
        let mut push = |path: Option<String>, owner: Owner| {
            if let Some(path) = path {
                entries.push(Entry { path, owner });
            }
        };
        let abs = |p: &str| normalize(p, None, home).ok();
        // Secrets first: a path that is both a secret and a gate file is
        // reported as the secret.
        for s in facts.secrets.iter().chain(extra_secrets) {
            push(abs(s), Owner::Secret);
        }
        if let Some(home) = home {
            for s in DEFAULT_SECRETS {
                push(Some(join(home, s)), Owner::Secret);
            }
        }
        for a in AGENTS {
            let home_root = home.filter(|h| !roots.iter().any(|r| r == h));
            for base in roots.iter().map(String::as_str).chain(home_root) {
                for f in a.files {
                    push(Some(join(base, f)), Owner::Agent(a.agent));
                }
            }
            for f in a.home_files.iter().filter(|_| home.is_some()) {
                push(home.map(|h| join(h, f)), Owner::Agent(a.agent));
            }
            for m in a.managed {
                push(Some((*m).to_string()), Owner::Agent(a.agent));
            }
        }
        for f in &facts.files {
            push(abs(f), Owner::Gate);
        }
        if let Some(home) = home {
            for f in DEFAULT_GATE_FILES {
                push(Some(join(home, f)), Owner::Gate);
            }
        }
        for f in extra {
            push(abs(f), Owner::Operator);
        }
        Protected {
            entries,
            any_home: home == Some(ANY_HOME),
            // The gate's binaries, and each one's hook forwarder
            // (`clawlaw-hook`), which hook settings may run instead.
            programs: programs
                .iter()
                .flat_map(|p| {
                    [
                        p.clone(),
                        format!("{p}{}", clawlaw_sdk::gate::HOOK_FORWARDER_SUFFIX),
                    ]
                })
                .collect(),
            folded: std::cell::OnceCell::new(),
        }
    }

    /// This set with every path folded ([`fold`]).
    fn folded(&self) -> &Protected {
        self.folded.get_or_init(|| {
            Box::new(Protected {
                entries: self
                    .entries
                    .iter()
                    .map(|e| Entry {
                        path: fold(&e.path).unwrap_or_else(|| e.path.clone()),
                        owner: e.owner,
                    })
                    .collect(),
                any_home: self.any_home,
                programs: self
                    .programs
                    .iter()
                    .map(|p| p.to_ascii_lowercase())
                    .collect(),
                folded: std::cell::OnceCell::new(),
            })
        })
    }

    /// When the agent's home is unknown, `path` below a real home as the
    /// same path below [`ANY_HOME`] (`/home/u/.cache/clawlaw` ->
    /// `/~home/.cache/clawlaw`): any home may be the agent's.
    pub fn in_any_home(&self, path: &str) -> Option<String> {
        if !self.any_home {
            return None;
        }
        let home = home_of(path)?;
        let rest = path.strip_prefix(home.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{ANY_HOME}{rest}"))
    }

    /// The entries a path effect may reach ([`PathEffect::may_touch`]: for
    /// paths with globs or expansions), its path also asked below
    /// [`ANY_HOME`] when the agent's home is unknown.
    pub fn reachable(&self, e: &PathEffect) -> Vec<&Entry> {
        let moved = self
            .in_any_home(&e.path)
            .map(|path| PathEffect { path, ..e.clone() });
        self.entries
            .iter()
            .filter(|x| {
                e.may_touch(&x.path) || moved.as_ref().is_some_and(|m| m.may_touch(&x.path))
            })
            .collect()
    }

    /// Whether writing the normalised `path` changes governance.
    pub fn change_hit(&self, path: &str) -> Option<Hit> {
        self.change_hit_at(path)
            .or_else(|| self.change_hit_at(&self.in_any_home(path)?))
            .or_else(|| fold(path).and_then(|f| self.folded().change_hit(&f)))
    }

    fn change_hit_at(&self, path: &str) -> Option<Hit> {
        // The most specific entry: a key inside the data directory is
        // reported as the key.
        if let Some(e) = self
            .entries
            .iter()
            .filter(|e| is_within_normalized(path, &e.path))
            .max_by_key(|e| e.path.len())
        {
            return Some(Hit {
                protected: e.path.clone(),
                owner: e.owner,
                above: false,
            });
        }
        if let Some(definition) = self.service_definition(path) {
            return Some(Hit {
                protected: definition,
                owner: Owner::Gate,
                above: false,
            });
        }
        let name = path.rsplit('/').next().unwrap_or("");
        if self.programs.iter().any(|p| p == name) {
            return Some(Hit {
                protected: path.to_string(),
                owner: Owner::Impostor,
                above: false,
            });
        }
        // Any project's hook configuration, wherever the project is: the
        // agent may have been started in a directory the session never named.
        for a in AGENTS {
            for f in a.files {
                if names_within(path, f) {
                    return Some(Hit {
                        protected: path.to_string(),
                        owner: Owner::Agent(a.agent),
                        above: false,
                    });
                }
            }
        }
        None
    }

    /// The service manager's definition of the gate `path` is in or is:
    /// below a directory systemd, launchd, SysV init, supervisord, runit or
    /// s6 read their services from ([`SERVICE_PARENTS`]), a file or
    /// directory named for one of the gate's programs (`clawlaw.service`,
    /// `clawlaw.service.d/`, `dev.clawlaw.plist`, `init.d/clawlaw`):
    /// changing it changes how the gate runs (`ExecStart=/bin/true`,
    /// `CPUQuota=1%`) from its next start.
    fn service_definition(&self, path: &str) -> Option<String> {
        // Every path written is asked: most leave before anything is split.
        if !SERVICE_DIRS.iter().any(|d| path.contains(d)) {
            return None;
        }
        let components: Vec<&str> = path.split('/').collect();
        // In a system or user configuration directory, not a project's
        // copy (`deploy/systemd/clawlaw.service` is installed by someone).
        let manager = components
            .windows(2)
            .position(|w| SERVICE_PARENTS.contains(&w[0]) && SERVICE_DIRS.contains(&w[1]))?
            + 1;
        let names_gate = |c: &str| {
            c.split(['.', '-', '@', '_'])
                .any(|w| self.programs.iter().any(|p| p.eq_ignore_ascii_case(w)))
        };
        let at = manager
            + 1
            + components[manager + 1..]
                .iter()
                .position(|c| names_gate(c))?;
        Some(components[..=at].join("/"))
    }

    /// Whether removing or moving the normalised `path` away takes
    /// governance with it.
    pub fn removal_hit(&self, path: &str) -> Option<Hit> {
        self.removal_hit_at(path)
            .or_else(|| self.removal_hit_at(&self.in_any_home(path)?))
            .or_else(|| fold(path).and_then(|f| self.folded().removal_hit(&f)))
    }

    fn removal_hit_at(&self, path: &str) -> Option<Hit> {
        if let Some(hit) = self.change_hit_at(path) {
            return Some(hit);
        }
        // The outermost entry below `path`: removing `target` takes the
        // data directory, not just a key inside it.
        if let Some(e) = self
            .entries
            .iter()
            .filter(|e| is_within_normalized(&e.path, path))
            .min_by_key(|e| e.path.len())
        {
            return Some(Hit {
                protected: e.path.clone(),
                owner: e.owner,
                above: true,
            });
        }
        let last = path.rsplit('/').next().unwrap_or("");
        AGENTS.iter().find(|a| a.dir == last).map(|a| Hit {
            protected: format!("{path}/{}", &a.files[0][a.dir.len() + 1..]),
            owner: Owner::Agent(a.agent),
            above: true,
        })
    }

    /// Every entry below the normalised `path` (also asked below
    /// [`ANY_HOME`] when the agent's home is unknown): what a walk from it
    /// may reach, for its name filters to select among.
    pub fn below<'a>(&'a self, path: &str) -> impl Iterator<Item = Hit> + 'a {
        let paths = [Some(path.to_string()), self.in_any_home(path)];
        self.entries
            .iter()
            .filter(move |e| {
                paths
                    .iter()
                    .flatten()
                    .any(|p| is_within_normalized(&e.path, p))
            })
            .map(|e| Hit {
                protected: e.path.clone(),
                owner: e.owner,
                above: true,
            })
    }

    /// Whether reading the normalised `path` (everything below it when
    /// `recursive`) reveals the gate's credentials.
    pub fn read_hit(&self, path: &str, recursive: bool) -> Option<Hit> {
        self.read_hit_at(path, recursive)
            .or_else(|| self.read_hit_at(&self.in_any_home(path)?, recursive))
            .or_else(|| fold(path).and_then(|f| self.folded().read_hit(&f, recursive)))
    }

    fn read_hit_at(&self, path: &str, recursive: bool) -> Option<Hit> {
        if is_process_secret(path) {
            return Some(Hit {
                protected: path.to_string(),
                owner: Owner::Secret,
                above: false,
            });
        }
        self.entries
            .iter()
            .filter(|e| e.owner == Owner::Secret)
            .find_map(|e| {
                if is_within_normalized(path, &e.path) {
                    Some(Hit {
                        protected: e.path.clone(),
                        owner: e.owner,
                        above: false,
                    })
                } else if recursive && is_within_normalized(&e.path, path) {
                    Some(Hit {
                        protected: e.path.clone(),
                        owner: e.owner,
                        above: true,
                    })
                } else {
                    None
                }
            })
    }
}

/// Whether `path` has the components of `rel` (`.claude/settings.json`)
/// in a row: at its end, or followed by more (`…/.claude/hooks/pre.sh`).
fn names_within(path: &str, rel: &str) -> bool {
    clawlaw_sdk::text::find_iter(path, rel).any(|at| {
        let after = &path[at + rel.len()..];
        path[..at].ends_with('/') && (after.is_empty() || after.starts_with('/'))
    })
}

/// `/proc/<anything>/environ` or `/proc/<anything>/mem`: a process's
/// environment, where the hook's token variable lives, or its memory, which
/// holds the gate's tokens and keys.
pub fn is_process_secret(path: &str) -> bool {
    let mut parts = path.split('/').skip(1);
    let secret = |f: Option<&str>| matches!(f, Some("environ" | "mem"));
    let (root, _, file, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    (root == Some("proc") && secret(file) && rest.is_none())
        || (path.starts_with("/proc/")
            && path.contains("/task/")
            && (path.ends_with("/environ") || path.ends_with("/mem")))
}

/// `rel` below `base` (no `format!`: a set is built for every action a
/// fresh instance judges).
fn join(base: &str, rel: &str) -> String {
    let base = base.strip_suffix('/').unwrap_or(base);
    let mut out = String::with_capacity(base.len() + 1 + rel.len());
    out.push_str(base);
    out.push('/');
    out.push_str(rel);
    out
}

/// `path` as a case-insensitive file system (macOS's, Windows') finds it:
/// letters in one case, and (as Windows does) the spaces and dots that end
/// a name dropped, and NTFS's name for a file's own data stream
/// (`settings.json::$DATA`) read as the file; `None` when that changes
/// nothing. `.CLAUDE/Settings.JSON` is `.claude/settings.json` there, so it
/// is judged as that file everywhere: no one writes the first on purpose.
pub fn fold(path: &str) -> Option<String> {
    // A component folds when it has a capital or ends in a space or dot;
    // `.` and `..` (any run of dots) never do.
    let folds = |c: &str| {
        !c.bytes().all(|b| b == b'.')
            && (c.ends_with([' ', '.']) || c.bytes().any(|b| b.is_ascii_uppercase()))
    };
    if !path.split('/').any(folds) {
        return None;
    }
    let folded = path
        .split('/')
        .map(|c| {
            if folds(c) {
                let lower = c.to_ascii_lowercase();
                let name = lower.strip_suffix("::$data").unwrap_or(&lower);
                name.trim_end_matches([' ', '.']).to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    Some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Protected {
        let facts = GateFacts {
            files: vec![
                "/srv/clawlaw".into(),
                "/work/app/target/clawlaw-data".into(),
            ],
            secrets: vec!["/srv/clawlaw/tokens.json".into()],
            ..GateFacts::default()
        };
        Protected::new(
            &facts,
            &["/work/app".into()],
            Some("/home/dev"),
            &[],
            &[],
            &["clawlaw".into()],
        )
    }

    #[test]
    fn changes() {
        let p = set();
        let hit = p.change_hit("/work/app/.claude/settings.json").unwrap();
        assert_eq!(hit.owner, Owner::Agent("Claude Code"));
        assert!(p.change_hit("/home/dev/.codex/config.toml").is_some());
        assert!(p.change_hit("/elsewhere/proj/.cursor/hooks.json").is_some());
        assert!(p.change_hit("/work/app/.claude/hooks/pre.sh").is_some());
        assert!(
            p.change_hit("/etc/claude-code/managed-settings.json")
                .is_some()
        );
        assert_eq!(p.change_hit("/srv/clawlaw/x").unwrap().owner, Owner::Gate);
        assert_eq!(
            p.change_hit("/srv/clawlaw/tokens.json").unwrap().owner,
            Owner::Secret
        );
        assert!(
            p.change_hit("/work/app/.claude/commands/review.md")
                .is_none()
        );
        assert!(p.change_hit("/work/app/src/main.rs").is_none());
        assert!(p.change_hit("/work/app/target/debug/app").is_none());
        assert!(
            p.change_hit("/home/dev/.cache/clawlaw/components/x")
                .is_some()
        );
        assert_eq!(
            p.change_hit("/home/dev/.local/bin/clawlaw").unwrap().owner,
            Owner::Impostor
        );
        assert_eq!(
            p.change_hit("/usr/local/bin/clawlaw-hook").unwrap().owner,
            Owner::Impostor
        );
        assert!(p.change_hit("/work/app/src/clawlaw.rs").is_none());
    }

    #[test]
    fn service_definitions_named_for_the_gate() {
        let p = set();
        for (path, definition) in [
            (
                "/etc/systemd/system/clawlaw.service",
                "/etc/systemd/system/clawlaw.service",
            ),
            (
                "/etc/systemd/system/clawlaw.service.d/override.conf",
                "/etc/systemd/system/clawlaw.service.d",
            ),
            (
                "/home/dev/.config/systemd/user/clawlaw-gate@7070.service",
                "/home/dev/.config/systemd/user/clawlaw-gate@7070.service",
            ),
            (
                "/Users/dev/Library/LaunchAgents/dev.clawlaw.plist",
                "/Users/dev/Library/LaunchAgents/dev.clawlaw.plist",
            ),
            ("/etc/init.d/clawlaw", "/etc/init.d/clawlaw"),
            (
                "/etc/supervisor/conf.d/clawlaw.conf",
                "/etc/supervisor/conf.d/clawlaw.conf",
            ),
        ] {
            let hit = p.change_hit(path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(
                (hit.owner, hit.protected.as_str()),
                (Owner::Gate, definition)
            );
        }
        for path in [
            "/etc/systemd/system/nginx.service",
            "/etc/systemd/system/clawlawyer.service",
            "/work/app/deploy/systemd/clawlaw.service",
            "/home/dev/Library/LaunchAgents/com.example.agent.plist",
        ] {
            assert!(p.change_hit(path).is_none(), "{path}");
        }
    }

    #[test]
    fn fold_changes_what_a_case_insensitive_system_ignores_and_nothing_else() {
        for (path, folded) in [
            ("/work/app/src/lib.rs", None),
            ("/a/./b/../c", None),
            ("/a/.../b", None),
            ("", None),
            ("/work/App/x", Some("/work/app/x")),
            ("/a/b./c", Some("/a/b/c")),
            ("/a/b /c", Some("/a/b/c")),
            (
                "/a/.claude. /settings.JSON",
                Some("/a/.claude/settings.json"),
            ),
        ] {
            assert_eq!(fold(path).as_deref(), folded, "{path:?}");
        }
    }

    #[test]
    fn agent_files_are_named_by_whole_components() {
        for (path, rel, named) in [
            ("/x/.claude/settings.json", ".claude/settings.json", true),
            ("/x/.claude/hooks/pre.sh", ".claude/hooks", true),
            ("/x/y.claude/settings.json", ".claude/settings.json", false),
            (
                "/x/.claude/settings.json.bak",
                ".claude/settings.json",
                false,
            ),
            ("/x/.claude/hooksy/a", ".claude/hooks", false),
            ("/x/.claude/hooksy/.claude/hooks", ".claude/hooks", true),
            ("/x/.codex/config.toml", ".claude/settings.json", false),
        ] {
            assert_eq!(names_within(path, rel), named, "{path} {rel}");
        }
    }

    #[test]
    fn case_and_trailing_dots_folded() {
        let p = set();
        for path in [
            "/work/app/.CLAUDE/settings.json",
            "/work/app/.claude/Settings.JSON",
            "/work/app/.claude/settings.json ",
            "/work/app/.claude./settings.json.",
            "/work/app/.claude/settings.json::$DATA",
            "/home/dev/.local/bin/ClawLaw",
        ] {
            assert!(p.change_hit(path).is_some(), "{path}");
        }
        assert!(p.removal_hit("/work/app/.Claude").is_some());
        assert!(p.change_hit("/work/app/src/Settings.json").is_none());
        assert_eq!(fold("/a/b/../c"), None);
    }

    #[test]
    fn removals_above_protected_paths() {
        let p = set();
        assert!(p.removal_hit("/work/app/.claude").unwrap().above);
        assert!(p.removal_hit("/work/app/target").unwrap().above);
        assert!(p.removal_hit("/work/app").unwrap().above);
        assert!(p.removal_hit("/tmp/other/.gemini").unwrap().above);
        assert!(p.removal_hit("/work/app/target/debug").is_none());
        assert!(p.removal_hit("/work/app/node_modules").is_none());
    }

    #[test]
    fn an_unknown_home_is_any_home() {
        let p = Protected::new(
            &GateFacts::default(),
            &["/work/app".into()],
            Some(ANY_HOME),
            &[],
            &[],
            &["clawlaw".into()],
        );
        assert_eq!(
            p.in_any_home("/home/ops/.cache/clawlaw").as_deref(),
            Some("/~home/.cache/clawlaw")
        );
        assert_eq!(p.in_any_home("/root").as_deref(), Some("/~home"));
        assert_eq!(p.in_any_home("/work/app/x"), None);
        assert_eq!(p.in_any_home("/homework/x"), None);
        // `~` resolved below the stand-in, and a path below any real home.
        assert!(p.change_hit("/~home/.claude/settings.json").is_some());
        assert!(p.change_hit("/root/.cache/clawlaw/components/x").is_some());
        assert!(p.removal_hit("/home/ops").unwrap().above);
        assert!(
            p.read_hit("/home/ops/.local/state/clawlaw/tokens-7070.json", false)
                .is_some()
        );
        assert!(p.change_hit("/home/ops/projects/x/src/main.rs").is_none());
        // A known home is only itself.
        let known = set();
        assert_eq!(known.in_any_home("/home/ops/.cache/clawlaw"), None);
        assert!(known.change_hit("/home/ops/.cache/clawlaw/x").is_none());
    }

    #[test]
    fn reads() {
        let p = set();
        assert!(p.read_hit("/srv/clawlaw/tokens.json", false).is_some());
        assert!(p.read_hit("/srv/clawlaw/config.toml", false).is_none());
        assert!(p.read_hit("/srv", true).unwrap().above);
        assert!(p.read_hit("/srv", false).is_none());
        assert!(p.read_hit("/proc/self/environ", false).is_some());
        assert!(p.read_hit("/proc/1234/environ", false).is_some());
        assert!(p.read_hit("/proc/1234/status", false).is_none());
        assert!(
            p.read_hit("/home/dev/.local/state/clawlaw/tokens-7070.json", false)
                .is_some()
        );
        assert!(
            p.read_hit("/work/app/.claude/settings.json", false)
                .is_none()
        );
    }
}

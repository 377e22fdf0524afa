//! fs-boundary: file reads, writes and deletes stay inside the session's workspace, and never touch protected system or home files.
//!
//! Acts on `file.read`, `file.write` and `file.delete`; every other kind is
//! allowed (other policies govern them). The path is the action's `target`,
//! else the tool input's `file_path`, `path` or `notebook_path`; a
//! `file.delete` may also list `paths`, each of which is checked.
//!
//! Paths are normalised lexically ([`clawlaw_sdk::path`]): joined to the
//! action's `cwd`, `.`/`..` resolved, `~` and `$HOME` expanded. File tools
//! take paths literally, so `$name` in a path (a route file such as
//! `routes/$id.tsx`) is an ordinary character here.
//!
//! ## Rules
//!
//! | rule | verdict | when |
//! |---|---|---|
//! | `fs.outside-workspace` | DENY | the normalised path is outside every workspace root (reads of the `readable` allowlist excepted) |
//! | `fs.protected` | DENY | a write or delete of a protected path, inside a root or not |
//! | `fs.suspicious` | DENY | a NUL byte, or a path through `/proc/<pid>/root`, `/proc/<pid>/cwd`, `/proc/<pid>/fd`, `/dev/fd` (links a lexical check cannot follow) |
//! | `fs.mass-delete` | ESCALATE | a delete of more than `max_delete` paths, a recursive delete (`recursive: true` in the input), a delete by glob (`*?[{` in a path, or a `pattern`/`glob` input), a delete of a workspace root itself or of a repository's `.git` |
//! | `fs.no-workspace` | ESCALATE | no workspace root is known |
//! | `fs.unresolved` | ESCALATE | the action names no path, or a path cannot be made absolute (relative with no `cwd`, `~` with no home) |
//! | `fs.readable` | ALLOW (noted) | a read outside the roots that the `readable` allowlist permits (toolchain sources, system headers) |
//!
//! ## Settings (all optional)
//!
//! ```json
//! {
//!   "roots": ["/work/app"],          // absolute (or ~/...) workspace roots
//!   "home": "/home/dev",             // expands ~ in paths and globs
//!   "protected": ["/srv/prod/**"],   // globs added to the default protected set
//!   "default_protected": true,       // false: only `protected` applies
//!   "readable": ["/opt/sdk/**"],     // globs added to the default readable set
//!   "default_readable": true,        // false: only `readable` applies
//!   "max_delete": 20                 // paths one delete may list before escalating
//! }
//! ```
//!
//! Workspace roots: `roots` from the settings; else the session's `scope`
//! entries that are absolute paths (`/work/app`, `/work/app/**` and
//! `~/proj` too; other glob entries are ignored); else the action's `cwd`.
//!
//! Home directory: `home` from the settings; else derived from the `cwd`
//! (`/home/<user>/…` → `/home/<user>`, `/root/…` → `/root`), else from the
//! first root. With none, `~` in a glob stands for any home (`/root` and
//! `/home/*`), so the default protections still hold for every user, and a
//! path starting with `~` is unresolved (escalated).
//!
//! Protected by default ([`DEFAULT_PROTECTED`]): account, sudo, cron, ssh,
//! PAM, systemd and profile files under `/etc`; `/usr`, `/bin`, `/sbin`,
//! `/lib*`, `/boot`; the shell start-up files, `~/.ssh`, `~/.gnupg`,
//! `~/.aws`, git credentials, user systemd units and autostart entries; and
//! `.git/hooks` and `.git/config` anywhere (code that runs on the next git
//! command).
//!
//! Readable by default outside the roots ([`TOOLCHAIN_READABLE`]): system
//! headers and `/usr/share`, language toolchains and package caches (cargo,
//! rustup, Go modules, Maven, npm globals, Python site-packages), and the
//! scratch directories `/tmp` and `/var/tmp` (build logs, test output).

use clawlaw_sdk::glob::{GlobSet, is_glob};
use clawlaw_sdk::memo::Memo;
use clawlaw_sdk::path::{
    Check, Suspicion, TOOLCHAIN_READABLE, Workspace, home_of, is_within_normalized, normalize,
};
use clawlaw_sdk::workspace;
use clawlaw_sdk::{Action, Decision, Info, Policy, Session, kinds};
use serde::Deserialize;
use std::rc::Rc;

/// Paths no file action may write or delete, unless `default_protected` is
/// false.
pub const DEFAULT_PROTECTED: &[&str] = &[
    "/etc/hosts",
    "/etc/passwd",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/group",
    "/etc/sudoers",
    "/etc/sudoers.d/**",
    "/etc/cron*",
    "/etc/cron*/**",
    "/etc/crontab",
    "/etc/anacrontab",
    "/etc/ssh/**",
    "/etc/pam.d/**",
    "/etc/security/**",
    "/etc/systemd/**",
    "/etc/ld.so.preload",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d/**",
    "/etc/profile",
    "/etc/profile.d/**",
    "/etc/environment",
    "/etc/bash.bashrc",
    "/etc/fstab",
    "/etc/resolv.conf",
    "/var/spool/cron/**",
    "/usr/**",
    "/bin/**",
    "/sbin/**",
    "/lib/**",
    "/lib32/**",
    "/lib64/**",
    "/boot/**",
    "/sys/**",
    "/proc/**",
    "~/.ssh/**",
    "~/.gnupg/**",
    "~/.aws/**",
    "~/.bashrc",
    "~/.bash_profile",
    "~/.bash_login",
    "~/.bash_logout",
    "~/.profile",
    "~/.zshrc",
    "~/.zshenv",
    "~/.zprofile",
    "~/.zlogin",
    "~/.config/fish/config.fish",
    "~/.git-credentials",
    "~/.config/systemd/user/**",
    "~/.config/autostart/**",
    "**/.git/hooks/**",
    "**/.git/config",
];

/// The policy.
pub struct FsBoundary;

/// fs-boundary's settings (see the crate documentation).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub roots: Vec<String>,
    pub home: Option<String>,
    pub protected: Vec<String>,
    pub default_protected: bool,
    pub readable: Vec<String>,
    pub default_readable: bool,
    pub max_delete: usize,
    /// The glob sets last built from these settings, for the home directory
    /// they were built for. Built per home (a `~` in a glob is that home), and
    /// kept with the settings, which an instance the gate reuses or
    /// pre-initialises keeps from one evaluation to the next.
    #[serde(skip)]
    sets: Memo<Option<String>, GlobSets>,
}

/// The protected and readable sets for one home directory.
#[derive(Debug)]
struct GlobSets {
    protected: GlobSet,
    readable: GlobSet,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            roots: Vec::new(),
            home: None,
            protected: Vec::new(),
            default_protected: true,
            readable: Vec::new(),
            default_readable: true,
            max_delete: 20,
            sets: Memo::default(),
        }
    }
}

impl Settings {
    fn protected_set(&self, home: Option<&str>) -> Result<GlobSet, String> {
        let defaults = self.default_protected.then_some(DEFAULT_PROTECTED);
        GlobSet::with_defaults(defaults, &self.protected, home)
            .map_err(|e| format!("protected: {e}"))
    }

    /// The default set is [`TOOLCHAIN_READABLE`].
    fn readable_set(&self, home: Option<&str>) -> Result<GlobSet, String> {
        let defaults = self.default_readable.then_some(TOOLCHAIN_READABLE);
        GlobSet::with_defaults(defaults, &self.readable, home).map_err(|e| format!("readable: {e}"))
    }

    /// Both sets for `home`, built once per home.
    fn glob_sets(&self, home: Option<&str>) -> Result<Rc<GlobSets>, String> {
        self.sets
            .get_or_try_build(home.map(str::to_string), |home| {
                Ok(GlobSets {
                    protected: self.protected_set(home.as_deref())?,
                    readable: self.readable_set(home.as_deref())?,
                })
            })
    }
}

const OUTSIDE: &str = "fs.outside-workspace";
const PROTECTED: &str = "fs.protected";
const SUSPICIOUS: &str = "fs.suspicious";
const MASS_DELETE: &str = "fs.mass-delete";
const NO_WORKSPACE: &str = "fs.no-workspace";
const UNRESOLVED: &str = "fs.unresolved";
const READABLE: &str = "fs.readable";

impl Policy for FsBoundary {
    type Settings = Settings;

    fn info() -> Info {
        Info::new("fs-boundary", env!("CARGO_PKG_VERSION"))
            .rule(
                OUTSIDE,
                "Deny reading, writing or deleting a file outside the workspace roots",
            )
            .rule(
                PROTECTED,
                "Deny writing or deleting protected system and home files, even inside a root",
            )
            .rule(
                SUSPICIOUS,
                "Deny paths with a NUL byte or through /proc/<pid>/root, cwd, fd or /dev/fd",
            )
            .rule(
                MASS_DELETE,
                "Escalate deletes of many files, recursive or glob deletes, and deleting a root",
            )
            .rule(
                NO_WORKSPACE,
                "Escalate file actions when no workspace root is known",
            )
            .rule(
                UNRESOLVED,
                "Escalate file actions whose path is missing or cannot be made absolute",
            )
            .rule(
                READABLE,
                "Allow reading toolchain and system sources outside the workspace (noted)",
            )
            // `evaluate` allows every other kind outright; the export adds
            // `tool.call`, whose file reads, writes and deletes it judges.
            .judging(&[kinds::FILE_READ, kinds::FILE_WRITE, kinds::FILE_DELETE])
            // The scope's roots only: no labels, counters or recent actions.
            .reading(&[])
    }

    fn validate(s: &Settings) -> Result<(), String> {
        let home = workspace::validate_home(s.home.as_deref())?;
        for r in &s.roots {
            if is_glob(r) {
                return Err(format!("root {r:?} is a glob; roots are directories"));
            }
            if !(r.starts_with('/') || r.starts_with('~')) {
                return Err(format!("root {r:?} is not an absolute path"));
            }
            normalize(r, None, home.as_deref()).map_err(|e| format!("root {r:?}: {e}"))?;
        }
        s.glob_sets(home.as_deref())?;
        Ok(())
    }

    fn evaluate(s: &Settings, action: &Action, session: &Session) -> Decision {
        let kind = action.kind.as_str();
        if ![kinds::FILE_READ, kinds::FILE_WRITE, kinds::FILE_DELETE].contains(&kind) {
            return Decision::allow();
        }
        let input = action.input_json();
        let cwd = workspace::cwd(action);
        let paths = workspace::file_paths(action, &input);
        if paths.is_empty() {
            return Decision::escalate(UNRESOLVED, format!("{kind} names no path"));
        }

        let home = workspace::home(s.home.as_deref(), cwd)
            .or_else(|| s.roots.first().and_then(|r| home_of(r)));
        let roots = roots_of(s, session, cwd, home.as_deref());
        if roots.is_empty() {
            return Decision::escalate(
                NO_WORKSPACE,
                format!(
                    "{kind} of {} with no workspace root (no settings roots, session scope or cwd)",
                    paths[0]
                ),
            );
        }
        let ws = match Workspace::new(&roots, home.as_deref()) {
            Ok(ws) => ws,
            Err(e) => {
                return Decision::escalate(NO_WORKSPACE, format!("workspace roots unusable: {e}"));
            }
        };
        let sets = match s.glob_sets(ws.home()) {
            Ok(sets) => sets,
            Err(e) => return Decision::deny(clawlaw_sdk::SETTINGS_INVALID_RULE, e),
        };
        let (protected, readable) = (&sets.protected, &sets.readable);

        let mut decision = Decision::allow();
        let mut any_rule = false;
        for raw in &paths {
            let d = check_path(kind, raw, cwd, &ws, protected, readable);
            any_rule |= !d.rules.is_empty();
            decision = decision.merge(d);
        }
        if kind == kinds::FILE_DELETE
            && let Some(d) = mass_delete(s, &input, &paths, cwd, &ws)
        {
            any_rule = true;
            decision = decision.merge(d);
        }
        if !any_rule {
            decision.reason = if paths.len() == 1 {
                format!("{kind} of {} is inside the workspace", paths[0])
            } else {
                format!("{kind} of {} paths, all inside the workspace", paths.len())
            };
        }
        decision
    }
}

/// Workspace roots: settings, else absolute session scope entries, else cwd.
fn roots_of(s: &Settings, session: &Session, cwd: Option<&str>, home: Option<&str>) -> Vec<String> {
    if !s.roots.is_empty() {
        return s.roots.clone();
    }
    // Only the user's own `~` declares a root here, not `~user`.
    let own = session
        .scope
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.starts_with('~') || *e == "~" || e.starts_with("~/"));
    let scope = workspace::scope_roots(own, home);
    if !scope.is_empty() {
        return scope;
    }
    cwd.map(|c| vec![c.to_string()]).unwrap_or_default()
}

fn check_path(
    kind: &str,
    raw: &str,
    cwd: Option<&str>,
    ws: &Workspace,
    protected: &GlobSet,
    readable: &GlobSet,
) -> Decision {
    let raw_shown = raw.replace('\0', "\\0");
    let shown = |p: &str| {
        if p == raw_shown {
            p.to_string()
        } else {
            format!("{p} (from {raw_shown})")
        }
    };
    let (path, inside) = match ws.check(raw, cwd) {
        Check::Invalid(e) => {
            return Decision::escalate(UNRESOLVED, format!("{kind} of {raw_shown}: {e}"));
        }
        // File tools take paths literally: `$x` is a character, not a variable.
        Check::Suspicious {
            path,
            why: Suspicion::ShellExpansion,
        } => {
            let inside = ws.roots().iter().any(|r| is_within_normalized(&path, r));
            (path, inside)
        }
        Check::Suspicious { path, why } => {
            return Decision::deny(
                SUSPICIOUS,
                format!("{kind} of {}: the path {}", shown(&path), why.describe()),
            );
        }
        Check::Inside { path, .. } => (path, true),
        Check::Outside { path } => (path, false),
    };
    if kind != kinds::FILE_READ
        && let Some(pattern) = protected.first_match(&path)
    {
        return Decision::deny(
            PROTECTED,
            format!(
                "{kind} of {} is forbidden: protected path ({pattern})",
                shown(&path)
            ),
        );
    }
    if inside {
        return Decision::allow();
    }
    if kind == kinds::FILE_READ
        && let Some(pattern) = readable.first_match(&path)
    {
        return Decision::allow_noting(
            READABLE,
            format!(
                "reading {} outside the workspace is allowed ({pattern})",
                shown(&path)
            ),
        );
    }
    Decision::deny(
        OUTSIDE,
        format!(
            "{kind} of {} is outside the workspace ({})",
            shown(&path),
            ws.roots().join(", ")
        ),
    )
}

/// Whether a delete is broad enough for a human to look at first.
fn mass_delete(
    s: &Settings,
    input: &serde_json::Value,
    paths: &[String],
    cwd: Option<&str>,
    ws: &Workspace,
) -> Option<Decision> {
    let escalate = |why: String| Some(Decision::escalate(MASS_DELETE, why).with_risk(0.7));
    if paths.len() > s.max_delete {
        return escalate(format!(
            "a delete of {} paths (more than {})",
            paths.len(),
            s.max_delete
        ));
    }
    let flag = |k: &str| match input.get(k) {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(v)) => matches!(v.as_str(), "true" | "yes" | "1"),
        _ => false,
    };
    if flag("recursive") {
        return escalate(format!("a recursive delete of {}", paths.join(", ")));
    }
    if let Some(p) = ["pattern", "glob"]
        .iter()
        .find_map(|k| input.get(*k).and_then(|v| v.as_str()))
    {
        return escalate(format!("a delete by pattern {p}"));
    }
    if let Some(p) = paths.iter().find(|p| is_glob(p)) {
        return escalate(format!("a delete by glob {p}"));
    }
    for p in paths {
        if let Ok(n) = normalize(p, cwd, ws.home())
            && ws.roots().contains(&n)
        {
            return escalate(format!("a delete of the workspace root {n}"));
        }
        // `.git`: the repository's whole history, and the stashes, branches
        // and reflog nothing else holds.
        if let Ok(n) = normalize(p, cwd, ws.home())
            && n.rsplit('/').next() == Some(".git")
        {
            return escalate(format!(
                "a delete of {n}, the repository's history with its unpushed branches, stashes and reflog"
            ));
        }
    }
    None
}

clawlaw_sdk::export_policy!(FsBoundary);

#[cfg(test)]
mod tests {
    use super::*;
    use clawlaw_sdk::Verdict;
    use clawlaw_sdk::testing::eval;

    #[test]
    fn cases() {
        clawlaw_sdk::testing::assert_cases::<FsBoundary>(include_str!("../cases.toml"));
    }

    fn with(settings: &str, action: &Action, session: &Session) -> Decision {
        clawlaw_sdk::evaluate_json::<FsBoundary>(settings, action, session)
    }

    #[test]
    fn info_declares_every_rule_it_reports() {
        let info = FsBoundary::info();
        let ids: Vec<&str> = info.rules.iter().map(|r| r.id.as_str()).collect();
        for id in [
            OUTSIDE,
            PROTECTED,
            SUSPICIOUS,
            MASS_DELETE,
            NO_WORKSPACE,
            UNRESOLVED,
            READABLE,
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(info.name, "fs-boundary");
    }

    #[test]
    fn the_seed_denials() {
        let d = eval::<FsBoundary>(&Action::read("../../etc/passwd").in_dir("/work/app"));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, [OUTSIDE]);
        assert!(
            d.reason.contains("/etc/passwd (from ../../etc/passwd)"),
            "{}",
            d.reason
        );
        let d = eval::<FsBoundary>(&Action::write("/etc/hosts", "1.2.3.4 x").in_dir("/work/app"));
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(d.rules.contains(&PROTECTED.to_string()), "{:?}", d.rules);
    }

    #[test]
    fn ordinary_work_is_allowed_with_a_plain_reason() {
        let d = eval::<FsBoundary>(&Action::write("src/lib.rs", "fn x() {}").in_dir("/work/app"));
        assert_eq!(d.verdict, Verdict::Allow);
        assert!(d.rules.is_empty());
        assert_eq!(d.reason, "file.write of src/lib.rs is inside the workspace");
    }

    #[test]
    fn settings_are_validated() {
        use clawlaw_sdk::validate_settings;
        assert!(validate_settings::<FsBoundary>("{}").is_ok());
        assert!(
            validate_settings::<FsBoundary>(
                r#"{"roots":["/work/app","~/proj"],"home":"/home/dev"}"#
            )
            .is_ok()
        );
        assert!(validate_settings::<FsBoundary>(r#"{"roots":["work/app"]}"#).is_err());
        assert!(validate_settings::<FsBoundary>(r#"{"roots":["/work/*"]}"#).is_err());
        assert!(
            validate_settings::<FsBoundary>(r#"{"roots":["~/proj"]}"#).is_err(),
            "~ with no home"
        );
        assert!(validate_settings::<FsBoundary>(r#"{"home":"dev"}"#).is_err());
        assert!(validate_settings::<FsBoundary>(r#"{"protected":["/a/[b"]}"#).is_err());
        assert!(validate_settings::<FsBoundary>(r#"{"readable":["!x"]}"#).is_err());
        assert!(validate_settings::<FsBoundary>(r#"{"rootz":["/a"]}"#).is_err());
        assert!(validate_settings::<FsBoundary>(r#"{"max_delete":-1}"#).is_err());
    }

    #[test]
    fn home_is_derived_from_cwd_for_tilde_paths() {
        let a = Action::read("~/.ssh/id_rsa").in_dir("/home/dev/app");
        let d = eval::<FsBoundary>(&a);
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(d.reason.contains("/home/dev/.ssh/id_rsa"), "{}", d.reason);
        // No home anywhere: unresolved.
        let d = eval::<FsBoundary>(&Action::read("~/.ssh/id_rsa").in_dir("/work/app"));
        assert_eq!(d.verdict, Verdict::Escalate);
        assert_eq!(d.rules, [UNRESOLVED]);
    }

    #[test]
    fn many_paths_merge_to_the_strictest() {
        let mut a = Action::new(kinds::FILE_DELETE).in_dir("/work/app");
        a.input = r#"{"paths":["a.txt","b.txt","/etc/passwd"]}"#.into();
        let d = eval::<FsBoundary>(&a);
        assert_eq!(d.verdict, Verdict::Deny);
        assert!(d.rules.contains(&PROTECTED.to_string()));
        a.input = r#"{"paths":["a.txt","b.txt"]}"#.into();
        let d = eval::<FsBoundary>(&a);
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(d.reason, "file.delete of 2 paths, all inside the workspace");
    }

    #[test]
    fn scope_entries_that_are_not_paths_are_ignored() {
        let session = Session {
            scope: vec![
                "github.com".into(),
                "/work/app/**".into(),
                "Bash".into(),
                "/work/*/x".into(),
            ],
            ..Session::default()
        };
        let d = with("{}", &Action::read("/work/app/src/a.rs"), &session);
        assert_eq!(d.verdict, Verdict::Allow);
        let d = with("{}", &Action::read("/work/other/a.rs"), &session);
        assert_eq!(d.verdict, Verdict::Deny);
    }

    #[test]
    fn a_nul_byte_is_spelt_out_in_the_reason() {
        let d =
            eval::<FsBoundary>(&Action::read("/work/app/a\0/../../etc/passwd").in_dir("/work/app"));
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, [SUSPICIOUS]);
        assert!(
            !d.reason.contains('\0') && d.reason.contains("a\\0/"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn settings_that_no_longer_parse_deny() {
        let d = with("{not json", &Action::read("/x"), &Session::default());
        assert_eq!(d.verdict, Verdict::Deny);
        assert_eq!(d.rules, ["settings.invalid"]);
    }
}

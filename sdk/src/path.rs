//! Path normalisation and workspace containment, purely lexical.
//!
//! A policy cannot touch the filesystem, so every helper here works on the
//! text of a path the way the kernel would read it *if no component were a
//! symbolic link*:
//!
//! - a relative path is joined to the working directory;
//! - `~`, `~/…`, `~user/…` (`/home/user`, `~root` is `/root`), `~+` (the
//!   working directory), and a leading `$HOME` / `${HOME}` are expanded;
//! - `.` is dropped, `..` removes the previous component and never climbs
//!   above `/`, repeated slashes collapse, trailing slashes are stripped;
//! - a NUL byte is an error: no system call accepts it, and a check that
//!   stops at it sees a different path from one that does not.
//!
//! Symbolic links are what a lexical check cannot see through. The well-known
//! ones that re-enter the filesystem from another root — `/proc/<pid>/root`,
//! `/proc/<pid>/cwd`, `/proc/<pid>/fd/…`, `/proc/<pid>/map_files/…` (`<pid>`
//! being a number, `self` or `thread-self`, also under `task/<tid>/`) and
//! `/dev/fd/…` — are flagged as [`Suspicion`]s, as is any unexpanded shell
//! syntax (`$VAR`, `${…}`, `$(…)`, backquotes) left in a path. A suspicion is
//! detected on every intermediate state of normalisation, so
//! `/proc/self/root/../x` is flagged even though it normalises to
//! `/proc/self/x`. Links inside a workspace (`/work/app/link -> /etc`) remain
//! invisible: containment here is a lexical promise, not a filesystem one.
//!
//! Paths are Unix paths; a backslash is an ordinary character.

use std::fmt;

/// Why a path could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// The path is empty.
    Empty,
    /// The path holds a NUL byte.
    Nul,
    /// The path is relative and no (absolute) working directory was given.
    Relative,
    /// The path starts with `~` (or `$HOME`) and no home directory was given.
    NoHome,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::Empty => "empty path",
            PathError::Nul => "path contains a NUL byte",
            PathError::Relative => "relative path and no absolute working directory",
            PathError::NoHome => "path starts with `~` and no home directory is known",
        })
    }
}

impl std::error::Error for PathError {}

/// A path a lexical check cannot vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspicion {
    /// A NUL byte.
    Nul,
    /// `/proc/<pid>/root`: the process's root directory, i.e. `/` again.
    ProcRoot,
    /// `/proc/<pid>/cwd`: the process's working directory.
    ProcCwd,
    /// `/proc/<pid>/fd/…` or `/proc/<pid>/map_files/…`: open files, wherever
    /// they are.
    ProcFd,
    /// `/dev/fd/…`: the same, through `/dev`.
    DevFd,
    /// Unexpanded shell syntax (`$VAR`, `${…}`, `$(…)`, backquotes): the
    /// path a shell would use is not the one checked.
    ShellExpansion,
}

impl Suspicion {
    /// A stable, short id, e.g. `proc-root`.
    pub fn as_str(self) -> &'static str {
        match self {
            Suspicion::Nul => "nul-byte",
            Suspicion::ProcRoot => "proc-root",
            Suspicion::ProcCwd => "proc-cwd",
            Suspicion::ProcFd => "proc-fd",
            Suspicion::DevFd => "dev-fd",
            Suspicion::ShellExpansion => "shell-expansion",
        }
    }

    /// One phrase for a reason.
    pub fn describe(self) -> &'static str {
        match self {
            Suspicion::Nul => "contains a NUL byte",
            Suspicion::ProcRoot => "goes through /proc/<pid>/root, a link back to /",
            Suspicion::ProcCwd => "goes through /proc/<pid>/cwd, a link to a working directory",
            Suspicion::ProcFd => "goes through /proc/<pid>/fd, links to open files",
            Suspicion::DevFd => "goes through /dev/fd, links to open files",
            Suspicion::ShellExpansion => "holds unexpanded shell syntax",
        }
    }
}

impl fmt::Display for Suspicion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalised path and the first suspicion met on the way, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// Absolute, no `.`/`..`, no repeated or trailing slash (`/` for root).
    pub path: String,
    pub suspicion: Option<Suspicion>,
}

/// Normalises `path` to an absolute, clean path.
///
/// `cwd` is the directory a relative path is joined to; it is normalised
/// too (with `home`) and must end up absolute. `home` expands `~` and
/// `$HOME`. Errors: empty path, NUL byte, relative path with no absolute
/// `cwd`, `~` with no `home`.
///
/// ```
/// use clawlaw_sdk::path::normalize;
/// assert_eq!(normalize("../../etc/passwd", Some("/work/app"), None).unwrap(), "/etc/passwd");
/// assert_eq!(normalize("~/.ssh/id_rsa", None, Some("/home/dev")).unwrap(), "/home/dev/.ssh/id_rsa");
/// ```
pub fn normalize(path: &str, cwd: Option<&str>, home: Option<&str>) -> Result<String, PathError> {
    analyze(path, cwd, home).map(|n| n.path)
}

/// Normalises like [`normalize`] and also reports any [`Suspicion`]. A
/// path through `/proc/<pid>/root` or `/proc/self/cwd` is normalised to
/// what it reaches (keeping its suspicion): `/proc/self/cwd/..` is the
/// working directory's parent, the link's target's, not `/proc/self`.
pub fn analyze(path: &str, cwd: Option<&str>, home: Option<&str>) -> Result<Normalized, PathError> {
    let mut n = analyze_spelling(path, cwd, home)?;
    if let Some(through) = through_proc(path, cwd, home) {
        n.path = analyze_spelling(&through, cwd, home)?.path;
    }
    Ok(n)
}

/// [`analyze`] of the path as spelt.
fn analyze_spelling(
    path: &str,
    cwd: Option<&str>,
    home: Option<&str>,
) -> Result<Normalized, PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.contains('\0') {
        return Err(PathError::Nul);
    }

    let (base, rest): (Option<String>, &str) = if let Some(rest) = strip_home_var(path) {
        (Some(home_dir(home)?), rest)
    } else if let Some(rest) = path.strip_prefix('~') {
        let (user, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        match user {
            "" => (Some(home_dir(home)?), tail),
            "+" => (Some(absolute_cwd(cwd, home)?), tail),
            "root" => (Some("/root".into()), tail),
            // `~-` and anything that is not a user name: a relative path
            // whose first component starts with `~` (what a tool would read).
            u if is_user_name(u) => (Some(format!("/home/{u}")), tail),
            _ => (None, path),
        }
    } else {
        (None, path)
    };
    let base = match base {
        Some(b) => Some(b),
        None if is_clean_absolute(path) => {
            return Ok(Normalized {
                path: path.to_string(),
                suspicion: has_shell_expansion(path).then_some(Suspicion::ShellExpansion),
            });
        }
        None if path.starts_with('/') => None,
        None => Some(absolute_cwd(cwd, home)?),
    };
    let mut n = Normalizer::with_capacity(base.as_ref().map_or(0, String::len) + rest.len() + 1);
    if let Some(base) = &base {
        n.push_all(base);
    }
    n.push_all(rest);
    let mut suspicion = n.suspicion;
    if suspicion.is_none() && has_shell_expansion(path) {
        suspicion = Some(Suspicion::ShellExpansion);
    }
    Ok(Normalized {
        path: n.finish(),
        suspicion,
    })
}

/// `/proc/<pid>/root/x` is `/x` (a process's root, the same tree here), and
/// `/proc/self/cwd/x` (or `thread-self`, `$$`) is `x` in the working
/// directory: what they reach, not where they are spelt.
pub(crate) fn through_proc(path: &str, cwd: Option<&str>, home: Option<&str>) -> Option<String> {
    let rest = path.strip_prefix("/proc/")?;
    let mut parts = rest.splitn(3, '/');
    let (pid, link, tail) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let a_process = pid == "self"
        || pid == "thread-self"
        || (!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
    match link {
        "root" if a_process => Some(format!("/{tail}")),
        "cwd" if matches!(pid, "self" | "thread-self") => {
            let dir = absolute_cwd(cwd, home).ok()?;
            Some(format!("{}/{tail}", dir.trim_end_matches('/')))
        }
        _ => None,
    }
}

/// The [`Suspicion`] of a path, normalising it first (`None` when the path
/// cannot be normalised; a NUL byte is [`Suspicion::Nul`]).
pub fn suspicion(path: &str, cwd: Option<&str>, home: Option<&str>) -> Option<Suspicion> {
    match analyze(path, cwd, home) {
        Ok(n) => n.suspicion,
        Err(PathError::Nul) => Some(Suspicion::Nul),
        Err(_) => None,
    }
}

/// Whether `path` is `root` or inside it, component by component:
/// `/work/app2` is not within `/work/app`. Both are normalised first
/// (without `cwd` or `home`); a path or root that is not absolute is within
/// nothing. Every absolute path is within `/`.
pub fn is_within(path: &str, root: &str) -> bool {
    let (Ok(path), Ok(root)) = (normalize(path, None, None), normalize(root, None, None)) else {
        return false;
    };
    is_within_normalized(&path, &root)
}

/// [`is_within`] for paths already normalised (no re-normalisation).
pub fn is_within_normalized(path: &str, root: &str) -> bool {
    if root == "/" {
        return path.starts_with('/');
    }
    match path.strip_prefix(root) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// Whether `path` is within any of `roots` (see [`is_within`]).
pub fn within_any<S: AsRef<str>>(path: &str, roots: &[S]) -> bool {
    let Ok(path) = normalize(path, None, None) else {
        return false;
    };
    roots
        .iter()
        .any(|r| match normalize(r.as_ref(), None, None) {
            Ok(r) => is_within_normalized(&path, &r),
            Err(_) => false,
        })
}

/// The home directory a path's location suggests: `/home/<user>` for a path
/// under it, `/root` for a path under `/root`, else `None`.
///
/// ```
/// use clawlaw_sdk::path::home_of;
/// assert_eq!(home_of("/home/dev/src/app").as_deref(), Some("/home/dev"));
/// assert_eq!(home_of("/work/app"), None);
/// ```
pub fn home_of(path: &str) -> Option<String> {
    let path = normalize(path, None, None).ok()?;
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some("root"), _) => Some("/root".into()),
        (Some("home"), Some(user)) if !user.is_empty() => Some(format!("/home/{user}")),
        _ => None,
    }
}

/// Paths outside a workspace that reading is ordinary for: system headers
/// and `/usr/share`, language toolchains and package caches (cargo, rustup,
/// Go modules, Maven, npm globals, Python site-packages, pyenv, nvm), and
/// `/etc/os-release`. Globs for [`crate::glob::GlobSet`], `~` being the
/// user's home. The default `readable` set of the bundled policies that keep
/// file actions inside a workspace (`fs-boundary`, `exfiltration`).
pub const TOOLCHAIN_READABLE: &[&str] = &[
    "/usr/include/**",
    "/usr/local/include/**",
    "/usr/share/**",
    "/usr/lib/rustlib/**",
    "/usr/lib/python3*/**",
    "/usr/local/lib/python3*/**",
    "/usr/lib/node_modules/**",
    "/usr/local/lib/node_modules/**",
    "/usr/lib/jvm/**",
    "/usr/local/go/src/**",
    "/usr/local/cargo/registry/**",
    "/usr/local/cargo/git/**",
    "/usr/local/rustup/toolchains/**",
    "~/.cargo/registry/**",
    "~/.cargo/git/**",
    "~/.rustup/toolchains/**",
    "~/go/pkg/mod/**",
    "~/.m2/repository/**",
    "~/.pyenv/versions/**",
    "~/.nvm/versions/**",
    "/etc/os-release",
    // Scratch: build logs, test output, downloads the agent made.
    "/tmp/**",
    "/var/tmp/**",
];

/// The final component of a path (`""` for `/`), ignoring trailing slashes.
pub fn file_name(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    match p.rfind('/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// A set of workspace roots and the home directory used to expand `~`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    roots: Vec<String>,
    home: Option<String>,
}

/// Where a checked path lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Inside `root` (one of the workspace's roots).
    Inside { path: String, root: String },
    /// Outside every root.
    Outside { path: String },
    /// A path a lexical check cannot vouch for, inside or not. `path` is the
    /// normalised path (for a NUL byte, the raw path with `\0` spelt out).
    Suspicious { path: String, why: Suspicion },
    /// The path could not be normalised (relative with no cwd, `~` with no
    /// home, empty).
    Invalid(PathError),
}

impl Check {
    /// The normalised path, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Check::Inside { path, .. }
            | Check::Outside { path }
            | Check::Suspicious { path, .. } => Some(path),
            Check::Invalid(_) => None,
        }
    }

    /// Whether the path is inside a root and not suspicious.
    pub fn is_inside(&self) -> bool {
        matches!(self, Check::Inside { .. })
    }
}

impl Workspace {
    /// A workspace of `roots` (each normalised with `home`; each must be
    /// absolute after `~` expansion, else the error).
    pub fn new<I, S>(roots: I, home: Option<&str>) -> Result<Workspace, PathError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let home = match home {
            Some(h) => Some(normalize(h, None, None)?),
            None => None,
        };
        let mut out: Vec<String> = Vec::new();
        for r in roots {
            let r = normalize(r.as_ref(), None, home.as_deref())?;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        Ok(Workspace { roots: out, home })
    }

    /// The normalised roots.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// The normalised home directory, if known.
    pub fn home(&self) -> Option<&str> {
        self.home.as_deref()
    }

    /// Normalises `path` (relative to `cwd`, `~` from the workspace's home)
    /// and says where it lies. A suspicion wins over containment.
    pub fn check(&self, path: &str, cwd: Option<&str>) -> Check {
        match analyze(path, cwd, self.home()) {
            Err(PathError::Nul) => Check::Suspicious {
                path: path.replace('\0', "\\0"),
                why: Suspicion::Nul,
            },
            Err(e) => Check::Invalid(e),
            Ok(Normalized {
                path,
                suspicion: Some(why),
            }) => Check::Suspicious { path, why },
            Ok(Normalized {
                path,
                suspicion: None,
            }) => match self.roots.iter().find(|r| is_within_normalized(&path, r)) {
                Some(root) => Check::Inside {
                    root: root.clone(),
                    path,
                },
                None => Check::Outside { path },
            },
        }
    }
}

/// Accumulates components, resolving `.` and `..`, and watches for
/// suspicious intermediate states. The path is built in one string (`/a/b`;
/// empty for the root): `..` cuts its last component off.
#[derive(Default)]
struct Normalizer {
    out: String,
    depth: usize,
    suspicion: Option<Suspicion>,
}

impl Normalizer {
    fn with_capacity(n: usize) -> Normalizer {
        Normalizer {
            out: String::with_capacity(n),
            ..Normalizer::default()
        }
    }

    fn push_all(&mut self, path: &str) {
        for c in path.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    if let Some(i) = self.out.rfind('/') {
                        self.out.truncate(i);
                        self.depth -= 1;
                    }
                }
                c => {
                    self.out.push('/');
                    self.out.push_str(c);
                    self.depth += 1;
                    if self.suspicion.is_none() {
                        self.suspicion = link_trick(&self.out, self.depth);
                    }
                }
            }
        }
    }

    fn finish(self) -> String {
        if self.out.is_empty() {
            "/".into()
        } else {
            self.out
        }
    }
}

/// Whether the path so far (`depth` components) ends in a link a lexical
/// check cannot follow (checked after every push, so only the last
/// component is new).
fn link_trick(path: &str, depth: usize) -> Option<Suspicion> {
    // Every pattern below is at most five components long (and `/dev/fd`
    // is met at two), under `/dev` or `/proc`: a longer path has nothing
    // new to show, and looking at it would make normalising a path
    // quadratic in its length.
    if depth > 5 || !(path.starts_with("/dev/") || path.starts_with("/proc/")) {
        return None;
    }
    let mut p = [""; 5];
    for (slot, part) in p.iter_mut().zip(path[1..].split('/')) {
        *slot = part;
    }
    let p = &p[..depth];
    let is_pid = |s: &str| {
        s == "self"
            || s == "thread-self"
            || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    };
    let proc_link = |s: &str| match s {
        "root" => Some(Suspicion::ProcRoot),
        "cwd" => Some(Suspicion::ProcCwd),
        "fd" | "map_files" => Some(Suspicion::ProcFd),
        _ => None,
    };
    match p {
        ["dev", "fd", ..] => Some(Suspicion::DevFd),
        ["proc", pid, link] if is_pid(pid) => proc_link(link),
        ["proc", pid, "task", tid, link] if is_pid(pid) && is_pid(tid) => proc_link(link),
        _ => None,
    }
}

/// Whether `path` is absolute and already normalised, with nothing a
/// lexical check must look into (`/dev`, `/proc`): its own normal form.
fn is_clean_absolute(path: &str) -> bool {
    path == "/"
        || (path.starts_with('/')
            && !path.ends_with('/')
            && !path.starts_with("/dev/")
            && !path.starts_with("/proc/")
            && !path.contains('\0')
            && path[1..].split('/').all(|c| !matches!(c, "" | "." | "..")))
}

/// The rest of a path starting with `$HOME` or `${HOME}` (followed by `/`
/// or the end).
fn strip_home_var(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix("${HOME}")
        .or_else(|| path.strip_prefix("$HOME"))?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

fn home_dir(home: Option<&str>) -> Result<String, PathError> {
    let home = home.filter(|h| !h.is_empty()).ok_or(PathError::NoHome)?;
    if is_clean_absolute(home) {
        return Ok(home.to_string());
    }
    let home = normalize(home, None, None).map_err(|_| PathError::NoHome)?;
    Ok(home)
}

fn absolute_cwd(cwd: Option<&str>, home: Option<&str>) -> Result<String, PathError> {
    let cwd = cwd.filter(|c| !c.is_empty()).ok_or(PathError::Relative)?;
    if is_clean_absolute(cwd) {
        return Ok(cwd.to_string());
    }
    if cwd.starts_with('/') || cwd.starts_with('~') || strip_home_var(cwd).is_some() {
        match normalize(cwd, None, home) {
            Ok(c) => Ok(c),
            Err(PathError::Nul) => Err(PathError::Nul),
            Err(PathError::NoHome) => Err(PathError::NoHome),
            Err(_) => Err(PathError::Relative),
        }
    } else {
        Err(PathError::Relative)
    }
}

fn is_user_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// `$NAME`, `${…}`, `$(…)` or a backquote anywhere in the path (a leading
/// `$HOME` has been expanded already and does not count).
fn has_shell_expansion(path: &str) -> bool {
    let path = strip_home_var(path).unwrap_or(path);
    if path.contains('`') {
        return true;
    }
    let b = path.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'$'
            && b.get(i + 1)
                .is_some_and(|&n| n == b'{' || n == b'(' || n == b'_' || n.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: Option<&str> = Some("/work/app");
    const HOME: Option<&str> = Some("/home/dev");

    fn n(path: &str) -> String {
        normalize(path, APP, HOME).unwrap()
    }

    #[test]
    fn joins_and_resolves_dots() {
        assert_eq!(n("../../etc/passwd"), "/etc/passwd");
        assert_eq!(n("/work/app/../app2"), "/work/app2");
        assert_eq!(n("//etc///passwd"), "/etc/passwd");
        assert_eq!(n("./a/./b"), "/work/app/a/b");
        assert_eq!(n("src/main.rs"), "/work/app/src/main.rs");
        assert_eq!(n("src/"), "/work/app/src");
        assert_eq!(n("."), "/work/app");
        assert_eq!(n("/"), "/");
        assert_eq!(n("///"), "/");
        assert_eq!(n("/../../.."), "/", "never above /");
        assert_eq!(n("../../../../../../etc"), "/etc");
        assert_eq!(n("a/b/../../../x"), "/work/x");
        assert_eq!(n("/a/b/"), "/a/b");
        assert_eq!(
            n("a\\b"),
            "/work/app/a\\b",
            "backslash is an ordinary character"
        );
        assert_eq!(n("..."), "/work/app/...");
    }

    #[test]
    fn cwd_is_normalised_too() {
        assert_eq!(
            normalize("x", Some("/work//app/./src/.."), None).unwrap(),
            "/work/app/x"
        );
        assert_eq!(
            normalize("x", Some("~/proj"), HOME).unwrap(),
            "/home/dev/proj/x"
        );
        assert_eq!(
            normalize("x", Some("relative/dir"), None),
            Err(PathError::Relative)
        );
        assert_eq!(normalize("x", Some(""), None), Err(PathError::Relative));
        assert_eq!(normalize("x", None, None), Err(PathError::Relative));
        assert_eq!(normalize("/abs", None, None).unwrap(), "/abs");
    }

    #[test]
    fn home_expansion() {
        assert_eq!(n("~/.ssh/id_rsa"), "/home/dev/.ssh/id_rsa");
        assert_eq!(n("~"), "/home/dev");
        assert_eq!(n("~/"), "/home/dev");
        assert_eq!(n("~/../../etc/shadow"), "/etc/shadow");
        assert_eq!(n("$HOME/.aws/credentials"), "/home/dev/.aws/credentials");
        assert_eq!(n("${HOME}/.aws/credentials"), "/home/dev/.aws/credentials");
        assert_eq!(n("~alice/notes"), "/home/alice/notes");
        assert_eq!(n("~root/.bashrc"), "/root/.bashrc");
        assert_eq!(n("~+/x"), "/work/app/x");
        assert_eq!(n("~-/x"), "/work/app/~-/x", "not expanded: a relative name");
        assert_eq!(normalize("~/.ssh", APP, None), Err(PathError::NoHome));
        assert_eq!(normalize("$HOME/x", APP, None), Err(PathError::NoHome));
        // `$HOMEWORK` is not `$HOME`.
        assert_eq!(
            analyze("$HOMEWORK/x", APP, HOME).unwrap().suspicion,
            Some(Suspicion::ShellExpansion)
        );
        // A `~` that is not leading is an ordinary name.
        assert_eq!(n("/a/~/b"), "/a/~/b");
    }

    #[test]
    fn errors() {
        assert_eq!(normalize("", APP, HOME), Err(PathError::Empty));
        assert_eq!(
            normalize("/etc/passwd\0.txt", APP, HOME),
            Err(PathError::Nul)
        );
        assert_eq!(
            suspicion("/etc/passwd\0.txt", APP, HOME),
            Some(Suspicion::Nul)
        );
        assert_eq!(
            PathError::Relative.to_string(),
            "relative path and no absolute working directory"
        );
    }

    #[test]
    fn containment_is_component_wise() {
        assert!(is_within("/work/app", "/work/app"));
        assert!(is_within("/work/app/src/main.rs", "/work/app"));
        assert!(is_within("/work/app/src/main.rs", "/work/app/"));
        assert!(!is_within("/work/app2", "/work/app"));
        assert!(!is_within("/work/app2/x", "/work/app"));
        assert!(!is_within("/work", "/work/app"));
        assert!(!is_within("/work/app/../app2", "/work/app"));
        assert!(is_within("/work/app/x/../y", "/work/app"));
        assert!(is_within("/anything", "/"));
        assert!(!is_within("relative", "/"));
        assert!(!is_within("/work/app", "relative"));
        assert!(within_any("/b/x", &["/a", "/b"]));
        assert!(!within_any("/c/x", &["/a", "/b"]));
        assert!(!within_any::<&str>("/c/x", &[]));
    }

    #[test]
    fn link_tricks_are_flagged() {
        let s = |p: &str| suspicion(p, APP, HOME);
        assert_eq!(s("/proc/self/root/etc/passwd"), Some(Suspicion::ProcRoot));
        assert_eq!(s("/proc/self/root"), Some(Suspicion::ProcRoot));
        assert_eq!(s("/proc/1234/root/etc/shadow"), Some(Suspicion::ProcRoot));
        assert_eq!(s("/proc/thread-self/cwd/x"), Some(Suspicion::ProcCwd));
        assert_eq!(s("/proc/1/task/1/root/etc"), Some(Suspicion::ProcRoot));
        assert_eq!(s("/proc/self/fd/3"), Some(Suspicion::ProcFd));
        assert_eq!(s("/proc/self/map_files/x"), Some(Suspicion::ProcFd));
        assert_eq!(s("/dev/fd/0"), Some(Suspicion::DevFd));
        assert_eq!(s("//proc//self/./root/etc"), Some(Suspicion::ProcRoot));
        // Flagged on the way, even when `..` removes it afterwards.
        assert_eq!(s("/proc/self/root/../x"), Some(Suspicion::ProcRoot));
        // From inside the workspace, by traversal.
        assert_eq!(
            s("../../proc/self/root/etc/passwd"),
            Some(Suspicion::ProcRoot)
        );
        // Ordinary /proc files and look-alikes are not link tricks.
        assert_eq!(s("/proc/cpuinfo"), None);
        assert_eq!(s("/proc/self/status"), None);
        assert_eq!(s("/proc/selfish/root"), None);
        assert_eq!(s("/work/app/proc/self/root"), None);
        assert_eq!(s("/dev/null"), None);
    }

    #[test]
    fn shell_syntax_is_flagged() {
        let s = |p: &str| suspicion(p, APP, HOME);
        assert_eq!(s("/work/app/$DIR/x"), Some(Suspicion::ShellExpansion));
        assert_eq!(s("/work/app/${X}"), Some(Suspicion::ShellExpansion));
        assert_eq!(s("/work/app/$(pwd)/x"), Some(Suspicion::ShellExpansion));
        assert_eq!(s("/work/app/`id`"), Some(Suspicion::ShellExpansion));
        assert_eq!(s("$HOME/x"), None, "a leading $HOME is expanded");
        assert_eq!(
            s("/work/app/price$5.txt"),
            None,
            "`$5` is not a variable name here"
        );
        assert_eq!(s("/work/app/a$"), None);
    }

    #[test]
    fn proc_links_are_what_they_reach() {
        let n = |p: &str| normalize(p, Some("/work/app"), Some("/home/dev")).unwrap();
        assert_eq!(
            n("/proc/1/root/home/dev/.claude/settings.json"),
            "/home/dev/.claude/settings.json"
        );
        assert_eq!(n("/proc/self/root/etc/passwd"), "/etc/passwd");
        assert_eq!(n("/proc/thread-self/root"), "/");
        assert_eq!(n("/proc/self/cwd/../.ssh"), "/work/.ssh");
        assert_eq!(n("/proc/self/cwd/src"), "/work/app/src");
        assert_eq!(n("/proc/1/environ"), "/proc/1/environ");
        assert_eq!(n("/proc/1/cwd/x"), "/proc/1/cwd/x");
    }

    #[test]
    fn home_of_derives_from_location() {
        assert_eq!(home_of("/home/dev/src").as_deref(), Some("/home/dev"));
        assert_eq!(home_of("/home/dev").as_deref(), Some("/home/dev"));
        assert_eq!(home_of("/root/x").as_deref(), Some("/root"));
        assert_eq!(home_of("/home"), None);
        assert_eq!(home_of("/work/app"), None);
        assert_eq!(home_of("relative"), None);
    }

    #[test]
    fn file_name_is_the_last_component() {
        assert_eq!(file_name("/a/b/.env"), ".env");
        assert_eq!(file_name("/a/b/"), "b");
        assert_eq!(file_name("x"), "x");
        assert_eq!(file_name("/"), "");
    }

    #[test]
    fn workspace_check() {
        let ws = Workspace::new(["/work/app", "/work/lib/", "/work/app"], HOME).unwrap();
        assert_eq!(ws.roots(), ["/work/app", "/work/lib"]);
        assert_eq!(ws.home(), Some("/home/dev"));
        assert_eq!(
            ws.check("src/main.rs", APP),
            Check::Inside {
                path: "/work/app/src/main.rs".into(),
                root: "/work/app".into()
            }
        );
        assert_eq!(
            ws.check("../lib/x.rs", APP),
            Check::Inside {
                path: "/work/lib/x.rs".into(),
                root: "/work/lib".into()
            }
        );
        assert_eq!(
            ws.check("../../etc/passwd", APP),
            Check::Outside {
                path: "/etc/passwd".into()
            }
        );
        assert_eq!(
            ws.check("/work/app/../app2", APP),
            Check::Outside {
                path: "/work/app2".into()
            }
        );
        assert_eq!(
            ws.check("~/.ssh/id_rsa", APP).path(),
            Some("/home/dev/.ssh/id_rsa")
        );
        assert!(!ws.check("~/.ssh/id_rsa", APP).is_inside());
        assert_eq!(ws.check("x", None), Check::Invalid(PathError::Relative));
        assert_eq!(
            ws.check("/work/app/a\0b", APP),
            Check::Suspicious {
                path: "/work/app/a\\0b".into(),
                why: Suspicion::Nul
            }
        );
        assert!(matches!(
            ws.check("/proc/self/root/work/app/x", APP),
            Check::Suspicious {
                why: Suspicion::ProcRoot,
                ..
            }
        ));
        let no_home = Workspace::new(["/work/app"], None).unwrap();
        assert_eq!(
            no_home.check("~/.bashrc", APP),
            Check::Invalid(PathError::NoHome)
        );
        assert_eq!(Workspace::new(["relative"], None), Err(PathError::Relative));
        assert_eq!(Workspace::new(["~/proj"], None), Err(PathError::NoHome));
        assert_eq!(
            Workspace::new(["~/proj"], HOME).unwrap().roots(),
            ["/home/dev/proj"]
        );
        let everything = Workspace::new(["/"], None).unwrap();
        assert!(everything.check("/etc/passwd", None).is_inside());
    }

    #[test]
    fn long_paths_normalise_in_linear_time() {
        // 200,000 components: quadratic work here took minutes.
        let long = "a/".repeat(200_000);
        let n = normalize(&long, APP, HOME).unwrap();
        assert_eq!(n.len(), "/work/app".len() + 2 * 200_000);
        // Tricks are still met at the front of a long path.
        assert_eq!(
            suspicion(&format!("/proc/self/root/{long}"), APP, HOME),
            Some(Suspicion::ProcRoot)
        );
    }
}

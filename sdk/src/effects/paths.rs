//! Where a word of a command line points, and what a path effect may reach.
//!
//! [`resolve`] turns the text of a shell word into an absolute, normalised
//! path the way the shell and the kernel would, as far as that can be known
//! without running anything:
//!
//! - a leading `~`, `~/…`, `$HOME`, `${HOME}` (when the shell would expand
//!   them, i.e. unquoted) is the home directory; `~user` is `/home/user`
//!   (`~root` is `/root`); `~+`, `$PWD` and `${PWD}` are the working
//!   directory; a quoted `"~/x"` is a file named `~` in the working directory;
//! - a relative path is joined to the working directory;
//! - the static part is normalised as [`crate::path::normalize`] does (`.`/`..`
//!   folded); everything from the component holding the first expansion or
//!   glob on is kept as written and the result is *dynamic*.
//!
//! When the base cannot be known (no working directory, a `cd "$X"` earlier in
//! the line, no home for `~`, a path starting with `$VAR`), the text is kept
//! as written: it does not start with `/` and the result is dynamic.
//!
//! [`may_touch`] is the conservative question a policy asks of such a path:
//! could this effect reach that protected path? See its documentation for
//! the rules.

use std::ops::Range;

use crate::path;
use crate::shell::var_prefix;

/// A resolved path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub path: String,
    pub dynamic: bool,
}

/// Resolves `text[from..]`, whose dynamic spans (in `text` offsets) are
/// `spans`, against `cwd` and `home` (both absolute and normalised when
/// given).
pub(crate) fn resolve(
    text: &str,
    spans: &[Range<usize>],
    from: usize,
    cwd: Option<&str>,
    home: Option<&str>,
) -> Resolved {
    let text = text.get(from..).unwrap_or("");
    // `/proc/1/root/etc/x` is `/etc/x`, `/proc/self/cwd/../x` beside the
    // working directory.
    if spans.iter().all(|s| s.end <= from)
        && let Some(through) = crate::path::through_proc(text, cwd, home)
    {
        return resolve(&through, &[], 0, cwd, home);
    }
    let spans: Vec<Range<usize>> = spans
        .iter()
        .filter(|s| s.end > from)
        .map(|s| s.start.saturating_sub(from)..s.end - from)
        .collect();
    // A glob at the start (`*.log`, `{a,b}/x`) is still relative to the
    // working directory; only an expansion there (`$DIR`, `~`, `$(…)`)
    // hides the base.
    let expands_at_0 =
        spans.first().is_some_and(|s| s.start == 0) && !text.starts_with(['*', '?', '[', '{']);
    let unknown = || Resolved {
        path: text.to_string(),
        dynamic: true,
    };
    // The directory the text is relative to, and where the rest starts.
    let (base, start): (Option<&str>, usize) = if expands_at_0 {
        if let Some(n) = home_prefix(text) {
            (home, n)
        } else if let Some(n) = var_prefix(text, "PWD").or_else(|| tilde_plus(text)) {
            (cwd, n)
        } else if let Some((user, n)) = tilde_user(text) {
            let dir = if user == "root" {
                "/root".to_string()
            } else {
                format!("/home/{user}")
            };
            return finish(&dir, text, n, &spans);
        } else {
            return unknown();
        }
    } else if text.starts_with('/') {
        (Some("/"), 0)
    } else {
        (cwd, 0)
    };
    match base {
        Some(b) if b.starts_with('/') => finish(b, text, start, &spans),
        // `~/x` with no home: keep it as written for `may_touch`, which reads
        // a leading `~` as any home directory.
        _ => unknown(),
    }
}

/// Joins `text[start..]` to `base`, normalising its static part.
fn finish(base: &str, text: &str, start: usize, spans: &[Range<usize>]) -> Resolved {
    let rest = text.get(start..).unwrap_or("");
    let first_dyn = spans
        .iter()
        .filter(|s| s.end > start)
        .map(|s| s.start.max(start) - start)
        .min();
    let Some(d) = first_dyn else {
        return Resolved {
            path: normalize(base, rest),
            dynamic: false,
        };
    };
    let cut = rest[..d].rfind('/').map_or(0, |k| k + 1);
    let (fixed, tail) = rest.split_at(cut);
    let mut path = normalize(base, fixed);
    if !path.ends_with('/') {
        path.push('/');
    }
    path.push_str(tail);
    Resolved {
        path,
        dynamic: true,
    }
}

/// `rest` joined to the absolute `base`, `.` and `..` folded (never above
/// `/`), slashes collapsed: what [`crate::path::normalize`] does, in time
/// linear in the length of the path (hostile paths are megabytes long).
fn normalize(base: &str, rest: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in base.split('/').chain(rest.split('/')) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return "/".into();
    }
    let mut out = String::with_capacity(base.len() + rest.len() + 1);
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    out
}

/// `~`, `~/…`, `$HOME`, `${HOME}` at the start: the length of the prefix.
fn home_prefix(text: &str) -> Option<usize> {
    if text == "~" || text.starts_with("~/") {
        return Some(1);
    }
    var_prefix(text, "HOME")
}

fn tilde_plus(text: &str) -> Option<usize> {
    (text == "~+" || text.starts_with("~+/")).then_some(2)
}

fn tilde_user(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix('~')?;
    let user = rest.split('/').next().unwrap_or("");
    let ok = !user.is_empty()
        && user.len() <= 32
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then_some((user, 1 + user.len()))
}

/// Characters that start a run-time part in a path kept as written.
const META: &[char] = &['$', '`', '*', '?', '[', '{'];

/// Whether an effect on `path` may reach `protected` (absolute, normalised).
///
/// - A static path touches `protected` when it is `protected` or inside it,
///   or when the effect is recursive and `protected` is inside it.
/// - A dynamic path with an absolute static part (`/home/u/.cla*`,
///   `/srv/$APP/x`): the effect lies somewhere below the static directory
///   (`/home/u`, climbing one level per `..` found in the dynamic part).
///   It touches `protected` when that directory is inside `protected`, or
///   when `protected` is below it and the next component of `protected`
///   could be what the dynamic part expands to (it starts with the static
///   text before the expansion, `.cla` here). When the dynamic part holds
///   only globs (`* ? [ ]`, `{a,b}`), each of its components is matched
///   against `protected`'s, and a non-recursive effect reaches only paths
///   at its own depth or above.
/// - Any other path (a relative path whose working directory is unknown, a
///   path starting with `$VAR` or `$(…)`) may touch anything.
/// - A path starting with `~` (home unknown) stands for `/root` and every
///   `/home/<user>`.
pub(crate) fn may_touch(path: &str, dynamic: bool, recursive: bool, protected: &str) -> bool {
    if let Some(rest) = path.strip_prefix('~')
        && (rest.is_empty() || rest.starts_with('/'))
    {
        return match path::home_of(protected) {
            Some(h) => may_touch(&format!("{h}{rest}"), dynamic, recursive, protected),
            None => false,
        };
    }
    if !path.starts_with('/') {
        return true;
    }
    if !dynamic {
        return path::is_within_normalized(path, protected)
            || (recursive && path::is_within_normalized(protected, path));
    }
    let meta = path.find(META).unwrap_or(path.len());
    let slash = path[..meta].rfind('/').unwrap_or(0);
    let mut dir = if slash == 0 { "/" } else { &path[..slash] };
    let tail = &path[slash + 1..];
    let ups = tail.split('/').filter(|c| *c == "..").count();
    for _ in 0..ups {
        dir = match dir.rfind('/') {
            Some(0) | None => "/",
            Some(k) => &dir[..k],
        };
    }
    if path::is_within_normalized(dir, protected) {
        return true;
    }
    if !path::is_within_normalized(protected, dir) {
        return false;
    }
    let below = protected[dir.len()..].trim_start_matches('/');
    if ups > 0 {
        return true;
    }
    let only_globs = !tail.contains(['$', '`']) && !tail.split('/').any(|c| c == "**");
    if !only_globs {
        let partial = &tail[..tail.find(META).unwrap_or(tail.len())];
        let next = below.split('/').next().unwrap_or("");
        return next.starts_with(partial);
    }
    let pattern: Vec<&str> = tail
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let target: Vec<&str> = below.split('/').collect();
    let matched = pattern
        .iter()
        .zip(&target)
        // As a shell globs: a name starting with `.` is matched only by a
        // pattern that starts with one (`*` is not `.claude`, `.c*` is).
        .all(|(p, t)| glob_match::glob_match(p, t) && (!t.starts_with('.') || p.starts_with('.')));
    matched && (target.len() <= pattern.len() || recursive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str, cwd: Option<&str>) -> Resolved {
        let line = crate::shell::parse(&format!("x {text}"));
        let w = &line.commands[0].argv[1];
        let spans: Vec<Range<usize>> = w.dynamic_spans().collect();
        resolve(&w.text, &spans, 0, cwd, Some("/home/u"))
    }

    #[test]
    fn resolves_like_a_shell() {
        let cwd = Some("/work/app");
        assert_eq!(r("a/../b", cwd).path, "/work/app/b");
        assert_eq!(r("~/.bashrc", cwd).path, "/home/u/.bashrc");
        assert_eq!(r("$HOME/.ssh", cwd).path, "/home/u/.ssh");
        assert_eq!(r("${HOME}/.ssh", cwd).path, "/home/u/.ssh");
        assert_eq!(r("${HOME:?}/.ssh", cwd).path, "/home/u/.ssh");
        assert_eq!(r("${HOME:-/tmp}", cwd).path, "/home/u");
        assert!(r("${HOME:+/tmp}/x", cwd).dynamic);
        assert!(r("${HOME%/*}/x", cwd).dynamic);
        assert_eq!(r("\"$HOME/a b\"", cwd).path, "/home/u/a b");
        assert_eq!(r("'~/x'", cwd).path, "/work/app/~/x");
        assert_eq!(r("~root/x", cwd).path, "/root/x");
        assert_eq!(r("~bob", cwd).path, "/home/bob");
        assert_eq!(r("$PWD/../z", cwd).path, "/work/z");
        let d = r("/a/b/../c/$X/y", cwd);
        assert!(d.dynamic);
        assert_eq!(d.path, "/a/c/$X/y");
        let g = r("~/.cla*", cwd);
        assert_eq!((g.path.as_str(), g.dynamic), ("/home/u/.cla*", true));
        let u = r("$DIR/x", cwd);
        assert_eq!((u.path.as_str(), u.dynamic), ("$DIR/x", true));
        // A glob first is still relative to the working directory.
        let star = r("*.log", cwd);
        assert_eq!(
            (star.path.as_str(), star.dynamic),
            ("/work/app/*.log", true)
        );
        let rel = r("x/y", None);
        assert_eq!((rel.path.as_str(), rel.dynamic), ("x/y", true));
    }

    #[test]
    fn may_touch_static_and_recursive() {
        let p = "/home/u/.claude/settings.json";
        assert!(may_touch(p, false, false, p));
        assert!(may_touch(p, false, false, "/home/u/.claude"));
        assert!(!may_touch("/home/u/.claude", false, false, p));
        assert!(may_touch("/home/u/.claude", false, true, p));
        assert!(may_touch("/", false, true, p));
        assert!(!may_touch("/home/u/.claudex", false, true, p));
    }

    #[test]
    fn may_touch_dynamic() {
        let p = "/home/u/.claude/settings.json";
        assert!(may_touch("/home/u/.cla*", true, true, p));
        assert!(!may_touch("/home/u/.cla*", true, false, p));
        assert!(may_touch("/home/u/.cla*", true, false, "/home/u/.claude"));
        assert!(!may_touch("/home/u/*.txt", true, true, p));
        assert!(may_touch("/home/u/$X", true, false, p));
        assert!(!may_touch("/home/u/x$X", true, true, p));
        assert!(may_touch("/home/u/x$X/../..", true, false, p));
        assert!(may_touch("/home/u/.claude/*", true, false, p));
        assert!(!may_touch("/srv/$X", true, true, p));
        assert!(may_touch("$DIR", true, false, p));
        assert!(may_touch("rel/x", true, false, p));
        assert!(may_touch("~/.claude", true, true, p));
        assert!(!may_touch("~/.claude", true, true, "/etc/passwd"));
        // A shell's `*` does not match a name starting with `.`.
        assert!(!may_touch("/home/u/*", true, true, p));
        assert!(!may_touch("/home/u/*/settings.json", true, false, p));
        assert!(may_touch("/home/u/.*", true, true, p));
        assert!(may_touch("/home/u/.claude/*.json", true, false, p));
    }
}

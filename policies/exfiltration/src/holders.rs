//! Directories that hold credentials without being named for them: the
//! file system's root, a home directory (`~`, `$HOME`, `/home/dev`), the
//! directories above home directories, a credentials directory or one
//! above it (`~/.config` holds `~/.config/gcloud`), `/etc` (it holds
//! `/etc/shadow`). A program that reads or hands out such a directory
//! whole (`tar czf - ~`, `aws s3 sync ~ s3://…`, `python3 -m http.server
//! --directory ~`) reads or hands out its credentials.

use clawlaw_sdk::path::{home_of, is_within_normalized};
use clawlaw_sdk::secrets;

/// The kind a directory that holds credentials is noted with, beside the
/// kinds of [`secrets::is_credential_path`].
pub(crate) const HOLDER: &str = "directory-holding-credentials";

/// Credentials directories under a home directory (those
/// [`secrets::is_credential_dir`] knows).
const HOME_CREDENTIAL_DIRS: &[&str] = &[
    ".ssh",
    ".aws",
    ".gnupg",
    ".password-store",
    ".kube",
    ".docker",
    ".azure",
    ".config/gcloud",
    ".config/gh",
];

/// Credential files and directories outside any home directory.
const SYSTEM_CREDENTIALS: &[&str] = &["/etc/shadow", "/etc/gshadow", "/etc/ssl/private"];

/// Ways a path is spelled from a home directory that is not known.
const HOME_SPELLINGS: &[&str] = &["~", "$HOME", "${HOME}"];

/// What makes `root` a directory that holds credentials, if anything: a
/// phrase for a reason ("that is a home directory, …"). `home` is the
/// user's home directory when known; `~` and `$HOME` spellings and
/// `/home/NAME`-like paths are recognised without it.
pub(crate) fn holds_credentials(root: &str, home: Option<&str>) -> Option<String> {
    let root = match root.trim_end_matches('/') {
        "" => "/",
        r => r,
    };
    if root == "/" {
        return Some("that is the whole file system, every user's credentials with it".into());
    }
    if let Some(kind) = credential_dir_at_or_above(root) {
        return Some(format!("that is a directory of credentials ({kind})"));
    }
    if let Some(inside) = SYSTEM_CREDENTIALS
        .iter()
        .find(|c| is_within_normalized(c, root))
    {
        return Some(format!("it holds {inside}"));
    }
    // Below a home directory, known or spelled from one: where in it.
    let from_home = home
        .and_then(|h| strip_dir(root, h))
        .or_else(|| HOME_SPELLINGS.iter().find_map(|h| strip_dir(root, h)));
    let from_home = from_home.or_else(|| home_of(root).and_then(|h| strip_dir(root, &h)));
    if let Some(rel) = from_home {
        if rel.is_empty() {
            return Some("that is a home directory, with its .ssh, .aws and the like".into());
        }
        if let Some(dir) = HOME_CREDENTIAL_DIRS
            .iter()
            .find(|d| d.strip_prefix(rel).is_some_and(|r| r.starts_with('/')))
        {
            return Some(format!("it holds ~/{dir}"));
        }
        return None;
    }
    // Above home directories (`/home`, `/Users`).
    let above_home = home.is_some_and(|h| strip_dir(h, root).is_some())
        || matches!(root, "/home" | "/Users" | "/root");
    above_home.then(|| "it holds home directories, with their credentials".into())
}

/// The kind of the credentials directory `root` is or is inside.
fn credential_dir_at_or_above(root: &str) -> Option<&'static str> {
    let mut at = root;
    loop {
        if let Some(kind) = secrets::is_credential_dir(at) {
            return Some(kind);
        }
        match at.rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => at = parent,
            _ => return None,
        }
    }
}

/// `path` relative to `dir` when it is `dir` or below it (`""` for `dir`
/// itself).
fn strip_dir<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(dir.trim_end_matches('/'))?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_served_directory_exposes() {
        let home = Some("/home/u");
        for root in [
            "/",
            "/home/u",
            "/home/u/",
            "/home/u/.ssh",
            "/home/u/.ssh/keys",
            "/home/u/.config",
            "/home/u/.config/gcloud",
            "~",
            "$HOME/.aws",
            "/home",
            "/etc",
            "/etc/ssl",
            "/root",
            "/home/other",
        ] {
            assert!(holds_credentials(root, home).is_some(), "{root}");
        }
        for root in [
            "/work/app",
            "/work/app/dist",
            "/home/u/site",
            "/home/u/.config/nvim",
            "/srv/www",
            "/tmp/x",
            "/etc/nginx",
        ] {
            assert_eq!(holds_credentials(root, home), None, "{root}");
        }
        // A home directory is one wherever the user's is.
        assert!(holds_credentials("/home/dev", None).is_some());
    }
}

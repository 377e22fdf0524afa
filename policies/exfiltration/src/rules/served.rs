//! Directories served to whoever connects (`python3 -m http.server
//! --directory ~`, `php -S 0.0.0.0:8000 -t /`, `npx http-server ~/.aws`):
//! nothing leaves until someone asks, then anything below the root can. A
//! root that holds credentials (the file system's, a home directory, a
//! credentials directory or one above it) is judged as sending them, under
//! `exfil.secret-egress`; a root outside the workspace, or one known only
//! at run time, is escalated under `exfil.unusual-sink`. A server in the
//! workspace, or listening on the loopback interface only, is ordinary
//! work. What a server serves is the SDK's effects model's
//! ([`clawlaw_sdk::effects::Serve`]).

use clawlaw_sdk::effects::{self, Serve};
use clawlaw_sdk::path::{home_of, is_within_normalized};
use clawlaw_sdk::secrets;
use clawlaw_sdk::shell::CommandLine;
use clawlaw_sdk::{Decision, shell};

use super::{Cx, SECRET_EGRESS, UNUSUAL};
use crate::eval::Eval;

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

impl Cx<'_> {
    /// Judges the directories `line` serves to the network.
    pub(crate) fn check_servers(&self, ev: &mut Eval, line: &shell::CommandLine) {
        for s in served(line, self.cwd, self.home.as_deref()) {
            let to = "to anyone who can reach this machine";
            if let Some(holds) = holds_credentials(&s.root, self.home.as_deref()) {
                let reason = format!("{} would serve {} {to}: {holds}", s.program, s.root);
                ev.add(self.secret(self.s.secret_egress, SECRET_EGRESS, reason));
            } else if s.dynamic {
                let reason = format!(
                    "{} would serve {}, a directory only known at run time, {to}",
                    s.program, s.root
                );
                ev.add(Decision::escalate(UNUSUAL, reason).with_risk(0.7));
            } else if !self
                .write_roots()
                .iter()
                .any(|r| is_within_normalized(&s.root, r))
            {
                let reason = format!(
                    "{} would serve {}, outside the workspace, {to}",
                    s.program, s.root
                );
                ev.add(Decision::escalate(UNUSUAL, reason).with_risk(0.7));
            }
        }
    }
}

/// The directories `line` serves beyond the loopback interface. The
/// effects are analysed only when a program of the line may serve files.
fn served(line: &CommandLine, cwd: Option<&str>, home: Option<&str>) -> Vec<Serve> {
    if !line.commands.iter().any(effects::servers::may_serve) {
        return Vec::new();
    }
    let mut serves = effects::analyze(line, cwd, home).serves;
    serves.retain(|s| !s.loopback);
    serves
}

/// What makes serving `root` serving credentials, if anything.
fn holds_credentials(root: &str, home: Option<&str>) -> Option<String> {
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

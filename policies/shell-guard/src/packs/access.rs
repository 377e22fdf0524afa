//! Access opened to everyone or raised to administrator, through the cloud
//! CLIs and Kubernetes: a grant whose grantee is the world (`0.0.0.0/0`,
//! `::/0`, `allUsers`, a policy whose principal is `*`, a `public-read`
//! ACL, a public-access switch turned on: `--allow-blob-public-access
//! true`, `--publicly-accessible`) or whose role is an administrator's (`AdministratorAccess`,
//! `roles/owner`, `cluster-admin`, Azure's `Owner`), and long-lived
//! credentials minted (`aws iam create-access-key`). Judged by what the
//! grant gives, not by the operation's name alone: `attach-role-policy`
//! with a read-only policy is ordinary work.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::{arg_texts, positionals};
use crate::programs::Shown;
use crate::rules::cloud::OPEN_ACCESS;

/// Leading words of operations that grant or change access.
const GRANTING: &[&str] = &[
    "attach",
    "put",
    "add",
    "create",
    "authorize",
    "set",
    "grant",
    "update",
    "assign",
    "modify",
    "edit",
    "apply",
    "patch",
    "replace",
    // `gsutil iam ch`, `gsutil acl ch`: change a bucket's grants.
    "ch",
];

/// Options of the CLIs judged here that take a value before the operation.
const VALUED: &[&str] = &[
    "--profile",
    "--region",
    "--output",
    "--project",
    "--subscription",
    "-n",
    "--namespace",
    "--context",
];

impl Checker<'_> {
    pub(crate) fn check_access(&mut self, c: &Command, shown: &Shown) {
        let args = arg_texts(c);
        if args
            .iter()
            .any(|a| a.starts_with("--dry-run") || *a == "--help")
        {
            return;
        }
        let pos = positionals(&args, VALUED);
        let granting = pos.iter().take(4).any(|w| {
            let first = w.split(['-', '_']).next().unwrap_or("");
            GRANTING.iter().any(|g| first.eq_ignore_ascii_case(g))
        });
        let what = if pos.iter().take(3).any(|w| *w == "create-access-key") {
            Some("mints a long-lived access key")
        } else if granting && (args.iter().any(|a| to_world(a)) || public_switch(&args)) {
            Some("opens access to anyone on the internet")
        } else if granting && admin_role(&args) {
            Some("grants an administrator's role")
        } else {
            None
        };
        if let Some(what) = what {
            let subject = format!("{} {}", c.program, pos.first().copied().unwrap_or(""));
            self.hit(&OPEN_ACCESS, Some(&subject), format!("`{shown}` {what}"));
        }
    }
}

/// Whether an argument names everyone: any address, the public principals,
/// a policy document whose principal is `*`, a public ACL.
fn to_world(a: &str) -> bool {
    let lower = a.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("0.0.0.0/0")
        || compact.contains("::/0")
        || compact.contains("allusers")
        || compact.contains("allauthenticatedusers")
        || compact.contains("\"principal\":\"*\"")
        || compact.contains("\"principal\":{\"aws\":\"*\"")
        || compact.contains("\"principal\":{\"aws\":[\"*\"")
        || matches!(
            compact.trim_start_matches("--acl="),
            "public-read" | "public-read-write" | "authenticated-read"
        )
}

/// Whether an option switches public access on: one whose name says so
/// set to true or `Enabled` (`--allow-blob-public-access true`,
/// `--public-network-access Enabled`, `--enable-public-network=true`), or
/// RDS's `--publicly-accessible`.
fn public_switch(args: &[&str]) -> bool {
    args.iter().enumerate().any(|(k, a)| {
        let lower = a.to_ascii_lowercase();
        let Some(option) = lower.strip_prefix("--") else {
            return false;
        };
        let (name, inline) = option
            .split_once('=')
            .map_or((option, None), |(n, v)| (n, Some(v.to_string())));
        if !name.contains("public") || name.starts_with("no-") {
            return false;
        }
        let value = inline.or_else(|| {
            args.get(k + 1)
                .filter(|v| !v.starts_with("--"))
                .map(|v| v.to_ascii_lowercase())
        });
        match value.as_deref() {
            Some("true" | "enabled" | "yes" | "1") => true,
            None => name == "publicly-accessible",
            _ => false,
        }
    })
}

/// Whether the arguments give an administrator's role: AWS's
/// `AdministratorAccess`/`IAMFullAccess`, Google's basic `roles/owner` and
/// `roles/editor`, Kubernetes' `cluster-admin`, Azure's `Owner` or `User
/// Access Administrator`.
fn admin_role(args: &[&str]) -> bool {
    args.iter().enumerate().any(|(k, a)| {
        let lower = a.to_ascii_lowercase();
        let value = lower.rsplit(['=', '/', ':']).next().unwrap_or("");
        lower.ends_with("/administratoraccess")
            || lower.ends_with("/iamfullaccess")
            || lower.contains("roles/owner")
            || lower.contains("roles/editor")
            || value == "cluster-admin"
            || (matches!(*a, "--role" | "--clusterrole")
                && args.get(k + 1).is_some_and(|r| {
                    matches!(
                        r.to_ascii_lowercase().as_str(),
                        "owner" | "user access administrator" | "cluster-admin"
                    )
                }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_and_admin() {
        assert!(to_world("0.0.0.0/0"));
        assert!(to_world("--member=allUsers"));
        assert!(to_world(
            r#"{"Statement":[{"Effect":"Allow","Principal": "*"}]}"#
        ));
        assert!(to_world("public-read"));
        assert!(public_switch(&["--allow-blob-public-access", "true"]));
        assert!(public_switch(&["--public-network-access=Enabled"]));
        assert!(public_switch(&[
            "--publicly-accessible",
            "--apply-immediately"
        ]));
        assert!(!public_switch(&["--no-publicly-accessible"]));
        assert!(!public_switch(&["--public-key-file", "k.pub"]));
        assert!(!public_switch(&["--allow-blob-public-access", "false"]));
        assert!(!to_world("10.0.0.0/8"));
        assert!(!to_world("private"));
        assert!(admin_role(&[
            "--policy-arn",
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ]));
        assert!(admin_role(&["--role=roles/owner"]));
        assert!(admin_role(&["--clusterrole=cluster-admin"]));
        assert!(admin_role(&["--role", "Owner"]));
        assert!(!admin_role(&[
            "--policy-arn",
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ]));
        assert!(!admin_role(&["--role=roles/viewer"]));
    }
}

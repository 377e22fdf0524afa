//! The cloud pack: `aws`, `gcloud`/`gsutil`, `az` (and the CLIs of other
//! providers: `doctl`, `hcloud`, `linode-cli`, `oci`, `ibmcloud`, `scw`) that delete
//! storage, databases, machines or whole projects. Deleting verbs are
//! recognised by their form (`delete-*`, `terminate-*`, `rb`, `rm -r`,
//! `… delete`), not by listing every service.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::{arg_texts, positionals};
use crate::programs::Shown;
use crate::rules::cloud::{
    DELETE_PROJECT, DELETE_RESOURCE, DELETE_STORAGE, PROTECTION_OFF, UNRECOVERABLE,
};

/// Options of the cloud CLIs that take a value.
const VALUED: &[&str] = &[
    "--profile",
    "--region",
    "--output",
    "--endpoint-url",
    "--project",
    "--zone",
    "--subscription",
    "-g",
    "--resource-group",
    "-n",
    "--name",
    "--query",
    "--format",
    "--account",
    "--configuration",
];

/// Whether an operation name deletes: `delete`, `terminate-instances`,
/// `batch-delete-image`, `deregister-task-definition`, …
fn deleting_verb(v: &str) -> bool {
    [
        "delete",
        "terminate",
        "remove",
        "purge",
        "destroy",
        "deregister",
        "deprovision",
    ]
    .iter()
    .any(|d| v.split('-').any(|part| part == *d))
}

/// Whether a deletion turns the provider's recovery off: no final snapshot,
/// automated backups deleted with it, no recovery window; a `purge` removes
/// what a soft delete kept for recovery.
fn skips_recovery(args: &[&str], purges: bool) -> bool {
    purges
        || args.iter().any(|a| {
            let name = a.split('=').next().unwrap_or(a);
            // `--skip-final-snapshot`, Redshift's `--skip-final-cluster-snapshot`.
            name.starts_with("--skip-final")
                || matches!(
                    name,
                    "--delete-automated-backups" | "--force-delete-without-recovery"
                )
        })
}

/// The protections of cloud data an option names (compared without case
/// or dashes): backups and their retention, point-in-time recovery,
/// versioning, soft delete, deletion and termination protection.
const PROTECTIONS: &[&str] = &[
    "backup",
    "retention",
    "pointintimerecovery",
    "pitr",
    "versioning",
    "softdelete",
    "deletionprotection",
    "terminationprotection",
    "purgeprotection",
    "disableapitermination",
];

/// The protection of cloud data `args` switch off, if any: `--no-X` for a
/// protection X (`--no-deletion-protection`, `--no-backup`,
/// `--no-disable-api-termination`), X set to false or `Suspended`
/// (`PointInTimeRecoveryEnabled=false`, `Status=Suspended` beside a
/// versioning option, `--enable-soft-delete false`), or a retention set to
/// zero (`--backup-retention-period 0`, `--delete-retention-days 0`).
fn protection_off(args: &[&str]) -> Option<String> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let protection = |name: &str| {
        let n = squash(name);
        PROTECTIONS.iter().any(|p| n.contains(p))
    };
    let versioning = args.iter().any(|a| squash(a).contains("versioning"));
    args.iter().enumerate().find_map(|(k, a)| {
        let (name, inline) = a.split_once('=').map_or((*a, None), |(n, v)| (n, Some(v)));
        if let Some(rest) = name.strip_prefix("--no-") {
            return protection(rest).then(|| a.to_string());
        }
        let value = inline.or_else(|| {
            name.starts_with("--")
                .then(|| args.get(k + 1).copied())
                .flatten()
                .filter(|v| !v.starts_with("--"))
        })?;
        let value = value.trim_matches(['"', '\'']).to_ascii_lowercase();
        let off = match value.as_str() {
            "false" | "disabled" => protection(name),
            "suspended" => versioning,
            "0" | "pt0s" | "p0d" => {
                squash(name).contains("retention") || squash(name).contains("backup")
            }
            _ => false,
        };
        off.then(|| format!("{name} {value}"))
    })
}

impl Checker<'_> {
    pub(crate) fn check_cloud(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        let args = arg_texts(c);
        if args
            .iter()
            .any(|a| matches!(*a, "--dryrun" | "--dry-run" | "--help" | "help"))
        {
            return;
        }
        let pos = positionals(&args, VALUED);
        let recursive = c.has_flag('r') || c.has_flag('R') || c.has_long("recursive");
        let subject = format!("{p} {}", pos.first().copied().unwrap_or(""));
        let subject = Some(subject.as_str());
        let storage = match (p, pos.as_slice()) {
            ("aws", ["s3", "rm", ..]) => recursive,
            ("aws", ["s3", "rb", ..]) | ("aws", ["s3api", "delete-bucket", ..]) => true,
            ("aws", ["s3", "sync" | "mv", ..]) => {
                c.has_long("delete") || pos[1] == "mv" && recursive
            }
            ("gsutil", [v, ..]) => {
                (matches!(*v, "rm" | "mv") && (recursive || c.has_flag('a')))
                    || *v == "rb"
                    || (*v == "rsync" && c.has_flag('d'))
            }
            ("gcloud", ["storage", "rm", ..]) => recursive,
            ("gcloud", ["storage", "buckets", "delete", ..]) => true,
            ("az", ["storage", _, v, ..]) => {
                *v == "delete-batch" || (*v == "delete" && pos[1] == "container")
            }
            _ => false,
        };
        if storage {
            self.hit(
                &DELETE_STORAGE,
                subject,
                format!("`{shown}` deletes a bucket or every object under a prefix"),
            );
            return;
        }
        let project = matches!(
            (p, pos.as_slice()),
            ("gcloud", ["projects", "delete", ..])
                | ("az", ["group", "delete", ..])
                | (
                    "aws",
                    ["organizations", "close-account" | "delete-organization", ..]
                )
        );
        if project {
            self.hit(
                &DELETE_PROJECT,
                subject,
                format!("`{shown}` deletes a whole project or resource group and everything in it"),
            );
            return;
        }
        if let Some(what) = protection_off(&args) {
            self.hit(
                &PROTECTION_OFF,
                subject,
                format!("`{shown}` switches off what keeps the data recoverable (`{what}`): a later mistake, or deletion, has nothing to restore from"),
            );
        }
        let deletes = match p {
            // `aws <service> delete-…`; `aws kms schedule-key-deletion`.
            "aws" => pos.get(1).is_some_and(|v| {
                deleting_verb(v) || v.starts_with("schedule-") && v.ends_with("-deletion")
            }),
            // `gcloud compute instances delete NAME`, `az vm delete`
            _ => pos.iter().take(4).skip(1).any(|v| deleting_verb(v)),
        };
        let purges = pos.iter().take(4).skip(1).any(|v| *v == "purge");
        if (deletes || purges) && skips_recovery(&args, purges) {
            self.hit(
                &UNRECOVERABLE,
                subject,
                format!("`{shown}` deletes with the provider's recovery switched off: nothing to restore from"),
            );
        } else if deletes {
            self.hit(
                &DELETE_RESOURCE,
                subject,
                format!("`{shown}` deletes cloud resources, and the data on them"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::protection_off;

    #[test]
    fn protections_switched_off() {
        for args in [
            &[
                "rds",
                "modify-db-instance",
                "--backup-retention-period",
                "0",
            ][..],
            &["rds", "modify-db-cluster", "--no-deletion-protection"],
            &[
                "dynamodb",
                "update-continuous-backups",
                "--point-in-time-recovery-specification",
                "PointInTimeRecoveryEnabled=false",
            ],
            &[
                "s3api",
                "put-bucket-versioning",
                "--bucket",
                "b",
                "--versioning-configuration",
                "Status=Suspended",
            ],
            &[
                "ec2",
                "modify-instance-attribute",
                "--no-disable-api-termination",
            ],
            &["sql", "instances", "patch", "db", "--no-backup"],
            &[
                "storage",
                "account",
                "blob-service-properties",
                "update",
                "--enable-delete-retention",
                "false",
            ],
            &[
                "cloudformation",
                "update-termination-protection",
                "--no-enable-termination-protection",
            ],
        ] {
            assert!(protection_off(args).is_some(), "{args:?}");
        }
        for args in [
            &[
                "rds",
                "modify-db-instance",
                "--backup-retention-period",
                "7",
            ][..],
            &["rds", "modify-db-instance", "--deletion-protection"],
            &[
                "s3api",
                "put-bucket-versioning",
                "--versioning-configuration",
                "Status=Enabled",
            ],
            &["ec2", "describe-instances", "--no-paginate"],
            &["logs", "put-retention-policy", "--retention-in-days", "30"],
        ] {
            assert!(protection_off(args).is_none(), "{args:?}");
        }
    }
}

//! The cloud pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const DELETE_STORAGE: PackRule = PackRule {
    id: "cloud.delete-storage",
    pack: Pack::Cloud,
    verdict: Verdict::Escalate,
    risk: 0.9,
    summary: "Escalate deleting buckets or everything under a prefix (`aws s3 rm --recursive`, `s3 rb`, `s3 sync --delete`, `gsutil rm -r`, `gcloud storage rm -r`, `az storage … delete-batch`)",
    instead: "list what would go first (`aws s3 rm --dryrun`, `gsutil ls -r`), delete named objects, and keep bucket versioning on",
};
pub(crate) const DELETE_RESOURCE: PackRule = PackRule {
    id: "cloud.delete-resource",
    pack: Pack::Cloud,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate deleting or terminating cloud resources (`aws … delete-*`/`terminate-*`, `gcloud … delete`, `az … delete`): instances, databases, tables, clusters, keys",
    instead: "snapshot or back the resource up first (final DB snapshot, AMI, export), and have a human run the deletion",
};
pub(crate) const DELETE_PROJECT: PackRule = PackRule {
    id: "cloud.delete-project",
    pack: Pack::Cloud,
    verdict: Verdict::Deny,
    risk: 1.0,
    summary: "Deny deleting a whole account container: `gcloud projects delete`, `az group delete`, `aws organizations close-account`",
    instead: "a human must do this in the console, after exporting what the project holds",
};

pub(crate) const UNRECOVERABLE: PackRule = PackRule {
    id: "cloud.delete-unrecoverable",
    pack: Pack::Cloud,
    verdict: Verdict::Deny,
    risk: 1.0,
    summary: "Deny deletions that switch off the provider's own recovery: `--skip-final-snapshot`, `--delete-automated-backups`, `--force-delete-without-recovery`, purging what a soft delete kept (`az keyvault purge`, `… purge`)",
    instead: "delete with the provider's recovery on (a final snapshot, the recovery window, soft delete), and have a human purge later",
};
pub(crate) const PROTECTION_OFF: PackRule = PackRule {
    id: "cloud.protection-off",
    pack: Pack::Cloud,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate switching off what keeps cloud data recoverable: backups' retention set to 0 or backups off (`--backup-retention-period 0`, `--no-backup`), point-in-time recovery disabled, versioning suspended, soft delete or delete retention off, deletion or termination protection removed (`--no-deletion-protection`, `--no-disable-api-termination`)",
    instead: "keep the protection on; if it must go, have a human switch it off, after checking what a mistake would then cost",
};
pub(crate) const OPEN_ACCESS: PackRule = PackRule {
    id: "cloud.open-access",
    pack: Pack::Cloud,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate access opened to anyone or raised to administrator: grants to `0.0.0.0/0`, `::/0`, `allUsers`, a policy whose principal is `*`, a public ACL, a public-access switch turned on; `AdministratorAccess`, `roles/owner`/`roles/editor`, `cluster-admin`, Azure `Owner`; and long-lived keys minted (`aws iam create-access-key`)",
    instead: "grant the narrowest role to the principal that needs it, for the addresses that need it, and have a human widen it if it must be",
};

pub(crate) const RULES: &[&PackRule] = &[
    &DELETE_STORAGE,
    &DELETE_RESOURCE,
    &DELETE_PROJECT,
    &UNRECOVERABLE,
    &PROTECTION_OFF,
    &OPEN_ACCESS,
];

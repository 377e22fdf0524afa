//! The services pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const HTTP_DELETE: PackRule = PackRule {
    id: "services.http-delete",
    pack: Pack::Services,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate HTTP requests that delete what a service holds (`curl -X DELETE`, `http DELETE`, `wget --method=DELETE`, a POST to a `…/delete` or `_delete_by_query` endpoint)",
    instead: "read the resource first (`GET`) and check it is the one meant, or ask a human to delete it",
};
pub(crate) const CLI_DELETE: PackRule = PackRule {
    id: "services.delete",
    pack: Pack::Services,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate a service client's deleting subcommands (`stripe customers delete`, `op item delete`, `vault kv destroy`, `rabbitmqctl reset`, `mc rb`, `rclone purge`, `borg prune`)",
    instead: "list or export what would go first, and prefer disabling or archiving to deleting",
};

pub(crate) const RULES: &[&PackRule] = &[&HTTP_DELETE, &CLI_DELETE];

//! The iac pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const DESTROY: PackRule = PackRule {
    id: "iac.destroy",
    pack: Pack::Iac,
    verdict: Verdict::Escalate,
    risk: 0.9,
    summary: "Escalate destroying managed infrastructure: `terraform destroy`, `apply -destroy`, `pulumi destroy`, `cdk destroy`, `serverless remove`",
    instead: "run `terraform plan -destroy` (or `pulumi preview --destroy`) and have a human apply it, or `-target` one resource",
};
pub(crate) const FORGET_STATE: PackRule = PackRule {
    id: "iac.forget-state",
    pack: Pack::Iac,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate removing resources or stacks from state (`state rm`, `state delete`, `stack rm`, `workspace delete`, `force-unlock`): the tool loses track of live resources",
    instead: "back the state up first (`terraform state pull > backup.tfstate`) and prefer `terraform state mv` or `import`",
};

pub(crate) const RULES: &[&PackRule] = &[&DESTROY, &FORGET_STATE];

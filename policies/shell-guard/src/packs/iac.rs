//! The iac pack: infrastructure as code tearing down or forgetting what it
//! manages — `terraform`/`tofu`/`terragrunt destroy` and `apply -destroy`,
//! `state rm`, `pulumi destroy` and `stack rm`, `cdk destroy`,
//! `serverless remove`.

use clawlaw_sdk::Verdict;
use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::{arg_texts, positionals};
use crate::rules::{Pack, PackRule};

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

impl Checker<'_> {
    pub(crate) fn check_iac(&mut self, c: &Command, shown: &str) {
        let p = c.program.as_str();
        let args = arg_texts(c);
        let pos = positionals(&args, &["-chdir", "--stack", "-s", "--cwd", "-C"]);
        let sub = pos.first().copied().unwrap_or("");
        let second = pos.get(1).copied().unwrap_or("");
        let subject = format!("{p} {sub}");
        let subject = Some(subject.as_str());
        let destroy_flag = args.iter().any(|a| *a == "-destroy" || *a == "--destroy");
        let destroys = match p {
            "terraform" | "tofu" | "terragrunt" => {
                sub == "destroy"
                    || (sub == "run-all" && second == "destroy")
                    || (sub == "apply" && destroy_flag)
            }
            "pulumi" => matches!(sub, "destroy" | "down"),
            "cdk" => sub == "destroy",
            _ => matches!(sub, "remove" | "rm"), // serverless, sls
        };
        if destroys {
            self.hit(
                &DESTROY,
                subject,
                format!("`{shown}` destroys the infrastructure it manages, and the data in it"),
            );
            return;
        }
        let forgets = match p {
            "terraform" | "tofu" | "terragrunt" => {
                (sub == "state" && matches!(second, "rm" | "push"))
                    || (sub == "workspace" && second == "delete")
                    || sub == "force-unlock"
            }
            "pulumi" => {
                (sub == "state" && matches!(second, "delete" | "unprotect"))
                    || (sub == "stack" && matches!(second, "rm" | "remove"))
                    || sub == "cancel"
            }
            _ => false,
        };
        if forgets {
            self.hit(
                &FORGET_STATE,
                subject,
                format!("`{shown}` changes what the state records, so live resources may be lost track of"),
            );
            return;
        }
        if matches!(p, "terraform" | "tofu" | "terragrunt") && sub == "apply" {
            self.escalate(
                "shell.infrastructure",
                0.7,
                subject,
                format!(
                    "`{shown}` changes live infrastructure; review `terraform plan` output first"
                ),
            );
        }
    }
}

//! The iac pack: infrastructure as code tearing down or forgetting what it
//! manages — `terraform`/`tofu`/`terragrunt destroy` and `apply -destroy`,
//! `state rm`, `pulumi destroy` and `stack rm`, `cdk destroy`,
//! `serverless remove`; `atmos terraform …` is the `terraform` it runs
//! (`atmos terraform deploy` an `apply -auto-approve`, `clean` a removal
//! of the component's state and plans).

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::{arg_texts, positionals};
use crate::programs::Shown;
use crate::rules::iac::{DESTROY, FORGET_STATE};

impl Checker<'_> {
    pub(crate) fn check_iac(&mut self, c: &Command, shown: &Shown) {
        let p = c.program.as_str();
        let args = arg_texts(c);
        let mut pos = positionals(
            &args,
            &[
                "-chdir",
                "--stack",
                "-s",
                "--cwd",
                "-C",
                "--base-path",
                "--logs-level",
                "--config",
            ],
        );
        // `atmos [opts] terraform|tf|tofu|opentofu SUB COMPONENT -s STACK`.
        let atmos = p == "atmos";
        let p = if atmos {
            match pos.first() {
                Some(&("terraform" | "tf" | "tofu" | "opentofu")) => {
                    pos.remove(0);
                    "terraform"
                }
                _ => return,
            }
        } else {
            p
        };
        let sub = match pos.first().copied().unwrap_or("") {
            "deploy" if atmos => "apply",
            sub => sub,
        };
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
                (sub == "state" && matches!(second, "rm" | "push" | "mv"))
                    || (sub == "workspace" && second == "delete")
                    || matches!(sub, "force-unlock" | "taint")
                    || (atmos && sub == "clean")
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

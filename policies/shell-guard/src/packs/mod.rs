//! Packs: the destructive-command rules of one domain each (git, the
//! filesystem, databases, containers, Kubernetes, cloud CLIs, infrastructure
//! as code, hosting and package registries, remote services). Each module holds the checks
//! that report its pack's rules, which the catalogue declares
//! ([`crate::rules::PackRule`]: id, verdict, risk, the safer alternative); a
//! pack can be switched off in the settings (`packs.disable`).

use clawlaw_sdk::shell::CommandLine;

use crate::checker::Checker;
use crate::loc::Loc;
use crate::programs::Shown;

pub(crate) mod access;
pub(crate) mod cloud;
pub(crate) mod containers;
pub(crate) mod database;
pub(crate) mod filesystem;
pub(crate) mod git;
pub(crate) mod hosting;
pub(crate) mod iac;
pub(crate) mod kubernetes;
pub(crate) mod migrations;
pub(crate) mod orm;
pub(crate) mod outside;
pub(crate) mod permissions;
pub(crate) mod services;
pub(crate) mod statements;

impl Checker<'_> {
    /// Runs the packs (other than the filesystem's) on command `i`.
    pub(crate) fn check_packs(&mut self, cl: &CommandLine, i: usize, cwd: &Loc, shown: &Shown) {
        let c = &cl.commands[i];
        match c.program.as_str() {
            "git" => self.check_git(c, cwd, shown),
            "pre-commit" | "lefthook" | "husky" => self.check_hook_manager(c, shown),
            "docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose" => {
                self.check_container(cl, i, cwd, shown)
            }
            "kubectl" | "oc" | "helm" => {
                self.check_kubernetes(cl, i, shown);
                self.check_access(c, shown);
            }
            "terraform" | "tofu" | "terragrunt" | "pulumi" | "cdk" | "serverless" | "sls"
            | "atmos" => self.check_iac(c, shown),
            "aws" | "gcloud" | "gsutil" | "az" | "doctl" | "hcloud" | "linode-cli" | "oci"
            | "ibmcloud" | "scw" => {
                self.check_cloud(c, shown);
                self.check_access(c, shown);
            }
            _ => {}
        }
        self.check_database(cl, i, shown);
        let args = arg_texts(c);
        self.check_hosting(c, &args, shown);
        self.check_remote_services(c, &args, shown);
    }
}

/// The words of a command after its program, as text.
pub(crate) fn arg_texts(c: &clawlaw_sdk::shell::Command) -> Vec<&str> {
    c.args().iter().map(|w| w.text.as_str()).collect()
}

/// The words that are not options, skipping the values of the options in
/// `valued` (`-n prod`).
pub(crate) fn positionals<'a>(args: &[&'a str], valued: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        k += 1;
        if a == "--" {
            out.extend_from_slice(&args[k..]);
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if valued.contains(&a) {
                k += 1;
            }
            continue;
        }
        out.push(a);
    }
    out
}

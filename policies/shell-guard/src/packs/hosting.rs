//! The hosting pack: deleting what others depend on at code and package
//! hosts and application platforms — `gh`/`glab repo delete`, releases,
//! `npm unpublish`, `cargo yank`, `gem yank`, and apps, sites and data on
//! Heroku, Firebase, Fly, Vercel or Netlify.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::positionals;
use crate::rules::hosting::{DELETE_HOSTED, REPO_DELETE, UNPUBLISH};

impl Checker<'_> {
    pub(crate) fn check_hosting(&mut self, c: &Command, args: &[&str], shown: &str) {
        let p = c.program.as_str();
        if args
            .iter()
            .any(|a| matches!(*a, "--help" | "-h" | "--dry-run"))
        {
            return;
        }
        let pos = positionals(
            args,
            &[
                "-R",
                "--repo",
                "-a",
                "--app",
                "--registry",
                "--otp",
                "-X",
                "--method",
            ],
        );
        let sub = pos.first().copied().unwrap_or("");
        let verb = pos.get(1).copied().unwrap_or("");
        let subject = format!("{p} {sub}");
        let subject = Some(subject.as_str());
        match p {
            "gh" | "glab" => {
                if sub == "repo" && verb == "delete" {
                    self.hit(&REPO_DELETE, subject, format!("`{shown}` deletes a repository with its issues, pull requests and releases"));
                } else if matches!(verb, "delete" | "delete-asset")
                    || (sub == "api" && method_delete(args))
                {
                    self.hit(
                        &DELETE_HOSTED,
                        subject,
                        format!("`{shown}` deletes something hosted that others may rely on"),
                    );
                }
            }
            "npm" | "pnpm" | "yarn" if sub == "unpublish" => self.hit(
                &UNPUBLISH,
                subject,
                format!("`{shown}` withdraws a published package version"),
            ),
            "cargo" | "gem" if sub == "yank" && !args.contains(&"--undo") => self.hit(
                &UNPUBLISH,
                subject,
                format!("`{shown}` withdraws a published crate or gem version"),
            ),
            "dotnet" if sub == "nuget" && verb == "delete" => self.hit(
                &UNPUBLISH,
                subject,
                format!("`{shown}` withdraws a published package version"),
            ),
            // `heroku apps:destroy`, `heroku pg:reset`, `firebase firestore:delete`,
            // `netlify sites:delete`: colon-style subcommands that delete.
            "heroku" | "firebase" | "netlify"
                if sub.ends_with(":destroy")
                    || sub.ends_with(":delete")
                    || sub.ends_with(":reset")
                    || sub == "destroy" =>
            {
                self.hit(
                    &DELETE_HOSTED,
                    subject,
                    format!("`{shown}` deletes a hosted app, site, database or its data"),
                )
            }
            "fly" | "flyctl"
                if matches!(verb, "destroy" | "delete") || matches!(sub, "destroy") =>
            {
                self.hit(
                    &DELETE_HOSTED,
                    subject,
                    format!("`{shown}` destroys a hosted app, machine or volume"),
                )
            }
            "vercel" if matches!(sub, "remove" | "rm") => self.hit(
                &DELETE_HOSTED,
                subject,
                format!("`{shown}` removes deployments or a project"),
            ),
            _ => {}
        }
    }
}

/// `gh api -X DELETE …` / `--method=DELETE`.
fn method_delete(args: &[&str]) -> bool {
    args.iter().enumerate().any(|(k, a)| {
        let value = match *a {
            "-X" | "--method" => args.get(k + 1).copied().unwrap_or(""),
            _ => a
                .strip_prefix("--method=")
                .or_else(|| a.strip_prefix("-X"))
                .unwrap_or(""),
        };
        value.eq_ignore_ascii_case("DELETE")
    })
}

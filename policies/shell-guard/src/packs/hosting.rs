//! The hosting pack: deleting what others depend on at code and package
//! hosts and application platforms — `gh`/`glab repo delete`, releases,
//! `npm unpublish`, `cargo yank`, `gem yank`, and apps, sites and data on
//! Heroku, Firebase, Fly, Vercel or Netlify; and publishing what others
//! then build on (`npm publish`, `cargo publish`, `docker push`, releases).

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::packs::positionals;
use crate::programs::Shown;
use crate::rules::hosting::{DELETE_HOSTED, PUBLISH, REPO_DELETE, UNPUBLISH};

impl Checker<'_> {
    pub(crate) fn check_hosting(&mut self, c: &Command, args: &[&str], shown: &Shown) {
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
        if let Some(what) = publishes(p, &pos, args) {
            self.hit(
                &PUBLISH,
                subject,
                format!("`{shown}` publishes {what} for others to build on"),
            );
        }
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
            // `railway down`: the service's latest deployment removed, so it
            // stops; `railway volume delete|detach`: its data deleted or cut
            // off from it.
            "railway"
                if sub == "down" || sub == "volume" && matches!(verb, "delete" | "detach") =>
            {
                self.hit(
                    &DELETE_HOSTED,
                    subject,
                    format!("`{shown}` takes down a hosted service's deployment or its volume"),
                )
            }
            "vercel" if matches!(sub, "remove" | "rm") => self.hit(
                &DELETE_HOSTED,
                subject,
                format!("`{shown}` removes deployments or a project"),
            ),
            // `vercel env rm DATABASE_URL production`, `fly secrets unset
            // KEY`, `supabase secrets unset KEY`, `railway variable delete
            // KEY`, `netlify env:unset KEY`, `heroku config:unset KEY`: the
            // running app loses a setting it may need, and nothing keeps it.
            "vercel" | "fly" | "flyctl" | "netlify" | "heroku" | "railway" | "supabase"
            | "render"
                if matches!(
                    sub,
                    "env"
                        | "secrets"
                        | "dns"
                        | "domains"
                        | "certs"
                        | "variables"
                        | "variable"
                        | "vars"
                        | "var"
                ) && matches!(verb, "rm" | "remove" | "unset" | "delete")
                    || sub.ends_with(":unset") =>
            {
                self.hit(
                    &DELETE_HOSTED,
                    subject,
                    format!(
                        "`{shown}` removes a hosted app's secret, variable, domain or certificate"
                    ),
                )
            }
            _ => {}
        }
    }
}

/// What command `p` publishes, given its positional words `pos` and every
/// argument: a package to a registry, an image, a release, a private
/// repository made public.
fn publishes(p: &str, pos: &[&str], args: &[&str]) -> Option<&'static str> {
    let sub = pos.first().copied().unwrap_or("");
    let verb = pos.get(1).copied().unwrap_or("");
    let package = Some("a package version to its registry");
    let public = args.iter().enumerate().any(|(k, a)| {
        *a == "--visibility=public"
            || *a == "--public"
            || (*a == "--visibility" && args.get(k + 1) == Some(&"public"))
    });
    // `gh api -X PATCH repos/o/r -f private=false`: the same through the
    // API, a field of the request.
    let api_public = sub == "api"
        && args.iter().any(|a| {
            let field = a.to_ascii_lowercase().replace([' ', '"'], "");
            matches!(field.as_str(), "private=false" | "visibility=public")
                || field.contains("private:false")
                || field.contains("visibility:public")
        });
    match p {
        "gh" | "glab" if sub == "repo" && matches!(verb, "edit" | "create") && public => {
            Some("the repository's code to everyone")
        }
        "gh" | "glab" if api_public => Some("the repository's code to everyone"),
        "npm" | "pnpm" | "bun" | "poetry" | "uv" | "flit" | "hatch" | "pdm" | "deno" | "jsr"
        | "pub"
            if sub == "publish" =>
        {
            package
        }
        "yarn" if sub == "publish" || (sub == "npm" && verb == "publish") => package,
        "cargo" if sub == "publish" && !args.contains(&"-n") => package,
        "twine" if sub == "upload" => package,
        "gem" if sub == "push" => package,
        "nuget" if sub == "push" => package,
        "dotnet" if sub == "nuget" && verb == "push" => package,
        "dart" | "flutter" if sub == "pub" && verb == "publish" => package,
        "mix" if sub == "hex.publish" => package,
        "pod" if sub == "trunk" && verb == "push" => package,
        "vsce" | "ovsx" if sub == "publish" => Some("an editor extension to its marketplace"),
        _ if p.starts_with("python") && args.windows(3).any(|w| w == ["-m", "twine", "upload"]) => {
            package
        }
        "mvn" | "mvnw" if pos.iter().any(|g| *g == "deploy" || g.ends_with(":deploy")) => {
            Some("artifacts to a Maven repository")
        }
        "gradle" | "gradlew"
            if pos
                .iter()
                .any(|t| t.starts_with("publish") && !t.ends_with("MavenLocal")) =>
        {
            Some("artifacts to a repository")
        }
        // `docker push`, `docker image|compose|manifest push`, `docker build
        // --push`, `docker buildx build --push` (not `docker run img push`).
        "docker" | "podman" | "nerdctl" | "buildah" | "helm" | "oras" | "crane"
            if sub == "push"
                || (matches!(sub, "image" | "compose" | "manifest") && verb == "push")
                || ((sub == "build" || (sub == "buildx" && verb == "build"))
                    && args.contains(&"--push")) =>
        {
            Some("an image or chart to a registry")
        }
        "gh" | "glab"
            if sub == "release"
                && matches!(verb, "create" | "upload")
                && !args.iter().any(|a| matches!(*a, "--draft" | "-d")) =>
        {
            Some("a release")
        }
        _ => None,
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

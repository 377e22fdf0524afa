//! Commands that send to a service rather than to a URL they name: `git`
//! and `gh` (code hosting), package publishing (`cargo`, `npm` and the like,
//! `twine`/`poetry`/`uv`…, `gem`), image pushes (`docker`, `podman`, `helm`
//! …) and object-storage uploads (`aws s3`, `gsutil`, `az`, `rclone`…).
//! Their destination is the service's well-known host unless the line
//! overrides it (`--registry URL`, a remote URL, an image's registry).

use crate::argv::{NO_VALUES, Spec, host_dest, operands, scan, subcommand};
use crate::hosts::{Dest, bare_host, host_of_hostport, remote_spec_host, url_host, valid_host};
use crate::uses::{NetUse, ShellView};
use clawlaw_sdk::shell::Word;

const GIT_GLOBAL: Spec = Spec {
    short: "Cc",
    long: &["git-dir", "work-tree", "namespace", "config-env"],
};
const GIT_PUSH: Spec = Spec {
    short: "o",
    long: &["push-option", "receive-pack", "exec", "repo", "signed"],
};
const GH_GLOBAL: Spec = Spec {
    short: "R",
    long: &["repo", "hostname"],
};
const CARGO_GLOBAL: Spec = Spec {
    short: "CZ",
    long: &["manifest-path", "config", "color"],
};

pub(crate) fn git(v: &mut ShellView, args: &[Word]) {
    // `git -c remote.x.url=URL push x`: a remote made for this command.
    for w in args.windows(2) {
        if w[0].text == "-c"
            && let Some(name) = w[1]
                .text
                .strip_prefix("remote.")
                .and_then(|r| r.split_once(".url="))
                .map(|(name, _)| name)
        {
            v.new_remotes.push(name.to_string());
        }
    }
    let Some((sub, rest)) = subcommand(args, &GIT_GLOBAL) else {
        return;
    };
    match sub {
        "remote" => {
            let ops: Vec<&str> = rest
                .iter()
                .map(|w| w.text.as_str())
                .filter(|t| !t.starts_with('-'))
                .collect();
            if let ["add" | "set-url", name, ..] = ops.as_slice() {
                v.new_remotes.push((*name).to_string());
            }
        }
        "push" => {
            let parsed = scan(rest, &GIT_PUSH);
            let repo = parsed
                .iter()
                .find(|a| a.is(&["repo"]))
                .or_else(|| operands(&parsed).next());
            // A remote's name (`origin`) is Unknown: its URL is in .git/config.
            let dest = repo.map_or(Dest::Unknown, |a| {
                host_dest(a, |s| url_host(s).or_else(|| remote_spec_host(s)))
            });
            let named = repo.map(|a| a.static_val());
            let why = if matches!(dest, Dest::Host(_)) {
                Some(
                    "pushes the repository to one named by its URL, not to a remote the project set up",
                )
            } else if named.is_some_and(|n| v.new_remotes.iter().any(|r| r == n)) {
                Some("pushes the repository to a remote the same line set up")
            } else {
                None
            };
            let mut u = NetUse::new("git push", dest, true);
            if let Some(why) = why {
                u = u.unusual(why);
            }
            v.uses.push(u);
        }
        "send-email" => v
            .uses
            .push(NetUse::new("git send-email", Dest::Unknown, true)),
        "clone" | "fetch" | "pull" | "ls-remote" => {
            for a in operands(&scan(
                rest,
                &Spec {
                    short: "bcjo",
                    long: &[
                        "branch",
                        "depth",
                        "origin",
                        "config",
                        "jobs",
                        "reference",
                        "separate-git-dir",
                        "template",
                        "upload-pack",
                        "filter",
                    ],
                },
            )) {
                if let Dest::Host(h) = host_dest(a, |s| url_host(s).or_else(|| remote_spec_host(s)))
                {
                    v.uses
                        .push(NetUse::new(&format!("git {sub}"), Dest::Host(h), false));
                }
            }
        }
        _ => {}
    }
}

/// `--registry URL` and the like, when given.
fn registry_override(args: &[Word], names: &[&str]) -> Option<Dest> {
    let long: &'static [&'static str] = &[
        "registry",
        "index",
        "repository-url",
        "publish-url",
        "repo",
        "host",
    ];
    let spec = Spec { short: "", long };
    scan(args, &spec)
        .iter()
        .find(|a| a.is(names) && a.val.is_some())
        // A named registry (`--registry my-reg`) is configured elsewhere: Unknown.
        .map(|a| host_dest(a, bare_host))
}

/// The registry of an image reference: `ghcr.io/o/i:t` → `ghcr.io`;
/// `library/ubuntu` → `docker.io`; `oci://host/chart` → `host`.
fn image_registry(image: &str) -> Option<String> {
    if image.contains("://") {
        return url_host(image);
    }
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => {
            host_of_hostport(first)
        }
        _ if image.is_empty() => None,
        _ => Some("docker.io".into()),
    }
}

/// The options of the object-storage CLIs that take a value: the global
/// ones (`--profile`, `--region`, given before the subcommand or anywhere
/// after it) and those of their copies (`aws s3 cp|mv|sync`, `gsutil`,
/// `az storage`, …), whose values are not the destination (`aws s3 cp .env
/// s3://b/ --acl public-read`).
const STORAGE_VALUED: Spec = Spec {
    short: "",
    long: &[
        "profile",
        "region",
        "output",
        "endpoint-url",
        "query",
        "cli-read-timeout",
        "cli-connect-timeout",
        "ca-bundle",
        "acl",
        "grants",
        "storage-class",
        "sse",
        "sse-c",
        "sse-c-key",
        "sse-kms-key-id",
        "website-redirect",
        "content-type",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "expires",
        "metadata",
        "metadata-directive",
        "include",
        "exclude",
        "expected-size",
        "source-region",
        "request-payer",
        "checksum-algorithm",
    ],
};

/// Uploads to object storage (the destination is the last operand), and
/// the AWS and Google Cloud API calls that hand data to a service (`aws
/// sns publish`, `aws sqs send-message`, `gcloud pubsub topics publish`).
pub(crate) fn cloud(v: &mut ShellView, p: &str, args: &[Word]) {
    let (sub, rest) = match subcommand(args, &STORAGE_VALUED) {
        Some(s) => s,
        None => return,
    };
    let (verb, rest2) = subcommand(rest, &NO_VALUES).unwrap_or(("", &[]));
    let last_operand = |ws: &[Word]| {
        operands(&scan(ws, &STORAGE_VALUED))
            .last()
            .map(|a| a.static_val().to_string())
    };
    let (what, dest): (String, Option<Dest>) = match (p, sub, verb) {
        ("aws", "s3", "cp" | "mv" | "sync") => {
            let last = last_operand(rest2).unwrap_or_default();
            let dest = last.strip_prefix("s3://").map(|b| {
                let bucket = b.split('/').next().unwrap_or("");
                valid_host(&format!("{bucket}.s3.amazonaws.com"))
                    .map_or(Dest::Host("s3.amazonaws.com".into()), Dest::Host)
            });
            (format!("aws s3 {verb}"), dest)
        }
        ("aws", "s3api", "put-object" | "upload-part" | "put-bucket-policy") => (
            format!("aws s3api {verb}"),
            Some(Dest::Host("s3.amazonaws.com".into())),
        ),
        ("s3cmd", "put" | "sync", _) => (
            format!("s3cmd {sub}"),
            last_operand(rest)
                .filter(|l| l.starts_with("s3://"))
                .map(|_| Dest::Host("s3.amazonaws.com".into())),
        ),
        ("gsutil", "cp" | "mv" | "rsync", _) => (
            format!("gsutil {sub}"),
            last_operand(rest)
                .filter(|l| l.starts_with("gs://"))
                .map(|_| Dest::Host("storage.googleapis.com".into())),
        ),
        ("gcloud", "storage", "cp" | "mv" | "rsync") => (
            format!("gcloud storage {verb}"),
            last_operand(rest2)
                .filter(|l| l.starts_with("gs://"))
                .map(|_| Dest::Host("storage.googleapis.com".into())),
        ),
        ("az", "storage", "blob") => {
            let up = rest2.first().is_some_and(|w| w.text.starts_with("upload"));
            (
                "az storage blob upload".into(),
                up.then(|| Dest::Host("blob.core.windows.net".into())),
            )
        }
        ("azcopy", "copy" | "cp" | "sync", _) => (
            format!("azcopy {sub}"),
            last_operand(rest)
                .and_then(|l: String| url_host(&l))
                .map(Dest::Host),
        ),
        ("rclone", "copy" | "copyto" | "move" | "moveto" | "sync", _) => (
            format!("rclone {sub}"),
            last_operand(rest)
                .filter(|l| remote_spec_host(l).is_some())
                .map(|_| Dest::Unknown),
        ),
        // `aws sns publish --message …`, `aws sqs send-message`, `aws
        // lambda invoke --payload`, `aws logs put-log-events`: an API call
        // whose arguments are data the service keeps or passes on. A
        // service for secrets (`secretsmanager put-secret-value`, `ssm
        // put-parameter`) is where credentials are meant to go.
        ("aws", service, verb)
            if matches!(verb, "publish" | "invoke" | "upload")
                || verb.starts_with("put-")
                || verb.starts_with("send-") =>
        {
            let what = format!("aws {service} {verb}");
            let host = valid_host(&format!("{service}.amazonaws.com"))
                .unwrap_or_else(|| "amazonaws.com".into());
            let used = NetUse::new(&what, Dest::Host(host), true);
            v.uses.push(if matches!(service, "secretsmanager" | "ssm") {
                used.storing_secrets()
            } else {
                used
            });
            return;
        }
        // `gcloud pubsub topics publish T --message …`.
        ("gcloud", "pubsub", "topics") if rest2.first().is_some_and(|w| w.text == "publish") => (
            "gcloud pubsub topics publish".into(),
            Some(Dest::Host("pubsub.googleapis.com".into())),
        ),
        _ => return,
    };
    if let Some(dest) = dest {
        v.uses.push(NetUse::new(&what, dest, true));
    }
}

/// `gh`: `github.com`; egress for the subcommands that send (`gh api`,
/// `gh gist create`, `gh pr comment`, `gh secret set`…), a fetch otherwise.
pub(crate) fn gh(v: &mut ShellView, args: &[Word]) {
    let Some((sub, rest)) = subcommand(args, &GH_GLOBAL) else {
        return;
    };
    let verb = rest.first().map_or("", |w| w.text.as_str());
    let egress = match sub {
        "api" => true,
        "gist" => matches!(verb, "create" | "edit"),
        "release" => matches!(verb, "create" | "upload" | "edit"),
        "issue" | "pr" => matches!(verb, "create" | "comment" | "edit" | "review"),
        "secret" | "variable" => verb == "set",
        _ => false,
    };
    let what = format!("gh {sub}");
    let used = NetUse::new(&what, Dest::Host("github.com".into()), egress);
    v.uses.push(if sub == "secret" && verb == "set" {
        used.storing_secrets()
    } else {
        used
    });
}

/// Publishing a package or pushing an image: `cargo publish`, `npm|yarn|
/// pnpm|bun publish`, `twine upload`, `poetry|uv|flit|hatch publish`, `gem
/// push`, `docker|podman|buildah|nerdctl|oras|helm push`. Other programs
/// and subcommands record nothing.
pub(crate) fn publish(v: &mut ShellView, p: &str, args: &[Word]) {
    match p {
        "cargo" => {
            if let Some(("publish", rest)) = subcommand(args, &CARGO_GLOBAL) {
                let dest = registry_override(rest, &["index", "registry"])
                    .unwrap_or_else(|| Dest::Host("crates.io".into()));
                v.uses.push(NetUse::new("cargo publish", dest, true));
            }
        }
        "npm" | "yarn" | "pnpm" | "bun" => {
            if let Some(("publish", rest)) = subcommand(args, &NO_VALUES) {
                let dest = registry_override(rest, &["registry"])
                    .unwrap_or_else(|| Dest::Host("registry.npmjs.org".into()));
                v.uses
                    .push(NetUse::new(&format!("{p} publish"), dest, true));
            }
        }
        "twine" | "poetry" | "uv" | "flit" | "hatch" => {
            if let Some((sub @ ("upload" | "publish"), rest)) = subcommand(args, &NO_VALUES) {
                let dest = registry_override(rest, &["repository-url", "publish-url", "repo"])
                    .unwrap_or_else(|| Dest::Host("upload.pypi.org".into()));
                v.uses.push(NetUse::new(&format!("{p} {sub}"), dest, true));
            }
        }
        "gem" => {
            if let Some(("push", rest)) = subcommand(args, &NO_VALUES) {
                let dest = registry_override(rest, &["host"])
                    .unwrap_or_else(|| Dest::Host("rubygems.org".into()));
                v.uses.push(NetUse::new("gem push", dest, true));
            }
        }
        "docker" | "podman" | "buildah" | "nerdctl" | "oras" | "helm" => {
            if let Some(("push", rest)) = subcommand(args, &NO_VALUES)
                && let Some(image) = operands(&scan(rest, &NO_VALUES)).next()
            {
                let dest = host_dest(image, image_registry);
                v.uses.push(NetUse::new(&format!("{p} push"), dest, true));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use clawlaw_sdk::shell::parse;

    fn dests(line: &str) -> Vec<(String, Dest, bool)> {
        let cl = parse(line);
        let cmd = &cl.commands[0];
        let mut v = ShellView::default();
        match cmd.program.as_str() {
            "git" => git(&mut v, cmd.args()),
            "gh" => gh(&mut v, cmd.args()),
            "aws" | "s3cmd" | "gsutil" | "gcloud" | "az" | "azcopy" | "rclone" => {
                cloud(&mut v, &cmd.program, cmd.args())
            }
            p => publish(&mut v, p, cmd.args()),
        }
        v.uses
            .into_iter()
            .map(|u| (u.what, u.dest, u.egress))
            .collect()
    }

    fn host(h: &str) -> Dest {
        Dest::Host(h.into())
    }

    #[test]
    fn images_name_their_registry() {
        assert_eq!(image_registry("ghcr.io/o/i:1").as_deref(), Some("ghcr.io"));
        assert_eq!(
            image_registry("localhost:5000/i").as_deref(),
            Some("localhost")
        );
        assert_eq!(
            image_registry("library/ubuntu").as_deref(),
            Some("docker.io")
        );
        assert_eq!(image_registry("ubuntu").as_deref(), Some("docker.io"));
        assert_eq!(
            image_registry("oci://charts.example/c").as_deref(),
            Some("charts.example")
        );
    }

    #[test]
    fn publishing_goes_to_the_registry_unless_overridden() {
        assert_eq!(
            dests("npm publish --registry https://npm.example/"),
            [("npm publish".into(), host("npm.example"), true)]
        );
        assert_eq!(
            dests("cargo publish --registry my-reg"),
            [("cargo publish".into(), Dest::Unknown, true)],
            "a named registry is configured elsewhere"
        );
        assert_eq!(
            dests("twine upload dist/*"),
            [("twine upload".into(), host("upload.pypi.org"), true)]
        );
        assert_eq!(
            dests("gem push x.gem --host https://gems.example"),
            [("gem push".into(), host("gems.example"), true)]
        );
        assert!(dests("cargo build").is_empty());
        assert!(dests("npm install").is_empty());
        assert!(dests("docker pull ubuntu").is_empty());
    }

    #[test]
    fn gh_sends_only_with_its_sending_subcommands() {
        assert_eq!(
            dests("gh -R o/r release upload v1 dist.tgz"),
            [("gh release".into(), host("github.com"), true)]
        );
        assert_eq!(
            dests("gh issue view 1"),
            [("gh issue".into(), host("github.com"), false)]
        );
    }

    #[test]
    fn object_storage_uploads_are_egress_downloads_are_not() {
        assert_eq!(
            dests("aws --profile p s3 sync ./d s3://my-bkt/"),
            [("aws s3 sync".into(), host("my-bkt.s3.amazonaws.com"), true)]
        );
        assert_eq!(
            dests("aws s3 cp .env s3://pub/ --acl public-read --region eu-west-1"),
            [("aws s3 cp".into(), host("pub.s3.amazonaws.com"), true)]
        );
        assert_eq!(
            dests("gsutil cp f gs://b/"),
            [("gsutil cp".into(), host("storage.googleapis.com"), true)]
        );
        assert_eq!(
            dests("rclone copy d remote:bucket"),
            [("rclone copy".into(), Dest::Unknown, true)]
        );
        assert!(dests("rclone copy remote:bucket d").is_empty());
        assert!(dests("gsutil cp gs://b/f .").is_empty());
    }

    #[test]
    fn git_fetches_count_for_the_host_scope_only() {
        assert_eq!(
            dests("git pull git@github.com:o/r.git main"),
            [("git pull".into(), host("github.com"), false)]
        );
        assert_eq!(
            dests("git push --repo=https://gh.example/o/r"),
            [("git push".into(), host("gh.example"), true)]
        );
        assert_eq!(
            dests("git push \"$REMOTE\" main"),
            [("git push".into(), Dest::Dynamic, true)]
        );
    }
}

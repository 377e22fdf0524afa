//! The services pack: deleting what a remote service holds — through its
//! HTTP API (`curl -X DELETE`, `http DELETE`, `wget --method=DELETE`, a
//! request to a `…/delete`, `…/purge` or `_delete_by_query` endpoint), or
//! through its command-line client, by a subcommand that deletes
//! (`stripe customers delete`, `op item delete`, `vault kv destroy`,
//! `rabbitmqctl delete_vhost`, `nats stream rm`, `mc rb`, `mc rm
//! --recursive`, `rclone purge`, `rclone sync`, `borg prune`,
//! `kafka-topics --delete`).
//!
//! A client is judged by its subcommand's verb, not by a list of services:
//! any program but the ones whose removals change only this machine or
//! project (package managers, toolchains, build tools: `npm uninstall`,
//! `cargo remove`, `brew cleanup`, which version control or a reinstall
//! undoes) and the ones another pack judges more closely (git, containers,
//! Kubernetes, infrastructure as code, the cloud CLIs, hosting platforms).
//! A remote object named by its URL (`gsutil rm gs://…`, `aws s3 rm
//! s3://…`) counts whichever client removes it.

use clawlaw_sdk::shell::Command;

use crate::checker::Checker;
use crate::programs::{Shown, TEXT_PROGRAMS};
use crate::rules::services::{CLI_DELETE, HTTP_DELETE};

pub(crate) use crate::rules::services::CLI_DELETE as DELETING_OPERATION;

/// Subcommand verbs that delete (also as the start of one: `delete-job`,
/// `delete_vhost`, `deletefile`, `remove-secret`, `forget_cluster_node`).
const VERBS: &[&str] = &[
    "delete",
    "destroy",
    "purge",
    "terminate",
    "drop",
    "flush",
    "flushall",
    "wipe",
    "rb",
    "rm",
    "remove",
    "deregister",
    "revoke",
    "reset",
    "force_reset",
    "force-reset",
    "prune",
    "forget",
    "truncate",
    "undefine",
];
/// Whether `w` is one of the deleting verbs, whole (`delete`, not
/// `deleted`).
pub(crate) fn is_deleting_word(w: &str) -> bool {
    VERBS.iter().any(|v| w.eq_ignore_ascii_case(v))
}

/// Verbs that count as a prefix of a longer subcommand.
const PREFIXES: &[&str] = &[
    "delete",
    "destroy",
    "purge",
    "remove-",
    "remove_",
    "forget_",
    "drop-",
    "drop_",
    "terminate-",
    "deregister-",
];

/// Programs whose removals change only this machine or project, or that
/// another pack judges: see the module documentation (and
/// [`TEXT_PROGRAMS`], whose words are text).
#[rustfmt::skip]
const NOT_SERVICES: &[&str] = &[
    // Version control and the other packs' programs.
    "git", "hg", "svn", "docker", "podman", "nerdctl", "docker-compose", "podman-compose",
    "kubectl", "oc", "helm", "kustomize", "terraform", "tofu", "terragrunt", "pulumi", "cdk",
    "serverless", "sls", "atmos", "aws", "gcloud", "gsutil", "az", "doctl", "hcloud", "linode-cli",
    "oci", "ibmcloud", "scw", "gh", "glab", "heroku", "firebase", "netlify", "fly", "flyctl",
    "vercel",
    // Package managers, toolchains and project tools.
    "npm", "pnpm", "yarn", "bun", "deno", "npx", "pip", "pip3", "pipx", "poetry", "uv", "pdm",
    "hatch", "conda", "mamba", "micromamba", "gem", "bundle", "cargo", "rustup", "go", "brew",
    "apt", "apt-get", "dnf", "yum", "pacman", "apk", "zypper", "snap", "flatpak", "nix",
    "nix-env", "asdf", "mise", "pyenv", "nvm", "rbenv", "sdk", "dotnet", "composer", "mix",
    "stack", "cabal", "opam", "ollama", "pre-commit", "direnv", "virtualenv", "conan", "vcpkg",
    "dart", "flutter", "swift", "pod", "nx", "turbo", "lerna", "pm2", "expo",
    // Database clients: the database pack reads their SQL.
    "psql", "mysql", "mariadb", "sqlite3", "redis-cli", "mongo", "mongosh", "cqlsh",
    "clickhouse-client",
    // Build tools and local session tools.
    "make", "cmake", "just", "ninja", "bazel", "gradle", "gradlew", "mvn", "mvnw", "tmux",
    "screen", "crontab", "systemctl", "service", "ssh-add", "ssh-keygen", "update-alternatives",
    // Frameworks' and migration tools' database commands: the database
    // pack judges them.
    "rails", "rake", "artisan", "prisma", "sequelize", "sequelize-cli", "alembic",
    "knex", "flyway", "liquibase", "django-admin", "drizzle-kit",
    // File copiers: the filesystem pack judges what `--delete` removes.
    "rsync", "rsync.exe",
];

impl Checker<'_> {
    pub(crate) fn check_remote_services(&mut self, c: &Command, args: &[&str], shown: &Shown) {
        let p = c.program.as_str();
        if args
            .iter()
            .any(|a| matches!(*a, "--help" | "-h" | "--dry-run" | "--dryrun"))
        {
            return;
        }
        if let Some(method) = http_method(p, args) {
            let endpoint = args
                .iter()
                .filter(|a| a.contains('/') && !a.starts_with('-'))
                .any(|a| deleting_endpoint(a));
            let mutation = || args.iter().any(|a| deleting_mutation(a));
            if method.eq_ignore_ascii_case("DELETE")
                || method.eq_ignore_ascii_case("PURGE")
                || (!method.eq_ignore_ascii_case("GET") && (endpoint || mutation()))
            {
                self.hit(
                    &HTTP_DELETE,
                    Some(p),
                    format!("`{shown}` asks a service to delete what it holds"),
                );
            }
            return;
        }
        if c.program_dynamic {
            return;
        }
        // A remote object by its URL (`gsutil rm gs://b/o`, `aws s3 rm
        // s3://b/k`, `azcopy remove https://…`), whichever client removes it.
        let removes_remote = subcommand(args)
            .iter()
            .any(|w| matches!(w, "rm" | "remove" | "del" | "delete" | "rb"))
            && args.iter().any(|a| remote_object(a));
        let name = p.trim_end_matches(".sh");
        // The verb first: most commands have none, and then the table of
        // programs that are not service clients is not looked at.
        let verb = if removes_remote {
            args.iter()
                .find(|a| remote_object(a))
                .map(|a| a.to_string())
        } else {
            client_verb(name, args)
                .filter(|_| !NOT_SERVICES.contains(&name) && !TEXT_PROGRAMS.contains(&name))
        };
        if let Some(v) = verb {
            self.hit(
                &CLI_DELETE,
                Some(p),
                format!(
                    "`{shown}` deletes with `{p}` (`{v}`): what the service holds may have no undo"
                ),
            );
        }
    }
}

/// The subcommand path: the words that name (not options, not the values
/// of options, not operands), up to the first operand: `stripe customers
/// delete cus_1` → `customers`, `delete`; `java -jar cli.jar -s URL
/// delete-job j` → `delete-job`; `find . -exec rm` → nothing.
fn subcommand<'a>(args: &[&'a str]) -> Path<'a> {
    let mut out = Path::default();
    let mut after_option = false;
    for a in args {
        if a.starts_with('-') {
            after_option = !a.contains('=');
            continue;
        }
        let value = a.contains(['/', '.', ':', '=', '@']) || a.bytes().all(|b| b.is_ascii_digit());
        if after_option && value {
            after_option = false;
            continue;
        }
        after_option = false;
        if !is_name(a) || out.len == out.words.len() {
            break;
        }
        out.words[out.len] = a;
        out.len += 1;
    }
    out
}

/// Up to four words of a subcommand path, without allocating: this runs
/// on every command.
#[derive(Default)]
struct Path<'a> {
    words: [&'a str; 4],
    len: usize,
}

impl<'a> Path<'a> {
    fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.words[..self.len].iter().copied()
    }
}

/// The deleting verb of a service client's command line: in its subcommand
/// path (`rm`, `remove`, `del`, `disable`, `clear`, … only after a noun:
/// `nats stream rm`, `vault secrets disable`), as an option (`--delete`,
/// `--delete-destination`, `--remove`, `--purge`, Go's `-purge`,
/// `--remove-all-storage`), or in the program's own
/// name (`kafka-delete-records`).
fn client_verb(program: &str, args: &[&str]) -> Option<String> {
    let words = subcommand(args);
    let after_noun = |w: &str| {
        matches!(
            w,
            "rm" | "remove" | "del" | "disable" | "undeploy" | "unregister" | "clear"
        )
    };
    // `mc rm --recursive --force alias/bucket`: a bare `rm` deletes
    // recursively, whatever it is the client of.
    let recursive = args
        .iter()
        .any(|a| matches!(*a, "-r" | "-R" | "-rf" | "-fr" | "--recursive"));
    let in_path = words.iter().enumerate().find(|&(k, w)| {
        (is_verb(w) && !after_noun(w))
            || (k > 0 && (after_noun(w) || is_verb(w)))
            || (recursive && matches!(w, "rm" | "remove" | "del"))
    });
    if let Some((_, w)) = in_path {
        return Some(w.to_string());
    }
    // `rclone sync SRC DST` deletes from DST whatever SRC lacks.
    if program == "rclone" && words.iter().next() == Some("sync") {
        return Some("sync".to_string());
    }
    // Go's flags take one dash (`nomad job stop -purge`); `-delete` is
    // left out, as `find`'s.
    let option = args.iter().find(|a| {
        let name = a.split('=').next().unwrap_or(a);
        matches!(
            name,
            "--delete" | "--purge" | "-purge" | "--drop" | "--remove"
        ) || name.starts_with("--delete-")
            || name.starts_with("--remove-all")
    });
    if let Some(o) = option {
        return Some(o.to_string());
    }
    program
        .split(['-', '_'])
        .skip(1)
        .any(|part| matches!(part, "delete" | "purge" | "destroy" | "wipe"))
        .then(|| program.to_string())
}

/// A URL naming an object a storage service holds (`s3://b/k`, `gs://b`,
/// `https://acct.blob.core.windows.net/c/b`).
fn remote_object(a: &str) -> bool {
    a.split_once("://")
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty() && scheme != "file")
}

/// A word that names rather than gives a value: letters, digits, `-`,
/// `_`, `.`, `:`, starting with a letter (`delete`, `dns-records`,
/// `manage.py`, `apps:destroy`).
fn is_name(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_alphabetic())
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

fn is_verb(w: &str) -> bool {
    // `apps:destroy`, `dns-records/delete`: the last segment.
    let w = w.rsplit([':', '/']).next().unwrap_or(w);
    is_deleting_word(w)
        || PREFIXES.iter().any(|p| {
            w.len() >= p.len() && w.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        })
}

/// The HTTP method a request client sends, when `p` is one: curl's `-X`,
/// `--request`; wget's `--method`; HTTPie's and xh's method word before the
/// URL; `az devops invoke --http-method`; `GET` (or `POST` with a body) by
/// default.
fn http_method<'a>(p: &str, args: &[&'a str]) -> Option<&'a str> {
    let flag = |names: &[&str]| {
        args.iter().enumerate().find_map(|(k, a)| {
            names.iter().find_map(|n| {
                if *a == *n {
                    args.get(k + 1).copied()
                } else {
                    a.strip_prefix(n)
                        .map(|v| v.trim_start_matches('='))
                        .filter(|v| !v.is_empty())
                }
            })
        })
    };
    match p {
        "curl" => Some(
            flag(&["-X", "--request"]).unwrap_or(
                if args
                    .iter()
                    .any(|a| a.starts_with("-d") || a.starts_with("--data"))
                {
                    "POST"
                } else {
                    "GET"
                },
            ),
        ),
        "wget" => Some(flag(&["--method"]).unwrap_or("GET")),
        // The method is the first word when a URL follows it, in any case
        // (`xh delete …`); a single word is the URL (`http localhost`).
        "http" | "https" | "xh" | "xhs" => {
            let mut words = args.iter().filter(|a| !a.starts_with('-'));
            let first = words.next().copied();
            Some(
                first
                    .filter(|a| a.bytes().all(|b| b.is_ascii_alphabetic()))
                    .filter(|_| words.next().is_some())
                    .unwrap_or("GET"),
            )
        }
        // Azure DevOps' raw REST call: `az devops invoke --http-method DELETE`.
        "az" if args.contains(&"devops") && args.contains(&"invoke") => {
            Some(flag(&["--http-method"]).unwrap_or("GET"))
        }
        _ => None,
    }
}

/// A URL path whose last segment asks for a deletion, in any of the ways
/// APIs spell an action: `…/delete`, `…/delete-batch`,
/// `…/_delete_by_query`, `…/purge`, `…/messages/batchDelete`,
/// `…/messages/ID/trash`, a Google-style custom method (`…/topics/t:purge`).
/// Each word of the segment counts (split at `-`, `_`, `:` and camel case),
/// so `…/deleted-items` and `…/undelete` do not.
fn deleting_endpoint(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    // The host is not a path segment (`https://delete.example`).
    let Some((_, path)) = path.split_once('/') else {
        return false;
    };
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    last.split(['-', '_', ':', '.'])
        .flat_map(camel_words)
        .any(|w| {
            [
                "delete", "purge", "flush", "truncate", "trash", "destroy", "wipe",
            ]
            .iter()
            .any(|v| w.eq_ignore_ascii_case(v))
        })
}

/// Whether `body` holds a GraphQL mutation whose field deletes (`mutation
/// { projectDelete(id: "p") }`, `deleteRepository(input: …)`,
/// `volumeInstanceBackupRemove`): a field called with arguments, one of
/// whose camel-case words is a deleting verb.
fn deleting_mutation(body: &str) -> bool {
    let Some(at) = body.find("mutation") else {
        return false;
    };
    let rest = &body[at + "mutation".len()..];
    let mut fields = rest.char_indices().filter(|&(k, c)| {
        c == '(' && !rest[..k].ends_with(|p: char| p.is_whitespace() || p == '{')
    });
    fields.any(|(k, _)| {
        let name: &str = rest[..k]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        camel_words(name).any(|w| {
            [
                "delete", "remove", "destroy", "purge", "drop", "wipe", "truncate",
            ]
            .iter()
            .any(|v| w.eq_ignore_ascii_case(v))
        })
    })
}

/// The words of a camel-case name: `volumeInstanceDelete` → `volume`,
/// `Instance`, `Delete`; a run of capitals is one word (`DELETE`,
/// `HTTPDelete` → `HTTP`, `Delete`).
fn camel_words(name: &str) -> impl Iterator<Item = &str> {
    let b = name.as_bytes();
    let mut bounds: Vec<usize> = (1..b.len())
        .filter(|&k| {
            b[k].is_ascii_uppercase()
                && (!b[k - 1].is_ascii_uppercase()
                    || b.get(k + 1).is_some_and(u8::is_ascii_lowercase))
        })
        .collect();
    bounds.push(name.len());
    let mut start = 0;
    bounds.into_iter().map(move |end| {
        let w = &name[start..end];
        start = end;
        w
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_mutations_that_delete() {
        for body in [
            r#"{"query":"mutation { projectDelete(id:\"p\") }"}"#,
            r#"mutation($in: X!) { volumeInstanceBackupDelete(input: $in) }"#,
            r#"{"query":"mutation { deleteRepository(input:{repositoryId:\"r\"}) { clientMutationId } }"}"#,
            r#"mutation { deploymentRemove(id: "d") }"#,
        ] {
            assert!(deleting_mutation(body), "{body}");
        }
        for body in [
            r#"{"query":"query { projects { edges { node { id } } } }"}"#,
            r#"mutation { projectCreate(input: {name: "x"}) { id } }"#,
            r#"mutation { deploymentRedeploy(id: "d") }"#,
            r#"{"text": "delete(this) mutation later"}"#,
        ] {
            assert!(!deleting_mutation(body), "{body}");
        }
    }

    #[test]
    fn methods() {
        assert_eq!(http_method("curl", &["-X", "DELETE", "u"]), Some("DELETE"));
        assert_eq!(http_method("curl", &["-XDELETE", "u"]), Some("DELETE"));
        assert_eq!(
            http_method("curl", &["--request=PURGE", "u"]),
            Some("PURGE")
        );
        assert_eq!(http_method("curl", &["-d", "x", "u"]), Some("POST"));
        assert_eq!(http_method("curl", &["u"]), Some("GET"));
        assert_eq!(
            http_method("wget", &["--method=DELETE", "u"]),
            Some("DELETE")
        );
        assert_eq!(http_method("http", &["DELETE", ":7700/x"]), Some("DELETE"));
        assert_eq!(http_method("http", &[":7700/x"]), Some("GET"));
        assert_eq!(http_method("http", &["localhost"]), Some("GET"));
        assert_eq!(http_method("xh", &["delete", "h/x"]), Some("delete"));
        assert_eq!(
            http_method("az", &["devops", "invoke", "--http-method", "DELETE"]),
            Some("DELETE")
        );
        assert_eq!(http_method("az", &["devops", "project", "list"]), None);
        assert_eq!(http_method("ls", &[]), None);
    }

    #[test]
    fn endpoints_and_verbs() {
        assert!(deleting_endpoint("http://h:9200/i/_delete_by_query?q=x"));
        assert!(deleting_endpoint(
            "http://h/indexes/p/documents/delete-batch"
        ));
        assert!(deleting_endpoint(
            "https://gmail.googleapis.com/gmail/v1/users/me/messages/batchDelete"
        ));
        assert!(deleting_endpoint(
            "https://h/gmail/v1/users/me/messages/18c2f/trash"
        ));
        assert!(deleting_endpoint(
            "https://pubsub.googleapis.com/v1/projects/p/subscriptions/s:purge"
        ));
        assert!(deleting_endpoint("h:7700/indexes/p/documents/delete"));
        assert!(!deleting_endpoint("http://h/api/items/42"));
        assert!(!deleting_endpoint("http://h/deleted-items"));
        assert!(!deleting_endpoint("http://h/v1/items/undelete"));
        assert!(!deleting_endpoint("https://delete.example.com"));
        assert!(!deleting_endpoint("https://h/v1/batchGet"));
        assert!(deleting_endpoint("https://h/v1/items/DELETE"));
        let words = |n| camel_words(n).collect::<Vec<_>>();
        assert_eq!(
            words("volumeInstanceDelete"),
            ["volume", "Instance", "Delete"]
        );
        assert_eq!(words("HTTPDelete"), ["HTTP", "Delete"]);
        assert_eq!(words("DELETE"), ["DELETE"]);
        assert!(is_verb("delete_vhost") && is_verb("deletefile") && is_verb("apps:destroy"));
        assert!(is_verb("remove-secret") && is_verb("rb") && is_verb("force_reset"));
        assert!(!is_verb("list") && !is_verb("removed") && !is_verb("describe"));
    }
}

//! The rule catalogue: the core rules (always on) and the packs, each a
//! domain of destructive commands with its own rules, every one with a stable
//! id, a verdict and risk by severity, and the safer alternative its reasons
//! offer.
//!
//! The catalogue is data only and depends on no other module: each pack's
//! rules are declared here (`rules::git`, …) and reported by that pack's
//! checks (`packs/*`), so that settings validation, `info()` and the checks
//! all read one list.

use clawlaw_sdk::Verdict;

/// A domain of destructive commands whose rules can be switched off together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pack {
    Git,
    Filesystem,
    Database,
    Containers,
    Kubernetes,
    Cloud,
    Iac,
    Hosting,
    Services,
}

impl Pack {
    /// Every pack.
    pub const ALL: [Pack; 9] = [
        Pack::Git,
        Pack::Filesystem,
        Pack::Database,
        Pack::Containers,
        Pack::Kubernetes,
        Pack::Cloud,
        Pack::Iac,
        Pack::Hosting,
        Pack::Services,
    ];

    /// The name settings use.
    pub fn name(self) -> &'static str {
        match self {
            Pack::Git => "git",
            Pack::Filesystem => "filesystem",
            Pack::Database => "database",
            Pack::Containers => "containers",
            Pack::Kubernetes => "kubernetes",
            Pack::Cloud => "cloud",
            Pack::Iac => "iac",
            Pack::Hosting => "hosting",
            Pack::Services => "services",
        }
    }

    /// The pack of that name.
    pub fn from_name(name: &str) -> Option<Pack> {
        Pack::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The pack's rules.
    pub fn rules(self) -> &'static [&'static PackRule] {
        match self {
            Pack::Git => git::RULES,
            Pack::Filesystem => filesystem::RULES,
            Pack::Database => database::RULES,
            Pack::Containers => containers::RULES,
            Pack::Kubernetes => kubernetes::RULES,
            Pack::Cloud => cloud::RULES,
            Pack::Iac => iac::RULES,
            Pack::Hosting => hosting::RULES,
            Pack::Services => services::RULES,
        }
    }
}

/// One rule of a pack.
#[derive(Debug)]
pub struct PackRule {
    /// Stable id, `<pack>.<what>` (`git.reset-hard`).
    pub id: &'static str,
    pub pack: Pack,
    /// DENY for what cannot be undone and has no routine use by an agent;
    /// ESCALATE otherwise.
    pub verdict: Verdict,
    /// The risk reported with an escalation.
    pub risk: f32,
    /// What the rule catches, for `info()`.
    pub summary: &'static str,
    /// The safer alternative offered in every reason.
    pub instead: &'static str,
}

/// Whether `id` is a built-in rule's id.
pub fn is_builtin(id: &str) -> bool {
    all().any(|(rule, _)| rule == id)
}

/// Every rule, core first, then each pack's: id and summary.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    CORE.iter()
        .copied()
        .chain(
            Pack::ALL
                .into_iter()
                .flat_map(|p| p.rules().iter().map(|r| (r.id, r.summary))),
        )
        .chain([(
            CUSTOM_FAMILY,
            "Rules the settings add (`rules`), each with its own id under `custom.`",
        )])
}

/// The family of rule ids the settings define (`custom.no-prod-db`): the
/// contract lets a policy declare it once.
pub const CUSTOM_FAMILY: &str = "custom.*";

/// The core rules: id and summary. Their ids predate the packs and stay
/// stable; `shell.destructive`, `shell.system-write`, `shell.disk`,
/// `shell.force-push`, `shell.container` and `shell.infrastructure` are
/// reported by the filesystem, git, containers and kubernetes/iac code but
/// cannot be switched off with their pack.
pub const CORE: &[(&str, &str)] = &[
    (
        "shell.destructive",
        "Deny recursive deletion, moving away or recursive permission changes of the root, top-level, home or system directories, protected paths or parents of the working directory; escalate deleting the whole working directory, .git, a path only known at run time, or a credential file outside the working directory",
    ),
    (
        "shell.disk",
        "Deny formatting, wiping or writing raw block devices (mkfs, wipefs, dd of=/dev/sda, > /dev/nvme0n1); escalate partitioning tools, mkfs on files, removing logical volumes (lvremove, vgremove) and destroying encryption keys (cryptsetup luksFormat, luksErase)",
    ),
    (
        "shell.system-write",
        "Deny writing, deleting or changing permissions of system files (/etc, /boot, /usr, /bin, /sbin, /lib, /sys, /proc) or protected paths",
    ),
    (
        "shell.fork-bomb",
        "Deny functions that start copies of themselves in a pipeline or the background",
    ),
    (
        "shell.remote-exec",
        "Deny running downloaded data as code: curl | sh, bash <(curl ...), sh -c \"$(wget ...)\", download then run; escalate a script run after git clone or an extracted download in the same line",
    ),
    (
        "shell.reverse-shell",
        "Deny shells whose commands come from a network connection: nc -e /bin/sh, socat EXEC:bash TCP:…, nc h p | sh, bash -i >& /dev/tcp/h/p, inline code that connects a socket and spawns a shell",
    ),
    (
        "shell.defenses",
        "Escalate switching off the machine's defences or erasing its records: firewall flushes and disables (iptables -F, -P … ACCEPT, nft flush, ufw disable), SELinux/AppArmor off, audit rules deleted, security services stopped, system logs truncated, overwritten or deleted, the journal vacuumed, the shell's history switched off or cleared (HISTFILE=/dev/null, unset HISTFILE, HISTSIZE=0, set +o history, history -c), a file's immutable or append-only attribute taken off (chattr -i, chattr -a), TLS certificate verification switched off for later fetches (git http.sslVerify, npm strict-ssl, NODE_TLS_REJECT_UNAUTHORIZED=0); on Windows Defender or the firewall switched off, the execution policy opened",
    ),
    (
        "shell.obfuscated-exec",
        "Deny running decoded data as code (base64 -d | sh, xxd -r, gunzip; inline code's exec(b64decode(…)), eval(atob(…)))",
    ),
    (
        "shell.power",
        "Deny shutting down, halting or rebooting the machine",
    ),
    (
        "shell.network-down",
        "Escalate taking a network interface down or dropping its addresses or routes (ip link set … down, ip route del default, ifconfig … down, nmcli networking off): the machine cut off",
    ),
    (
        "shell.kill-all",
        "Deny signalling every process (kill -9 -1) or init",
    ),
    (
        "shell.unparseable",
        "Escalate (or deny, by setting) command lines that cannot be parsed in full: unclosed quotes or substitutions, too deep, too large",
    ),
    (
        "shell.dynamic-program",
        "Escalate commands whose program name is only known at run time ($(echo rm), $CMD)",
    ),
    (
        "shell.privileged",
        "Escalate commands run with elevated privileges or as another user (sudo, doas, su, pkexec), account changes, kernel module loading and entering another process's namespaces (insmod, modprobe, nsenter)",
    ),
    (
        "shell.force-push",
        "Escalate git pushes that rewrite or delete remote history (--force, --force-with-lease, +refspec, --delete)",
    ),
    (
        "shell.package-install",
        "Escalate installing software: system package managers, global installs, named packages from registries, packages fetched and run at once (npx -y, pnpm dlx, uvx), and changes to where packages come from (registries, indexes, proxies)",
    ),
    (
        "shell.permissions",
        "Escalate making files world-writable or setuid/setgid (chmod 777, o+w, u+s), or a private credential readable by other users (chmod 644 ~/.ssh/id_rsa), by mode or ACL (setfacl -m u:nobody:r)",
    ),
    (
        "shell.remote-access",
        "Escalate connections to other hosts (ssh, scp, sftp, rsync host:, nc, socat, telnet)",
    ),
    (
        "shell.persistence",
        "Escalate changes that outlive the session: crontab, systemctl/service changes, launchctl, at, systemd-run timers, shell start-up files, SSH authorized keys, a program named like a system command put on the PATH, a git credential helper of the agent's making",
    ),
    (
        "shell.container",
        "Escalate containers and pods that can reach the host (--privileged, host namespaces, mounting / or the Docker socket; kubectl run --privileged or with such an inline spec, kubectl debug node/…)",
    ),
    (
        "shell.infrastructure",
        "Escalate destructive cluster and infrastructure operations (kubectl delete, kubectl scale --replicas=0 or a patch to zero replicas, kubectl replace --force, manifests applied from a URL, helm uninstall, terraform destroy/apply)",
    ),
    ("shell.denied-program", "Deny programs the settings deny"),
    (
        "shell.escalated-program",
        "Escalate programs the settings escalate",
    ),
];

/// The git pack's rules.
pub(crate) mod git {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const RESET_HARD: PackRule = PackRule {
        id: "git.reset-hard",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate `git reset --hard` (and `--merge`): it discards uncommitted changes in the work tree and index",
        instead: "commit or `git stash` first, or use `git reset --keep`, which refuses to discard local changes",
    };
    pub(crate) const CLEAN_FORCE: PackRule = PackRule {
        id: "git.clean-force",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate `git clean -f`: it deletes untracked (with -x also ignored) files, which git cannot restore",
        instead: "preview with `git clean -n` and delete the files you mean by name, or `git stash -u` to keep them",
    };
    pub(crate) const DISCARD_CHANGES: PackRule = PackRule {
        id: "git.discard-changes",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate `git checkout -- <paths>`, `git checkout .`, `git checkout -f`, `git restore <paths>` and `git switch -f`: they overwrite uncommitted changes",
        instead: "look at `git diff` first and `git stash` what should be kept; `git restore --staged` only unstages",
    };
    pub(crate) const BRANCH_FORCE_DELETE: PackRule = PackRule {
        id: "git.branch-force-delete",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate `git branch -D` (`--delete --force`) and `git branch -f NAME`: they delete or move a branch even when its commits are merged nowhere",
        instead: "use `git branch -d`, which refuses unmerged branches, or a new branch name; push the branch first",
    };
    pub(crate) const STASH_DROP: PackRule = PackRule {
        id: "git.stash-drop",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate `git stash drop` and `git stash clear`: stashed changes are in no commit",
        instead: "check `git stash list` and `git stash show -p` first, or `git stash pop` to keep the changes",
    };
    pub(crate) const REWRITE_HISTORY: PackRule = PackRule {
        id: "git.rewrite-history",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate `git filter-branch`, `git filter-repo`, `git reflog expire`/`delete`, `git gc --prune=now` and `git update-ref -d`: they rewrite history or remove the reflog that recovers lost commits",
        instead: "work on a fresh clone or a backup branch, and keep the reflog until the result is checked",
    };

    pub(crate) const SKIP_HOOKS: PackRule = PackRule {
        id: "git.skip-hooks",
        pack: Pack::Git,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate skipping or switching off the repository's hooks (`git commit --no-verify`/`-n`, `git push --no-verify`, `core.hooksPath` set elsewhere, `HUSKY=0`, pre-commit's `SKIP=`, `pre-commit uninstall`): the checks the project runs before a commit or push are bypassed",
        instead: "fix what the hook reports and commit again; if the hook itself is wrong, say so and let a human decide",
    };

    pub(crate) const RULES: &[&PackRule] = &[
        &RESET_HARD,
        &CLEAN_FORCE,
        &DISCARD_CHANGES,
        &BRANCH_FORCE_DELETE,
        &STASH_DROP,
        &REWRITE_HISTORY,
        &SKIP_HOOKS,
    ];
}

/// The filesystem pack's rules.
pub(crate) mod filesystem {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const DELETE_OUTSIDE: PackRule = PackRule {
        id: "fs.delete-outside-workspace",
        pack: Pack::Filesystem,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate deleting a directory tree, or every file a glob matches, outside the working directory (not a temporary directory or a cache): other projects, data, installed software",
        instead: "delete only inside the working directory, or move the tree aside (`mv dir dir.bak`) and delete it once nothing needs it",
    };

    pub(crate) const REWRITE_OUTSIDE: PackRule = PackRule {
        id: "fs.rewrite-outside-workspace",
        pack: Pack::Filesystem,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate rewriting every file a walk finds (`find … -exec sed -i …`, `find … | xargs truncate -s 0`) below a directory outside the working directory (not a temporary directory or a cache): other projects, data, installed software",
        instead: "change only files inside the working directory, or list the files first (`find … -print`) and change the ones you mean by name",
    };

    pub(crate) const RULES: &[&PackRule] = &[&DELETE_OUTSIDE, &REWRITE_OUTSIDE];
}

/// The database pack's rules.
pub(crate) mod database {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const DROP_DATABASE: PackRule = PackRule {
        id: "db.drop-database",
        pack: Pack::Database,
        verdict: Verdict::Deny,
        risk: 1.0,
        summary: "Deny dropping a whole database or schema (`DROP DATABASE`, `DROP SCHEMA`, `dropdb`, `mysqladmin drop`, `db.dropDatabase()`, `bq rm -d`)",
        instead: "take a dump first (`pg_dump`, `mysqldump`, `mongodump`) and have a human drop it",
    };
    pub(crate) const FLUSH: PackRule = PackRule {
        id: "db.flush",
        pack: Pack::Database,
        verdict: Verdict::Deny,
        risk: 1.0,
        summary: "Deny `redis-cli FLUSHALL`/`FLUSHDB`: every key of the server or database is deleted",
        instead: "delete the keys you mean (`redis-cli --scan --pattern 'app:*' | xargs redis-cli del`), after `BGSAVE`",
    };
    pub(crate) const DROP_TABLE: PackRule = PackRule {
        id: "db.drop-table",
        pack: Pack::Database,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate `DROP TABLE` (and other objects that hold data), `ALTER TABLE … DROP COLUMN`, `TRUNCATE`, MongoDB `drop()` and `bq rm` of a table: the rows are gone",
        instead: "back the table up first (`CREATE TABLE t_backup AS SELECT * FROM t`, `pg_dump -t t`), or run it in a migration a human reviews",
    };
    pub(crate) const UNBOUNDED_WRITE: PackRule = PackRule {
        id: "db.unbounded-write",
        pack: Pack::Database,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate `DELETE` or `UPDATE` without `WHERE`, MongoDB `deleteMany({})`/`remove({})`, `etcdctl del --prefix`, Redis keys deleted from a scan (`redis-cli --scan | xargs redis-cli del`), and an ORM's write to every row of a model (`User.delete_all`, `Order.objects.all().delete()`): every row or key is deleted or overwritten",
        instead: "add a `WHERE` clause and check it with `SELECT count(*) … WHERE …` first, inside a transaction",
    };

    pub(crate) const RESET: PackRule = PackRule {
        id: "db.reset",
        pack: Pack::Database,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate framework commands that drop or wipe the database (`prisma migrate reset`, `rails db:drop`/`db:reset`, `manage.py flush`, `artisan migrate:fresh`/`db:wipe`, `mix ecto.drop`/`ecto.reset`, `supabase db reset`)",
        instead: "dump the database first, or point the command at a disposable database (check the connection settings)",
    };

    pub(crate) const SERVER: PackRule = PackRule {
        id: "db.server",
        pack: Pack::Database,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate stopping a database server or changing where it writes: Redis `SHUTDOWN`, `CONFIG SET dir`/`dbfilename` (its dump written anywhere: the classic way into `~/.ssh`), `DEBUG SEGFAULT`; `mysqladmin shutdown`",
        instead: "restart the service through its manager (`systemctl restart`) where a human sees it, and leave the server's files where they are",
    };

    pub(crate) const PRIVILEGES: PackRule = PackRule {
        id: "db.privileges",
        pack: Pack::Database,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate granting database privileges beyond one database: on every database of the server (`GRANT … ON *.*`), with the right to grant them on (`WITH GRANT OPTION`), a superuser's (`ALTER ROLE … SUPERUSER`, `BYPASSRLS`, `GRANT rds_superuser`), or the server's files and programs (`pg_execute_server_program`, `pg_read_server_files`, `pg_write_server_files`)",
        instead: "grant the privileges the task needs on the one database or table (`GRANT SELECT, INSERT ON app.orders TO 'svc'@'10.0.0.%'`)",
    };

    pub(crate) const RULES: &[&PackRule] = &[
        &DROP_DATABASE,
        &FLUSH,
        &DROP_TABLE,
        &UNBOUNDED_WRITE,
        &PRIVILEGES,
        &RESET,
        &SERVER,
    ];
}

/// The containers pack's rules.
pub(crate) mod containers {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const PRUNE: PackRule = PackRule {
        id: "containers.prune",
        pack: Pack::Containers,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate `docker system prune` and other prunes: they delete every stopped container, unused image, network and the build cache at once",
        instead: "remove the containers or images you mean by name, or prune with a filter (`--filter until=24h`)",
    };
    pub(crate) const DELETE_VOLUMES: PackRule = PackRule {
        id: "containers.delete-volumes",
        pack: Pack::Containers,
        verdict: Verdict::Escalate,
        risk: 0.85,
        summary: "Escalate deleting volumes (`volume rm`/`prune`, `system prune --volumes`, `system reset`, `compose down -v`, `rm -v`): the data in them is gone",
        instead: "back the volume up first (`docker run --rm -v vol:/data -v $PWD:/b alpine tar czf /b/vol.tgz /data`), or `compose down` without `-v`",
    };
    pub(crate) const REMOVE_ALL: PackRule = PackRule {
        id: "containers.remove-all",
        pack: Pack::Containers,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate removing every container or image at once (`docker rm -f $(docker ps -aq)`, `docker rmi $(docker images -q)`)",
        instead: "remove the containers or images you mean by name or label (`--filter label=…`)",
    };

    pub(crate) const STOP_ALL: PackRule = PackRule {
        id: "containers.stop-all",
        pack: Pack::Containers,
        verdict: Verdict::Escalate,
        risk: 0.6,
        summary: "Escalate stopping or killing every running container at once (`docker stop $(docker ps -q)`, `docker ps -q | xargs docker kill`, `podman stop --all`): every service on the host goes down, other people's included",
        instead: "stop the containers you mean by name, or a filtered listing (`docker stop $(docker ps -q -f name=myapp)`); `docker compose stop` stops one project's",
    };

    pub(crate) const RULES: &[&PackRule] = &[&PRUNE, &DELETE_VOLUMES, &REMOVE_ALL, &STOP_ALL];
}

/// The kubernetes pack's rules.
pub(crate) mod kubernetes {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const DELETE_NAMESPACE: PackRule = PackRule {
        id: "k8s.delete-namespace",
        pack: Pack::Kubernetes,
        verdict: Verdict::Escalate,
        risk: 0.9,
        summary: "Escalate `kubectl delete namespace`: it deletes every object in the namespace, volumes' claims included",
        instead: "delete the specific resources you mean by name, after `kubectl get all -n <ns>`",
    };
    pub(crate) const DELETE_ALL: PackRule = PackRule {
        id: "k8s.delete-all",
        pack: Pack::Kubernetes,
        verdict: Verdict::Escalate,
        risk: 0.9,
        summary: "Escalate `kubectl delete` of every object of a kind (`--all`, `all`, `-A`, an empty selector)",
        instead: "delete named objects or a narrow `-l` selector, and check with `--dry-run=client -o name` first",
    };
    pub(crate) const DELETE_STORAGE: PackRule = PackRule {
        id: "k8s.delete-storage",
        pack: Pack::Kubernetes,
        verdict: Verdict::Escalate,
        risk: 0.85,
        summary: "Escalate `kubectl delete` of persistent volumes or claims: with the usual `Delete` reclaim policy the data goes with them",
        instead: "snapshot the volume first, or set its reclaim policy to `Retain` before deleting the claim",
    };

    pub(crate) const RULES: &[&PackRule] = &[&DELETE_NAMESPACE, &DELETE_ALL, &DELETE_STORAGE];
}

/// The cloud pack's rules.
pub(crate) mod cloud {
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
    pub(crate) const OPEN_ACCESS: PackRule = PackRule {
        id: "cloud.open-access",
        pack: Pack::Cloud,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate access opened to anyone or raised to administrator: grants to `0.0.0.0/0`, `::/0`, `allUsers`, a policy whose principal is `*`, a public ACL; `AdministratorAccess`, `roles/owner`/`roles/editor`, `cluster-admin`, Azure `Owner`; and long-lived keys minted (`aws iam create-access-key`)",
        instead: "grant the narrowest role to the principal that needs it, for the addresses that need it, and have a human widen it if it must be",
    };

    pub(crate) const RULES: &[&PackRule] = &[
        &DELETE_STORAGE,
        &DELETE_RESOURCE,
        &DELETE_PROJECT,
        &UNRECOVERABLE,
        &OPEN_ACCESS,
    ];
}

/// The iac pack's rules.
pub(crate) mod iac {
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
}

/// The hosting pack's rules.
pub(crate) mod hosting {
    use super::{Pack, PackRule, Verdict};

    pub(crate) const REPO_DELETE: PackRule = PackRule {
        id: "hosting.repo-delete",
        pack: Pack::Hosting,
        verdict: Verdict::Deny,
        risk: 1.0,
        summary: "Deny deleting a hosted repository (`gh repo delete`, `glab repo delete`): issues, pull requests, releases and wiki go with it",
        instead: "archive it (`gh repo archive`) or ask a human to delete it",
    };
    pub(crate) const UNPUBLISH: PackRule = PackRule {
        id: "hosting.unpublish",
        pack: Pack::Hosting,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate withdrawing published packages (`npm unpublish`, `cargo yank`, `gem yank`, `dotnet nuget delete`): builds that depend on them break",
        instead: "deprecate instead (`npm deprecate`, a new patch release), which warns users without breaking them",
    };
    pub(crate) const DELETE_HOSTED: PackRule = PackRule {
        id: "hosting.delete",
        pack: Pack::Hosting,
        verdict: Verdict::Escalate,
        risk: 0.8,
        summary: "Escalate deleting releases, secrets, environments, runs or apps on hosting platforms (`gh release delete`, `gh api -X DELETE`, `heroku apps:destroy`, `fly apps destroy`, `vercel remove`)",
        instead: "check what depends on it first, and prefer disabling or archiving to deleting",
    };

    pub(crate) const PUBLISH: PackRule = PackRule {
        id: "hosting.publish",
        pack: Pack::Hosting,
        verdict: Verdict::Escalate,
        risk: 0.7,
        summary: "Escalate publishing packages, images and releases (`npm publish`, `cargo publish`, `twine upload`, `gem push`, `mvn deploy`, `docker push`, `gh release create`): a published version is public, others build on it at once, and it cannot be taken back",
        instead: "publish from CI on a reviewed tag, or check what would go out with a dry run (`npm publish --dry-run`, `cargo publish --dry-run`, `npm pack`)",
    };

    pub(crate) const RULES: &[&PackRule] = &[&REPO_DELETE, &UNPUBLISH, &DELETE_HOSTED, &PUBLISH];
}

/// The services pack's rules.
pub(crate) mod services {
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
}

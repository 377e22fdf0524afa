//! Shell commands judged by what they do to governance, from the SDK's
//! command-effects model ([`clawlaw_sdk::effects`]): the paths they write,
//! delete and read, the processes they signal, the variables they read, the
//! hosts they contact and the programs they run. A write by shell is judged
//! as the Write tool's write would be.

use clawlaw_sdk::effects::{self, Effects, PathEffect};
use clawlaw_sdk::gate::HOOK_FORWARDER_SUFFIX;
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::shell::{self, Command, CommandLine};

use crate::Context;
use crate::addresses;
use crate::findings::Finding;
use crate::modes::{keeps_access, locks_out};
use crate::protected::{Hit, Owner, Protected};
use crate::selects::{
    filters_may_select, name_filters, only_empty_directories, search_leaves_out, selected,
};

/// Everything a command line does to governance.
pub fn judge(ctx: &Context, command: &str, cwd: Option<&str>) -> Vec<Finding> {
    let line = shell::parse(command);
    let fx = effects::analyze(&line, cwd, ctx.home.as_deref());
    judge_parsed(ctx, command, &line, &fx, cwd)
}

/// [`judge`] of a command line already parsed and analysed.
pub fn judge_parsed(
    ctx: &Context,
    command: &str,
    line: &CommandLine,
    fx: &Effects,
    cwd: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    changes(ctx, line, fx, cwd, &mut out);
    reads(ctx, line, fx, cwd, &mut out);
    env(ctx, line, fx, &mut out);
    crate::signals::judge(ctx, line, fx, cwd, &mut out);
    network(ctx, fx, &mut out);
    crate::impostors::squats(ctx, line, &mut out);
    crate::cutoffs::judge(ctx, line, &mut out);
    crate::captures::judge(ctx, line, &mut out);
    for c in &line.commands {
        for repository in ctx.gate_repositories(c) {
            out.push(Finding::gate_repository(&c.program, &repository));
        }
    }
    programs(ctx, fx, &mut out);
    crate::launches::judge(line, fx, ctx.home.as_deref(), &ctx.d.roots, &mut out);
    crate::launches::in_containers(line, &mut out);
    crate::mounts::mounts(ctx, line, cwd, &mut out);
    crate::sparse::judge(ctx, line, cwd, &mut out);
    let unknown_base = fx
        .changes()
        .chain(&fx.reads)
        .any(|e| e.dynamic && !has_known_base(&e.path));
    if out.is_empty()
        && (!fx.unresolved.is_empty() || unknown_base)
        && ctx.mentions_governance(command)
    {
        let why = fx
            .unresolved
            .first()
            .map_or("a path it changes is only known when it runs", |u| {
                u.why.as_str()
            });
        out.push(Finding::unresolved(format!(
            "the command cannot be read in full ({why}) and it names the agent's governance; \
             a person must check what it does"
        )));
    }
    out
}

/// A path effect against the protected set: static paths exactly, dynamic
/// ones (globs, expansions) by whether they may reach a protected path.
fn hit(p: &Protected, e: &PathEffect, removal: bool) -> Option<Hit> {
    // A path whose base is only known at run time (`$DIR/x`, `"$f"`) could
    // be anything: not denied by itself (shell-guard escalates recursive
    // deletes of such paths), escalated by `judge` when the command names
    // governance.
    if e.dynamic && !has_known_base(&e.path) {
        return None;
    }
    if !e.dynamic {
        // A tree written into an agent's settings directory (`cp -r x/.
        // .claude/`, `tar -x -C .claude`) may replace any file in it.
        return if removal || e.recursive && (is_replacing(&e.how) || is_agent_dir(&e.path)) {
            p.removal_hit(&e.path)
        } else {
            p.change_hit(&e.path)
        };
    }
    // A removal of a directory takes everything below it; `rm` without
    // `-r` (`rm -f ./*`) removes only the files its glob matches.
    let reach = PathEffect {
        recursive: e.recursive || removal && !removes_files_only(&e.how),
        ..e.clone()
    };
    p.reachable(&reach)
        .into_iter()
        .min_by_key(|entry| entry.path.len())
        .map(|entry| Hit {
            protected: entry.path.clone(),
            owner: entry.owner,
            above: false,
        })
}

/// A delete that removes files, never a directory with what is below it:
/// `rm`, `unlink`, `shred` (a recursive `rm` is an effect marked
/// recursive).
fn removes_files_only(how: &str) -> bool {
    matches!(
        how.split_whitespace().next(),
        Some("rm" | "unlink" | "shred" | "srm")
    )
}

/// Whether `path` is `/`, a home directory or the directory of homes.
fn is_root_or_home(path: &str, home: Option<&str>) -> bool {
    let path = path.trim_end_matches('/');
    path.is_empty()
        || home.is_some_and(|h| h.trim_end_matches('/') == path)
        || path == crate::protected::ANY_HOME
        || clawlaw_sdk::path::home_of(path).is_some_and(|h| h == path)
        || matches!(path, "/home" | "/Users" | "/root")
}

/// Whether a path effect's base is known: absolute, or `~` (any home).
fn has_known_base(path: &str) -> bool {
    path.starts_with('/') || path.starts_with('~')
}

/// Whether `path` is an agent's settings directory (`…/.claude`).
fn is_agent_dir(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    crate::agents::AGENTS.iter().any(|a| a.dir == last)
}

/// Recursive writes that replace what is below a directory wholesale (a
/// mode or owner change locks the gate out as surely as a delete, a mount
/// hides the whole tree, an unmount takes it away).
fn is_replacing(how: &str) -> bool {
    [
        "chmod", "chown", "chattr", "chgrp", "rsync", "mount", "umount", "bindfs",
    ]
    .iter()
    .any(|w| how.starts_with(w))
}

/// An archive extracted: what it writes, and where below the directory, is
/// only known from the archive.
fn is_extraction(how: &str) -> bool {
    how.starts_with("tar -x") || how.starts_with("unzip")
}

fn changes(
    ctx: &Context,
    line: &CommandLine,
    fx: &Effects,
    cwd: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let p = &ctx.d.protected;
    for e in fx
        .deletes
        .iter()
        .filter(|e| !only_empty_directories(line, e))
    {
        if let Some(h) = hit(p, e, true).and_then(|h| selected(p, &name_filters(line, e), e, h)) {
            out.push(Finding::change(h, &e.how, "delete", &e.path));
        }
    }
    for e in &fx.writes {
        let additive;
        let e = if e.recursive && keeps_access(line, e) {
            additive = PathEffect {
                recursive: false,
                ..e.clone()
            };
            &additive
        } else {
            e
        };
        if let Some(h) = hit(p, e, e.how.starts_with("mv")) {
            out.push(Finding::change(h, &e.how, "change", &e.path));
        } else if e.recursive
            && line.find_of_exec(e.command).is_some()
            && !cwd.is_some_and(|w| clawlaw_sdk::path::is_within(&e.path, w))
            && let Some(h) = hit(p, e, true)
        {
            // `find ~ -exec sh -c ': > "$1"' _ {} \;` writes whatever it
            // finds below a directory outside the working tree, as a delete
            // there would; a `-name` filter that cannot select a protected
            // file spares it.
            if let Some(h) = selected(p, &name_filters(line, e), e, h) {
                out.push(Finding::change(h, &e.how, "change", &e.path));
            }
        } else if !e.dynamic
            && locks_out(line, e)
            && let Some(h) = p.removal_hit(&e.path)
        {
            // `chmod 000 ~/.claude`: a directory the owner can no longer
            // read or enter hides every file below it from the agent that
            // should load its hooks from there, and from the gate.
            out.push(Finding::change(h, &e.how, "lock the owner out of", &e.path));
        } else if e.recursive
            && !e.dynamic
            && is_extraction(&e.how)
            && !cwd.is_some_and(|w| clawlaw_sdk::path::is_within(&e.path, w))
            && let Some(h) = p.removal_hit(&e.path)
        {
            // `tar -xf x.tar -C ~`: the archive may hold `.claude/settings.json`.
            // The working tree is where archives are unpacked; its own agent
            // directories are judged by name above.
            out.push(Finding::change(
                h,
                &e.how,
                "extract an archive over",
                &e.path,
            ));
        }
    }
    // What effects do not name: a symlink pointing *at* a protected file
    // (a second name to write it through), and a copy or move into a
    // directory, which lands at `dir/<name of the source>`.
    for cmd in &line.commands {
        let operands: Vec<&str> = cmd.operands().map(|w| w.text.as_str()).collect();
        let resolve = |w: &str| normalize(w, cwd, ctx.home.as_deref()).ok();
        // `cp -l`/`-s`/`--link` (`cp -al ~/.claude d`) make links too.
        let cp_links = cmd.program == "cp"
            && (cmd.has_flag('l')
                || cmd.has_flag('s')
                || cmd.has_long("link")
                || cmd.has_long("symbolic-link"));
        match cmd.program.as_str() {
            _ if cp_links => {
                for target in operands[..operands.len().saturating_sub(1)]
                    .iter()
                    .filter_map(|o| resolve(o))
                {
                    if let Some(h) = p.change_hit(&target).or_else(|| {
                        p.removal_hit(&target)
                            .filter(|_| !is_root_or_home(&target, ctx.home.as_deref()))
                    }) {
                        out.push(Finding::change(h, "cp (link)", "link", &target));
                    }
                }
            }
            // `mount --bind ~/.claude /tmp/c`, `bindfs ~/.claude /tmp/c`: a
            // second name for the source, as a link is (the target is a
            // change the effects name).
            "mount" | "bindfs" if operands.len() >= 2 && binds(cmd) => {
                if let Some(source) = resolve(operands[operands.len() - 2])
                    && !is_root_or_home(&source, ctx.home.as_deref())
                    && let Some(h) = p.removal_hit(&source).or_else(|| p.change_hit(&source))
                {
                    out.push(Finding::change(h, &cmd.program, "bind-mount", &source));
                }
            }
            "ln" => {
                for target in operands.iter().filter_map(|o| resolve(o)) {
                    if let Some(h) = p.change_hit(&target) {
                        out.push(Finding::change(h, "ln", "link", &target));
                    } else if !is_root_or_home(&target, ctx.home.as_deref())
                        && let Some(h) = p.removal_hit(&target)
                    {
                        // `ln -s ~/.claude d`: a second name for a directory
                        // holding governance files, to write them through
                        // later (`d/settings.json`). `/` and a home are
                        // above everything, and named for other reasons.
                        out.push(Finding::change(h, "ln", "link", &target));
                    }
                }
            }
            "cp" | "mv" | "install" | "rsync" if operands.len() >= 2 => {
                let (dest, sources) = operands.split_last().expect("two or more");
                let Some(dest) = resolve(dest) else { continue };
                for s in sources {
                    let name = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
                    if name.is_empty() || name == "." || name == ".." {
                        continue;
                    }
                    let landed = format!("{dest}/{name}");
                    if let Some(h) = p.change_hit(&landed) {
                        out.push(Finding::change(h, cmd.program.as_str(), "replace", &landed));
                    }
                }
            }
            _ => {}
        }
    }
}

fn reads(
    ctx: &Context,
    line: &CommandLine,
    fx: &Effects,
    cwd: Option<&str>,
    out: &mut Vec<Finding>,
) {
    for e in &fx.reads {
        // `cat "$f"`, `wc -l $(git ls-files)`: a path whose base is only
        // known at run time could be anything, as for changes (see `hit`);
        // `judge` escalates it when the command names governance.
        if e.dynamic && !has_known_base(&e.path) {
            continue;
        }
        let h = if e.dynamic {
            ctx.d
                .protected
                .reachable(e)
                .into_iter()
                .find(|x| x.owner == Owner::Secret)
                .map(|x| Hit {
                    protected: x.path.clone(),
                    owner: x.owner,
                    above: false,
                })
                .or_else(|| ctx.d.protected.read_hit(&e.path.replace('*', "x"), false))
        } else {
            // A container given the working tree (`docker run -v
            // /work/app:/src`) is what containers are for, as for writes
            // (`mounts.rs`): only a gate secret mounted itself, or a
            // directory of them, counts there.
            let mounted_workspace =
                e.is_bind_mount() && cwd.is_some_and(|w| clawlaw_sdk::path::is_within(&e.path, w));
            ctx.d
                .protected
                .read_hit(&e.path, e.recursive && !mounted_workspace)
        };
        // A recursive read whose walk or search cannot select the secret:
        // `find . -name '*.rs' | xargs grep x`, `grep -r --include='*.rs'
        // x .`, `grep -r --exclude-dir=target x .`.
        let spared = |h: &Hit| {
            e.recursive
                && h.protected != e.path
                && ({
                    let names = name_filters(line, e);
                    !names.is_empty() && !filters_may_select(&names, h)
                } || search_leaves_out(line, e, h))
        };
        if let Some(h) = h.filter(|h| !spared(h)) {
            out.push(Finding::secret_read(h, &e.path));
        }
    }
}

fn env(ctx: &Context, line: &CommandLine, fx: &Effects, out: &mut Vec<Finding>) {
    for v in &fx.env {
        let everything = v.name == "*";
        if everything && filtered_away(ctx, line, v.command) {
            continue;
        }
        if everything || ctx.d.token_env.contains(&v.name) || credential_name(&v.name) {
            out.push(Finding::token_env(&v.name));
        }
    }
}

/// Whether a variable is named as the gate names its credentials
/// (`CLAWLAW_REVIEWER_TOKEN`, `CLAWLAW_ADMIN_TOKEN`, `CLAWLAW_KEY_PASSWORD`),
/// whether or not this gate reported it: a hook or a reviewer's shell of
/// another gate holds them under those names too.
fn credential_name(name: &str) -> bool {
    name.strip_prefix("CLAWLAW_").is_some_and(|rest| {
        rest.split('_')
            .any(|w| matches!(w, "TOKEN" | "PASSWORD" | "SECRET" | "KEY"))
    })
}

/// Whether the whole environment printed by command `i` goes straight into
/// a `grep` whose pattern cannot select a token variable's line
/// (`env | grep -i proxy`): then no token is shown.
fn filtered_away(ctx: &Context, line: &CommandLine, i: usize) -> bool {
    // `ps auxe` prints a process's whole environment on its line: a
    // search for the gate's name selects its tokens with it.
    if line.commands.get(i).is_some_and(|c| c.program == "ps") {
        return false;
    }
    let Some(grep) = line
        .commands
        .iter()
        .enumerate()
        .find_map(|(j, c)| (c.piped_in && line.upstream(j).last() == Some(&i)).then_some(c))
    else {
        return false;
    };
    if !matches!(grep.program.as_str(), "grep" | "egrep" | "rg")
        || grep.has_flag('v')
        || grep.has_long("invert-match")
        || grep.has_flag('f')
        || grep.has_flag('e')
    {
        return false;
    }
    let Some(pattern) = grep.operands().next() else {
        return false;
    };
    if pattern.is_dynamic() {
        return false;
    }
    let insensitive = grep.has_flag('i') || grep.has_long("ignore-case");
    let Ok(re) = regex_lite::RegexBuilder::new(&pattern.text)
        .case_insensitive(insensitive)
        .size_limit(1 << 16)
        .build()
    else {
        return false;
    };
    let sample = "0123456789abcdef0123456789abcdef";
    !ctx.d.token_env.iter().any(|name| {
        ["agent", "reviewer", "admin"]
            .iter()
            .any(|role| re.is_match(&format!("{name}=claw_{role}_{sample}")))
    })
}

/// The port of a URL or `host:port` whose host is computed at run time
/// (`http://$(hostname):7070/x`, `$HOST:7070`).
fn computed_host_port(target: &str) -> Option<u16> {
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = authority.rsplit_once(':')?;
    host.contains(['$', '`']).then(|| port.parse().ok())?
}

fn network(ctx: &Context, fx: &Effects, out: &mut Vec<Finding>) {
    let mut ports = None;
    for n in &fx.network {
        let target = n.url.as_deref().or(n.host.as_deref()).unwrap_or("");
        // `curl -s http://127.0.0.1:7070/healthz`: whether it serves.
        let probe = !n.sends_data && addresses::health_probe(target);
        if let Some(url) = ctx.gate_api(target).filter(|_| !probe) {
            out.push(Finding::gate_api(&n.program, url));
        } else if let Some(port) = computed_host_port(target) {
            // `curl http://$(hostname):7070/…`: a host computed when it
            // runs, on the gate's port, may be the gate's.
            let ports = ports.get_or_insert_with(|| ctx.gate_ports());
            if ports.contains(&port) {
                out.push(Finding::gate_api_unknown(&n.program, target));
            }
        }
        if let Some(store) = n.url.as_deref().and_then(|u| ctx.gate_store(u)) {
            out.push(Finding::gate_store(&n.program, store));
        }
    }
}

/// Subcommands of the gate's own binary that act as the gate or as a
/// reviewer: an agent running them could forge hook events with the
/// hook's token, approve its own escalations, or start a gate of its own.
const PRIVILEGED_SUBCOMMANDS: [&str; 7] =
    ["hook", "review", "serve", "key", "admin", "mcp", "store"];

/// The gate binary's global options that take a value (`clawlaw
/// --log-format json review …`): their values are not subcommands.
const GLOBAL_VALUED: [&str; 1] = ["--log-format"];

fn programs(ctx: &Context, fx: &Effects, out: &mut Vec<Finding>) {
    for x in &fx.executes {
        let forwarder = x
            .program
            // The gate's hook forwarder (`clawlaw-hook`): run by the agent,
            // whatever its arguments, it forges hook events.
            .strip_suffix(HOOK_FORWARDER_SUFFIX)
            .is_some_and(|base| ctx.d.processes.iter().any(|p| p == base));
        if forwarder {
            let only_asks_about_itself = x
                .args
                .iter()
                .all(|a| matches!(a.as_str(), "--help" | "-h" | "--version" | "-V"));
            if !only_asks_about_itself {
                out.push(Finding::forward_hook(&x.program));
            }
            continue;
        }
        if !ctx.d.processes.contains(&x.program) {
            continue;
        }
        let mut skip = false;
        let mut words = x.args.iter().filter(|a| {
            let value = std::mem::replace(&mut skip, GLOBAL_VALUED.contains(&a.as_str()));
            !value && !a.starts_with('-')
        });
        let (first, second) = (
            words.next().map(String::as_str),
            words.next().map(String::as_str),
        );
        let privileged = match first {
            Some(sub) if PRIVILEGED_SUBCOMMANDS.contains(&sub) => Some(sub.to_string()),
            Some("policy") if matches!(second, Some("sign" | "push" | "publish")) => {
                Some(format!("policy {}", second.unwrap_or_default()))
            }
            _ => None,
        };
        if let Some(sub) = privileged {
            out.push(Finding::impersonate(&x.program, &sub));
        }
    }
}

/// Whether `c` mounts a directory at a second place: `bindfs`, `mount
/// --bind|--rbind|-B|-R`, `mount -o bind,…`.
fn binds(c: &Command) -> bool {
    c.program == "bindfs"
        || c.has_long("bind")
        || c.has_long("rbind")
        || c.has_flag('B')
        || c.has_flag('R')
        || c.args()
            .windows(2)
            .any(|w| w[0].text == "-o" && w[1].text.split(',').any(|o| o.ends_with("bind")))
}

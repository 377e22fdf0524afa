//! # governance-guard: the agent cannot switch off, blind or impersonate
//! its governance
//!
//! A bundled policy, on by default. It denies every action — by the agent's
//! file tools, by any shell command (judged by its effects, so `sed -i`,
//! `mv`, `tee`, `ln`, redirections and inline interpreter code count as the
//! writes they are), by MCP tools, by scripts written then run and by programs
//! written to be run later (`kill.py`: the SDK judges the actions they
//! amount to, [`clawlaw_sdk::implied::programs`]) — that would:
//!
//! - write, edit, move, delete, replace or symlink away an agent's hook
//!   configuration (Claude Code, Codex, Gemini CLI, Cursor; project, user
//!   and managed levels, and Claude Code's `~/.claude.json`: [`agents`]),
//!   also by a tree copied or extracted into its directory, by a mode or
//!   owner change that locks its owner out of a directory above it
//!   (`chmod 000 ~/.claude`), or by a sparse checkout that leaves it out
//!   of the work tree (`sparse.rs`); reading it stays allowed;
//! - change or delete the gate's own files (binary, config, policy
//!   components, data directory with the evidence, compile cache, the
//!   service manager's definition of it: `clawlaw.service.d/`), which
//!   the gate reports itself ([`clawlaw_sdk::gate::GateFacts`]) so the
//!   operator lists nothing, or put a program named like its binaries or
//!   its hook forwarder anywhere (hook settings run them by name);
//! - read the gate's credentials (token files, keys, `/proc/*/environ`),
//!   its token variables (`$CLAWLAW_TOKEN`, or the whole environment with
//!   `env`, `printenv`), the traffic that carries its tokens (`tcpdump -i
//!   lo port 7070`: `captures.rs`), or carry a gate token;
//! - stop or signal the gate or its hooks (`kill`, `pkill`, `killall`,
//!   `systemctl`, `service`, `launchctl`, process supervisors'
//!   `supervisorctl`, `pm2`, `sv`, port killers such as `npx
//!   kill-port`, a container listing filtered for it: `docker stop
//!   $(docker ps -q -f name=clawlaw)`; its container's limits, network,
//!   shell or files: `docker update`, `network disconnect`, `exec`, `cp`;
//!   Windows' `taskkill`, `sc`, `net stop`), or the workloads an orchestrator
//!   runs it as (`kubectl`, `helm`, `nomad`, `docker compose`), stopped or
//!   changed in place (another image, environment or spec rolls its pods
//!   over);
//! - push to, tag, sign or delete in the registry repositories the gate
//!   pulls its policies from (`oras push`, `cosign sign`, `crane copy`,
//!   `docker push`, … of `oci://host/repository`: `registries.rs`);
//! - cut the gate off from its callers while it runs: a packet filter rule
//!   whose matches all admit its traffic (`iptables -A INPUT -p tcp
//!   --dport 7070 -j DROP`, `nft`, `ufw deny 7070`, a firewalld rich rule),
//!   its loopback device taken down, traffic control that delays or
//!   drops its packets (`tc qdisc add dev lo root netem loss 100%`), a
//!   route that drops its address or `tcpkill` of its port (`cutoffs.rs`);
//! - call the gate's own API (and, on any host, a clawlaw gate's review
//!   decisions and admin routes; its liveness probe `/healthz`, fetched
//!   with no body, only asks whether it serves), connect to the database
//!   its evidence is in (`psql`, `pg_dump`, … to its store's server and
//!   database), or run `clawlaw hook|review|serve|key`;
//! - leave, in a shell start-up file, an alias or function named like the
//!   gate's programs, the gate's variables pointed elsewhere or a
//!   preloaded library (`LD_PRELOAD`) for every later shell;
//! - take the gate's port, which answers the hook as the gate once it is
//!   down: a server, container, tunnel (`ssh -L`, `kubectl port-forward`)
//!   or inline code listening on it, or a NAT rule redirecting it
//!   (`listeners.rs`), or an MCP tool that runs, forwards or serves
//!   something on it (`tool_calls.rs`);
//! - stop the gate through a tool: an MCP tool that stops, deletes,
//!   restarts or scales to zero what its input names for the gate
//!   (`tool_calls.rs`);
//! - start another agent without the hook configuration that governs it
//!   (`CLAUDE_CONFIG_DIR=/tmp/x claude`, `claude --settings …`, `bwrap
//!   --tmpfs ~/.claude claude`, as another user, with no home, in a
//!   container: `agent_homes.rs`), or one that has no hooks (`aider`); one
//!   started with its own safeguards off (`--dangerously-skip-permissions`)
//!   is escalated (`launches.rs`).
//!
//! A command that cannot be read in full and names any of this is
//! escalated, never silently allowed. A file written with lines that would
//! do any of this when run (`cmd.txt` holding `pkill clawlaw`) is labelled
//! on the session, and running it later is denied (`deferred.rs`).
//! What it reads of the session: its labels, for that.
//!
//! Settings (all optional):
//!
//! ```json
//! {
//!   "roots": ["/work/app"],           // project roots besides the session's scope and cwd
//!   "home": "/home/dev",              // else derived from the working directory, else any home
//!   "protect": ["/opt/agent/policy"], // more paths the agent may not change
//!   "secrets": ["/opt/agent/key"],    // more paths the agent may not read
//!   "urls": ["https://gate.internal:7443"], // more addresses of the gate's API
//!   "token_env": ["MY_GATE_TOKEN"],   // more token variables
//!   "processes": ["clawlawd"]         // more process names
//! }
//! ```

mod addresses;
mod agent_homes;
pub mod agents;
mod captures;
mod commands;
mod cutoffs;
mod deferred;
mod findings;
mod gate_address;
mod impostors;
mod launches;
mod listeners;
mod modes;
mod mounts;
mod packet_filter;
mod processes;
pub mod protected;
mod registries;
mod selects;
mod signals;
mod sparse;
mod tool_calls;

use std::rc::Rc;

use clawlaw_sdk::gate::{FULL_COMMAND_SUFFIX, GateFacts};
use clawlaw_sdk::memo::Memo;
use clawlaw_sdk::path::normalize;
use clawlaw_sdk::{
    Action, Decision, Info, Policy, Session, SessionPart, export_policy, kinds, workspace,
};
use serde::Deserialize;

use findings::Finding;
use protected::{ANY_HOME, Protected};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    roots: Vec<String>,
    home: Option<String>,
    protect: Vec<String>,
    secrets: Vec<String>,
    urls: Vec<String>,
    token_env: Vec<String>,
    processes: Vec<String>,
    /// What the gate reported about itself.
    #[serde(rename = "$gate")]
    gate: GateFacts,
    #[serde(skip)]
    derived: Memo<(Vec<String>, Option<String>), Derived>,
}

/// The token variable every hook adapter reads by default.
const DEFAULT_TOKEN_ENV: &str = "CLAWLAW_TOKEN";
/// The gate's binary.
const DEFAULT_PROCESS: &str = "clawlaw";

pub struct GovernanceGuard;

impl Policy for GovernanceGuard {
    type Settings = Settings;

    /// No later run may stop the gate either: a program written now
    /// (`kill.py` holding `os.system("pkill clawlaw")`) is judged by what
    /// it would do when the agent runs it, which the gate cannot read then.
    const JUDGE_PROGRAMS: bool = true;

    fn info() -> Info {
        findings::RULES.iter().fold(
            // The session's labels: files written with lines that would
            // break a rule when run later (`deferred.rs`).
            Info::new("governance-guard", env!("CARGO_PKG_VERSION"))
                .reading(&[SessionPart::Labels]),
            |info, (id, summary)| info.rule(id, summary),
        )
    }

    fn validate(s: &Settings) -> Result<(), String> {
        workspace::validate_home(s.home.as_deref())?;
        for p in s.roots.iter().chain(&s.protect).chain(&s.secrets) {
            if !(p.starts_with('/') || p.starts_with('~')) {
                return Err(format!("`{p}`: paths must be absolute (or start with ~)"));
            }
        }
        for u in &s.urls {
            if addresses::url_authority(u).is_none() {
                return Err(format!("`{u}`: not an http(s) URL"));
            }
        }
        Ok(())
    }

    fn evaluate(s: &Settings, action: &Action, session: &Session) -> Decision {
        let ctx = Context::new(s, action, session);
        let mut found = Vec::new();
        // Files written with lines that would break a rule when run later
        // (`deferred.rs`).
        let mut labels: Vec<String> = Vec::new();
        let input = action.input_json();
        let cwd = workspace::cwd(action);
        match action.kind.as_str() {
            kinds::FILE_WRITE | kinds::FILE_DELETE => {
                let removal = action.kind == kinds::FILE_DELETE;
                let from_input = action
                    .content
                    .is_none()
                    .then(|| action.input_str("content"))
                    .flatten();
                let content = action.content.as_deref().or(from_input.as_deref());
                for raw in workspace::file_paths(action, &input) {
                    let Ok(path) = normalize(&raw, cwd, ctx.home.as_deref()) else {
                        continue;
                    };
                    let hit = if removal {
                        ctx.d.protected.removal_hit(&path)
                    } else {
                        ctx.d.protected.change_hit(&path)
                    };
                    if let Some(h) = hit {
                        let verb = if removal { "delete" } else { "write" };
                        found.push(Finding::change(h, tool_or_kind(action), verb, &path));
                    }
                    if let Some(text) = content.filter(|_| !removal) {
                        labels.extend(deferred::label(&ctx, &path, text, cwd));
                    }
                }
            }
            kinds::FILE_READ => {
                let recursive = is_content_search(&action.tool);
                for raw in workspace::file_paths(action, &input) {
                    if let Ok(path) = normalize(&raw, cwd, ctx.home.as_deref())
                        && let Some(h) = ctx.d.protected.read_hit(&path, recursive)
                    {
                        found.push(Finding::secret_read(h, &path));
                    }
                }
            }
            kinds::SHELL_EXEC => {
                if let Some(cmd) = &action.command {
                    let line = clawlaw_sdk::shell::parse(cmd);
                    let fx = clawlaw_sdk::effects::analyze(&line, cwd, ctx.home.as_deref());
                    found.extend(commands::judge_parsed(&ctx, cmd, &line, &fx, cwd));
                    deferred::judge(session, &fx, &mut found);
                    labels.extend(deferred::written_by_line(&ctx, cmd, &line, cwd));
                    // A line a shell start-up file runs at every start:
                    // what it sets up stays for every later shell.
                    if clawlaw_sdk::implied::origin(action)
                        .is_some_and(|o| impostors::names_startup_file(&o))
                    {
                        found.extend(impostors::standing(&ctx, cmd));
                    }
                }
            }
            kinds::NET_REQUEST => {
                // Its liveness probe, fetched with no body, only asks
                // whether it serves.
                let probe = action.content.as_deref().is_none_or(str::is_empty)
                    && action
                        .target
                        .as_deref()
                        .is_some_and(addresses::health_probe);
                if let Some(url) = action.target.as_deref().and_then(|t| ctx.gate_api(t))
                    && !probe
                {
                    found.push(Finding::gate_api(tool_or_kind(action), url));
                }
            }
            kinds::TOOL_CALL => {
                let ports = ctx.gate_ports();
                let gate = processes::GateProcesses {
                    names: &ctx.d.processes,
                    pids: &ctx.facts.pids,
                    ports: &ports,
                };
                tool_calls::judge(&gate, &action.tool, &input, &mut found);
            }
            _ => {}
        }
        for text in [
            action.command.as_deref(),
            action.content.as_deref(),
            Some(action.input.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(role) = gate_token_role(text) {
                found.push(Finding::token_literal(role));
                break;
            }
        }
        let mut decision = findings::decide(found);
        decision.reason = decision.reason.replace(ANY_HOME, "~");
        labels.iter().fold(decision, |d, label| d.with_label(label))
    }
}

export_policy!(GovernanceGuard);

/// What one evaluation knows: the protected paths and the gate's names.
pub(crate) struct Context<'a> {
    pub d: Rc<Derived>,
    pub home: Option<String>,
    pub facts: &'a GateFacts,
}

/// What the settings and the action's roots and home make: built once per
/// roots and home (see [`clawlaw_sdk::memo`]), not on every evaluation.
pub(crate) struct Derived {
    pub protected: Protected,
    pub token_env: Vec<String>,
    pub processes: Vec<String>,
    /// The workspace roots (the action's directory, the settings' and the
    /// session's scope).
    pub roots: Vec<String>,
    urls: Vec<(String, String)>,
    /// The gate's databases (its evidence store): the URL as given and
    /// its `host:port[/database]`.
    stores: Vec<(String, String)>,
    /// The registry repositories the gate pulls its policies from
    /// (`host/repository`).
    repositories: Vec<String>,
}

impl<'a> Context<'a> {
    fn new(s: &'a Settings, action: &Action, session: &Session) -> Context<'a> {
        let cwd = workspace::cwd(action);
        let home = workspace::home(s.home.as_deref(), cwd);
        let mut roots: Vec<String> = s
            .roots
            .iter()
            .filter_map(|r| normalize(r, None, home.as_deref()).ok())
            .collect();
        roots.extend(workspace::scope_roots(&session.scope, home.as_deref()));
        roots.extend(cwd.and_then(|c| normalize(c, None, None).ok()));
        roots.dedup();
        // Unknown, the home is any home: `~/.claude/settings.json` is still
        // the agent's hook configuration.
        let home = Some(home.unwrap_or_else(|| ANY_HOME.to_string()));
        let d = s
            .derived
            .get_or_try_build((roots, home.clone()), |(roots, home)| {
                Ok::<_, std::convert::Infallible>(Derived::new(s, roots, home.as_deref()))
            })
            .unwrap_or_else(|never| match never {});
        Context {
            d,
            home,
            facts: &s.gate,
        }
    }

    /// The ports the gate's API listens on.
    pub fn gate_ports(&self) -> Vec<u16> {
        self.d
            .urls
            .iter()
            .filter_map(|(_, a)| a.rsplit(':').next()?.parse().ok())
            .collect()
    }

    /// Where the gate's API is reached: host (the loopback as
    /// `127.0.0.1`) and port.
    pub fn gate_addresses(&self) -> Vec<gate_address::GateAddress<'_>> {
        self.d
            .urls
            .iter()
            .filter_map(|(_, a)| {
                let (host, port) = a.rsplit_once(':')?;
                Some(gate_address::GateAddress {
                    host,
                    port: port.parse().ok()?,
                })
            })
            .collect()
    }

    /// The gate `target` (a URL or `host:port`) points at: one of the
    /// gate's addresses, or, wherever it is, a route only a reviewer or an
    /// admin of a clawlaw gate calls (`/v1/reviews/{id}/approve`,
    /// `/v1/admin/reload`): the agent approving its own escalation through
    /// a gate whose address nobody told this policy.
    pub fn gate_api<'t>(&'t self, target: &'t str) -> Option<&'t str> {
        self.gate_url(target)
            .or_else(|| addresses::reviewer_route(target).then_some(target))
    }

    /// The gate URL `target` (a URL or `host:port`) points at, if any.
    pub fn gate_url(&self, target: &str) -> Option<&str> {
        let authority = addresses::authority(target)?;
        self.d
            .urls
            .iter()
            .find(|(_, a)| *a == authority)
            .map(|(u, _)| u.as_str())
    }

    /// The gate's database a client's connection (`postgres://host:port
    /// [/database]`, as the SDK reads `psql` and the like) reaches: the
    /// same server and the same database; a connection that names none
    /// reaches the one named after the user (taken from the home).
    pub fn gate_store(&self, url: &str) -> Option<&str> {
        let address = addresses::store_address(url)?;
        let address = if address.contains('/') {
            address
        } else {
            let user = self.home.as_deref()?.rsplit('/').next()?;
            format!("{address}/{user}")
        };
        let (server, _) = address.split_once('/')?;
        self.d
            .stores
            .iter()
            .find(|(_, a)| *a == address || a == server)
            .map(|(u, _)| u.as_str())
    }

    /// The repositories the gate pulls its policies from that command `c`
    /// writes to.
    pub fn gate_repositories(&self, c: &clawlaw_sdk::shell::Command) -> Vec<String> {
        if self.d.repositories.is_empty() {
            return Vec::new();
        }
        registries::written(c)
            .iter()
            .filter_map(|r| registries::repository(r))
            .filter(|r| self.d.repositories.contains(r))
            .collect()
    }

    /// Whether `text` names something governance-guard protects: an
    /// agent's settings directory, the gate's process, files or variables.
    pub fn mentions_governance(&self, text: &str) -> bool {
        agents::AGENTS.iter().any(|a| text.contains(a.dir))
            || self.d.processes.iter().any(|p| text.contains(p.as_str()))
            || self.d.token_env.iter().any(|t| text.contains(t.as_str()))
            || self.facts.files.iter().any(|f| text.contains(f.as_str()))
    }
}

impl Derived {
    fn new(s: &Settings, roots: &[String], home: Option<&str>) -> Derived {
        let mut token_env = vec![DEFAULT_TOKEN_ENV.to_string()];
        let mut processes = vec![DEFAULT_PROCESS.to_string()];
        for (to, from) in [
            (&mut token_env, [&s.gate.token_env, &s.token_env]),
            (&mut processes, [&s.gate.processes, &s.processes]),
        ] {
            for x in from.into_iter().flatten() {
                if !to.contains(x) {
                    to.push(x.clone());
                }
            }
        }
        // Each name's full command (`clawlaw-full` beside `clawlaw`), which
        // the front runs for every command but `hook --gate`: run by the
        // agent, it is the gate's binary under another name.
        for i in 0..processes.len() {
            if processes[i].ends_with(FULL_COMMAND_SUFFIX) {
                continue;
            }
            let full = format!("{}{FULL_COMMAND_SUFFIX}", processes[i]);
            if !processes.contains(&full) {
                processes.push(full);
            }
        }
        let protected = Protected::new(&s.gate, roots, home, &s.protect, &s.secrets, &processes);
        let all = || s.gate.urls.iter().chain(&s.urls);
        let urls = all()
            .filter_map(|u| addresses::url_authority(u).map(|a| (u.clone(), a)))
            .collect();
        let stores = all()
            .filter_map(|u| addresses::store_address(u).map(|a| (u.clone(), a)))
            .collect();
        let repositories = all()
            .filter(|u| u.starts_with("oci://"))
            .filter_map(|u| registries::repository(u))
            .collect();
        Derived {
            protected,
            token_env,
            processes,
            roots: roots.to_vec(),
            urls,
            stores,
            repositories,
        }
    }
}

/// File tools that read the contents of every file below their path.
fn is_content_search(tool: &str) -> bool {
    matches!(
        tool,
        "Grep" | "search_file_content" | "grep_search" | "read_many_files"
    )
}

/// The role of a gate token (`claw_<role>_<32 hex>`) found in `text`.
fn gate_token_role(text: &str) -> Option<&'static str> {
    let mut rest = text;
    while let Some(i) = rest.find("claw_") {
        let tail = &rest[i + 5..];
        for role in ["agent", "reviewer", "admin"] {
            if let Some(secret) = tail.strip_prefix(role).and_then(|t| t.strip_prefix('_'))
                && secret.len() >= 32
                && secret.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit)
            {
                return Some(role);
            }
        }
        rest = tail;
    }
    None
}

/// What a reason names the action by: its tool, else its kind.
fn tool_or_kind(action: &Action) -> &str {
    if action.tool.is_empty() {
        &action.kind
    } else {
        &action.tool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        clawlaw_sdk::testing::assert_cases::<GovernanceGuard>(include_str!("../cases.toml"));
    }

    #[test]
    fn gate_tokens() {
        let t = format!("Bearer claw_admin_{}", "ab12".repeat(8));
        assert_eq!(gate_token_role(&t), Some("admin"));
        assert_eq!(gate_token_role("claw_admin_short"), None);
        assert_eq!(gate_token_role("no token"), None);
    }
}

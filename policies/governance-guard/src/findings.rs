//! What governance-guard found in an action, as rules and reasons that
//! teach: each says what the action would have done to the agent's
//! governance and what the agent can do instead.

use clawlaw_sdk::{Decision, Verdict};

use crate::protected::{Hit, Owner};

pub const AGENT_CONFIG: &str = "governance.agent-config";
pub const GATE_FILES: &str = "governance.gate-files";
pub const GATE_SECRETS: &str = "governance.gate-secrets";
pub const TOKEN_ENV: &str = "governance.token-env";
pub const STOP_GATE: &str = "governance.stop-gate";
pub const GATE_API: &str = "governance.gate-api";
pub const IMPERSONATION: &str = "governance.impersonation";
pub const PROTECTED: &str = "governance.protected";
pub const UNRESOLVED: &str = "governance.unresolved";
pub const NESTED_AGENT: &str = "governance.nested-agent";

/// Every rule, with its summary, for `info()`.
pub const RULES: [(&str, &str); 10] = [
    (
        AGENT_CONFIG,
        "An agent's hook configuration (Claude Code, Codex, Gemini CLI, Cursor; project, user and managed) cannot be written, moved, deleted or symlinked away",
    ),
    (
        GATE_FILES,
        "The gate's own files (binary, config, policies, evidence, compile cache) and the registry repositories it pulls its policies from cannot be changed or deleted",
    ),
    (
        GATE_SECRETS,
        "The gate's credentials (generated tokens, cache and redaction keys, the traffic that carries its tokens) cannot be read",
    ),
    (
        TOKEN_ENV,
        "The hook's token variables, and the whole environment that holds them, cannot be read",
    ),
    (
        STOP_GATE,
        "The gate and its hooks cannot be stopped or signalled",
    ),
    (
        GATE_API,
        "The agent cannot call the gate's own API, nor connect to the database its evidence is in",
    ),
    (
        IMPERSONATION,
        "The agent cannot act as the gate, its hook or a reviewer (gate tokens, `clawlaw hook`/`review`/`serve`), nor leave an alias, function, gate variable or preloaded library for them in a shell start-up file",
    ),
    (
        PROTECTED,
        "Paths the operator protected in the settings cannot be changed",
    ),
    (
        UNRESOLVED,
        "A command that cannot be read in full and names the agent's governance is escalated",
    ),
    (
        NESTED_AGENT,
        "An agent the agent starts (Claude Code, Codex, Gemini CLI, Cursor) cannot be started without its hook configuration (another configuration directory, `--settings`, a sandbox that hides it, another user, no home, a container), nor one that has no hooks (Aider, Goose, Open Interpreter); started with its own safeguards off (`--dangerously-skip-permissions`, `--yolo`) it is escalated",
    ),
];

/// One thing found, with its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub verdict: Verdict,
    pub reason: String,
}

impl Finding {
    fn deny(rule: &'static str, reason: String) -> Finding {
        Finding {
            rule,
            verdict: Verdict::Deny,
            reason,
        }
    }

    /// A change (`verb`: change, delete, link, replace) of a protected path.
    pub fn change(hit: Hit, how: &str, verb: &str, path: &str) -> Finding {
        let (rule, whose) = match hit.owner {
            Owner::Agent(agent) => (
                AGENT_CONFIG,
                format!(
                    "{agent}'s hook configuration, which sends this agent's actions to its governance gate"
                ),
            ),
            Owner::Gate => (
                GATE_FILES,
                "the clawlaw gate that governs this session (its binary, config, policies, evidence or compile cache)".to_string(),
            ),
            Owner::Secret => (
                GATE_SECRETS,
                "the clawlaw gate's credentials (tokens or keys)".to_string(),
            ),
            Owner::Operator => (PROTECTED, "a path the operator protected".to_string()),
            Owner::Impostor => (
                IMPERSONATION,
                "a program named like the governance gate, which hook settings run by name: it would stand in for the real one".to_string(),
            ),
        };
        let reason = if hit.above {
            format!(
                "`{how}` would {verb} `{path}`, which holds `{}`: {whose}. Change only what you need inside it, not the whole directory; the agent may read its governance but not change it",
                hit.protected
            )
        } else if hit.protected == path {
            format!(
                "`{how}` would {verb} `{path}`: {whose}. The agent may read it but not change, move, replace or delete it; ask the user to make this change"
            )
        } else {
            format!(
                "`{how}` would {verb} `{path}`, part of `{}`: {whose}. The agent may read it but not change, move, replace or delete it; ask the user to make this change",
                hit.protected
            )
        };
        Finding::deny(rule, reason)
    }

    /// A read of the gate's credentials.
    pub fn secret_read(hit: Hit, path: &str) -> Finding {
        let what = if hit.above {
            format!(
                "reading everything under `{path}` would read `{}`",
                hit.protected
            )
        } else if hit.protected == path {
            format!("reading `{path}` would read it")
        } else {
            format!("reading `{path}` would read `{}`", hit.protected)
        };
        Finding::deny(
            GATE_SECRETS,
            format!(
                "{what}: it holds the governance gate's credentials (tokens, keys or a process environment), which the agent must never read. Nothing the agent does needs them: the hook authenticates to the gate on its own"
            ),
        )
    }

    /// A packet capture of the traffic of the gate on `port`.
    pub fn traffic_captured(program: &str, port: u16) -> Finding {
        Finding::deny(
            GATE_SECRETS,
            format!(
                "`{program}` would capture the clawlaw gate's traffic on port {port}, where the hooks and reviewers send it their tokens; the agent must never read them. Capture other devices or ports"
            ),
        )
    }

    /// A read of a token variable, or of the whole environment (`*`).
    pub fn token_env(name: &str) -> Finding {
        let reason = if name == "*" {
            "printing the whole environment would reveal the token variables the hook uses to talk to the governance gate; print the variables you need by name (`printenv PATH`, `echo $HOME`)".to_string()
        } else {
            format!(
                "`${name}` holds the token the hook uses to talk to the governance gate; the agent must not read or use it"
            )
        };
        Finding::deny(TOKEN_ENV, reason)
    }

    /// A signal that reaches the gate.
    pub fn stop(program: &str, target: &str) -> Finding {
        Finding::deny(
            STOP_GATE,
            format!(
                "`{program}` of `{target}` would stop or take control of the clawlaw gate or its hook, the layer that governs this agent; stop only your own processes, by their pid or a name that is not the gate's"
            ),
        )
    }

    /// A change to the network that cuts the gate off from its callers.
    pub fn cut_off(program: &str, what: &str) -> Finding {
        Finding::deny(
            STOP_GATE,
            format!(
                "`{program}`: {what}; the hook and reviewers could no longer reach the clawlaw gate, the layer that governs this agent, which stops it as surely as killing it. Change rules only for other ports, addresses and devices"
            ),
        )
    }

    /// A signal whose target is computed at run time.
    pub fn stop_unknown(program: &str, target: &str) -> Finding {
        Finding {
            rule: STOP_GATE,
            verdict: Verdict::Escalate,
            reason: format!(
                "`{program} {target}`: which process it signals is computed when it runs and could be the clawlaw gate; a person confirms it. Use `kill $!` or a job spec (`kill %1`) for your own background jobs"
            ),
        }
    }

    /// A request to the gate's own API.
    pub fn gate_api(program: &str, url: &str) -> Finding {
        Finding::deny(
            GATE_API,
            format!(
                "`{program}` would call the clawlaw gate's own API at {url}; that API is for the hook and for reviewers, not for the agent it governs (it could approve its own escalations or forge outcomes)"
            ),
        )
    }

    /// A request to a host computed at run time on the gate's port.
    pub fn gate_api_unknown(program: &str, url: &str) -> Finding {
        Finding {
            rule: GATE_API,
            verdict: Verdict::Escalate,
            reason: format!(
                "`{program}` calls {url}: the host is computed when it runs and, on the clawlaw gate's port, may be the gate's own API, which is for the hook and for reviewers; a person confirms it. Name the host you mean"
            ),
        }
    }

    /// A write to a registry repository the gate pulls its policies from.
    pub fn gate_repository(program: &str, repository: &str) -> Finding {
        Finding::deny(
            GATE_FILES,
            format!(
                "`{program}` would write to {repository}, the registry repository the clawlaw gate pulls its policies from and reloads; the agent must not change the rules that govern it. Publish policies through the project's CI, where a person reviews them"
            ),
        )
    }

    /// A connection to the database the gate's evidence is in.
    pub fn gate_store(program: &str, url: &str) -> Finding {
        Finding::deny(
            GATE_API,
            format!(
                "`{program}` would connect to {url}, the database the clawlaw gate keeps its evidence and sessions in; the agent it governs must not read or change that record. Use the project's own database"
            ),
        )
    }

    /// Acting as the gate, its hook or a reviewer.
    pub fn impersonate(program: &str, what: &str) -> Finding {
        Finding::deny(
            IMPERSONATION,
            format!(
                "`{program} {what}` acts as the governance gate, its hook or a reviewer; run by the agent it could forge hook events or approve its own escalations. `{program} eval`, `{program} evidence verify` and `{program} policy test` are fine"
            ),
        )
    }

    /// A definition that stays (a shell start-up file) and stands in for
    /// the gate or its hook, or changes how they run.
    pub fn standing(what: &str) -> Finding {
        Finding::deny(
            IMPERSONATION,
            format!(
                "{what}, in a file every later shell runs, would stand in for the governance gate or its hook, or change how they run (the hook settings run them by name, from the agent's environment)"
            ),
        )
    }

    /// Running the gate's hook forwarder, whose only use is to be the hook.
    pub fn forward_hook(program: &str) -> Finding {
        Finding::deny(
            IMPERSONATION,
            format!(
                "`{program}` is the governance gate's hook: it sends hook events to the gate as the agent's own tool calls; run by the agent it could forge them (a PostToolUse that approves an escalation, an event for a call that never happened)"
            ),
        )
    }

    /// A gate token in what the agent sends or writes.
    pub fn token_literal(role: &str) -> Finding {
        Finding::deny(
            IMPERSONATION,
            format!(
                "the action carries a clawlaw {role} token: only the hook and the gate's reviewers hold gate tokens, and the agent must not use one"
            ),
        )
    }

    /// Another agent started without the hook configuration that governs it.
    pub fn ungoverned_agent(agent: &str, shown: &str, what: &str) -> Finding {
        Finding::deny(
            NESTED_AGENT,
            format!(
                "`{shown}` {what}: that {agent} would run without the hooks that send its actions to the governance gate, so nothing it does would be checked or recorded. Start it as configured, or let the user start it"
            ),
        )
    }

    /// An agent's CLI asked to change its own configuration.
    pub fn agent_rewrites_config(agent: &str, shown: &str, what: &str) -> Finding {
        Finding::deny(
            AGENT_CONFIG,
            format!(
                "`{shown}` has {agent} change its own configuration (`{what}`), where its hooks and permissions are: the user changes it"
            ),
        )
    }

    /// Another agent started with its own permission checks switched off.
    pub fn unguarded_agent(agent: &str, shown: &str, flag: &str) -> Finding {
        Finding {
            rule: NESTED_AGENT,
            verdict: Verdict::Escalate,
            reason: format!(
                "`{shown}` starts {agent} with its own safeguards off (`{flag}`): it would act without asking anyone. A person confirms it; without the option it asks as usual"
            ),
        }
    }

    /// An agent started with a search path the line chose: its hooks run
    /// the gate's programs by name, found through it.
    pub fn agent_search_path(agent: &str, shown: &str, path: &str) -> Finding {
        Finding {
            rule: NESTED_AGENT,
            verdict: Verdict::Escalate,
            reason: format!(
                "`{shown}` starts {agent} with `PATH={path}`: its hooks run the gate's hook program by name, so a program of that name in a directory put first would answer for the gate. A person confirms it; started with the usual PATH it runs as configured"
            ),
        }
    }

    /// An agent started in a directory outside the workspace, where the
    /// project's own hook settings do not apply.
    pub fn agent_elsewhere(agent: &str, shown: &str, dir: &str, project_dir: &str) -> Finding {
        Finding {
            rule: NESTED_AGENT,
            verdict: Verdict::Escalate,
            reason: format!(
                "`{shown}` starts {agent} in {dir}, outside this workspace: hooks set in this project's `{project_dir}` settings do not apply there, only the user's and managed ones. A person confirms it; started in the workspace it runs under the same hooks"
            ),
        }
    }

    /// A file run whose lines, when the session wrote it, would have been
    /// denied under `rule` (`deferred.rs`).
    pub fn stashed(rule: &'static str, path: &str) -> Finding {
        Finding::deny(
            rule,
            format!(
                "{path} was written in this session with commands that would switch off, blind or impersonate the clawlaw gate, the layer that governs this agent; running it runs them. Run only what the task needs, as commands of their own"
            ),
        )
    }

    /// A command that cannot be read in full and names governance.
    pub fn unresolved(reason: String) -> Finding {
        Finding {
            rule: UNRESOLVED,
            verdict: Verdict::Escalate,
            reason,
        }
    }
}

/// The decision for what was found: the most severe finding's verdict and
/// reason, every rule that matched.
pub fn decide(findings: Vec<Finding>) -> Decision {
    let Some(first) = findings
        .iter()
        .find(|f| f.verdict == Verdict::Deny)
        .or_else(|| findings.first())
    else {
        return Decision::allow();
    };
    let mut decision = match first.verdict {
        Verdict::Deny => Decision::deny(first.rule, first.reason.clone()).with_risk(1.0),
        _ => Decision::escalate(first.rule, first.reason.clone()).with_risk(0.7),
    };
    for f in &findings {
        if !decision.rules.iter().any(|r| r == f.rule) {
            decision.rules.push(f.rule.to_string());
        }
    }
    decision.with_label("governance-tamper")
}

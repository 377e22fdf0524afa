//! `clawlaw hook <agent>`: the command an agent runs as its hook, once per
//! event. Reads the hook's JSON on stdin and answers on stdout in the
//! agent's format (see [`clawlaw_hooks`]).
//!
//! Two modes: `--gate URL` forwards the input to the gate's
//! `POST /v1/hooks/{agent}` (sessions, prompt hashes, outcomes, reviews and
//! evidence live there; no WebAssembly engine starts here), `--policies
//! PATH` evaluates pre-tool events in-process against local policies, each
//! call on its own (no session memory, no evidence).
//!
//! It fails closed. Agents run the tool anyway when a hook crashes, exits
//! with an unexpected code or times out, so every way this command can go
//! wrong still ends in an explicit deny in the agent's format: unreadable
//! input, an unreachable or failing gate, policies that do not load, a
//! panic (a panic hook answers), and its own deadline (`--timeout-ms`, a
//! watchdog thread answers and exits). Exactly one answer is printed. The
//! frame and the forwarding are [`clawlaw_hook_client`]'s, shared with the
//! small `clawlaw-hook` binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clawlaw_engine::action::parse_action;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet, one_shot_engine_for};
use clawlaw_engine::{Session, Verdict};
use clawlaw_gate::config::SetConfig;
use clawlaw_hook_client::CallArgs;
use clawlaw_hooks::{Agent, Answer, Event, HookInput, Reply, answer_for, fail};

use super::EngineArgs;

#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// The agent whose hook protocol to speak.
    #[arg(value_enum)]
    pub agent: Agent,

    /// The gate's base URL, e.g. http://127.0.0.1:8750 (plain HTTP). The
    /// `clawlaw-hook` binary does only this, and starts faster.
    #[arg(long, value_name = "URL", required_unless_present = "policies")]
    pub gate: Option<String>,

    /// Evaluate in-process against these policies (a component, a directory
    /// of components, or a config file); no server, no evidence.
    #[arg(long, value_name = "PATH", conflicts_with = "gate")]
    pub policies: Option<PathBuf>,

    #[command(flatten)]
    pub call: CallArgs,

    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: HookArgs) -> anyhow::Result<ExitCode> {
    let agent = args.agent;
    Ok(clawlaw_hook_client::run(
        agent,
        args.call.budget(),
        |bytes, input, deadline| match (&args.gate, &args.policies) {
            (Some(url), _) => {
                clawlaw_hook_client::forward(agent, &args.call, url, bytes, input, deadline)
            }
            (None, Some(path)) => in_process(&args, path, input),
            (None, None) => fail(agent, &input.kind, "give --gate URL or --policies PATH"),
        },
    ))
}

/// Evaluates a pre-tool event against local policies; other events need
/// no policies and are answered at once.
fn in_process(args: &HookArgs, path: &std::path::Path, input: &HookInput) -> Reply {
    let agent = args.agent;
    let Event::PreTool { action } = &input.event else {
        return agent.render(&input.kind, &Answer::Continue { warning: None });
    };
    let fail = |why: String| fail(agent, &input.kind, &why);
    let mut config = match SetConfig::from_path(path) {
        Ok(s) => s,
        Err(e) => return fail(format!("policies {}: {e}", path.display())),
    };
    args.engine.apply_one_shot(&mut config.set.engine);
    let mut facts = clawlaw_gate::gate_facts::one_shot(path, &config);
    clawlaw_gate::gate_facts::add_token_env(&mut facts, &args.call.token_env);
    let mut spec = config.set;
    spec.gate_facts = Some(facts);
    let engine = match one_shot_engine_for(&spec) {
        Ok(e) => e,
        Err(e) => return fail(format!("starting the WebAssembly engine: {e}")),
    };
    let bytes = match serde_json::to_vec(action) {
        Ok(b) => b,
        Err(e) => return fail(format!("encoding the action: {e}")),
    };
    let action = match parse_action(&bytes, spec.engine.max_action_bytes, || "hook-1".into()) {
        Ok(a) => a,
        Err(e) => {
            let answer = answer_for(
                &input.kind,
                Verdict::Deny,
                &format!("malformed action: {e}"),
                &["gate/malformed-action".into()],
                None,
            );
            return agent.render(&input.kind, &answer);
        }
    };
    // Only the policies that judge this action's kind are loaded.
    let set = match PolicySet::load_for_kind(&engine, &spec, OnLoadError::DenyAll, &action.kind) {
        Ok(s) => s,
        Err(e) => return fail(format!("loading policies {}: {e}", path.display())),
    };
    let session = Session {
        id: input.session_id.clone(),
        ..Session::default()
    };
    let e = set.evaluate(&action, &session);
    // The process exits next: unmapping and closing every compiled policy
    // would be work for nothing (~4% of a call).
    std::mem::forget(set);
    let answer = answer_for(&input.kind, e.evaluation, &e.reason, &e.rules, None);
    agent.render(&input.kind, &answer)
}

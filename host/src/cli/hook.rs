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
//! watchdog thread answers and exits). Exactly one answer is printed.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clawlaw_engine::action::parse_action;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet, engine_for};
use clawlaw_engine::{Session, Verdict};
use clawlaw_gate::config::SetConfig;
use clawlaw_hooks::{Agent, Answer, Event, EventKind, HookInput, Reply, answer_for, fail};

use super::EngineArgs;

/// The most stdin read; a larger input is denied.
const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Set to make the command panic after reading its input (tests prove the
/// panic is still answered with a deny).
const TEST_PANIC_ENV: &str = "CLAWLAW_HOOK_TEST_PANIC";

#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// The agent whose hook protocol to speak.
    #[arg(value_enum)]
    pub agent: Agent,

    /// The gate's base URL, e.g. http://127.0.0.1:8750 (plain HTTP).
    #[arg(long, value_name = "URL", required_unless_present = "policies")]
    pub gate: Option<String>,

    /// Evaluate in-process against these policies (a component, a directory
    /// of components, or a config file); no server, no evidence.
    #[arg(long, value_name = "PATH", conflicts_with = "gate")]
    pub policies: Option<PathBuf>,

    /// The environment variable holding the gate's agent token.
    #[arg(long, value_name = "VAR", default_value = "CLAWLAW_TOKEN")]
    pub token_env: String,

    /// Answer within this many milliseconds whatever happens (a deny when
    /// nothing else answered in time). Keep it under the agent's own hook
    /// timeout (Claude Code: 60 s).
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout_ms: u64,

    /// On ESCALATE, wait for a reviewer through the gate instead of asking
    /// at the agent's prompt (the deadline grows by --review-timeout-ms).
    #[arg(long, requires = "gate")]
    pub wait_review: bool,

    /// How long --wait-review waits (the gate caps it at its max_wait).
    #[arg(long, value_name = "MS", default_value_t = 50_000)]
    pub review_timeout_ms: u64,

    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: HookArgs) -> anyhow::Result<ExitCode> {
    let agent = args.agent;
    let budget = Duration::from_millis(
        args.timeout_ms
            + if args.wait_review {
                args.review_timeout_ms
            } else {
                0
            },
    );
    let deadline = Instant::now() + budget;
    guard::install(agent, budget);

    let bytes = match read_stdin() {
        Ok(b) => b,
        Err(e) => return Ok(guard::answer(fail(agent, &EventKind::Unknown, &e))),
    };
    let kind = agent.sniff_event(&bytes);
    guard::set_event(kind.clone());
    if std::env::var_os(TEST_PANIC_ENV).is_some() {
        panic!("{TEST_PANIC_ENV} is set");
    }
    let input = match agent.parse(&bytes) {
        Ok(i) => i,
        Err(e) => return Ok(guard::answer(fail(agent, &kind, &e.to_string()))),
    };
    let reply = match (&args.gate, &args.policies) {
        (Some(url), _) => via_gate(&args, url, &bytes, &input, deadline),
        (None, Some(path)) => in_process(&args, path, &input),
        (None, None) => fail(agent, &kind, "give --gate URL or --policies PATH"),
    };
    Ok(guard::answer(reply))
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("reading the hook input: {e}"))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("the hook input is over {MAX_INPUT_BYTES} bytes"));
    }
    Ok(buf)
}

/// Forwards the input to the gate's hook route and prints its answer.
fn via_gate(
    args: &HookArgs,
    url: &str,
    bytes: &[u8],
    input: &HookInput,
    deadline: Instant,
) -> Reply {
    let agent = args.agent;
    let fail = |why: String| fail(agent, &input.kind, &why);
    let token = match std::env::var(&args.token_env) {
        Ok(t) if !t.trim().is_empty() => t,
        _ => return fail(format!("no agent token in ${}", args.token_env)),
    };
    let mut endpoint = format!("{}/v1/hooks/{}", url.trim_end_matches('/'), agent.name());
    if args.wait_review {
        endpoint.push_str(&format!("?wait_ms={}", args.review_timeout_ms));
    }
    // Leave the watchdog a little room to answer if the gate is slow.
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .saturating_sub(Duration::from_millis(50));
    let client = ureq::AgentBuilder::new().timeout(remaining).build();
    let response = client
        .post(&endpoint)
        .set("Authorization", &format!("Bearer {}", token.trim()))
        .set("Content-Type", "application/json")
        .send_bytes(bytes);
    match response {
        Ok(r) => match r.into_json::<serde_json::Value>() {
            Ok(v @ serde_json::Value::Object(_)) => Reply::json(v),
            Ok(_) => fail(format!(
                "the gate at {url} answered something other than a JSON object"
            )),
            Err(e) => fail(format!("the gate at {url} answered unreadable JSON: {e}")),
        },
        Err(ureq::Error::Status(code, r)) => {
            let message = r
                .into_json::<serde_json::Value>()
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or_default();
            fail(format!("the gate at {url} answered {code}: {message}"))
        }
        Err(ureq::Error::Transport(t)) => fail(format!("the gate at {url} is unreachable: {t}")),
    }
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
    clawlaw_gate::gate_facts::add_token_env(&mut facts, &args.token_env);
    let mut spec = config.set;
    spec.gate_facts = Some(facts);
    let engine = match engine_for(&spec.engine) {
        Ok(e) => e,
        Err(e) => return fail(format!("starting the WebAssembly engine: {e}")),
    };
    let set = match PolicySet::load(&engine, &spec, OnLoadError::DenyAll) {
        Ok(s) => s,
        Err(e) => return fail(format!("loading policies {}: {e}", path.display())),
    };
    let bytes = match serde_json::to_vec(action) {
        Ok(b) => b,
        Err(e) => return fail(format!("encoding the action: {e}")),
    };
    let action = match parse_action(&bytes, set.max_action_bytes(), || "hook-1".into()) {
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
    let session = Session {
        id: input.session_id.clone(),
        ..Session::default()
    };
    let e = set.evaluate(&action, &session);
    let answer = answer_for(&input.kind, e.evaluation, &e.reason, &e.rules, None);
    agent.render(&input.kind, &answer)
}

/// Exactly one answer, whoever gives it: the command, its watchdog or its
/// panic hook.
mod guard {
    use super::*;

    static ANSWERED: AtomicBool = AtomicBool::new(false);
    static EVENT: OnceLock<EventKind> = OnceLock::new();

    /// Starts the watchdog and the panic hook.
    pub fn install(agent: Agent, budget: Duration) {
        std::panic::set_hook(Box::new(move |info| {
            let why = format!("internal error: {info}");
            if let Some(code) = emit(&fail(agent, &event(), &why)) {
                std::process::exit(code.into());
            }
        }));
        std::thread::spawn(move || {
            std::thread::sleep(budget);
            let why = format!("no answer within {} ms (--timeout-ms)", budget.as_millis());
            if let Some(code) = emit(&fail(agent, &event(), &why)) {
                std::process::exit(code.into());
            }
        });
    }

    pub fn set_event(kind: EventKind) {
        let _ = EVENT.set(kind);
    }

    fn event() -> EventKind {
        EVENT.get().cloned().unwrap_or(EventKind::Unknown)
    }

    /// Prints the answer unless one was printed already; returns the code
    /// to exit with, or `None` when someone else answered.
    fn emit(reply: &Reply) -> Option<u8> {
        if ANSWERED.swap(true, Ordering::SeqCst) {
            return None;
        }
        if let Some(json) = &reply.json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{json}");
            let _ = out.flush();
        }
        if let Some(text) = &reply.stderr {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
        Some(reply.exit_code)
    }

    /// The command's own answer. If the watchdog answered first, wait for
    /// it to exit the process.
    pub fn answer(reply: Reply) -> ExitCode {
        match emit(&reply) {
            Some(code) => ExitCode::from(code),
            None => loop {
                std::thread::park();
            },
        }
    }
}

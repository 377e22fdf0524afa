//! `clawlaw eval`: one action against a policy set, no server.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clawlaw_engine::action::parse_action;
use clawlaw_engine::combine::Evaluation;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet, one_shot_engine_for};
use clawlaw_engine::spec::SetSpec;
use clawlaw_engine::{Session, Verdict};
use clawlaw_gate::config::SetConfig;
use serde::Serialize;

use super::{EXIT_ALLOW, EXIT_DENY, EXIT_ESCALATE, EXIT_USAGE, EngineArgs, read_input};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The policies: a component (.wasm), a directory of components (each
    /// with optional <name>.json settings, or a clawlaw.toml), or a config
    /// file (.toml).
    #[arg(short, long, value_name = "PATH")]
    pub policy: PathBuf,

    /// The action as JSON, from a file or `-` for standard input, e.g.
    /// {"kind":"shell.exec","command":"cargo test","cwd":"/work/app"}.
    #[arg(short, long, value_name = "FILE|-")]
    pub action: PathBuf,

    /// The session view as JSON (intent, scope, labels, counters, recent
    /// actions); an empty session when omitted.
    #[arg(short, long, value_name = "FILE")]
    pub session: Option<PathBuf>,

    /// Print the JSON on one line.
    #[arg(long)]
    pub compact: bool,

    #[command(flatten)]
    pub engine: EngineArgs,
}

/// What `eval` prints.
#[derive(Serialize)]
struct Output<'a> {
    action_id: &'a str,
    #[serde(flatten)]
    evaluation: &'a Evaluation,
    policy_set: &'a str,
    latency_us: u64,
}

/// Pulls and verifies a config's registry policies into the verified store
/// beside the compile cache (`~/.cache/clawlaw/artifacts`); a reference the
/// registry cannot serve verified falls back to what was accepted before.
fn pull_verified(
    config: &SetConfig,
) -> anyhow::Result<Result<SetSpec, clawlaw_distribution::Refusal>> {
    let Some(d) = &config.distribution else {
        return Ok(Ok(config.set.clone()));
    };
    let store = clawlaw_engine::cache::CompileCache::default_dir()
        .and_then(|d| d.parent().map(|p| p.join("artifacts")))
        .context("no cache directory: set CLAWLAW_CACHE_DIR")?;
    let dist =
        clawlaw_distribution::Distribution::from_spec(d, &store).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime
        .block_on(clawlaw_gate::resolve::resolve(&dist, &config.set, true))
        .map(|r| {
            for f in &r.fetched {
                dist.accept(f);
            }
            r.spec
        }))
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let mut config = match SetConfig::from_path(&args.policy) {
        Ok(config) => config,
        Err(e) => return Ok(usage(e)),
    };
    args.engine.apply_one_shot(&mut config.set.engine);
    let session = match &args.session {
        Some(path) => match read_session(path) {
            Ok(s) => s,
            Err(e) => return Ok(usage(e)),
        },
        None => Session::default(),
    };
    if config.set.has_distributed_policies() {
        config.set = match pull_verified(&config)? {
            Ok(resolved) => resolved,
            Err(refusal) => {
                eprintln!("error: {refusal}");
                return Ok(ExitCode::from(super::EXIT_DENY));
            }
        };
    }
    let facts = clawlaw_gate::gate_facts::one_shot(&args.policy, &config);
    let mut spec = config.set;
    spec.gate_facts = Some(facts);
    let engine = one_shot_engine_for(&spec).context("starting the WebAssembly engine")?;

    let bytes = match read_input(&args.action) {
        Ok(b) => b,
        Err(e) => return Ok(usage(format!("{}: {e}", args.action.display()))),
    };
    let action = match parse_action(&bytes, spec.engine.max_action_bytes, || "cli-1".into()) {
        Ok(a) => a,
        Err(e) => {
            let set = PolicySet::load(&engine, &spec, OnLoadError::DenyAll)?;
            // A malformed action is denied, not an error: fail closed.
            eprintln!("error: {}: {e}", args.action.display());
            let out = serde_json::json!({
                "action_id": null,
                "evaluation": Verdict::Deny,
                "reason": format!("malformed action: {e}"),
                "risk": 1.0,
                "rules": ["gate/malformed-action"],
                "policies": [],
                "policy_set": set.version(),
            });
            print_json(&out, args.compact)?;
            return Ok(ExitCode::from(EXIT_DENY));
        }
    };
    // Only the policies that judge this action's kind are loaded (those
    // the compile cache knows to judge others are listed as skipped).
    let set = PolicySet::load_for_kind(&engine, &spec, OnLoadError::DenyAll, &action.kind)?;
    let started = Instant::now();
    let evaluation = set.evaluate(&action, &session);
    let out = Output {
        action_id: &action.id,
        evaluation: &evaluation,
        policy_set: set.version(),
        latency_us: started.elapsed().as_micros() as u64,
    };
    print_json(&out, args.compact)?;
    Ok(ExitCode::from(match evaluation.evaluation {
        Verdict::Allow => EXIT_ALLOW,
        Verdict::Deny => EXIT_DENY,
        Verdict::Escalate => EXIT_ESCALATE,
    }))
}

fn read_session(path: &Path) -> Result<Session, String> {
    let bytes = read_input(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: not a session: {e}", path.display()))
}

fn usage(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(EXIT_USAGE)
}

fn print_json(value: &impl Serialize, compact: bool) -> anyhow::Result<()> {
    let text = if compact {
        serde_json::to_string(value)?
    } else {
        serde_json::to_string_pretty(value)?
    };
    println!("{text}");
    Ok(())
}

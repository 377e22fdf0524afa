//! `clawlaw policy ...`: inspect and test policy components.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use clawlaw::limits::Limits;
use clawlaw::policy::LoadedPolicy;
use clawlaw::policy_set::engine_for;
use clawlaw_sdk::testing::CaseFile;

use super::{EXIT_ALLOW, EXIT_DENY, EXIT_USAGE, EngineArgs};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print a component's name, version, rules and digest.
    Info {
        /// The policy component (.wasm).
        component: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Run a case file (TOML: actions and expected verdicts) against a
    /// compiled component and print a pass/fail table. Exit status 0 when
    /// every case passes, 3 when any fails.
    Test {
        /// The policy component (.wasm).
        component: PathBuf,
        /// The case file (see `clawlaw_sdk::testing` for its format).
        cases: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Info {
            component,
            json,
            engine,
        } => info(component, json, engine),
        PolicyCommand::Test {
            component,
            cases,
            engine,
        } => test(component, cases, engine),
    }
}

fn load(
    component: &PathBuf,
    engine_args: &EngineArgs,
    settings: String,
) -> anyhow::Result<Result<LoadedPolicy, String>> {
    let bytes = match std::fs::read(component) {
        Ok(b) => b,
        Err(e) => return Ok(Err(format!("{}: {e}", component.display()))),
    };
    let mut section = clawlaw::config::EngineSection::default();
    engine_args.apply(&mut section);
    let engine = engine_for(&section).context("starting the WebAssembly engine")?;
    Ok(
        LoadedPolicy::load(&engine, &bytes, settings, Limits::default())
            .map_err(|e| format!("{}: {e}", component.display())),
    )
}

fn info(component: PathBuf, json: bool, engine: EngineArgs) -> anyhow::Result<ExitCode> {
    let policy = match load(&component, &engine, "{}".into())? {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let size = std::fs::metadata(&component).map(|m| m.len()).unwrap_or(0);
    if json {
        let out = serde_json::json!({
            "name": policy.id().name,
            "version": policy.id().version,
            "digest": policy.id().digest,
            "size_bytes": size,
            "rules": policy.rules(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("name:    {}", policy.id().name);
        println!("version: {}", policy.id().version);
        println!("digest:  {}", policy.id().digest);
        println!("size:    {size} bytes");
        println!("rules:");
        let width = policy.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
        for r in policy.rules() {
            println!("  {:width$}  {}", r.id, r.summary);
        }
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

fn test(component: PathBuf, cases: PathBuf, engine: EngineArgs) -> anyhow::Result<ExitCode> {
    let file = match CaseFile::load(&cases) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let mut failed = 0;
    let mut loaded: Option<(String, LoadedPolicy)> = None;
    let width = file
        .cases
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4)
        .min(60);
    for case in &file.cases {
        let settings = file.settings_for(case);
        if loaded.as_ref().is_none_or(|(s, _)| *s != settings) {
            match load(&component, &engine, settings.clone())? {
                Ok(p) => loaded = Some((settings, p)),
                Err(e) => {
                    eprintln!("error: case {:?}: {e}", case.name);
                    return Ok(ExitCode::from(EXIT_USAGE));
                }
            }
        }
        let (_, policy) = loaded.as_ref().expect("loaded above");
        let outcome = policy.evaluate(&case.action(), &case.session());
        let result = match &outcome.decision {
            Ok(d) => case
                .check(d.verdict, &d.rules, &d.labels)
                .map(|_| d.verdict.to_string()),
            Err(fault) => Err(format!("fault: {fault}")),
        };
        match result {
            Ok(verdict) => println!("PASS  {:width$}  {verdict}", case.name),
            Err(why) => {
                failed += 1;
                let reason = outcome
                    .decision
                    .as_ref()
                    .map(|d| d.reason.as_str())
                    .unwrap_or("");
                println!("FAIL  {:width$}  {why} (reason: {reason})", case.name);
            }
        }
    }
    let passed = file.cases.len() - failed;
    println!("\n{passed} passed, {failed} failed");
    Ok(ExitCode::from(if failed == 0 {
        EXIT_ALLOW
    } else {
        EXIT_DENY
    }))
}

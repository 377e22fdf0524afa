//! `clawlaw policy ...`: inspect and test policy components.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use clawlaw_engine::limits::Limits;
use clawlaw_engine::policy::LoadedPolicy;
use clawlaw_engine::policy_set::engine_for;

use super::{EXIT_ALLOW, EXIT_USAGE, EngineArgs};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Push a component to a registry as a CNCF Wasm OCI artifact, and with
    /// --sign, sign it (cosign format).
    #[command(after_help = "Examples:\n  \
        clawlaw policy push target/policies/fs-boundary.wasm oci://harbor.example.com/clawlaw/fs-boundary:0.1.0 --sign --key cosign.key\n  \
        clawlaw policy push fs.wasm oci://127.0.0.1:5000/clawlaw/fs-boundary:dev --insecure\n\n\
        Credentials: CLAWLAW_REGISTRY_USERNAME and CLAWLAW_REGISTRY_PASSWORD, or --config with [[registry]] entries.")]
    Push(Box<super::publish::PushArgs>),
    /// Pull a policy component by tag or digest; with --key, verify its
    /// signature first. Exit status 3 when it is refused.
    Pull(super::publish::PullArgs),
    /// Sign an artifact already in a registry: a cosign signature under the
    /// tag sha256-<digest>.sig, next to any signatures already there, or
    /// with --signature-format v3 a Sigstore bundle as an OCI referrer
    /// (listed under the tag sha256-<digest>), as cosign v3 stores it.
    Sign(super::publish::SignArgs),
    /// Verify an artifact's signatures (either form) against public keys or
    /// a keyless identity, and that the layer the registry serves is the
    /// one the signed manifest names; or, with --bundle, one Sigstore bundle
    /// file offline, printing each check. Exit status 0 verified, 3 refused
    /// (the reason on stderr).
    #[command(after_help = "Examples:\n  \
        clawlaw policy verify oci://harbor.example.com/clawlaw/fs-boundary:stable --key cosign.pub\n  \
        clawlaw policy verify --bundle bundle.json --digest sha256:… \\\n      \
        --certificate-identity-regexp 'https://github\\.com/ORG/REPO/\\.github/workflows/release\\.yml@refs/tags/v.*' \\\n      \
        --certificate-oidc-issuer https://token.actions.githubusercontent.com --trusted-root trusted_root.json")]
    Verify(super::publish::VerifyArgs),
    /// Print a component's name, version, digest, contract, the action kinds
    /// it judges, the parts of the session view it reads, and its rules.
    Info {
        /// The policy component (.wasm).
        component: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Run a case file (actions and expected verdicts, in TOML, YAML or
    /// JSON by its extension) against a compiled component and print a
    /// pass/fail table. Exit status 0 when every case passes, 3 when any fails.
    Test {
        /// The policy component (.wasm).
        component: PathBuf,
        /// The case file: .toml, .yaml/.yml or .json (see `clawlaw_sdk::testing`).
        cases: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Create a new policy crate: Cargo.toml, src/lib.rs with an example
    /// rule and native tests, and cases.yaml. It builds and passes as created.
    #[command(after_help = "Examples:\n  \
        clawlaw policy new no-git-writes\n  \
        clawlaw policy new migration-guard --dir policies/migration-guard --sdk-path ../clawlaw/sdk")]
    New(super::author::NewArgs),
    /// Build a policy crate to a WebAssembly component (cargo, wasm32-unknown-unknown)
    /// and check it: print its path, size and sha256, and call its info.
    Build(super::author::BuildArgs),
    /// Time a component's evaluations of one action, each in a fresh
    /// instance as the gate runs them, and print min/p50/p99/max.
    Bench(super::author::BenchArgs),
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Push(args) => super::publish::push(*args),
        PolicyCommand::Pull(args) => super::publish::pull(args),
        PolicyCommand::Sign(args) => super::publish::sign(args),
        PolicyCommand::Verify(args) => super::publish::verify(args),
        PolicyCommand::Info {
            component,
            json,
            engine,
        } => info(component, json, engine),
        PolicyCommand::Test {
            component,
            cases,
            engine,
        } => super::author::test(component, cases, engine),
        PolicyCommand::New(args) => super::author::new(args),
        PolicyCommand::Build(args) => super::author::build(args),
        PolicyCommand::Bench(args) => super::author::bench(args),
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
    let mut section = clawlaw_gate::config::EngineSection::default();
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
    let parts = policy.session_parts();
    if json {
        let out = serde_json::json!({
            "name": policy.id().name,
            "version": policy.id().version,
            "digest": policy.id().digest,
            "size_bytes": size,
            "contract": policy.contract(),
            "kinds": policy.kinds(),
            "session_parts": parts,
            "rules": policy.rules(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("name:     {}", policy.id().name);
        println!("version:  {}", policy.id().version);
        println!("digest:   {}", policy.id().digest);
        println!("size:     {size} bytes");
        println!("contract: clawlaw:policy@{}", policy.contract());
        match policy.kinds() {
            [] => println!("judges:   every action kind"),
            kinds => println!("judges:   {}", kinds.join(", ")),
        }
        let reads = parts.names();
        println!(
            "reads:    the session's id, intent, scope, action count and risk{}{}",
            if reads.is_empty() { "" } else { ", " },
            reads.join(", ")
        );
        println!("rules:");
        let width = policy.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
        for r in policy.rules() {
            println!("  {:width$}  {}", r.id, r.summary);
        }
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

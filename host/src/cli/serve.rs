//! `clawlaw serve`: the gate as an HTTP service.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clawlaw::auth::Tokens;
use clawlaw::config::{ConfigFile, SetSpec, load_config};
use clawlaw::gate::{Gate, GateOptions};
use clawlaw::policy_set::engine_for;
use clawlaw::reload::{RegistryContext, Reloader, Source, Trigger, prepare};
use clawlaw::review::ReviewTimes;
use clawlaw::server::AppState;

use super::{EXIT_ALLOW, EXIT_USAGE, EngineArgs};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The gate's config file (TOML: [server], [auth], [engine], [limits],
    /// [session], [review], [[policy]]). Without it, the gate runs on its
    /// embedded defaults with the policies of --policies.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A directory of policy components, used when no --config is given.
    #[arg(long, value_name = "DIR", default_value = "target/policies")]
    pub policies: PathBuf,

    /// Where to listen [default: 127.0.0.1:7070, or the config's server.listen].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Where the evidence log lives (in <DIR>/evidence)
    /// [default: .clawlaw, or the config's server.data_dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let (mut config, mut spec) = match &args.config {
        Some(path) => match load_config(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        },
        None => match SetSpec::from_path(&args.policies) {
            Ok(spec) => (default_config(), spec),
            Err(e) => {
                eprintln!(
                    "error: {e}\n(build the bundled policies with `cargo xtask policies`, or pass --policies DIR or --config FILE)"
                );
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        },
    };
    if let Some(listen) = &args.listen {
        config.server.listen = listen.clone();
    }
    if let Some(dir) = &args.data_dir {
        config.server.data_dir = dir.clone();
    }
    args.engine.apply(&mut spec.engine);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let source = match &args.config {
        Some(path) => Source::Config(path.clone()),
        None => Source::Dir(args.policies.clone()),
    };
    runtime.block_on(serve(config, spec, source))
}

fn default_config() -> ConfigFile {
    toml::from_str("version = 1").expect("the embedded default config parses")
}

async fn serve(config: ConfigFile, spec: SetSpec, source: Source) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let engine = engine_for(&spec.engine).context("starting the WebAssembly engine")?;
    let registry = RegistryContext {
        store_dir: config.server.data_dir.join("artifacts"),
        runtime: tokio::runtime::Handle::current(),
    };
    let prepared = {
        let (engine, spec, registry) = (engine.clone(), spec.clone(), registry.clone());
        tokio::task::spawn_blocking(move || prepare(&engine, &spec, Some(&registry), true))
            .await?
            .map_err(|r| {
                anyhow::anyhow!("the policy set was refused ({}): {}", r.reason, r.message)
            })?
    };
    for p in prepared.set.policies() {
        tracing::info!(policy = %p.id.name, version = %p.id.version, digest = %p.id.digest, source = %p.source, "policy ready");
    }
    for f in prepared.fetched() {
        tracing::info!(reference = %f.reference, digest = %f.digest, signed_by = ?f.signed_by, from_store = f.from_cache, "registry policy verified");
    }
    let (set, started_from) = prepared.start();
    for refusal in &started_from.fallbacks {
        eprintln!(
            "warning: {refusal}
         serving the last verified version from {} instead",
            registry.store_dir.display()
        );
    }

    let evidence_dir = config.server.data_dir.join("evidence");
    let (evidence, entries) = open_evidence(&evidence_dir).await?;
    let gate = Arc::new(Gate::new(
        set,
        evidence,
        GateOptions {
            recent: config.session.recent,
            review: ReviewTimes {
                expiry: Duration::from_secs(config.review.expiry_secs),
                approval_ttl: Duration::from_secs(config.review.approval_ttl_secs),
            },
            max_wait: Duration::from_secs(config.review.max_wait_secs),
        },
    ));
    let replayed = gate.replay(entries);
    tracing::info!(
        entries = replayed.entries,
        sessions = replayed.sessions,
        actions = replayed.actions,
        pending_reviews = replayed.pending_reviews,
        "state rebuilt from the evidence log"
    );

    let (tokens, generated) = if config.auth.token.is_empty() {
        let (tokens, shown) = Tokens::generate();
        (tokens, Some(shown))
    } else {
        (
            Tokens::from_entries(&config.auth.token).map_err(anyhow::Error::msg)?,
            None,
        )
    };
    if let Some(tls) = &config.server.tls {
        for file in [&tls.cert, &tls.key] {
            std::fs::File::open(file).with_context(|| format!("server.tls: {}", file.display()))?;
        }
    }
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("listening on {}", config.server.listen))?;
    let addr = listener.local_addr()?;
    if let Some(shown) = &generated {
        write_tokens(&config.server.data_dir, shown)?;
    }
    let scheme = if config.server.tls.is_some() {
        "https"
    } else {
        "http"
    };
    print_banner(
        &format!("{scheme}://{addr}"),
        &evidence_dir,
        generated.as_deref(),
        started.elapsed(),
    );

    let reloader = Arc::new(Reloader::new(
        source,
        engine,
        gate.clone(),
        Some(registry),
        started_from,
    ));
    let webhook_secret =
        match &config.reload.webhook_secret_env {
            Some(var) => Some(std::env::var(var).with_context(|| {
                format!("reload.webhook_secret_env names {var}, which is not set")
            })?),
            None => None,
        };
    let watchers = spawn_reload_triggers(reloader.clone(), config.reload.poll_secs);
    let state = Arc::new(AppState {
        gate: gate.clone(),
        reloader: Some(reloader),
        tokens,
        max_body_bytes: config.server.max_body_bytes,
        webhook_secret,
    });
    let tls = config.server.tls.as_ref().map(|t| clawlaw::server::Tls {
        cert: t.cert.clone(),
        key: t.key.clone(),
    });
    clawlaw::server::serve(listener, tls, state, shutdown_signal()).await?;
    for w in watchers {
        w.abort();
    }
    tracing::info!("shutting down: flushing the evidence log");
    gate.evidence().close();
    Ok(ExitCode::from(EXIT_ALLOW))
}

async fn open_evidence(
    dir: &Path,
) -> anyhow::Result<(
    clawlaw::evidence::EvidenceLog,
    Vec<clawlaw::evidence::Entry>,
)> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // Opening first sets aside a line torn by a crash; then the log reads back whole.
        let log = clawlaw::evidence::EvidenceLog::open(
            &dir,
            clawlaw::evidence::EvidenceOptions::default(),
        )
        .with_context(|| format!("opening the evidence log in {}", dir.display()))?;
        let entries = clawlaw::evidence::read_entries(&dir)
            .and_then(|e| e.into_entries())
            .with_context(|| format!("reading the evidence log in {}", dir.display()))?;
        Ok((log, entries))
    })
    .await?
}

/// Writes generated tokens to `<data_dir>/tokens.json`, readable by the owner only.
fn write_tokens(data_dir: &Path, shown: &[(clawlaw::auth::Role, String)]) -> anyhow::Result<()> {
    let path = data_dir.join("tokens.json");
    let map: serde_json::Map<String, serde_json::Value> = shown
        .iter()
        .map(|(role, t)| {
            (
                format!("{role:?}").to_lowercase(),
                serde_json::Value::String(t.clone()),
            )
        })
        .collect();
    std::fs::write(&path, serde_json::to_string_pretty(&map)?)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn print_banner(
    addr: &str,
    evidence: &Path,
    generated: Option<&[(clawlaw::auth::Role, String)]>,
    took: Duration,
) {
    println!(
        "clawlaw gate listening on {addr} (ready in {} ms)",
        took.as_millis()
    );
    println!("evidence log: {}", evidence.display());
    if let Some(tokens) = generated {
        println!(
            "no tokens configured; made one per role for this run (also in {}):",
            evidence
                .parent()
                .unwrap_or(evidence)
                .join("tokens.json")
                .display()
        );
        for (role, token) in tokens {
            println!("  {:<9} {token}", format!("{role:?}").to_lowercase());
        }
        let agent = &tokens[0].1;
        println!("\ntry it:");
        println!("  export CLAWLAW_URL={addr} AGENT_TOKEN={agent}");
        println!(
            "  curl -s -X POST $CLAWLAW_URL/v1/sessions -H \"authorization: Bearer $AGENT_TOKEN\" -H 'content-type: application/json' \\\n    -d '{{\"intent\":\"fix the failing test\",\"scope\":{{\"roots\":[\"/work/app\"]}}}}'"
        );
        println!(
            "  curl -s -X POST $CLAWLAW_URL/v1/sessions/<session_id>/actions -H \"authorization: Bearer $AGENT_TOKEN\" -H 'content-type: application/json' \\\n    -d '{{\"action\":{{\"kind\":\"shell.exec\",\"tool\":\"Bash\",\"command\":\"cargo test\",\"cwd\":\"/work/app\"}}}}'"
        );
        println!("  (README.md, \"The gate's HTTP API\", walks through reviews and evidence)");
    }
}

/// SIGHUP reloads at once; a poll reloads when the source's files change.
fn spawn_reload_triggers(
    reloader: Arc<Reloader>,
    poll_secs: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    #[cfg(unix)]
    {
        let reloader = reloader.clone();
        tasks.push(tokio::spawn(async move {
            let Ok(mut hup) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            else {
                tracing::warn!("cannot listen for SIGHUP; reload through the API instead");
                return;
            };
            while hup.recv().await.is_some() {
                let r = reloader.clone();
                let _ = tokio::task::spawn_blocking(move || r.reload(Trigger::Signal)).await;
            }
        }));
    }
    if poll_secs > 0 {
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(poll_secs));
            tick.tick().await;
            loop {
                tick.tick().await;
                let r = reloader.clone();
                let _ = tokio::task::spawn_blocking(move || r.poll()).await;
            }
        }));
    }
    tasks
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

//! `clawlaw serve`: the gate as an HTTP service.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clawlaw_engine::policy_set::engine_for;
use clawlaw_gate::auth::Tokens;
use clawlaw_gate::config::{ConfigFile, SetConfig, load_config};
use clawlaw_gate::gate::{Gate, GateOptions};
use clawlaw_gate::reload::{RegistryContext, Reloader, Source, Trigger, prepare};
use clawlaw_gate::review::ReviewTimes;
use clawlaw_gate::server::AppState;
use clawlaw_gate::store::{PgStore, Store};

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

    /// PostgreSQL shared by replicas instead of the local evidence log
    /// (postgres://user@host:port/db; overrides the config's [store] url).
    /// The password: in the URL, or from [store] password_env/password_file.
    #[arg(long, value_name = "URL", env = "CLAWLAW_STORE_URL")]
    pub store: Option<String>,

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
        None => match SetConfig::from_path(&args.policies) {
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
    if let Some(url) = &args.store {
        config.store.url = Some(url.clone());
    }
    args.engine.apply(&mut spec.set.engine);
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

async fn serve(
    config: ConfigFile,
    mut spec: SetConfig,
    source: Source,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // Bound first: the policies are told the address the gate answers on.
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("listening on {}", config.server.listen))?;
    let addr = listener.local_addr()?;
    let facts = own_facts(&config, &source, addr, &spec);
    spec.set.gate_facts = Some(facts.clone());
    let engine = engine_for(&spec.set.engine).context("starting the WebAssembly engine")?;
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

    let key_file = (config.server.redaction_key.clone())
        .unwrap_or_else(|| config.server.data_dir.join(clawlaw_gate::redact::KEY_FILE));
    let redaction_key = clawlaw_gate::redact::RedactionKey::load_or_create(&key_file)?;
    let options = GateOptions {
        recent: config.session.recent,
        review: ReviewTimes {
            expiry: Duration::from_secs(config.review.expiry_secs),
            approval_ttl: Duration::from_secs(config.review.approval_ttl_secs),
        },
        max_wait: Duration::from_secs(config.review.max_wait_secs),
        redaction_key,
        four_eyes: config.review.four_eyes,
    };
    let (gate, store_shown) = match config.store.settings()? {
        Some(settings) => {
            let pg = PgStore::connect(&settings, true)
                .await
                .context("opening the store")?;
            let shown = pg.describe().to_string();
            let gate = Arc::new(Gate::new(set, pg, options));
            // No replay: sessions are read from the store when first used.
            gate.catch_up_everything().await;
            tracing::info!(store = %shown, pending_reviews = gate.reviews().pending(), "sharing the PostgreSQL store");
            (gate, format!("evidence store: {shown}"))
        }
        None => {
            let evidence_dir = config.server.data_dir.join("evidence");
            let evidence = open_evidence(&evidence_dir).await?;
            let index = evidence.index().clone();
            let gate = Arc::new(Gate::new(set, evidence, options));
            // No replay: sessions are read through the index when first used.
            gate.catch_up_everything().await;
            let opened = index.opened();
            tracing::info!(
                entries = index.entries(),
                sessions = index.sessions(),
                indexed = opened.indexed,
                read_from_the_log = opened.scanned,
                index_rebuilt = opened.rebuilt,
                pending_reviews = gate.reviews().pending(),
                "evidence log open"
            );
            (gate, format!("evidence log: {}", evidence_dir.display()))
        }
    };
    let background = gate.spawn_tasks(&config.store);

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
    let token_file = match &generated {
        Some(shown) => save_tokens(addr.port(), shown)?,
        None => None,
    };
    let scheme = if config.server.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // After the replay: the reviews it reopened were notified when opened.
    let notifier = clawlaw_gate::notify::Notifier::new(
        &config.notify,
        &clawlaw_gate::notify::default_console_url(config.server.tls.is_some(), addr),
    )?;
    let notify_task = notifier.map(|n| {
        if config.notify.console_url.is_none() && addr.ip().is_unspecified() {
            tracing::warn!(console = n.console(), "review links point at an unspecified address; set [notify] console_url to the console's URL as reviewers reach it");
        }
        tracing::info!(webhooks = ?n.webhooks().collect::<Vec<_>>(), console = n.console(), "review notifications on");
        n.spawn(gate.clone())
    });
    print_banner(
        &format!("{scheme}://{addr}"),
        &store_shown,
        generated.as_deref(),
        token_file.as_deref(),
        started.elapsed(),
    );

    let reloader = Arc::new(
        Reloader::new(source, engine, gate.clone(), Some(registry), started_from)
            .with_gate_facts(facts),
    );
    let webhook_secret =
        match &config.reload.webhook_secret_env {
            Some(var) => Some(std::env::var(var).with_context(|| {
                format!("reload.webhook_secret_env names {var}, which is not set")
            })?),
            None => None,
        };
    let watchers = spawn_reload_triggers(reloader.clone(), config.reload.poll_secs);
    let mcp = clawlaw_gate::server::mcp::McpHub::new(
        config.mcp.clone(),
        &config.server.data_dir,
        gate.clone(),
        Duration::from_secs(config.review.max_wait_secs),
    )?;
    let state = Arc::new(AppState {
        gate: gate.clone(),
        reloader: Some(reloader),
        tokens,
        max_body_bytes: config.server.max_body_bytes,
        webhook_secret,
        mcp: Some(mcp.clone()),
    });
    let tls = config
        .server
        .tls
        .as_ref()
        .map(|t| clawlaw_gate::server::Tls {
            cert: t.cert.clone(),
            key: t.key.clone(),
        });
    clawlaw_gate::server::serve(listener, tls, state, shutdown_signal()).await?;
    mcp.close_all();
    for w in watchers {
        w.abort();
    }
    if let Some(task) = notify_task {
        task.abort();
    }
    for task in background {
        task.abort();
    }
    tracing::info!("shutting down: flushing the evidence");
    match gate.store() {
        Store::Local(log) => log.close(),
        Store::Postgres(pg) => pg.close().await,
    }
    Ok(ExitCode::from(EXIT_ALLOW))
}

/// What the gate tells governance-guard about itself: its binary, config
/// or policy directory, data directory, compile cache, generated tokens,
/// TLS key, API address and credential variables.
fn own_facts(
    config: &ConfigFile,
    source: &Source,
    addr: std::net::SocketAddr,
    spec: &SetConfig,
) -> clawlaw_sdk::gate::GateFacts {
    use clawlaw_gate::gate_facts::{
        add_file, add_listener, add_secret, add_set, add_store, add_token_env, own_process,
    };
    let mut facts = own_process();
    match source {
        Source::Config(path) | Source::Dir(path) => add_file(&mut facts, path),
    }
    add_file(&mut facts, &config.server.data_dir);
    add_secret(
        &mut facts,
        &config.server.data_dir.join(clawlaw_gate::redact::KEY_FILE),
    );
    if config.auth.token.is_empty()
        && let Some(tokens) = token_file(addr.port())
    {
        add_secret(&mut facts, &tokens);
    }
    if let Some(tls) = &config.server.tls {
        add_file(&mut facts, &tls.cert);
        add_secret(&mut facts, &tls.key);
    }
    if let Some(var) = &config.reload.webhook_secret_env {
        add_token_env(&mut facts, var);
    }
    for hook in &config.notify.webhooks {
        for var in [&hook.url_env, &hook.secret_env].into_iter().flatten() {
            add_token_env(&mut facts, var);
        }
    }
    add_listener(&mut facts, &addr.to_string(), config.server.tls.is_some());
    add_store(&mut facts, &config.store);
    add_set(&mut facts, spec);
    facts
}

async fn open_evidence(dir: &Path) -> anyhow::Result<clawlaw_gate::evidence::EvidenceLog> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        // Sets aside a line torn by a crash, and completes the session
        // index from the log (or rebuilds it, walking the whole chain).
        clawlaw_gate::evidence::EvidenceLog::open(
            &dir,
            clawlaw_gate::evidence::EvidenceOptions::default(),
        )
        .with_context(|| format!("opening the evidence log in {}", dir.display()))
    })
    .await?
}

/// Where the tokens a gate listening on `port` generated are saved:
/// `$XDG_STATE_HOME/clawlaw/tokens-<port>.json`, else
/// `~/.local/state/clawlaw/tokens-<port>.json`. Per user and outside any
/// workspace (never in the data directory, which `cargo xtask start` puts in
/// the very tree the agent works in), so an agent cannot read the reviewer's
/// or the admin's token from where it works.
pub(crate) fn token_file(port: u16) -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(state.join("clawlaw").join(format!("tokens-{port}.json")))
}

/// Saves generated tokens to [`token_file`]; returns where, or `None` (and
/// says so) when there is no home to save them in.
fn save_tokens(
    port: u16,
    shown: &[(clawlaw_gate::auth::Role, String)],
) -> anyhow::Result<Option<PathBuf>> {
    let Some(path) = token_file(port) else {
        eprintln!(
            "warning: neither XDG_STATE_HOME nor HOME is set: the tokens are shown below only"
        );
        return Ok(None);
    };
    let map: serde_json::Map<String, serde_json::Value> = shown
        .iter()
        .map(|(role, t)| {
            (
                format!("{role:?}").to_lowercase(),
                serde_json::Value::String(t.clone()),
            )
        })
        .collect();
    write_private(&path, serde_json::to_string_pretty(&map)?.as_bytes())
        .with_context(|| format!("writing the tokens to {}", path.display()))?;
    Ok(Some(path))
}

/// Writes `bytes` to `path` readable by the owner only: its directory made
/// (or narrowed to) 0700, the file written to a temporary file created 0600
/// in it and renamed into place, so it is never readable by others, not
/// even for a moment, and a reader never sees it half written.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    #[cfg(not(unix))]
    builder.create(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tokens-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn print_banner(
    addr: &str,
    evidence: &str,
    generated: Option<&[(clawlaw_gate::auth::Role, String)]>,
    token_file: Option<&Path>,
    took: Duration,
) {
    println!(
        "clawlaw gate listening on {addr} (ready in {} ms)",
        took.as_millis()
    );
    println!("reviewers' console: {addr}/console (sign in with a reviewer or admin token)");
    println!("{evidence}");
    if let Some(path) = token_file {
        println!("tokens file: {}", path.display());
    }
    if let Some(tokens) = generated {
        match token_file {
            Some(_) => println!(
                "no tokens configured; made one per role for this run (also in the tokens file, readable by you only):"
            ),
            None => println!("no tokens configured; made one per role for this run:"),
        }
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
        println!("  CLAWLAW_TOKEN=<the reviewer token> clawlaw review list --gate {addr}");
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

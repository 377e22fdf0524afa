//! `clawlaw mcp stdio`: put the gate in front of an MCP server. The MCP
//! client launches this instead of the server; it launches the server and
//! relays between them through [`clawlaw_mcp::Relay`], every `tools/call`
//! judged first by one of two [`Governor`]s:
//!
//! - [`Local`] (`--policies PATH`): a gate held in memory over the policy
//!   set, one session for the MCP session (so its composition spans every
//!   call), evidence in `<state-dir>/evidence/<server>`; an ESCALATE is put
//!   to the human through the client's elicitation, and is denied when the
//!   client cannot ask (nobody else can reach an in-memory review);
//! - [`Remote`] (`--gate URL`): a session on a running gate over its HTTP
//!   API (sessions, reviews and evidence live there); an ESCALATE the
//!   client cannot ask about waits for a reviewer, bounded.
//!
//! Tool definitions are pinned in `<state-dir>/pins/<server>.json`.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clawlaw_engine::policy_set::{OnLoadError, PolicySet, engine_for};
use clawlaw_gate::config::SetConfig;
use clawlaw_gate::gate::{Gate, GateOptions};
use clawlaw_gate::mcp_governor::{GateGovernor, Unasked};
use clawlaw_gate::review::{ReviewStatus, ReviewTimes};
use clawlaw_gate::session::{Declaration, Scope};
use clawlaw_mcp::pins::Pins;
use clawlaw_mcp::{Decision, GovernError, Governor, Relay, RelayConfig, ReviewOutcome};
use clawlaw_sdk::{ActionRequest, Verdict};
use serde_json::{Value, json};

use super::EngineArgs;

#[derive(Debug, clap::Subcommand)]
pub enum McpCommand {
    /// Relay an MCP server over stdio, governing every tool call: the MCP
    /// client launches this instead of the server.
    #[command(after_help = "Examples:\n  \
        clawlaw mcp stdio --policies target/policies --root /work/app -- npx -y @modelcontextprotocol/server-filesystem /work/app\n  \
        CLAWLAW_TOKEN=... clawlaw mcp stdio --gate http://127.0.0.1:7070 --name git -- uvx mcp-server-git")]
    Stdio(StdioArgs),
}

#[derive(Debug, clap::Args)]
pub struct StdioArgs {
    /// Decide in-process against these policies (a component, a directory
    /// of components, or a config file).
    #[arg(long, value_name = "PATH", required_unless_present = "gate")]
    pub policies: Option<PathBuf>,

    /// Decide on this running gate (its base URL), in one session per MCP session.
    #[arg(long, value_name = "URL", conflicts_with = "policies")]
    pub gate: Option<String>,

    /// The environment variable holding the gate's agent token.
    #[arg(long, value_name = "VAR", default_value = "CLAWLAW_TOKEN")]
    pub token_env: String,

    /// With --gate: the variable holding a reviewer token, so the human's
    /// answers through the client's elicitation are recorded as reviews.
    /// Without it the client is not asked and a gate reviewer decides.
    #[arg(long, value_name = "VAR", requires = "gate")]
    pub reviewer_token_env: Option<String>,

    /// The server's name in actions (`mcp__<name>__<tool>`) and pin files
    /// [default: the server command's file name].
    #[arg(long)]
    pub name: Option<String>,

    /// The session's workspace roots (repeat) [default: the working directory].
    #[arg(long = "root", value_name = "DIR")]
    pub roots: Vec<PathBuf>,

    /// What the agent intends, declared on the session.
    #[arg(long)]
    pub intent: Option<String>,

    /// Where pins (and, with --policies, the evidence) are kept
    /// [default: $XDG_STATE_HOME/clawlaw/mcp, else ~/.local/state/clawlaw/mcp].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Do not pin tool definitions.
    #[arg(long)]
    pub no_pins: bool,

    /// Leave out of `tools/list` the tools the policies deny outright (a
    /// call with empty arguments, judged now in the session without being
    /// recorded, would be DENY). With --gate nothing is hidden: a remote
    /// gate offers no such judgement.
    #[arg(long)]
    pub hide_denied: bool,

    /// How long to wait for the human's answer to an elicitation.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub elicitation_timeout_secs: u64,

    /// With --gate: how long an ESCALATE waits for a reviewer when the client cannot ask.
    #[arg(long, value_name = "MS", default_value_t = 50_000)]
    pub review_timeout_ms: u64,

    /// The longest message read from either side; a longer one is skipped unread.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_message_bytes: usize,

    #[command(flatten)]
    pub engine: EngineArgs,

    /// The server's command and arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(cmd: McpCommand) -> anyhow::Result<ExitCode> {
    let McpCommand::Stdio(args) = cmd;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(stdio(args))
}

async fn stdio(args: StdioArgs) -> anyhow::Result<ExitCode> {
    let server = args
        .name
        .clone()
        .unwrap_or_else(|| default_name(&args.command[0]));
    let state_dir = match &args.state_dir {
        Some(d) => d.clone(),
        None => default_state_dir().context("no state directory: give --state-dir")?,
    };
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let roots: Vec<String> = if args.roots.is_empty() {
        vec![cwd.display().to_string()]
    } else {
        args.roots.iter().map(|r| absolute(&cwd, r)).collect()
    };
    let declaration = Declaration {
        intent: args.intent.clone(),
        scope: Scope {
            roots,
            ..Scope::default()
        },
        ..Declaration::default()
    };
    let pins = if args.no_pins {
        None
    } else {
        Some(Pins::load(&state_dir.join("pins"), &server)?)
    };
    let config = RelayConfig {
        server: server.clone(),
        pins,
        max_message_bytes: args.max_message_bytes,
        elicit_reviews: args.gate.is_none() || args.reviewer_token_env.is_some(),
        elicitation_timeout: Duration::from_secs(args.elicitation_timeout_secs),
        review_timeout: Duration::from_millis(args.review_timeout_ms),
        cwd: Some(cwd.display().to_string()),
        hide_denied: args.hide_denied,
    };
    match (&args.gate, &args.policies) {
        (Some(url), _) => {
            if args.hide_denied {
                tracing::warn!(
                    "--hide-denied hides nothing with --gate: a remote gate offers no side-effect-free judgement"
                );
            }
            let governor = Remote::open(&args, url, &declaration)?;
            relay(governor, config, &args.command).await
        }
        (None, Some(path)) => {
            let governor = open_local(&args, path, &state_dir, &server, declaration).await?;
            relay(governor, config, &args.command).await
        }
        (None, None) => anyhow::bail!("give --policies PATH or --gate URL"),
    }
}

/// Launches the server and relays until the client closes.
async fn relay<G: Governor>(
    governor: G,
    config: RelayConfig,
    command: &[String],
) -> anyhow::Result<ExitCode> {
    let mut child = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting the MCP server `{}`", command[0]))?;
    let server_in = child.stdin.take().expect("piped");
    let server_out = child.stdout.take().expect("piped");
    let exited = async move {
        match child.wait().await {
            Ok(status) => format!("the MCP server exited ({status})"),
            Err(e) => format!("the MCP server's output closed ({e})"),
        }
    };
    Relay::new(governor, config)
        .run(
            tokio::io::stdin(),
            tokio::io::stdout(),
            server_in,
            server_out,
            exited,
        )
        .await?;
    Ok(ExitCode::SUCCESS)
}

fn default_name(command: &str) -> String {
    let base = Path::new(command)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(command);
    let base = base.strip_prefix("mcp-server-").unwrap_or(base);
    base.strip_prefix("server-").unwrap_or(base).to_string()
}

fn default_state_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("clawlaw").join("mcp"))
}

fn absolute(cwd: &Path, p: &Path) -> String {
    if p.is_absolute() {
        p.display().to_string()
    } else {
        cwd.join(p).display().to_string()
    }
}

// ------------------------------------------------------------- in-process

/// A gate in memory (the policy set, one session, an evidence log) and
/// the governor over it: no reviewer can reach it, so a call the client
/// cannot ask about is denied.
async fn open_local(
    args: &StdioArgs,
    path: &Path,
    state_dir: &Path,
    server: &str,
    declaration: Declaration,
) -> anyhow::Result<GateGovernor> {
    let mut config =
        SetConfig::from_path(path).with_context(|| format!("policies {}", path.display()))?;
    args.engine.apply(&mut config.set.engine);
    let key_file = state_dir.join(clawlaw_gate::redact::KEY_FILE);
    let mut facts = clawlaw_gate::gate_facts::in_process(path, &config);
    clawlaw_gate::gate_facts::add_file(&mut facts, state_dir);
    clawlaw_gate::gate_facts::add_secret(&mut facts, &key_file);
    let mut spec = config.set;
    spec.gate_facts = Some(facts);
    let set = tokio::task::spawn_blocking(move || -> anyhow::Result<PolicySet> {
        let engine = engine_for(&spec.engine).context("starting the WebAssembly engine")?;
        PolicySet::load(&engine, &spec, OnLoadError::Refuse).context("loading the policies")
    })
    .await??;
    let evidence = open_evidence(&state_dir.join("evidence").join(server))?;
    let redaction_key = clawlaw_gate::redact::RedactionKey::load_or_create(&key_file)?;
    let defaults = clawlaw_gate::config::ReviewSection::default();
    let gate = Arc::new(Gate::new(
        set,
        evidence,
        GateOptions {
            recent: 16,
            review: ReviewTimes {
                expiry: Duration::from_secs(defaults.expiry_secs),
                approval_ttl: Duration::from_secs(defaults.approval_ttl_secs),
            },
            max_wait: Duration::from_secs(defaults.max_wait_secs),
            redaction_key,
            four_eyes: false,
        },
    ));
    let summary = gate.open_session(declaration).await?;
    let session = summary["session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    tracing::info!(%session, "MCP session governed in-process");
    Ok(GateGovernor {
        gate,
        session,
        principal: None,
        unasked: Unasked::Deny,
    })
}

/// Opens the evidence log in `dir`, or, when another relay of the same
/// server holds it, in a directory of this process's own beside it.
fn open_evidence(dir: &Path) -> anyhow::Result<clawlaw_gate::evidence::EvidenceLog> {
    use clawlaw_gate::evidence::{EvidenceLog, EvidenceOptions};
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    match EvidenceLog::open(dir, EvidenceOptions::default()) {
        Ok(log) => Ok(log),
        Err(e) => {
            let own = dir.with_file_name(format!(
                "{}-{}",
                dir.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("evidence"),
                std::process::id()
            ));
            tracing::warn!(error = %e, dir = %own.display(), "evidence log busy; using a directory of this relay's own");
            std::fs::create_dir_all(&own)?;
            EvidenceLog::open(&own, EvidenceOptions::default())
                .with_context(|| format!("opening the evidence log in {}", own.display()))
        }
    }
}

// ------------------------------------------------------------------ remote

/// A session on a running gate, over its HTTP API. The session is opened
/// at the first call (and again after a failed attempt), so a gate that
/// cannot be reached yet fails each call closed, naming why, rather than
/// the whole relay.
pub struct Remote {
    base: String,
    token: String,
    reviewer_token: Option<String>,
    declaration: Value,
    session: tokio::sync::Mutex<Option<String>>,
    max_action_bytes: usize,
}

/// The action limit assumed for a remote gate (its default `max_action_bytes`);
/// the gate checks its own limit again.
const REMOTE_MAX_ACTION_BYTES: usize = 1 << 20;

impl Remote {
    fn open(args: &StdioArgs, url: &str, declaration: &Declaration) -> anyhow::Result<Remote> {
        let token = std::env::var(&args.token_env)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .with_context(|| format!("no agent token in ${}", args.token_env))?;
        let reviewer_token = match &args.reviewer_token_env {
            Some(var) => Some(
                std::env::var(var)
                    .ok()
                    .filter(|t| !t.trim().is_empty())
                    .with_context(|| format!("no reviewer token in ${var}"))?,
            ),
            None => None,
        };
        Ok(Remote {
            base: url.trim_end_matches('/').to_string(),
            token: token.trim().to_string(),
            reviewer_token: reviewer_token.map(|t| t.trim().to_string()),
            declaration: serde_json::to_value(declaration)?,
            session: tokio::sync::Mutex::new(None),
            max_action_bytes: REMOTE_MAX_ACTION_BYTES,
        })
    }

    /// The gate session of this MCP session, opened on first use.
    async fn session(&self) -> Result<String, GovernError> {
        let mut session = self.session.lock().await;
        if let Some(id) = session.as_ref() {
            return Ok(id.clone());
        }
        let body = Some(self.declaration.clone());
        let opened = self
            .call("POST", "/v1/sessions", body, false, Duration::from_secs(10))
            .await
            .map_err(|e| GovernError(format!("opening a session: {e}")))?;
        let id = opened["session_id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| GovernError("the gate opened a session without an id".into()))?
            .to_string();
        tracing::info!(session = %id, gate = %self.base, "MCP session governed by the gate");
        *session = Some(id.clone());
        Ok(id)
    }

    /// One API call on the blocking pool; errors name the gate and the cause.
    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<Value>,
        as_reviewer: bool,
        timeout: Duration,
    ) -> Result<Value, GovernError> {
        let url = format!("{}{path}", self.base);
        let token = match (as_reviewer, &self.reviewer_token) {
            (true, Some(t)) => t.clone(),
            (true, None) => return Err(GovernError("no reviewer token".into())),
            (false, _) => self.token.clone(),
        };
        let base = self.base.clone();
        tokio::task::spawn_blocking(move || {
            let agent = ureq::AgentBuilder::new().timeout(timeout).build();
            let request = agent
                .request(method, &url)
                .set("Authorization", &format!("Bearer {token}"));
            let response = match body {
                Some(b) => request.send_json(b),
                None => request.call(),
            };
            match response {
                Ok(r) => r.into_json::<Value>().map_err(|e| {
                    GovernError(format!("the gate at {base} answered unreadable JSON: {e}"))
                }),
                Err(ureq::Error::Status(code, r)) => {
                    let body = r.into_json::<Value>().unwrap_or(Value::Null);
                    // A malformed action is a recorded DENY, with its answer.
                    if body.get("evaluation").is_some() {
                        return Ok(body);
                    }
                    let message = body
                        .get("error")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    Err(GovernError(format!(
                        "the gate at {base} answered {code}: {message}"
                    )))
                }
                Err(ureq::Error::Transport(t)) => Err(GovernError(format!(
                    "the gate at {base} is unreachable: {t}"
                ))),
            }
        })
        .await
        .map_err(|e| GovernError(format!("the gate call failed: {e}")))?
    }
}

impl Governor for Remote {
    async fn evaluate(&self, action: ActionRequest) -> Result<Decision, GovernError> {
        let path = format!("/v1/sessions/{}/actions", self.session().await?);
        let body = json!({ "action": action });
        let a = self
            .call("POST", &path, Some(body), false, Duration::from_secs(30))
            .await?;
        let verdict: Verdict = serde_json::from_value(a["evaluation"].clone())
            .map_err(|e| GovernError(format!("the gate's answer has no verdict: {e}")))?;
        Ok(Decision {
            action_id: a["action_id"].as_str().unwrap_or_default().to_string(),
            verdict,
            reason: a["reason"].as_str().unwrap_or_default().to_string(),
            rules: serde_json::from_value(a["rules"].clone()).unwrap_or_default(),
            review_id: a["review_id"].as_str().map(str::to_string),
        })
    }

    async fn answer_review(
        &self,
        review_id: &str,
        approve: bool,
        by: &str,
        reason: &str,
    ) -> Result<(), GovernError> {
        let verb = if approve { "approve" } else { "deny" };
        let path = format!("/v1/reviews/{review_id}/{verb}");
        let body = json!({ "reason": format!("{reason} ({by})") });
        self.call("POST", &path, Some(body), true, Duration::from_secs(10))
            .await
            .map(drop)
    }

    async fn wait_review(
        &self,
        review_id: &str,
        timeout: Duration,
    ) -> Result<ReviewOutcome, GovernError> {
        let ms = timeout.as_millis();
        let path = format!("/v1/reviews/{review_id}/wait?timeout_ms={ms}");
        let review = self
            .call("GET", &path, None, false, timeout + Duration::from_secs(5))
            .await?;
        let status = review["status"].as_str().unwrap_or_default();
        Ok(match status {
            s if s == status_name(ReviewStatus::Approved) => ReviewOutcome::Approved,
            s if s == status_name(ReviewStatus::Pending) => ReviewOutcome::Unanswered,
            _ => ReviewOutcome::Denied,
        })
    }

    async fn record_outcome(&self, action_id: &str, outcome: Value) -> Result<(), GovernError> {
        let session = self.session().await?;
        let path = format!("/v1/sessions/{session}/actions/{action_id}/outcome");
        self.call("POST", &path, Some(outcome), false, Duration::from_secs(10))
            .await
            .map(drop)
    }

    fn max_action_bytes(&self) -> usize {
        self.max_action_bytes
    }
}

fn status_name(s: ReviewStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

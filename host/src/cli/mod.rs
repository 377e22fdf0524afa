//! The command line: argument parsing and dispatch to one module per command.

mod author;
mod eval;
mod evidence;
mod hook;
mod key;
mod mcp;
mod policy;
mod publish;
mod review;
mod serve;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for ALLOW (and for commands that succeed).
pub const EXIT_ALLOW: u8 = 0;
/// Exit code when something went wrong that is not the input's fault.
pub const EXIT_ERROR: u8 = 1;
/// Exit code for usage and input errors (clap uses it too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for DENY.
pub const EXIT_DENY: u8 = 3;
/// Exit code for ESCALATE.
pub const EXIT_ESCALATE: u8 = 4;

/// clawlaw evaluates every action an AI agent proposes, before it runs,
/// against policies compiled to WebAssembly components, and answers ALLOW,
/// DENY or ESCALATE.
#[derive(Debug, Parser)]
#[command(name = "clawlaw", version, max_term_width = 100)]
pub struct Cli {
    /// Log more (repeat for more): -v info, -vv debug. Logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one action against policies, with no server, and print the
    /// combined decision as JSON.
    ///
    /// Exit status: 0 ALLOW, 3 DENY, 4 ESCALATE, 2 usage or input error,
    /// 1 internal error. A malformed action is a DENY, with the problem named.
    #[command(after_help = "Examples:\n  \
        clawlaw eval --policy target/policies --action action.json\n  \
        echo '{\"kind\":\"shell.exec\",\"command\":\"cargo test\",\"cwd\":\"/work/app\"}' | clawlaw eval --policy gate.toml --action -")]
    Eval(eval::EvalArgs),

    /// Inspect and test policy components.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),

    /// Signing keys for policies (cosign-compatible).
    #[command(subcommand)]
    Key(key::KeyCommand),

    /// Check the evidence log's hash chain, and print full evidence records.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),

    /// Run the gate as an HTTP service: sessions, evaluations, reviews,
    /// evidence, metrics. Stops gracefully on Ctrl-C or SIGTERM.
    #[command(after_help = "Examples:\n  \
        clawlaw serve                              # embedded defaults, policies from target/policies\n  \
        clawlaw serve --config examples/gate.toml")]
    Serve(serve::ServeArgs),

    /// The PostgreSQL store gate replicas share: apply its schema.
    #[command(subcommand)]
    Store(store::StoreCommand),

    /// Answer an agent's hook (Claude Code, Codex, Gemini CLI, Cursor): read
    /// its JSON on stdin, answer allow/deny/ask on stdout in its format.
    /// Fails closed: every error, a panic or the deadline is a deny.
    #[command(after_help = "Examples:\n  \
        CLAWLAW_TOKEN=... clawlaw hook claude-code --gate http://127.0.0.1:8750\n  \
        clawlaw hook codex --policies target/policies")]
    Hook(hook::HookArgs),

    /// Review escalated actions on a running gate: list the queue, show
    /// one with its session's context, approve or deny it, watch for new
    /// ones. Needs a reviewer or admin token in $CLAWLAW_TOKEN.
    Review(review::ReviewArgs),

    /// Put clawlaw in front of an MCP server: relay it, governing every tool call.
    #[command(subcommand)]
    Mcp(mcp::McpCommand),
}

/// Options shared by commands that load policies.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// Do not read or write the compiled-component cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Where compiled components are cached
    /// [default: $CLAWLAW_CACHE_DIR, else ~/.cache/clawlaw/components].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// The secret key file cached components are authenticated with, made
    /// (mode 0600) on first use; keep it outside the cache directory
    /// [default: $CLAWLAW_CACHE_KEY, else ~/.config/clawlaw/cache.key].
    #[arg(long, value_name = "FILE")]
    pub cache_key: Option<PathBuf>,

    /// Do not pre-initialise policies: every evaluation starts from the
    /// component as built, parsing its settings again (slower; for
    /// comparison and for components that misbehave when snapshotted).
    #[arg(long)]
    pub no_preinit: bool,
}

impl EngineArgs {
    /// Applies these options to a set's `[engine]` section.
    pub fn apply(&self, section: &mut clawlaw_gate::config::EngineSection) {
        if let Some(dir) = &self.cache_dir {
            section.cache_dir = Some(dir.clone());
        }
        if let Some(key) = &self.cache_key {
            section.cache_key = Some(key.clone());
        }
        if self.no_cache {
            section.compile_cache = false;
        }
        if self.no_preinit {
            section.preinitialize = false;
        }
    }

    /// The same, for a command that evaluates one action per process (`eval`,
    /// `hook --policies`): pre-initialised only with the compile cache on.
    /// The first call takes the snapshots and the cache keeps them, so the
    /// next ones start from them without building what the policies derive
    /// from their settings (secrets-guard's compiled rule set); without the
    /// cache every call would take them again, which costs more than one
    /// evaluation can save.
    pub fn apply_one_shot(&self, section: &mut clawlaw_gate::config::EngineSection) {
        self.apply(section);
        section.preinitialize &= section.compile_cache;
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Policy(cmd) => policy::run(cmd),
        Command::Evidence(cmd) => evidence::run(cmd),
        Command::Key(cmd) => key::run(cmd),
        Command::Serve(args) => serve::run(args),
        Command::Store(cmd) => store::run(cmd),
        Command::Hook(args) => hook::run(args),
        Command::Review(args) => review::run(args),
        Command::Mcp(cmd) => mcp::run(cmd),
    }
}

/// Logs to stderr; quiet by default for one-shot commands so stdout stays
/// machine-readable, `info` for the server. `RUST_LOG` overrides.
pub fn init_logging(cli: &Cli) {
    let base = if matches!(cli.command, Command::Serve(_)) {
        1
    } else {
        0
    };
    let default = match base + cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour only for a person at a terminal: a file or pipe gets plain
    // text, and so does anyone who set NO_COLOR (https://no-color.org).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

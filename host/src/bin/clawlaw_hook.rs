//! `clawlaw-hook <agent> --gate URL`: the hook command that only forwards
//! to a gate. It answers exactly as `clawlaw hook <agent> --gate URL` does
//! (the same code, [`clawlaw_hook_client`]) but links none of the engine,
//! the server or TLS, so a call costs little more than a process start and
//! the gate's round trip. Agents start one per tool call.

use std::process::ExitCode;

use clap::Parser;
use clawlaw_hook_client::CallArgs;
use clawlaw_hooks::Agent;

/// Forward an agent's hook event (its JSON on stdin) to a clawlaw gate and
/// print the gate's answer in the agent's format. Every failure (no token,
/// the gate unreachable or failing, unreadable input, the deadline) is an
/// explicit deny.
#[derive(Debug, Parser)]
#[command(
    name = "clawlaw-hook",
    version,
    max_term_width = 100,
    after_help = "Example (Claude Code's PreToolUse command hook):\n  \
        clawlaw-hook claude-code --gate http://127.0.0.1:8750\n\n\
        For in-process evaluation without a gate, use `clawlaw hook <agent> --policies PATH`."
)]
struct Args {
    /// The agent whose hook protocol to speak.
    #[arg(value_enum)]
    agent: Agent,

    /// The gate's base URL, e.g. http://127.0.0.1:8750 (plain HTTP).
    #[arg(long, value_name = "URL")]
    gate: String,

    #[command(flatten)]
    call: CallArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    clawlaw_hook_client::run(args.agent, args.call.budget(), |bytes, input, deadline| {
        clawlaw_hook_client::forward(args.agent, &args.call, &args.gate, bytes, input, deadline)
    })
}

//! `clawlaw`: the front of the command line. It answers `clawlaw hook
//! <agent> --gate URL` itself and runs (`exec`) the full command installed
//! beside it, `clawlaw-full`, for everything else, with the same arguments,
//! the same process and `clawlaw` as its name.
//!
//! An agent starts a hook process for every tool call, and the full
//! command is a large executable (the WebAssembly engine, the server, TLS,
//! the registry and store clients) whose start-up — mapping it, applying
//! its relocations — is most of such a call. The forwarding needs none of
//! it: this front links what `clawlaw-hook` links
//! ([`clawlaw_hook_client`]), so the hook command agents are set up with
//! costs a small process plus the gate's round trip. Every other command,
//! `hook --policies` included, pays one more small `exec`.
//!
//! The front parses only the forwarding call, and only in its plain form
//! (no `--help`, `-v` or engine options): anything else, malformed or not,
//! goes to the full command, whose parser answers it, so the two never
//! disagree about what a command line means. If the full command cannot
//! be run, a hook call is denied in the agent's format (an agent runs the
//! tool when its hook fails) and any other command is an error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use clawlaw_hook_client::{CallArgs, DEFAULT_TIMEOUT_MS};
use clawlaw_hooks::{Agent, fail};
use clawlaw_sdk::gate::FULL_COMMAND_SUFFIX;

/// Exit code when the full command cannot be run (the full command's own
/// code for an error that is not the input's fault).
const EXIT_ERROR: u8 = 1;

/// The forwarding call the front answers itself: `hook <agent> --gate URL`
/// with the call's options. The same arguments as the full command's
/// `hook` in `--gate` mode.
#[derive(Debug, Parser)]
#[command(
    name = "clawlaw hook",
    disable_help_flag = true,
    disable_version_flag = true
)]
struct GateCall {
    #[arg(value_enum)]
    agent: Agent,

    #[arg(long)]
    gate: String,

    #[command(flatten)]
    call: CallArgs,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(c) = gate_call(&args) {
        return clawlaw_hook_client::run(c.agent, c.call.budget(), |bytes, input, deadline| {
            clawlaw_hook_client::forward(c.agent, &c.call, &c.gate, bytes, input, deadline)
        });
    }
    let (full, error) = match full_command() {
        Ok(full) => {
            let error = run(&full, &args);
            (full.display().to_string(), error)
        }
        Err(e) => (format!("clawlaw{FULL_COMMAND_SUFFIX}"), e),
    };
    let why = format!(
        "clawlaw runs {full} for this command and could not: {error}. It is built and \
         installed beside clawlaw (`cargo build -p clawlaw`, `cargo install --path host`)"
    );
    match hook_agent(&args) {
        Some(agent) => {
            let budget = std::time::Duration::from_millis(DEFAULT_TIMEOUT_MS);
            clawlaw_hook_client::run(agent, budget, |_, input, _| fail(agent, &input.kind, &why))
        }
        None => {
            eprintln!("error: {why}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The arguments after `hook`, if the command is `hook`.
fn hook_args(args: &[OsString]) -> Option<&[OsString]> {
    match args {
        [_, command, rest @ ..] if command == "hook" => Some(rest),
        _ => None,
    }
}

/// `args` as the forwarding call, if that is all they are.
fn gate_call(args: &[OsString]) -> Option<GateCall> {
    let argv =
        std::iter::once(OsString::from("clawlaw hook")).chain(hook_args(args)?.iter().cloned());
    GateCall::try_parse_from(argv).ok()
}

/// The agent of a `hook <agent> …` call, whatever follows.
fn hook_agent(args: &[OsString]) -> Option<Agent> {
    Agent::from_str(hook_args(args)?.first()?.to_str()?, false).ok()
}

/// The full command beside this binary (its real path, links resolved).
fn full_command() -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let stem = exe
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("clawlaw");
    Ok(exe.with_file_name(format!(
        "{stem}{FULL_COMMAND_SUFFIX}{}",
        std::env::consts::EXE_SUFFIX
    )))
}

/// Replaces this process with `full`, given this process's arguments
/// (its name included): returns only if that failed.
#[cfg(unix)]
fn run(full: &std::path::Path, args: &[OsString]) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(full);
    if let Some(name) = args.first() {
        cmd.arg0(name);
    }
    cmd.args(args.iter().skip(1)).exec()
}

/// Runs `full` with this process's arguments and exits with its status.
#[cfg(not(unix))]
fn run(full: &std::path::Path, args: &[OsString]) -> std::io::Error {
    match std::process::Command::new(full)
        .args(args.iter().skip(1))
        .status()
    {
        Ok(status) => std::process::exit(status.code().unwrap_or(i32::from(EXIT_ERROR))),
        Err(e) => e,
    }
}

//! # clawlaw-hook-client
//!
//! The hook command as a gate client: the frame every hook process runs in
//! ([`run`]: read the agent's JSON on stdin, answer exactly once, fail
//! closed) and the forwarding of an event to the gate's
//! `POST /v1/hooks/{agent}` ([`forward`]).
//!
//! Two binaries sit on it: `clawlaw hook <agent>` (both modes: `--gate`
//! here, `--policies` in-process with the engine) and `clawlaw-hook
//! <agent> --gate URL`, a small binary that only forwards. An agent starts
//! a hook process for every tool call, and the `clawlaw` binary's start-up
//! (a large executable with the WebAssembly engine, TLS and the server) is
//! most of such a call's time; this crate depends on nothing heavy so the
//! small binary starts in about the time of a process. It must not depend
//! on the engine, the gate or the CLI.
//!
//! Agents run the tool anyway when a hook crashes, exits with an unexpected
//! code or times out, so every way a hook call can go wrong still ends in
//! an explicit deny in the agent's format: unreadable input, an unreachable
//! or failing gate, a panic (a panic hook answers), and the call's own
//! deadline (a watchdog thread answers and exits). Exactly one answer is
//! printed ([`guard`]).

pub mod forward;
pub mod guard;

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clawlaw_hooks::{Agent, EventKind, HookInput, Reply, fail};

pub use forward::{CallArgs, DEFAULT_TIMEOUT_MS, forward};

/// The most stdin read; a larger input is denied.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Set to make a hook process panic after reading its input (tests prove
/// the panic is still answered with a deny).
pub const TEST_PANIC_ENV: &str = "CLAWLAW_HOOK_TEST_PANIC";

/// One hook call: starts the watchdog (answering a deny after `budget`)
/// and the panic hook, reads and parses the agent's input, and prints the
/// reply `answer` gives for it — or a deny naming what went wrong first.
/// `answer` gets the raw input (forwarded as is), its parsed form and the
/// call's deadline.
pub fn run(
    agent: Agent,
    budget: Duration,
    answer: impl FnOnce(&[u8], &HookInput, Instant) -> Reply,
) -> ExitCode {
    let deadline = Instant::now() + budget;
    guard::install(agent, budget);
    let bytes = match read_stdin() {
        Ok(b) => b,
        Err(e) => return guard::answer(fail(agent, &EventKind::Unknown, &e)),
    };
    let kind = agent.sniff_event(&bytes);
    guard::set_event(kind.clone());
    if std::env::var_os(TEST_PANIC_ENV).is_some() {
        panic!("{TEST_PANIC_ENV} is set");
    }
    let reply = match agent.parse(&bytes) {
        Ok(input) => answer(&bytes, &input, deadline),
        Err(e) => fail(agent, &kind, &e.to_string()),
    };
    guard::answer(reply)
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

//! Exactly one answer per hook call, whoever gives it: the command, its
//! watchdog (the call's deadline) or its panic hook.

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clawlaw_hooks::{Agent, EventKind, Reply, fail};

static ANSWERED: AtomicBool = AtomicBool::new(false);
static EVENT: OnceLock<EventKind> = OnceLock::new();

/// Starts the watchdog, which answers a deny once `budget` has passed, and
/// the panic hook, which answers a deny naming the panic.
pub fn install(agent: Agent, budget: Duration) {
    std::panic::set_hook(Box::new(move |info| {
        let why = format!("internal error: {info}");
        if let Some(code) = emit(&fail(agent, &event(), &why)) {
            std::process::exit(code.into());
        }
    }));
    std::thread::spawn(move || {
        std::thread::sleep(budget);
        let why = format!("no answer within {} ms (--timeout-ms)", budget.as_millis());
        if let Some(code) = emit(&fail(agent, &event(), &why)) {
            std::process::exit(code.into());
        }
    });
}

/// Which event the input is, once known, so a deny by the watchdog or the
/// panic hook is in that event's format.
pub fn set_event(kind: EventKind) {
    let _ = EVENT.set(kind);
}

fn event() -> EventKind {
    EVENT.get().cloned().unwrap_or(EventKind::Unknown)
}

/// Prints the answer unless one was printed already; returns the code to
/// exit with, or `None` when someone else answered.
fn emit(reply: &Reply) -> Option<u8> {
    if ANSWERED.swap(true, Ordering::SeqCst) {
        return None;
    }
    if let Some(json) = &reply.json {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{json}");
        let _ = out.flush();
    }
    if let Some(text) = &reply.stderr {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
    Some(reply.exit_code)
}

/// The command's own answer. If the watchdog answered first, waits for it
/// to exit the process.
pub fn answer(reply: Reply) -> ExitCode {
    match emit(&reply) {
        Some(code) => ExitCode::from(code),
        None => loop {
            std::thread::park();
        },
    }
}

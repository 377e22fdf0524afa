//! Policy faults: every way a policy can fail to give a usable decision.
//! A fault is never an error of the gate: it is a DENY naming the policy.

use serde::Serialize;

/// Why a policy gave no usable decision.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    /// It ran past its deadline and was interrupted.
    #[error("deadline of {deadline_ms} ms exceeded")]
    Deadline { deadline_ms: u64 },
    /// It tried to grow its memory beyond its cap.
    #[error("memory cap of {limit_bytes} bytes exceeded")]
    MemoryLimit { limit_bytes: usize },
    /// It exhausted its call stack (unbounded recursion).
    #[error("call stack exhausted")]
    StackOverflow,
    /// It trapped: `unreachable`, a panic, an out-of-bounds access...
    #[error("trapped: {message}")]
    Trap { message: String },
    /// Its decision was larger than allowed.
    #[error("decision of {bytes} bytes exceeds the cap of {limit_bytes} bytes")]
    OutputTooLarge { bytes: usize, limit_bytes: usize },
    /// Its decision broke the contract (NaN risk, undeclared rule...).
    #[error("invalid decision: {message}")]
    InvalidOutput { message: String },
    /// No sandbox could be made for it (pool exhausted, instantiation failed).
    #[error("could not be instantiated: {message}")]
    Instantiate { message: String },
    /// It could not be loaded at all (not a component, wrong world,
    /// settings rejected); every action is denied until it is fixed.
    #[error("failed to load: {message}")]
    Load { message: String },
}

impl Fault {
    /// A short stable name for metrics and tests, e.g. `deadline`.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Deadline { .. } => "deadline",
            Fault::MemoryLimit { .. } => "memory-limit",
            Fault::StackOverflow => "stack-overflow",
            Fault::Trap { .. } => "trap",
            Fault::OutputTooLarge { .. } => "output-too-large",
            Fault::InvalidOutput { .. } => "invalid-output",
            Fault::Instantiate { .. } => "instantiate",
            Fault::Load { .. } => "load",
        }
    }

    /// Classifies an error from a call into a policy. `memory_refused` is
    /// whether the sandbox refused a memory growth during the call.
    pub(crate) fn from_call(
        err: &wasmtime::Error,
        deadline_ms: u64,
        memory: Option<usize>,
    ) -> Fault {
        if let Some(limit_bytes) = memory {
            return Fault::MemoryLimit { limit_bytes };
        }
        match err.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => Fault::Deadline { deadline_ms },
            Some(wasmtime::Trap::StackOverflow) => Fault::StackOverflow,
            Some(trap) => Fault::Trap {
                message: trap.to_string(),
            },
            None => Fault::Trap {
                message: one_line(err),
            },
        }
    }
}

/// An error and its causes on one line, bounded in length.
pub(crate) fn one_line(err: &wasmtime::Error) -> String {
    let mut s = String::new();
    for (i, cause) in err.chain().enumerate() {
        if i > 0 {
            s.push_str(": ");
        }
        s.push_str(&cause.to_string().replace('\n', " "));
    }
    if s.len() > 500 {
        let mut cut = 500;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

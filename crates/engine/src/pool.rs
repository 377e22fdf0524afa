//! Pooled mode: a policy's instances kept warm and reused across
//! evaluations instead of a fresh instance per evaluation — opt-in per
//! policy (`mode = "pooled"` on its `[[policy]]` entry).
//!
//! The trade-off: a fresh instance costs tens of microseconds (instantiation,
//! first touch of its memory, the guest's start-up); a call on a warm one
//! costs about a microsecond. But a reused instance keeps its linear memory
//! and globals, so a policy *can* carry state from one evaluation to the next
//! — from one session to another — which strict isolation rules out. Pooled
//! mode bounds that: an instance is dropped after any fault (trap, deadline,
//! memory limit, bad output) and after every `recycle_after` evaluations, and
//! at most [`max_idle`] instances per policy are kept. Use it for policies you
//! trust to be pure (your own, reviewed, signed); keep the default for the
//! rest.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use wasmtime::Store;

use crate::contract;
use crate::sandbox::SandboxState;

/// Evaluations a pooled instance serves before it is recycled, by default.
pub const DEFAULT_RECYCLE_AFTER: u32 = 1_000;

/// How a policy's `[[policy]]` entry names its isolation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A fresh instance per evaluation (the default).
    #[default]
    Fresh,
    /// Warm instances reused; see the module doc.
    Pooled,
}

/// How a loaded policy gets the instance an evaluation runs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Isolation {
    /// A fresh instance in a fresh store per evaluation.
    #[default]
    Fresh,
    /// Reused instances, each dropped after a fault or `recycle_after` uses.
    Pooled { recycle_after: u32 },
}

/// Warm instances kept per pooled policy: one per core, at most 8 (each
/// holds a slot of the engine's pooling allocator).
pub fn max_idle() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}

/// One warm instance and its store.
pub(crate) struct Warm {
    pub(crate) store: Store<SandboxState>,
    pub(crate) instance: contract::Instance,
    /// Evaluations it has served.
    pub(crate) uses: u32,
}

/// A pooled policy's idle instances.
pub(crate) struct Pool {
    idle: Mutex<Vec<Warm>>,
    recycle_after: u32,
    max_idle: usize,
}

impl Pool {
    pub(crate) fn new(recycle_after: u32) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            recycle_after: recycle_after.max(1),
            max_idle: max_idle(),
        }
    }

    pub(crate) fn recycle_after(&self) -> u32 {
        self.recycle_after
    }

    /// An idle instance, if one is warm.
    pub(crate) fn take(&self) -> Option<Warm> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    /// Returns an instance after an evaluation that did not fault; it is
    /// dropped instead when it has served `recycle_after` evaluations or the
    /// pool is full.
    pub(crate) fn give_back(&self, warm: Warm) {
        if warm.uses >= self.recycle_after {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.max_idle {
            idle.push(warm);
        }
    }
}

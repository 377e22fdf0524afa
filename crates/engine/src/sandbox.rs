//! The sandbox one policy evaluation runs in: the per-store state that grants
//! nothing. No preopened directories, no sockets, no name lookups, no
//! environment (at load, the gate's own hints only), no arguments, empty
//! stdin, discarded stdout/stderr, a wall clock and a monotonic clock frozen
//! at zero, and a fixed-seed random source — so a policy's answer depends
//! only on its inputs. On top: a memory/table/instance limiter and a
//! bounded log. The WASI context is built on a component's first WASI call:
//! a policy that imports nothing but the contract (the bundled ones) never
//! pays for it.

use std::time::Duration;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::limits::Limits;

/// What a store carries for one evaluation.
pub struct SandboxState {
    /// Built on first use, from `env`.
    wasi: Option<WasiCtx>,
    env: &'static [(&'static str, &'static str)],
    table: ResourceTable,
    pub(crate) limiter: Limiter,
    pub(crate) log: PolicyLog,
}

impl SandboxState {
    pub fn new(limits: &Limits) -> SandboxState {
        SandboxState::with_env(limits, &[])
    }

    /// The sandbox with environment variables: only ever the gate's own
    /// hints to a policy at load (`clawlaw_sdk::gate::ONE_SHOT_ENV`), never
    /// anything of the gate's environment.
    pub(crate) fn with_env(
        limits: &Limits,
        env: &'static [(&'static str, &'static str)],
    ) -> SandboxState {
        SandboxState {
            wasi: None,
            env,
            table: ResourceTable::new(),
            limiter: Limiter::new(limits),
            log: PolicyLog::new(limits.max_log_lines),
        }
    }
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let env = self.env;
        WasiCtxView {
            ctx: self.wasi.get_or_insert_with(|| deny_all_wasi(env)),
            table: &mut self.table,
        }
    }
}

/// A WASI context that grants nothing (see the module doc) but `env`.
fn deny_all_wasi(env: &[(&str, &str)]) -> WasiCtx {
    let mut b = WasiCtx::builder();
    b.envs(env);
    b.allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }))
        .wall_clock(FrozenClock)
        .monotonic_clock(FrozenClock)
        .secure_random(fixed_random())
        .insecure_random(fixed_random())
        .insecure_random_seed(0)
        .max_random_size(4096);
    b.build()
}

/// "Random" bytes that are always the same: a policy gets no entropy, so its
/// answer is reproducible (std's hash maps still work, deterministically).
fn fixed_random() -> wasmtime_wasi::Deterministic {
    wasmtime_wasi::Deterministic::new(vec![0x5a, 0x9d, 0x37, 0xc1, 0x0b, 0xe4, 0x72, 0x18])
}

/// A clock stopped at the epoch: policies must not depend on time.
struct FrozenClock;

impl wasmtime_wasi::HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// Caps memory and tables, and remembers whether it refused a memory growth
/// so the fault can be named precisely.
pub(crate) struct Limiter {
    memory_bytes: usize,
    table_elements: usize,
    pub(crate) refused_memory: bool,
}

impl Limiter {
    fn new(limits: &Limits) -> Limiter {
        Limiter {
            memory_bytes: limits.memory_bytes,
            table_elements: limits.table_elements,
            refused_memory: false,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.refused_memory = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= self.table_elements)
    }

    fn instances(&self) -> usize {
        // A std-built component has a handful of core instances; a policy
        // never needs more than this.
        32
    }

    fn tables(&self) -> usize {
        16
    }

    fn memories(&self) -> usize {
        4
    }
}

/// The lines a policy logged during one evaluation, bounded in count and
/// length; the rest are counted.
pub(crate) struct PolicyLog {
    max_lines: usize,
    pub(crate) lines: Vec<String>,
    pub(crate) dropped: usize,
}

/// Longest log line kept, in bytes; longer ones are cut.
const MAX_LOG_LINE: usize = 1024;

impl PolicyLog {
    fn new(max_lines: usize) -> PolicyLog {
        PolicyLog {
            max_lines,
            lines: Vec::new(),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, mut line: String) {
        if self.lines.len() >= self.max_lines {
            self.dropped += 1;
            return;
        }
        if line.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        self.lines.push(line);
    }
}

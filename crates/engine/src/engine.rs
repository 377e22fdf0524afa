//! The WebAssembly engine every policy runs on: wasmtime with the component
//! model and Cranelift, the pooling allocator, epoch-based deadlines, the
//! linker that offers a policy nothing but `log` (and the contract's types,
//! for each version of [`crate::contract`]) and a WASI that grants nothing,
//! and the compiled-component cache.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::cache::CompileCache;
use crate::limits::MAX_MEMORY_BYTES;
use crate::sandbox::SandboxState;

/// How often the deadline clock ticks. Deadlines are accurate to one tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

/// How the engine is built.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// The secret key file the cache's entries are authenticated with (see
    /// [`crate::cache`]); `None`: [`CompileCache::default_key_file`].
    pub cache_key: Option<PathBuf>,
    /// The most bytes the cache's entries may hold: beyond it, the least
    /// recently used are removed (see [`crate::cache::prune`]).
    pub cache_max_bytes: u64,
    /// Sandboxes that may exist at once (the pooling allocator's slots).
    /// An evaluation that finds none free is denied, never queued forever.
    pub max_sandboxes: u32,
    /// Whether policies are pre-initialised with their settings at load (see
    /// [`crate::preinit`]).
    pub preinitialize: bool,
    /// Whether the process evaluates one action and exits (`clawlaw eval`,
    /// `clawlaw hook --policies`): its snapshots are taken for a single
    /// evaluation (see [`crate::preinit`]) and cached apart from those of
    /// a gate, which serves many.
    pub one_shot: bool,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            cache_dir: CompileCache::default_dir(),
            cache_key: None,
            cache_max_bytes: crate::cache::prune::DEFAULT_MAX_BYTES,
            max_sandboxes: 256,
            preinitialize: true,
            one_shot: false,
        }
    }
}

/// Errors building the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("configuring wasmtime: {0}")]
    Wasmtime(String),
    #[error("opening the compiled-component cache {dir}: {source}")]
    Cache {
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// A compiled component and where it came from.
pub struct Compiled {
    pub component: Component,
    /// `sha256:<hex>` of the component's bytes.
    pub digest: String,
    /// Whether it came from the on-disk cache.
    pub cached: bool,
}

/// The shared engine. Cheap to share by `Arc`; one per process.
pub struct Engine {
    wasmtime: wasmtime::Engine,
    linker: Linker<SandboxState>,
    cache: Option<CompileCache>,
    preinitialize: bool,
    one_shot: bool,
    ticker_stop: Arc<AtomicBool>,
}

impl Engine {
    pub fn new(config: &EngineConfig) -> Result<Arc<Engine>, EngineError> {
        let mut pool = PoolingAllocationConfig::default();
        let slots = config.max_sandboxes.max(1);
        pool.total_component_instances(slots)
            .total_core_instances(slots * 8)
            .total_memories(slots * 2)
            .total_tables(slots * 4)
            .total_stacks(slots)
            .max_memories_per_component(4)
            .max_tables_per_component(16)
            .max_core_instances_per_component(32)
            .max_memory_size(MAX_MEMORY_BYTES)
            // Keep the first MiB of each slot resident (zeroed in place, not
            // unmapped) so a fresh instance does not fault in its stack, data
            // and heap start again; policies are linked with a 256 KiB stack
            // (.cargo/config.toml) so those pages fall inside it. Measured:
            // the floor of a fresh instance went from ~59 µs to ~32 µs.
            .linear_memory_keep_resident(1 << 20)
            .table_keep_resident(64 << 10)
            .pagemap_scan(wasmtime::Enabled::Auto);

        let mut cfg = Config::new();
        cfg.wasm_component_model(true)
            .strategy(wasmtime::Strategy::Cranelift)
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            .epoch_interruption(true)
            .memory_init_cow(true)
            .max_wasm_stack(512 << 10)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let wasmtime =
            wasmtime::Engine::new(&cfg).map_err(|e| EngineError::Wasmtime(e.to_string()))?;

        let mut linker = Linker::new(&wasmtime);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| EngineError::Wasmtime(e.to_string()))?;
        crate::contract::add_to_linker(&mut linker)
            .map_err(|e| EngineError::Wasmtime(e.to_string()))?;

        let cache = match &config.cache_dir {
            Some(dir) => {
                let key_file = config
                    .cache_key
                    .clone()
                    .or_else(CompileCache::default_key_file)
                    .ok_or_else(|| EngineError::Cache {
                        dir: dir.clone(),
                        source: std::io::Error::other(
                            "no place for its key: set CLAWLAW_CACHE_KEY or HOME",
                        ),
                    })?;
                let cache = CompileCache::open(dir, &key_file, &wasmtime)
                    .map_err(|source| EngineError::Cache {
                        dir: dir.clone(),
                        source,
                    })?
                    .with_budget(config.cache_max_bytes);
                // A process that serves many actions trims the cache before
                // it loads anything; a one-shot one (a hook call) leaves it
                // to them and to its own writes.
                if !config.one_shot
                    && let Err(e) = cache.prune()
                {
                    tracing::warn!(dir = %dir.display(), error = %e, "could not prune the compile cache");
                }
                Some(cache)
            }
            None => None,
        };

        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(wasmtime.clone(), ticker_stop.clone())
            .map_err(|e| EngineError::Wasmtime(format!("starting the deadline clock: {e}")))?;
        Ok(Arc::new(Engine {
            wasmtime,
            linker,
            cache,
            preinitialize: config.preinitialize,
            one_shot: config.one_shot,
            ticker_stop,
        }))
    }

    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.wasmtime
    }

    pub(crate) fn linker(&self) -> &Linker<SandboxState> {
        &self.linker
    }

    /// Whether policies are pre-initialised at load.
    pub fn preinitialize(&self) -> bool {
        self.preinitialize
    }

    /// Whether snapshots are taken for a single evaluation
    /// ([`EngineConfig::one_shot`]).
    pub fn one_shot(&self) -> bool {
        self.one_shot
    }

    /// The epoch deadline, in ticks, for a deadline in milliseconds: one
    /// extra tick since the current one is already partly spent.
    pub(crate) fn ticks_for(deadline_ms: u64) -> u64 {
        deadline_ms.div_ceil(EPOCH_TICK.as_millis() as u64).max(1) + 1
    }

    /// Compiles a component (or loads it from the cache).
    pub fn compile(&self, bytes: &[u8]) -> Result<Compiled, String> {
        self.compile_digested(bytes, hex::encode(Sha256::digest(bytes)))
    }

    /// [`Self::compile`] for bytes whose sha256 (hex) the caller has already
    /// computed.
    pub(crate) fn compile_digested(&self, bytes: &[u8], hex: String) -> Result<Compiled, String> {
        if let Some(compiled) = self.cached(&hex) {
            return Ok(compiled);
        }
        let component =
            Component::new(&self.wasmtime, bytes).map_err(|e| crate::fault::one_line(&e))?;
        if let Some(cache) = &self.cache {
            cache.put(&hex, &component);
        }
        Ok(Compiled {
            component,
            digest: format!("sha256:{hex}"),
            cached: false,
        })
    }

    /// The component whose bytes have the sha256 `digest_hex`, if the
    /// on-disk cache holds its compiled code.
    pub(crate) fn cached(&self, digest_hex: &str) -> Option<Compiled> {
        let component = self.cache.as_ref()?.get(&self.wasmtime, digest_hex)?;
        Some(Compiled {
            component,
            digest: format!("sha256:{digest_hex}"),
            cached: true,
        })
    }

    /// The on-disk cache, when there is one.
    pub(crate) fn cache(&self) -> Option<&CompileCache> {
        self.cache.as_ref()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// Advances the engine's epoch every tick until the engine is dropped.
fn spawn_ticker(engine: wasmtime::Engine, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("clawlaw-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .map(drop)
}

//! Pre-initialisation: a policy's component snapshotted once, at load, after
//! it has parsed its settings and built what it derives from them, so that
//! every fresh instance starts from that state instead of redoing the work.
//!
//! The snapshot is taken with `wasmtime-wizer`: the component is instrumented
//! to expose its memories and globals, instantiated in the sandbox an
//! evaluation gets, called once — `validate-settings(settings)` — and its
//! state written back into a new component as data segments and global
//! initialisers. Only the settings, which come from the gate's own
//! configuration, reach the instance before the snapshot; never an action or
//! a session. Strict isolation still holds: every evaluation starts from the
//! same state and nothing flows from one evaluation into the next.
//!
//! The SDK keeps the parsed settings of the last `validate-settings` or
//! `evaluate` call, and policies keep what they build from them next to them
//! (`clawlaw_sdk::memo`), which is what makes the snapshot worth taking. A
//! component that does neither gains nothing and loses nothing.
//!
//! A process that evaluates one action and exits ([`Engine::one_shot`])
//! takes its snapshots with the hint `clawlaw_sdk::gate::ONE_SHOT_ENV` set
//! in the sandbox (its only environment variable, at that one call): the
//! SDK then leaves out of the snapshot what only many evaluations repay
//! building in advance (secrets-guard's compiled rule set: half of its
//! 10 MB snapshot). Such snapshots are cached under their own key.
//!
//! Snapshots are remembered in the on-disk compile cache (see
//! [`crate::cache`]), keyed by the component's digest, the settings and this
//! gate's version, so a restart or a reload of an unchanged policy loads the
//! compiled snapshot instead of taking it again. The record and the code it
//! names are each sealed with the cache's key, bound to that key and digest:
//! a record moved over another policy's or other settings' key is refused
//! and the snapshot taken again.
//!
//! A component wizer cannot instrument (it refuses some shapes: modules
//! instantiated twice, imported memories, `data.drop`, …) is used as it is:
//! pre-initialisation is an optimisation, never a reason to refuse a policy.

use futures_util::FutureExt;
use sha2::{Digest, Sha256};
use wasmtime::Store;
use wasmtime::component::{ComponentExportIndex, Instance, Lift, WasmList};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use crate::cache::SnapshotRecord;
use crate::contract::{self, ContractVersion};
use crate::engine::{Compiled, Engine};
use crate::fault::one_line;
use crate::sandbox::SandboxState;

/// Why a component was not pre-initialised (it is then used as it is).
#[derive(Debug, thiserror::Error)]
pub enum PreinitError {
    #[error("cannot be instrumented for a snapshot: {0}")]
    Instrument(String),
    #[error("the instrumented component does not compile or link: {0}")]
    Compile(String),
    #[error("`validate-settings` failed in the instrumented component: {0}")]
    Validate(String),
    #[error("taking the snapshot failed: {0}")]
    Snapshot(String),
    #[error("the snapshot does not compile: {0}")]
    SnapshotCompile(String),
}

/// How long reading a snapshot's state may take: wizer's own accessor
/// functions, which copy memories and globals out, not policy code.
const READ_DEADLINE_MS: u64 = 2_000;

/// The compiled component `bytes` (whose `sha256:` digest is `digest`)
/// (built against contract `version`) pre-initialised with `settings`: loaded
/// from the cache when an earlier load made the same snapshot, else made
/// now with [`snapshot`], compiled, and recorded in the cache.
pub(crate) fn preinitialized(
    engine: &Engine,
    bytes: &[u8],
    digest: &str,
    settings: &str,
    version: ContractVersion,
    new_store: impl FnOnce() -> Store<SandboxState>,
) -> Result<Compiled, PreinitError> {
    if let Some(Recorded::Snapshot(compiled)) = recorded(engine, digest, settings) {
        return Ok(compiled);
    }
    let key = snapshot_key(engine, digest, settings);
    let snapshot = snapshot(engine, bytes, settings, version, new_store)?;
    let compiled = engine
        .compile(&snapshot)
        .map_err(PreinitError::SnapshotCompile)?;
    if let Some(cache) = engine.cache() {
        let digest = compiled.digest.trim_start_matches("sha256:");
        cache.put_snapshot(&key, digest);
    }
    Ok(compiled)
}

/// What an earlier load recorded of the component whose digest is `digest`
/// with `settings`, when the compile cache has it: the compiled snapshot,
/// or that the component rejects them. A snapshot is recorded only after
/// the component accepted those settings (`validate-settings` ran in it),
/// so finding one also says that they are accepted: a load that finds a
/// record needs neither the plain component nor another `validate-settings`
/// call (what a one-shot process saves, `clawlaw hook --policies`).
pub(crate) fn recorded(engine: &Engine, digest: &str, settings: &str) -> Option<Recorded> {
    let key = snapshot_key(engine, digest, settings);
    match engine.cache()?.snapshot(&key)? {
        SnapshotRecord::Snapshot(snapshot) => engine.cached(&snapshot).map(Recorded::Snapshot),
        SnapshotRecord::Rejected => Some(Recorded::Rejected),
    }
}

/// What an earlier load recorded for a component and settings.
pub(crate) enum Recorded {
    /// Its snapshot, compiled.
    Snapshot(Compiled),
    /// The component rejects the settings.
    Rejected,
}

/// Records that the component whose digest is `digest` rejects `settings`
/// (see [`recorded`]).
pub(crate) fn record_rejected(engine: &Engine, digest: &str, settings: &str) {
    if let Some(cache) = engine.cache() {
        cache.put_rejected(&snapshot_key(engine, digest, settings));
    }
}

/// What names a snapshot: everything that goes into it, including whether
/// it was taken for a single evaluation ([`Engine::one_shot`]), so a gate
/// never starts its instances from a snapshot a one-shot process made. The
/// engine's own compatibility (wasmtime and wizer are one release) is in the
/// cache's file names already.
fn snapshot_key(engine: &Engine, digest: &str, settings: &str) -> String {
    let mut h = Sha256::new();
    for part in ["clawlaw-preinit/2", env!("CARGO_PKG_VERSION"), digest] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    if engine.one_shot() {
        h.update(b"one-shot\0");
    }
    h.update(settings.as_bytes());
    hex::encode(h.finalize())
}

/// The component `bytes` pre-initialised with `settings`: instrumented, run
/// in a store from `new_store` (a fresh sandbox under the policy's limits
/// and deadline), snapshotted.
fn snapshot(
    engine: &Engine,
    bytes: &[u8],
    settings: &str,
    version: ContractVersion,
    new_store: impl FnOnce() -> Store<SandboxState>,
) -> Result<Vec<u8>, PreinitError> {
    let wizer = Wizer::new();
    let (cx, instrumented) = wizer
        .instrument_component(bytes)
        .map_err(|e| PreinitError::Instrument(one_line(&e)))?;
    let compiled = engine
        .compile(&instrumented)
        .map_err(PreinitError::Compile)?;
    // The store (and its deadline) starts after the compile.
    let mut store = new_store();
    let instance = engine
        .linker()
        .instantiate(&mut store, &compiled.component)
        .map_err(|e| PreinitError::Compile(one_line(&e)))?;
    let policy = contract::Instance::new(&mut store, &instance, version)
        .map_err(|e| PreinitError::Compile(one_line(&e)))?;
    policy
        .call_validate_settings(&mut store, settings)
        .map_err(|e| PreinitError::Validate(one_line(&e)))?
        .map_err(PreinitError::Validate)?;
    store.set_epoch_deadline(Engine::ticks_for(READ_DEADLINE_MS));
    let mut state = Snapshotting {
        store: &mut store,
        instance,
        failure: None,
    };
    // Every call below is synchronous, so the future is ready at once.
    let snapshot = wizer
        .snapshot_component(&cx, &mut state)
        .now_or_never()
        .ok_or_else(|| PreinitError::Snapshot("the snapshot did not complete".into()))?
        .map_err(|e| PreinitError::Snapshot(one_line(&e)))?;
    match state.failure {
        Some(failure) => Err(PreinitError::Snapshot(failure)),
        None => Ok(snapshot),
    }
}

/// Reads an instrumented instance's state through the accessor functions
/// wizer added. A failed read is remembered (wizer's interface cannot return
/// one) and fails the snapshot.
struct Snapshotting<'a> {
    store: &'a mut Store<SandboxState>,
    instance: Instance,
    failure: Option<String>,
}

impl Snapshotting<'_> {
    fn call<R: Lift + Send + Sync + 'static, T: Default>(
        &mut self,
        instance: &str,
        func: &str,
        with: impl FnOnce(&Store<SandboxState>, R) -> T,
    ) -> T {
        match self.try_call(instance, func) {
            Ok(r) => with(self.store, r),
            Err(e) => {
                self.failure
                    .get_or_insert_with(|| format!("reading {instance}#{func}: {e}"));
                T::default()
            }
        }
    }

    fn try_call<R: Lift + Send + Sync + 'static>(
        &mut self,
        instance: &str,
        func: &str,
    ) -> Result<R, String> {
        let export =
            |store: &mut Store<SandboxState>, parent: Option<&ComponentExportIndex>, name: &str| {
                self.instance
                    .get_export_index(&mut *store, parent, name)
                    .ok_or_else(|| format!("no export {name}"))
            };
        let parent = export(self.store, None, instance)?;
        let index = export(self.store, Some(&parent), func)?;
        let typed = self
            .instance
            .get_typed_func::<(), (R,)>(&mut *self.store, index)
            .map_err(|e| one_line(&e))?;
        let (r,) = typed.call(&mut *self.store, ()).map_err(|e| one_line(&e))?;
        Ok(r)
    }
}

impl ComponentInstanceState for Snapshotting<'_> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        self.call(instance, func, |store, list: WasmList<u8>| {
            contents(list.as_le_slice(store));
        });
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, r: i32| r)
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, r: i64| r)
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, r: f32| r.to_bits())
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, r: f64| r.to_bits())
    }
}

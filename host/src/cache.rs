//! The on-disk cache of compiled components, keyed by the component's sha256
//! and the engine's compatibility hash, so a restart does not recompile and a
//! different wasmtime build or configuration never reads another's code.
//!
//! It also remembers which snapshot pre-initialisation made of a component
//! with given settings ([`crate::preinit`]): a small file named by a digest
//! of the inputs, holding the snapshot's digest, whose compiled code is in
//! the cache like any other component's. A restart then skips the
//! instrument, run and snapshot steps as well as the compiles.
//!
//! The cache directory must be as trusted as the gate binary itself: loading
//! a cached file runs the machine code in it. Files are written atomically
//! (temporary file, then rename) and a file that fails to load is deleted and
//! recompiled.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

/// A directory of compiled components for one engine configuration.
pub struct CompileCache {
    dir: PathBuf,
    engine_hash: String,
}

impl CompileCache {
    /// Opens (creating it if needed) a cache in `dir` for `engine`.
    pub fn open(dir: &Path, engine: &wasmtime::Engine) -> std::io::Result<CompileCache> {
        std::fs::create_dir_all(dir)?;
        // DefaultHasher::new() has fixed keys, so the hash is stable across
        // runs of the same binary, which is what the key needs.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Ok(CompileCache {
            dir: dir.to_path_buf(),
            engine_hash: format!("{:016x}", h.finish()),
        })
    }

    /// The default location: `$CLAWLAW_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/clawlaw/components`, else `~/.cache/clawlaw/components`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("CLAWLAW_CACHE_DIR") {
            return Some(PathBuf::from(d));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("clawlaw").join("components"))
    }

    fn path_for(&self, digest_hex: &str) -> PathBuf {
        self.dir
            .join(format!("{digest_hex}-{}.cwasm", self.engine_hash))
    }

    /// The compiled component for `digest_hex`, if cached and loadable.
    pub fn get(&self, engine: &wasmtime::Engine, digest_hex: &str) -> Option<Component> {
        let path = self.path_for(digest_hex);
        if !path.exists() {
            return None;
        }
        // SAFETY: the cache directory is trusted like the binary (module
        // doc); wasmtime still checks the file's header and engine
        // compatibility, and a file that fails is removed below.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "discarding unreadable compiled component");
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    fn snapshot_path_for(&self, key_hex: &str) -> PathBuf {
        self.dir
            .join(format!("{key_hex}-{}.snapshot", self.engine_hash))
    }

    /// The digest (hex) of the snapshot recorded for `key_hex`, if any.
    pub fn snapshot(&self, key_hex: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.snapshot_path_for(key_hex)).ok()?;
        let digest = text.trim();
        (digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| digest.to_string())
    }

    /// Records that the snapshot for `key_hex` is the component whose
    /// digest (hex) is `digest_hex`. Failure is logged, not fatal.
    pub fn put_snapshot(&self, key_hex: &str, digest_hex: &str) {
        let path = self.snapshot_path_for(key_hex);
        if let Err(e) = self.write_atomically(&path, digest_hex.as_bytes()) {
            tracing::warn!(path = %path.display(), error = %e, "could not record the snapshot");
        }
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Stores a compiled component. Failure to write is logged, not fatal:
    /// the cache only saves time.
    pub fn put(&self, digest_hex: &str, component: &Component) {
        let path = self.path_for(digest_hex);
        let result = component
            .serialize()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|bytes| self.write_atomically(&path, &bytes));
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), error = %e, "could not cache compiled component");
        }
    }
}

//! The on-disk cache of compiled components, keyed by the component's sha256
//! and the engine's compatibility hash, so a restart does not recompile and a
//! different wasmtime build or configuration never reads another's code.
//!
//! It also remembers which snapshot pre-initialisation made of a component
//! with given settings ([`crate::preinit`]): a small file named by a digest
//! of the inputs, holding the snapshot's digest, whose compiled code is in
//! the cache like any other component's — or that the component rejects
//! those settings. A restart then skips the instrument, run and snapshot
//! steps as well as the compiles, and a load that finds a record needs
//! neither the plain component nor a `validate-settings` call.
//!
//! And it remembers what each component's `info` said (name, version,
//! rules, the action kinds it judges), so a one-shot process can leave out
//! the policies that do not judge its action without loading them, and
//! start the others without calling `info`.
//!
//! Loading a cached component runs the machine code in it, so the cache
//! loads only what this gate wrote: every entry is sealed with a BLAKE3
//! keyed-hash tag (a MAC) over what it is (its kind, the digest or snapshot
//! key it is stored under, the engine hash) and its bytes, keyed by a secret in a
//! file outside the cache directory that only the gate's user can read
//! ([`seal`]; default [`CompileCache::default_key_file`]). An agent that can
//! write the cache directory can therefore neither plant code, nor rename one
//! policy's compiled code (or snapshot record) over another's, nor alter a
//! byte: an entry whose tag does not verify is logged, deleted and
//! recompiled, never loaded. The key file itself, and the cache directory,
//! are among the paths the agent must not reach.
//!
//! A compiled component is opened without copying it through the process
//! where Linux allows ([`mapped`]): its payload goes into a sealed memfd, the
//! tag is checked there, and wasmtime maps that memfd.
//!
//! And it remembers each component file's sha256 by what `stat` says of the
//! file ([`stamp`]), so a load that finds the file unchanged does not read
//! it at all when the records above are there.
//!
//! Files are written atomically (temporary file, then rename); a file that
//! fails to load is deleted and recompiled.
//!
//! And it stays within a size budget ([`prune`]): the least recently used
//! entries are removed when a gate starts, and as new entries are written.

#[cfg(target_os = "linux")]
mod mapped;
pub mod prune;
pub mod seal;
pub mod stamp;

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use wasmtime::component::Component;

pub use prune::Pruned;
pub use seal::{CacheKey, KeyError};
use seal::{Entry, Kind};
pub use stamp::FileStamp;

/// Compiled components larger than this are not read (nothing the gate
/// compiles comes near; a bound on what a planted file can make it read).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// A directory of compiled components for one engine configuration.
pub struct CompileCache {
    dir: PathBuf,
    engine_hash: String,
    key: CacheKey,
    key_file: PathBuf,
    /// The most bytes its entries may hold ([`prune`]).
    max_bytes: u64,
    /// Bytes written since the last prune.
    written: AtomicU64,
}

impl CompileCache {
    /// Opens (creating it if needed) a cache in `dir` for `engine`, its
    /// entries sealed with the key in `key_file` (made on first use). The key
    /// file must not be inside `dir`.
    pub fn open(
        dir: &Path,
        key_file: &Path,
        engine: &wasmtime::Engine,
    ) -> std::io::Result<CompileCache> {
        crate::key_file::create_private_dir(dir)?;
        let key = open_key(dir, key_file).map_err(std::io::Error::other)?;
        // DefaultHasher::new() has fixed keys, so the hash is stable across
        // runs of the same binary, which is what the key needs.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Ok(CompileCache {
            dir: dir.to_path_buf(),
            engine_hash: format!("{:016x}", h.finish()),
            key,
            key_file: key_file.to_path_buf(),
            max_bytes: prune::DEFAULT_MAX_BYTES,
            written: AtomicU64::new(0),
        })
    }

    /// This cache with at most `max_bytes` in its entries (default
    /// [`prune::DEFAULT_MAX_BYTES`]).
    pub fn with_budget(mut self, max_bytes: u64) -> CompileCache {
        self.max_bytes = max_bytes;
        self
    }

    /// The most bytes its entries may hold.
    pub fn budget(&self) -> u64 {
        self.max_bytes
    }

    /// Removes the least recently used entries while they hold more than
    /// the budget (see [`prune`]). Done when a gate's engine opens the
    /// cache, and after every eighth of the budget written.
    pub fn prune(&self) -> std::io::Result<Pruned> {
        let pruned = prune::prune(&self.dir, self.max_bytes, SystemTime::now())?;
        if pruned.removed > 0 {
            tracing::info!(
                dir = %self.dir.display(),
                removed = pruned.removed,
                freed_mib = pruned.freed_bytes >> 20,
                kept_mib = pruned.kept_bytes >> 20,
                budget_mib = self.max_bytes >> 20,
                "compile cache over its budget: least recently used entries removed"
            );
        }
        if pruned.stale_temps > 0 {
            tracing::info!(dir = %self.dir.display(), files = pruned.stale_temps, "removed temporary files of cache writes that never finished");
        }
        Ok(pruned)
    }

    /// Counts `len` bytes written, pruning once they add up to an eighth of
    /// the budget: a gate that reloads new policy versions stays within it.
    fn wrote(&self, len: usize) {
        let len = len as u64;
        let before = self.written.fetch_add(len, Ordering::Relaxed);
        if before + len > self.max_bytes / 8 {
            self.written.store(0, Ordering::Relaxed);
            if let Err(e) = self.prune() {
                tracing::warn!(dir = %self.dir.display(), error = %e, "could not prune the compile cache");
            }
        }
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

    /// The default key file: `$CLAWLAW_CACHE_KEY`, else
    /// `$XDG_CONFIG_HOME/clawlaw/cache.key`, else `~/.config/clawlaw/cache.key`.
    /// Configuration, not cache: a cleaner that empties `~/.cache` leaves it,
    /// and it is never inside the cache directory whose entries it vouches for.
    pub fn default_key_file() -> Option<PathBuf> {
        if let Some(k) = std::env::var_os("CLAWLAW_CACHE_KEY") {
            return Some(PathBuf::from(k));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("clawlaw").join("cache.key"))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding the key its entries are sealed with.
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    fn path_for(&self, digest_hex: &str) -> PathBuf {
        self.dir
            .join(format!("{digest_hex}-{}.cwasm", self.engine_hash))
    }

    fn entry<'a>(&'a self, kind: Kind, name: &'a str) -> Entry<'a> {
        Entry {
            kind,
            name,
            engine: &self.engine_hash,
        }
    }

    /// The payload of the entry at `path` stored as `entry`, if there is one
    /// and its tag verifies. One that does not is deleted.
    fn read_verified(&self, path: &Path, entry: &Entry<'_>) -> Option<Opened> {
        let (stored, file) = match read_entry(path) {
            Ok(Some(read)) => read,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "discarding an unreadable cache entry");
                let _ = std::fs::remove_file(path);
                return None;
            }
        };
        match self.key.open(entry, &stored).map(<[u8]>::len) {
            Ok(payload_len) => {
                prune::mark_used(&file, SystemTime::now());
                Some(Opened {
                    start: stored.len() - payload_len,
                    stored,
                })
            }
            Err(refusal) => {
                tracing::warn!(path = %path.display(), reason = %refusal, "refusing a cache entry this gate did not write; deleting it");
                let _ = std::fs::remove_file(path);
                None
            }
        }
    }

    /// The compiled component for `digest_hex`, if cached, authentic and
    /// loadable.
    pub fn get(&self, engine: &wasmtime::Engine, digest_hex: &str) -> Option<Component> {
        let path = self.path_for(digest_hex);
        let entry = self.entry(Kind::Component, digest_hex);
        // SAFETY (both deserialisations below): these are the bytes this
        // gate serialized for this very digest and engine (their tag, made
        // with a key only the gate's user can read, verified first; in the
        // memfd, sealed before the check, so they cannot change after it);
        // wasmtime still checks the header and engine compatibility, and
        // bytes that fail are removed.
        #[cfg(target_os = "linux")]
        match mapped::open(&path, MAX_ENTRY_BYTES, |tag, payload| {
            self.key.verify(&entry, tag, payload)
        }) {
            Ok(None) => return None,
            Ok(Some(sealed)) => {
                return self.deserialized(&path, unsafe {
                    Component::deserialize_file(engine, sealed.path())
                });
            }
            Err(mapped::MapError::Unsupported(e)) => {
                tracing::debug!(error = %e, "reading a cache entry into memory instead");
            }
            Err(mapped::MapError::Refused(refusal)) => {
                tracing::warn!(path = %path.display(), reason = %refusal, "refusing a cache entry this gate did not write; deleting it");
                let _ = std::fs::remove_file(&path);
                return None;
            }
            Err(mapped::MapError::Unreadable(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "discarding an unreadable cache entry");
                let _ = std::fs::remove_file(&path);
                return None;
            }
        }
        let code = self.read_verified(&path, &entry)?;
        self.deserialized(&path, unsafe {
            Component::deserialize(engine, code.payload())
        })
    }

    /// The component deserialised from the entry at `path`, which is
    /// removed if wasmtime refused it.
    fn deserialized(&self, path: &Path, result: wasmtime::Result<Component>) -> Option<Component> {
        match result {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "discarding unreadable compiled component");
                let _ = std::fs::remove_file(path);
                None
            }
        }
    }

    fn snapshot_path_for(&self, key_hex: &str) -> PathBuf {
        self.dir
            .join(format!("{key_hex}-{}.snapshot", self.engine_hash))
    }

    /// What pre-initialisation recorded for `key_hex`, if anything.
    pub fn snapshot(&self, key_hex: &str) -> Option<SnapshotRecord> {
        let path = self.snapshot_path_for(key_hex);
        let bytes = self.read_verified(&path, &self.entry(Kind::Snapshot, key_hex))?;
        let text = std::str::from_utf8(bytes.payload()).ok()?;
        if text == REJECTED {
            return Some(SnapshotRecord::Rejected);
        }
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| SnapshotRecord::Snapshot(text.to_string()))
    }

    /// Records that the snapshot for `key_hex` is the component whose
    /// digest (hex) is `digest_hex`. Failure is logged, not fatal.
    pub fn put_snapshot(&self, key_hex: &str, digest_hex: &str) {
        self.put_record(key_hex, digest_hex);
    }

    /// Records that the component rejects the settings `key_hex` names.
    /// Failure is logged, not fatal.
    pub fn put_rejected(&self, key_hex: &str) {
        self.put_record(key_hex, REJECTED);
    }

    fn put_record(&self, key_hex: &str, record: &str) {
        let path = self.snapshot_path_for(key_hex);
        let sealed = self
            .key
            .seal(&self.entry(Kind::Snapshot, key_hex), record.as_bytes());
        if let Err(e) = self.write_atomically(&path, &sealed) {
            tracing::warn!(path = %path.display(), error = %e, "could not record the snapshot");
        }
    }

    fn info_path_for(&self, digest_hex: &str) -> PathBuf {
        self.dir
            .join(format!("{digest_hex}-{}.info", self.engine_hash))
    }

    /// What the component whose digest (hex) is `digest_hex` said of
    /// itself, as [`Self::put_info`] recorded it.
    pub fn info(&self, digest_hex: &str) -> Option<Vec<u8>> {
        let path = self.info_path_for(digest_hex);
        let opened = self.read_verified(&path, &self.entry(Kind::Info, digest_hex))?;
        Some(opened.payload().to_vec())
    }

    /// Records what the component whose digest (hex) is `digest_hex` said
    /// of itself. Failure is logged, not fatal.
    pub fn put_info(&self, digest_hex: &str, info: &[u8]) {
        let path = self.info_path_for(digest_hex);
        let sealed = self.key.seal(&self.entry(Kind::Info, digest_hex), info);
        if let Err(e) = self.write_atomically(&path, &sealed) {
            tracing::warn!(path = %path.display(), error = %e, "could not record the policy's info");
        }
    }

    fn digest_path_for(&self, name: &str) -> PathBuf {
        let hash = blake3::hash(name.as_bytes()).to_hex();
        self.dir
            .join(format!("{}-{}.digest", &hash[..32], self.engine_hash))
    }

    /// The sha256 (hex) recorded for the component file at `path`, if a
    /// record of it was made when it had `stamp` (see [`stamp`]).
    pub fn file_digest(&self, path: &Path, stamp: &FileStamp) -> Option<String> {
        let name = stamp::record_name(path)?;
        let opened = self.read_verified(
            &self.digest_path_for(&name),
            &self.entry(Kind::Digest, &name),
        )?;
        stamp.digest_in(opened.payload())
    }

    /// Records that the component file at `path`, when it had `stamp`,
    /// hashed to `digest_hex`. The caller read it between two `stat`s that
    /// gave `stamp` and checked [`FileStamp::settled_before`]. Failure is
    /// logged, not fatal.
    pub fn put_file_digest(&self, path: &Path, stamp: &FileStamp, digest_hex: &str) {
        let Some(name) = stamp::record_name(path) else {
            return;
        };
        let record = self.digest_path_for(&name);
        let sealed = self.key.seal(
            &self.entry(Kind::Digest, &name),
            stamp.record(digest_hex).as_bytes(),
        );
        if let Err(e) = self.write_atomically(&record, &sealed) {
            tracing::warn!(path = %record.display(), error = %e, "could not record the component file's digest");
        }
    }

    fn write_atomically(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        self.wrote(bytes.len());
        Ok(())
    }

    /// Stores a compiled component. Failure to write is logged, not fatal:
    /// the cache only saves time.
    pub fn put(&self, digest_hex: &str, component: &Component) {
        let path = self.path_for(digest_hex);
        let result = component
            .serialize()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|bytes| {
                let sealed = self
                    .key
                    .seal(&self.entry(Kind::Component, digest_hex), &bytes);
                self.write_atomically(&path, &sealed)
            });
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), error = %e, "could not cache compiled component");
        }
    }
}

/// What pre-initialising a component with given settings gave (see
/// [`crate::preinit`]), as the cache recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotRecord {
    /// The snapshot: the sha256 (hex) of the pre-initialised component,
    /// whose compiled code the cache holds under that digest.
    Snapshot(String),
    /// None: the component rejects those settings (`validate-settings`
    /// said why). The gate offers its facts to every policy and most
    /// reject them; remembering that spares each load the call.
    Rejected,
}

/// A snapshot record's payload for [`SnapshotRecord::Rejected`].
const REJECTED: &str = "rejected";

/// A stored entry whose tag checked out: its bytes as read, and where its
/// payload starts in them (kept in place: a payload is megabytes of code).
struct Opened {
    stored: Vec<u8>,
    start: usize,
}

impl Opened {
    fn payload(&self) -> &[u8] {
        &self.stored[self.start..]
    }
}

/// The key in `key_file`, made if missing; refused if it lies inside `dir`.
fn open_key(dir: &Path, key_file: &Path) -> Result<CacheKey, KeyError> {
    let dirs = [
        std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
    ];
    let inside = |key: &Path| {
        dirs.iter()
            .any(|d| key.starts_with(d))
            .then(|| KeyError::InsideCache {
                key: key_file.to_path_buf(),
                dir: dir.to_path_buf(),
            })
    };
    let absolute = std::path::absolute(key_file).unwrap_or_else(|_| key_file.to_path_buf());
    if let Some(e) = inside(&absolute) {
        return Err(e);
    }
    let key = CacheKey::load_or_create(key_file)?;
    // Now that it exists, compare where it really is (symlinks resolved).
    if let Some(e) = std::fs::canonicalize(key_file)
        .ok()
        .and_then(|k| inside(&k))
    {
        return Err(e);
    }
    Ok(key)
}

/// The bytes of the regular file at `path`, and the file, `None` if there
/// is none. A symlink, a device or a FIFO planted under an entry's name is
/// an error (and is then removed), never followed or read.
fn read_entry(path: &Path) -> std::io::Result<Option<(Vec<u8>, File)>> {
    let file = match open_entry(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_ENTRY_BYTES {
        return Err(std::io::Error::other("larger than any compiled component"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&file).take(MAX_ENTRY_BYTES).read_to_end(&mut bytes)?;
    Ok(Some((bytes, file)))
}

/// Opens the entry at `path` for reading without following a symlink, and
/// without waiting for a writer when a FIFO was planted there (the caller
/// refuses anything but a regular file once it is open).
fn open_entry(path: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(unix))]
    if !std::fs::symlink_metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    options.open(path)
}

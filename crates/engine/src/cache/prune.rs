//! Keeping the compile cache within its budget. Every policy version, and
//! every set of settings a policy is pre-initialised with (a gate's facts
//! name its process id, so each start of a gate snapshots its policies
//! again), leaves entries of megabytes; without a bound the directory only
//! grows. So the cache has a size budget: when its entries add up to more,
//! the least recently used are removed until they fill three quarters of
//! it.
//!
//! "Used" is a file's modification time: an entry read from the cache is
//! marked when its time is more than [`MARK_AFTER`] old (one `futimens`,
//! not one per read), and a new entry is written with the current time.
//! Removing an entry is always safe: the cache only saves time, a process
//! that has opened one holds its own sealed copy (see `mapped`), and one
//! that looks for it afterwards compiles again. Only files named like the
//! cache's entries are counted and removed, plus the temporary files of
//! writes that died before their rename, once they are [`STALE_TEMP`] old.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The budget when none is configured.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// An entry read is marked as used when its time is older than this.
pub const MARK_AFTER: Duration = Duration::from_secs(60);

/// A temporary file left by a write this old has lost its writer.
pub const STALE_TEMP: Duration = Duration::from_secs(3600);

/// The suffixes of the cache's entries (compiled code, snapshot records,
/// `info` records, component files' digests).
const ENTRY_SUFFIXES: [&str; 4] = [".cwasm", ".snapshot", ".info", ".digest"];

/// The prefix `tempfile` gives the files a write goes through.
const TEMP_PREFIX: &str = ".tmp";

/// What [`prune`] found and did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Entries removed, and the bytes they held.
    pub removed: usize,
    pub freed_bytes: u64,
    /// Bytes the entries left hold.
    pub kept_bytes: u64,
    /// Temporary files of dead writes removed.
    pub stale_temps: usize,
}

/// Removes the least recently used entries of the cache in `dir` while
/// they hold more than `max_bytes`, down to three quarters of it, and the
/// temporary files of writes that died; `now` is the current time.
pub fn prune(dir: &Path, max_bytes: u64, now: SystemTime) -> io::Result<Pruned> {
    let mut pruned = Pruned::default();
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    for dirent in std::fs::read_dir(dir)? {
        let Ok(dirent) = dirent else { continue };
        // Not followed: a symlink is not an entry.
        let Ok(meta) = dirent.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let name = dirent.file_name();
        let name = name.to_string_lossy();
        let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if name.starts_with(TEMP_PREFIX) {
            let age = now.duration_since(used).unwrap_or_default();
            if age > STALE_TEMP && std::fs::remove_file(dirent.path()).is_ok() {
                pruned.stale_temps += 1;
            }
        } else if ENTRY_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            pruned.kept_bytes += meta.len();
            entries.push((used, meta.len(), dirent.path()));
        }
    }
    if pruned.kept_bytes <= max_bytes {
        return Ok(pruned);
    }
    let low_water = max_bytes / 4 * 3;
    entries.sort_by_key(|(used, ..)| *used);
    for (_, len, path) in entries {
        if pruned.kept_bytes <= low_water {
            break;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                pruned.removed += 1;
                pruned.freed_bytes += len;
                pruned.kept_bytes -= len;
            }
            // Another process's prune was first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => pruned.kept_bytes -= len,
            Err(_) => {}
        }
    }
    Ok(pruned)
}

/// Marks the entry open as `file` as used now, unless it was within
/// [`MARK_AFTER`]. Failure only makes the entry look older than it is.
pub(super) fn mark_used(file: &File, now: SystemTime) {
    let Ok(used) = file.metadata().and_then(|m| m.modified()) else {
        return;
    };
    if now.duration_since(used).unwrap_or_default() > MARK_AFTER {
        let _ = file.set_modified(now);
    }
}

#[cfg(test)]
mod tests;

//! Remembering a component file's sha256 by what `stat` says of the file, so
//! a load that finds the file unchanged neither reads nor hashes it: the
//! digest is what finds its compiled code, snapshot and `info` in the cache,
//! and a one-shot process (`clawlaw hook --policies`) spent a third of its
//! CPU reading and hashing every component of the set on every call.
//!
//! A record holds the file's device and inode numbers, size, modification
//! and change times (nanoseconds) and its sha256, sealed like any entry and
//! bound to the file's absolute path (a record copied over another file's
//! name does not open). It is used only when all five still match.
//!
//! Why that is enough: the change time (ctime) is set by the kernel on every
//! write, truncation, rename, link or metadata change, and no unprivileged
//! call can set it back (`utimensat` sets mtime and atime, and moves ctime
//! to now). Replacing the file gives another inode or another ctime. Two
//! cases would still leave every field unchanged, and both are closed:
//!
//! - a write within the file times' granularity of the last one: the
//!   kernel's file times come from a clock that may lag by a tick, and
//!   some file systems keep whole seconds, so a record is made only of a
//!   file whose mtime and ctime are [`SETTLED`] older than the moment its
//!   bytes were read, and only if the file's stamp is the same after the
//!   read as before it;
//! - a write through a shared mapping of a page already dirty: the kernel
//!   updates the times on the first write to a clean page only. Whoever
//!   holds such a mapping wrote the file after it was last opened for
//!   writing and could replace it outright; a stale record can only name
//!   content that file had, and its code comes from the sealed cache.
//!
//! Root can change the clock or the disk under the kernel; root can also
//! replace the gate. Off Unix nothing is recorded and every load hashes.

use std::fs::Metadata;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How much older than the read a file's times must be for its digest to
/// be recorded: more than the coarsest file times a write could leave
/// unchanged. The kernel's file-time clock lags by a tick (1-10 ms), but
/// some file systems keep whole seconds (ext2/3 with small inodes, HFS+)
/// or two (FAT): a write in the same second as the one recorded would
/// leave the times as they were.
pub(crate) const SETTLED: Duration = Duration::from_secs(3);

/// What `stat` says of a file that identifies its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileStamp {
    /// The stamp of a file from its metadata; `None` off Unix or for what
    /// is not a regular file.
    pub fn of(meta: &Metadata) -> Option<FileStamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            meta.is_file().then(|| FileStamp {
                dev: meta.dev(),
                ino: meta.ino(),
                size: meta.len(),
                mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    /// Whether the file's times are [`SETTLED`] older than `read_at`, the
    /// moment before its bytes were read.
    pub fn settled_before(&self, read_at: SystemTime) -> bool {
        let Ok(since_epoch) = read_at.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let limit = since_epoch.as_nanos() as i128 - SETTLED.as_nanos() as i128;
        self.mtime_ns < limit && self.ctime_ns < limit
    }

    /// The record's payload: the stamp's fields and the digest, as text.
    pub(crate) fn record(&self, digest_hex: &str) -> String {
        format!(
            "{} {} {} {} {} {digest_hex}",
            self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns
        )
    }

    /// The digest in `record` if it was made of a file with this stamp.
    pub(crate) fn digest_in(&self, record: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(record).ok()?;
        let mut fields = text.split(' ');
        let mut next = || fields.next();
        let recorded = FileStamp {
            dev: next()?.parse().ok()?,
            ino: next()?.parse().ok()?,
            size: next()?.parse().ok()?,
            mtime_ns: next()?.parse().ok()?,
            ctime_ns: next()?.parse().ok()?,
        };
        let digest = next()?;
        let is_digest = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
        (recorded == *self && is_digest && next().is_none()).then(|| digest.to_string())
    }
}

/// The name a file's record is stored under and sealed for: its absolute
/// path (not canonicalised: the record binds the inode already).
pub(crate) fn record_name(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    Some(absolute.to_str()?.to_string())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn stamp_of(path: &Path) -> FileStamp {
        FileStamp::of(&std::fs::metadata(path).unwrap()).unwrap()
    }

    /// A file just written in a fresh directory, and its stamp.
    fn written() -> (tempfile::TempDir, std::path::PathBuf, FileStamp) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.wasm");
        std::fs::write(&path, b"one").unwrap();
        let stamp = stamp_of(&path);
        (dir, path, stamp)
    }

    #[test]
    fn a_record_names_its_digest_only_for_the_stamp_it_was_made_of() {
        let (dir, path, stamp) = written();
        let digest = "ab".repeat(32);
        let record = stamp.record(&digest);
        assert_eq!(stamp.digest_in(record.as_bytes()), Some(digest.clone()));

        // The same bytes written again, the mtime set back: ctime moved.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, b"two").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(SystemTime::UNIX_EPOCH + Duration::from_nanos(stamp.mtime_ns as u64))
            .unwrap();
        let rewritten = stamp_of(&path);
        assert_eq!(rewritten.mtime_ns, stamp.mtime_ns, "mtime was set back");
        assert_ne!(rewritten, stamp);
        assert_eq!(rewritten.digest_in(record.as_bytes()), None);

        // Another file is another inode.
        let other = dir.path().join("q.wasm");
        std::fs::write(&other, b"one").unwrap();
        assert_eq!(stamp_of(&other).digest_in(record.as_bytes()), None);
    }

    #[test]
    fn a_malformed_record_names_nothing() {
        let (_dir, _path, stamp) = written();
        let good = stamp.record(&"cd".repeat(32));
        for bad in [
            String::new(),
            good.replace(' ', "  "),
            format!("{good} extra"),
            stamp.record("not-a-digest"),
            stamp.record(&"cd".repeat(31)),
            good[..good.len() - 1].to_string(),
        ] {
            assert_eq!(stamp.digest_in(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn only_a_file_older_than_the_read_by_the_settling_time_is_settled() {
        let (_dir, _path, stamp) = written();
        let now = SystemTime::now();
        assert!(!stamp.settled_before(now), "just written");
        assert!(stamp.settled_before(now + SETTLED + Duration::from_millis(50)));
        assert!(!stamp.settled_before(SystemTime::UNIX_EPOCH));
    }
}

//! Opening a compiled component's cache entry without copying it through
//! the process, for wasmtime to map: on Linux, the entry's payload is copied
//! by the kernel into a sealed memfd, its tag checked over a read-only
//! mapping of that memfd, and wasmtime then maps the memfd itself — code
//! and memory images alike — instead of copying the code into fresh memory
//! and the memory images into memfds of its own.
//!
//! Why a copy at all, rather than mapping the cache file: the file is one
//! the agent's user may be able to write, and a mapped file changes under
//! its mapping. The memfd is sealed (no write, no resize, seals fixed)
//! before its tag is checked, so what was checked is what runs, whoever
//! holds a descriptor to it.
//!
//! A one-shot process (`clawlaw hook --policies`) loads ~14 MB of compiled
//! code and snapshots per call; this halves the bytes it copies and the
//! fresh memory it touches. Where memfds, seals or `/proc/self/fd` are not
//! available, the caller reads the entry into memory as before.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{MemfdFlags, SealFlags};
use rustix::mm::{MapFlags, ProtFlags};

use super::seal::{MAGIC, Refusal, TAG_LEN};

/// Why an entry could not be opened this way.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MapError {
    /// The entry is not one to load: the caller deletes it.
    #[error("{0}")]
    Refused(Refusal),
    /// The entry could not be read: the caller deletes it.
    #[error("{0}")]
    Unreadable(io::Error),
    /// This process cannot use a sealed memfd (no memfd, no seals, no
    /// `/proc`): the caller reads the entry the ordinary way.
    #[error("no sealed memfd: {0}")]
    Unsupported(io::Error),
}

/// A verified payload in a sealed memfd.
pub(crate) struct SealedPayload {
    memfd: OwnedFd,
}

impl SealedPayload {
    /// A path that opens the memfd (for wasmtime's `deserialize_file`).
    pub(crate) fn path(&self) -> PathBuf {
        use std::os::fd::AsRawFd;
        PathBuf::from(format!("/proc/self/fd/{}", self.memfd.as_raw_fd()))
    }
}

/// The payload of the sealed entry at `path` in a sealed memfd, if the entry
/// exists and `verify(tag, payload)` accepts it; `Ok(None)` if there is
/// none. `max_bytes` bounds what is read.
pub(crate) fn open(
    path: &Path,
    max_bytes: u64,
    verify: impl FnOnce(&[u8], &[u8]) -> Result<(), Refusal>,
) -> Result<Option<SealedPayload>, MapError> {
    if !Path::new("/proc/self/fd").is_dir() {
        return Err(MapError::Unsupported(io::Error::other(
            "/proc/self/fd is not mounted",
        )));
    }
    // No symlink is followed: one planted under an entry's name fails here;
    // nor is a writer waited for: a FIFO is refused below, once open.
    let mut file = match File::options()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(MapError::Unreadable(e)),
    };
    let meta = file.metadata().map_err(MapError::Unreadable)?;
    if !meta.is_file() {
        return Err(MapError::Unreadable(io::Error::other("not a regular file")));
    }
    if meta.len() > max_bytes {
        return Err(MapError::Unreadable(io::Error::other(
            "larger than any compiled component",
        )));
    }
    let mut header = [0u8; MAGIC.len() + TAG_LEN];
    if file.read_exact(&mut header).is_err() || header[..MAGIC.len()] != MAGIC[..] {
        return Err(MapError::Refused(Refusal::Untagged));
    }
    let payload_len = meta.len() - header.len() as u64;
    if payload_len == 0 {
        return Err(MapError::Refused(Refusal::BadTag));
    }

    let memfd = rustix::fs::memfd_create(
        "clawlaw-cache-entry",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )
    .map_err(|e| MapError::Unsupported(e.into()))?;
    let mut sink = File::from(memfd);
    // The kernel copies file to file (copy_file_range, else sendfile).
    let copied =
        io::copy(&mut (&mut file).take(payload_len), &mut sink).map_err(MapError::Unreadable)?;
    if copied != payload_len {
        return Err(MapError::Unreadable(io::Error::other(
            "the entry changed while it was read",
        )));
    }
    let memfd = OwnedFd::from(sink);
    rustix::fs::fcntl_add_seals(
        &memfd,
        SealFlags::WRITE | SealFlags::GROW | SealFlags::SHRINK | SealFlags::SEAL,
    )
    .map_err(|e| MapError::Unsupported(e.into()))?;

    let len =
        usize::try_from(payload_len).map_err(|e| MapError::Unreadable(io::Error::other(e)))?;
    let verdict = with_mapping(&memfd, len, |payload| {
        verify(&header[MAGIC.len()..], payload)
    })
    .map_err(MapError::Unsupported)?;
    verdict.map_err(MapError::Refused)?;
    super::prune::mark_used(&file, std::time::SystemTime::now());
    Ok(Some(SealedPayload { memfd }))
}

/// Runs `f` over a read-only shared mapping of the first `len` bytes of
/// `fd`, then unmaps it.
fn with_mapping<R>(fd: &impl AsFd, len: usize, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
    // SAFETY: a fresh read-only shared mapping of a sealed memfd of at least
    // `len` bytes (it cannot shrink or change), unmapped before returning;
    // the slice does not outlive it.
    unsafe {
        let ptr = rustix::mm::mmap(
            std::ptr::null_mut(),
            len,
            ProtFlags::READ,
            MapFlags::SHARED,
            fd,
            0,
        )?;
        let result = f(std::slice::from_raw_parts(ptr.cast::<u8>(), len));
        let _ = rustix::mm::munmap(ptr, len);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::seal::{CacheKey, Entry, Kind};

    const ENTRY: Entry<'static> = Entry {
        kind: Kind::Component,
        name: "ab12",
        engine: "00ff",
    };

    fn key() -> CacheKey {
        CacheKey::from_bytes([3; crate::cache::seal::KEY_LEN])
    }

    fn open_with(path: &Path, key: &CacheKey) -> Result<Option<SealedPayload>, MapError> {
        open(path, 1 << 20, |tag, payload| {
            key.verify(&ENTRY, tag, payload)
        })
    }

    #[test]
    fn a_sealed_entry_opens_to_its_payload_in_a_memfd_that_cannot_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        let payload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, key().seal(&ENTRY, &payload)).unwrap();

        let sealed = open_with(&path, &key()).unwrap().expect("an entry");
        assert_eq!(std::fs::read(sealed.path()).unwrap(), payload);
        // Neither writable nor resizable, through any descriptor.
        let reopened = File::options().write(true).open(sealed.path());
        let write = reopened.and_then(|mut f| io::Write::write_all(&mut f, b"x"));
        assert!(write.is_err(), "a sealed memfd took a write");
        let file = File::from(sealed.memfd.try_clone().unwrap());
        assert!(file.set_len(1).is_err());
        // The cache file changing afterwards changes nothing.
        std::fs::write(&path, b"replaced").unwrap();
        assert_eq!(std::fs::read(sealed.path()).unwrap(), payload);
    }

    #[test]
    fn what_was_not_sealed_with_the_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        assert!(matches!(open_with(&path, &key()), Ok(None)));

        std::fs::write(&path, CacheKey::from_bytes([4; 32]).seal(&ENTRY, b"code")).unwrap();
        assert!(matches!(
            open_with(&path, &key()),
            Err(MapError::Refused(Refusal::BadTag))
        ));

        let mut altered = key().seal(&ENTRY, b"native code");
        *altered.last_mut().unwrap() ^= 1;
        std::fs::write(&path, altered).unwrap();
        assert!(matches!(
            open_with(&path, &key()),
            Err(MapError::Refused(Refusal::BadTag))
        ));

        std::fs::write(&path, b"no header").unwrap();
        assert!(matches!(
            open_with(&path, &key()),
            Err(MapError::Refused(Refusal::Untagged))
        ));

        let target = dir.path().join("target");
        std::fs::write(&target, key().seal(&ENTRY, b"native code")).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(matches!(
            open_with(&path, &key()),
            Err(MapError::Unreadable(_))
        ));
    }
}

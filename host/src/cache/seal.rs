//! Authenticating the compile cache's entries: the secret key, kept in a
//! file only the gate's user can read, and the tag every entry carries.
//!
//! A cached entry is native code the gate runs (or the name of the snapshot
//! whose code it runs), so the cache must not load an entry it did not write
//! itself, for exactly what it claims to be. Every entry is stored *sealed*:
//!
//! ```text
//! MAGIC (16 bytes: "clawlaw-cache/1\n") | TAG (32 bytes) | PAYLOAD
//! TAG = HMAC-SHA256(key, MAGIC || lp(kind) || lp(name) || lp(engine) || lp(PAYLOAD))
//! lp(x) = len(x) as u64, little-endian || x
//! ```
//!
//! `kind` is what the entry is (`component`, `snapshot`), `name` what it is
//! the entry *for* (the component's sha256, or the snapshot key that hashes
//! the component's digest, its settings and the gate's version) and `engine`
//! the engine's compatibility hash. A file renamed or copied over another
//! entry's name, an altered byte, or a file written without the key (by an
//! older gate, or by anything that is not this gate) fails to open.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The first bytes of every sealed entry; names the format's version.
pub(crate) const MAGIC: &[u8; 16] = b"clawlaw-cache/1\n";
/// The length of a tag (HMAC-SHA256).
pub(crate) const TAG_LEN: usize = 32;
/// The length of the key, in bytes.
pub const KEY_LEN: usize = 32;

/// Why the cache key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the cache key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the cache key file {path} can be read by other users (mode {mode:04o}); make it 0600 (`chmod 600 {path}`)"
    )]
    Readable { path: PathBuf, mode: u32 },
    #[error("the cache key file {path} is not a regular file")]
    NotAFile { path: PathBuf },
    #[error(
        "the cache key file {path} holds {len} bytes, not {KEY_LEN}; remove it to make a new one"
    )]
    Length { path: PathBuf, len: u64 },
    #[error(
        "the cache key file {key} is inside the cache directory {dir}; keep it where the cache's writers cannot reach"
    )]
    InsideCache { key: PathBuf, dir: PathBuf },
}

/// What a cached entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A compiled component.
    Component,
    /// A snapshot record: the digest of a pre-initialised component.
    Snapshot,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Snapshot => "snapshot",
        }
    }
}

/// What an entry claims to be; bound into its tag.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub kind: Kind,
    /// The component's sha256 (hex), or the snapshot key (hex).
    pub name: &'a str,
    /// The engine's compatibility hash.
    pub engine: &'a str,
}

/// Why a stored entry was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("it carries no tag (written by an older clawlaw, or not by this gate)")]
    Untagged,
    #[error("its tag does not match (altered, made for another entry, or with another key)")]
    BadTag,
}

/// The secret the cache's tags are made with.
pub struct CacheKey([u8; KEY_LEN]);

impl CacheKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> CacheKey {
        CacheKey(bytes)
    }

    /// Reads the key in `path`, or, when there is none, makes one: 32 random
    /// bytes, written atomically to a file of mode 0600 (in a directory
    /// created 0700 if missing). A key file other users could read is refused,
    /// as ssh refuses such a private key.
    pub fn load_or_create(path: &Path) -> Result<CacheKey, KeyError> {
        match CacheKey::load(path) {
            Err(KeyError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                CacheKey::create(path)
            }
            other => other,
        }
    }

    fn load(path: &Path) -> Result<CacheKey, KeyError> {
        let io = |source: std::io::Error| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(KeyError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Readable {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        if meta.len() != KEY_LEN as u64 {
            return Err(KeyError::Length {
                path: path.to_path_buf(),
                len: meta.len(),
            });
        }
        let mut key = [0u8; KEY_LEN];
        file.read_exact(&mut key).map_err(io)?;
        Ok(CacheKey(key))
    }

    fn create(path: &Path) -> Result<CacheKey, KeyError> {
        let io = |source: std::io::Error| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(io)?;
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key).map_err(|e| io(std::io::Error::other(e)))?;
        // A named temporary file is created 0600, so the key is never
        // readable by others, not even before the rename.
        let mut tmp = tempfile::Builder::new()
            .prefix(".cache-key.")
            .tempfile_in(dir)
            .map_err(io)?;
        tmp.write_all(&key).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        match tmp.persist_noclobber(path) {
            Ok(_) => {
                tracing::info!(path = %path.display(), "made a new compile cache key");
                Ok(CacheKey(key))
            }
            // Another process made it first: use theirs.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => CacheKey::load(path),
            Err(e) => Err(io(e.error)),
        }
    }

    /// The tag of `payload` stored as `entry`.
    fn mac(&self, entry: &Entry<'_>, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts a key of any length");
        mac.update(MAGIC);
        for part in [
            entry.kind.as_str().as_bytes(),
            entry.name.as_bytes(),
            entry.engine.as_bytes(),
            payload,
        ] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac
    }

    /// `payload` sealed as `entry`: what the cache stores.
    pub(crate) fn seal(&self, entry: &Entry<'_>, payload: &[u8]) -> Vec<u8> {
        let tag = self.mac(entry, payload).finalize().into_bytes();
        let mut out = Vec::with_capacity(MAGIC.len() + TAG_LEN + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&tag);
        out.extend_from_slice(payload);
        out
    }

    /// The payload of `stored`, if it was sealed with this key as `entry`.
    /// The tag is compared in constant time.
    pub(crate) fn open<'s>(
        &self,
        entry: &Entry<'_>,
        stored: &'s [u8],
    ) -> Result<&'s [u8], Refusal> {
        let rest = stored.strip_prefix(MAGIC).ok_or(Refusal::Untagged)?;
        if rest.len() < TAG_LEN {
            return Err(Refusal::Untagged);
        }
        let (tag, payload) = rest.split_at(TAG_LEN);
        self.mac(entry, payload)
            .verify_slice(tag)
            .map_err(|_| Refusal::BadTag)?;
        Ok(payload)
    }
}

impl Drop for CacheKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.0.zeroize();
    }
}

/// Creates `dir` (and its missing parents) with mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT: Entry<'static> = Entry {
        kind: Kind::Component,
        name: "ab12",
        engine: "00ff",
    };

    fn key(byte: u8) -> CacheKey {
        CacheKey::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn a_sealed_entry_is_magic_then_the_hmac_of_what_it_claims_to_be_then_the_payload() {
        let sealed = key(7).seal(&COMPONENT, b"native code");
        assert_eq!(&sealed[..16], b"clawlaw-cache/1\n");
        assert_eq!(&sealed[16 + TAG_LEN..], b"native code");
        // The tag, computed here from the documented layout.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[7; KEY_LEN]).unwrap();
        mac.update(b"clawlaw-cache/1\n");
        for part in [&b"component"[..], b"ab12", b"00ff", b"native code"] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        assert_eq!(&sealed[16..16 + TAG_LEN], &mac.finalize().into_bytes()[..]);
        assert_eq!(key(7).open(&COMPONENT, &sealed), Ok(&b"native code"[..]));
    }

    #[test]
    fn an_entry_opens_only_as_what_it_was_sealed_as_and_with_its_key() {
        let sealed = key(1).seal(&COMPONENT, b"payload");
        let others = [
            Entry {
                name: "ab13",
                ..COMPONENT
            },
            Entry {
                engine: "00fe",
                ..COMPONENT
            },
            Entry {
                kind: Kind::Snapshot,
                ..COMPONENT
            },
            // The length prefixes keep fields from sliding into each other.
            Entry {
                name: "ab1",
                engine: "200ff",
                ..COMPONENT
            },
        ];
        for other in &others {
            assert_eq!(
                key(1).open(other, &sealed),
                Err(Refusal::BadTag),
                "{other:?}"
            );
        }
        assert_eq!(key(2).open(&COMPONENT, &sealed), Err(Refusal::BadTag));
    }

    #[test]
    fn any_altered_byte_or_a_missing_header_is_refused() {
        let sealed = key(1).seal(&COMPONENT, b"payload");
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            assert!(key(1).open(&COMPONENT, &altered).is_err(), "byte {i}");
        }
        assert_eq!(key(1).open(&COMPONENT, b"payload"), Err(Refusal::Untagged));
        assert_eq!(
            key(1).open(&COMPONENT, &sealed[..40]),
            Err(Refusal::Untagged)
        );
        assert_eq!(
            key(1).open(&COMPONENT, &sealed[..sealed.len() - 1]),
            Err(Refusal::BadTag)
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_made_once_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config").join("clawlaw").join("cache.key");
        let made = CacheKey::load_or_create(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(std::fs::read(&path).unwrap(), made.0);
        assert_ne!(made.0, [0; KEY_LEN], "random bytes");
        let again = CacheKey::load_or_create(&path).unwrap();
        assert_eq!(again.0, made.0);
        // No temporary file is left beside it.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_or_of_the_wrong_length_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.key");
        std::fs::write(&path, [3u8; KEY_LEN]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = CacheKey::load_or_create(&path).err().unwrap();
        assert!(
            matches!(err, KeyError::Readable { mode: 0o644, .. }),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(CacheKey::load_or_create(&path).unwrap().0, [3u8; KEY_LEN]);
        std::fs::write(&path, [3u8; 16]).unwrap();
        let err = CacheKey::load_or_create(&path).err().unwrap();
        assert!(matches!(err, KeyError::Length { len: 16, .. }), "{err}");
    }
}

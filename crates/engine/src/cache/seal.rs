//! Authenticating the compile cache's entries: the secret key, kept in a
//! file only the gate's user can read, and the tag every entry carries.
//!
//! A cached entry is native code the gate runs (or the name of the snapshot
//! whose code it runs), so the cache must not load an entry it did not write
//! itself, for exactly what it claims to be. Every entry is stored *sealed*:
//!
//! ```text
//! MAGIC (16 bytes: "clawlaw-cache/2\n") | TAG (32 bytes) | PAYLOAD
//! TAG = BLAKE3-keyed-hash(key, MAGIC || lp(kind) || lp(name) || lp(engine) || lp(PAYLOAD))
//! lp(x) = len(x) as u64, little-endian || x
//! ```
//!
//! BLAKE3's keyed mode is a MAC (a PRF under the key). It replaced
//! HMAC-SHA256 (format 1) because every load of a policy checks the tag of
//! its compiled code and snapshot, megabytes each: with SHA-NI, HMAC-SHA256
//! was a quarter of `clawlaw hook --policies`' whole-process time; BLAKE3's
//! SIMD tree hash runs several times faster. Entries in format 1 are
//! refused as untagged, deleted and compiled again.
//!
//! `kind` is what the entry is (`component`, `snapshot`, `info`, `digest`),
//! `name` what it is the entry *for* (the component's sha256, the snapshot
//! key that hashes the component's digest, its settings and the gate's
//! version, or a component file's absolute path) and `engine`
//! the engine's compatibility hash. A file renamed or copied over another
//! entry's name, an altered byte, or a file written without the key (by an
//! older gate, or by anything that is not this gate) fails to open.

use std::path::{Path, PathBuf};

/// The first bytes of every sealed entry; names the format's version.
pub(crate) const MAGIC: &[u8; 16] = b"clawlaw-cache/2\n";
/// The length of a tag (BLAKE3's default output).
pub(crate) const TAG_LEN: usize = blake3::OUT_LEN;
pub use crate::key_file::KEY_LEN;
use crate::key_file::{self, KeyFileError};

/// Why the cache key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    File(#[from] KeyFileError),
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
    /// An info record: what a component's `info` said of it.
    Info,
    /// A digest record: a component file's sha256 by its stamp.
    Digest,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Snapshot => "snapshot",
            Kind::Info => "info",
            Kind::Digest => "digest",
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

    /// Reads the key in `path`, or, when there is none, makes one (see
    /// [`crate::key_file`]: 32 random bytes, mode 0600, refused when others
    /// could read it).
    pub fn load_or_create(path: &Path) -> Result<CacheKey, KeyError> {
        Ok(CacheKey(key_file::load_or_create(path, "the cache key")?))
    }

    /// The tag of `payload` stored as `entry`.
    fn mac(&self, entry: &Entry<'_>, payload: &[u8]) -> blake3::Hash {
        let mut mac = blake3::Hasher::new_keyed(&self.0);
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
        mac.finalize()
    }

    /// `payload` sealed as `entry`: what the cache stores.
    pub(crate) fn seal(&self, entry: &Entry<'_>, payload: &[u8]) -> Vec<u8> {
        let tag = self.mac(entry, payload);
        let mut out = Vec::with_capacity(MAGIC.len() + TAG_LEN + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(tag.as_bytes());
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
        self.verify(entry, tag, payload)?;
        Ok(payload)
    }

    /// Whether `tag` is the tag of `payload` sealed with this key as
    /// `entry` (for a payload read apart from its header, see
    /// `super::mapped`). Compared in constant time.
    pub(crate) fn verify(
        &self,
        entry: &Entry<'_>,
        tag: &[u8],
        payload: &[u8],
    ) -> Result<(), Refusal> {
        let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| Refusal::Untagged)?;
        // `Hash`'s equality is constant-time.
        if self.mac(entry, payload) != blake3::Hash::from_bytes(tag) {
            return Err(Refusal::BadTag);
        }
        Ok(())
    }
}

impl Drop for CacheKey {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.0.zeroize();
    }
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
    fn a_sealed_entry_is_magic_then_the_keyed_hash_of_what_it_claims_to_be_then_the_payload() {
        let sealed = key(7).seal(&COMPONENT, b"native code");
        assert_eq!(&sealed[..16], b"clawlaw-cache/2\n");
        assert_eq!(&sealed[16 + TAG_LEN..], b"native code");
        // The tag, computed here from the documented layout.
        let mut layout = b"clawlaw-cache/2\n".to_vec();
        for part in [&b"component"[..], b"ab12", b"00ff", b"native code"] {
            layout.extend_from_slice(&(part.len() as u64).to_le_bytes());
            layout.extend_from_slice(part);
        }
        let tag = blake3::keyed_hash(&[7; KEY_LEN], &layout);
        assert_eq!(&sealed[16..16 + TAG_LEN], tag.as_bytes());
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

    #[test]
    fn the_cache_key_is_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.key");
        let made = CacheKey::load_or_create(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), made.0);
        assert_eq!(CacheKey::load_or_create(&path).unwrap().0, made.0);
    }
}

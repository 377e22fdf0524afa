//! The gate's secret key files: 32 random bytes in a file only the gate's
//! user can read, made on first use. The compile cache's key (which vouches
//! for the native code the gate loads) and the redaction key (which tags the
//! masks in the evidence) are both kept so.
//!
//! A new key is written to a temporary file created 0600 in a directory
//! created 0700, synced and linked into place without overwriting, so it is
//! never readable by others, never seen half written, and two processes
//! making it at once end up with the same key. A key file others could read
//! is refused, as ssh refuses such a private key.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The length of every key, in bytes.
pub const KEY_LEN: usize = 32;

/// Why a key file cannot be used. `what` names the key (`the cache key`).
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{what} file {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{what} file {path} can be read by other users (mode {mode:04o}); make it 0600 (`chmod 600 {path}`)"
    )]
    Readable {
        what: &'static str,
        path: PathBuf,
        mode: u32,
    },
    #[error("{what} file {path} is not a regular file")]
    NotAFile { what: &'static str, path: PathBuf },
    #[error("{what} file {path} holds {len} bytes, not {KEY_LEN}; remove it to make a new one")]
    Length {
        what: &'static str,
        path: PathBuf,
        len: u64,
    },
}

/// The key in `path`, or, when there is none, a new one made there.
pub fn load_or_create(path: &Path, what: &'static str) -> Result<[u8; KEY_LEN], KeyFileError> {
    match load(path, what) {
        Err(KeyFileError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            create(path, what)
        }
        other => other,
    }
}

fn load(path: &Path, what: &'static str) -> Result<[u8; KEY_LEN], KeyFileError> {
    let io = |source: std::io::Error| KeyFileError::Io {
        what,
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(KeyFileError::NotAFile {
            what,
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Readable {
                what,
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    if meta.len() != KEY_LEN as u64 {
        return Err(KeyFileError::Length {
            what,
            path: path.to_path_buf(),
            len: meta.len(),
        });
    }
    let mut key = [0u8; KEY_LEN];
    file.read_exact(&mut key).map_err(io)?;
    Ok(key)
}

fn create(path: &Path, what: &'static str) -> Result<[u8; KEY_LEN], KeyFileError> {
    let io = |source: std::io::Error| KeyFileError::Io {
        what,
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
    // A named temporary file is created 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".key.")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(&key).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            tracing::info!(path = %path.display(), "made {what}, new");
            Ok(key)
        }
        // Another process made it first: use theirs.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => load(path, what),
        Err(e) => Err(io(e.error)),
    }
}

/// Creates `dir` (and its missing parents) with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_key_is_made_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config").join("clawlaw").join("x.key");
        let made = load_or_create(&path, "the test key").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(std::fs::read(&path).unwrap(), made);
        assert_ne!(made, [0; KEY_LEN], "random bytes");
        assert_eq!(load_or_create(&path, "the test key").unwrap(), made);
        // No temporary file is left beside it.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn a_key_others_can_read_of_the_wrong_length_or_not_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.key");
        std::fs::write(&path, [3u8; KEY_LEN]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(&path, "the test key").unwrap_err();
        assert!(
            matches!(err, KeyFileError::Readable { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().starts_with("the test key file"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(load_or_create(&path, "k").unwrap(), [3u8; KEY_LEN]);
        std::fs::write(&path, [3u8; 16]).unwrap();
        let err = load_or_create(&path, "k").unwrap_err();
        assert!(matches!(err, KeyFileError::Length { len: 16, .. }), "{err}");
        let err = load_or_create(dir.path(), "k").unwrap_err();
        assert!(matches!(err, KeyFileError::NotAFile { .. }), "{err}");
    }
}

//! Signing keys in cosign's file formats: an ECDSA P-256 private key as an
//! `ENCRYPTED SIGSTORE PRIVATE KEY` PEM (scrypt + secretbox, as
//! `cosign generate-key-pair` writes it) and its public key as a PEM
//! `PUBLIC KEY`. The password comes from `CLAWLAW_KEY_PASSWORD` (or cosign's
//! own `COSIGN_PASSWORD`), else from a prompt on the terminal; it is never
//! an argument, so it never lands in a shell history or a process list.

use std::io::Write;
use std::path::{Path, PathBuf};

pub use sigstore::crypto::SigStoreSigner;
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::signing_key::ecdsa::{ECDSAKeys, EllipticCurve};
use sigstore::crypto::{CosignVerificationKey, SigningScheme};
use zeroize::Zeroizing;

/// The environment variables a key password is read from, in order.
pub const PASSWORD_VARS: [&str; 2] = ["CLAWLAW_KEY_PASSWORD", "COSIGN_PASSWORD"];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a key this gate can use: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: wrong password, or not an encrypted cosign private key ({message})")]
    Decrypt { path: PathBuf, message: String },
    #[error("{path} already exists; remove it or choose another --output-dir")]
    Exists { path: PathBuf },
    #[error(
        "no key password: set CLAWLAW_KEY_PASSWORD (or COSIGN_PASSWORD), or run on a terminal to be asked"
    )]
    NoPassword,
    #[error("the two passwords differ")]
    Mismatch,
    #[error("could not generate a key: {0}")]
    Generate(String),
}

/// The password for a private key: the environment, else a prompt.
/// `confirm` asks twice (for a new key).
pub fn password(confirm: bool) -> Result<Zeroizing<String>, KeyError> {
    for var in PASSWORD_VARS {
        if let Ok(p) = std::env::var(var) {
            return Ok(Zeroizing::new(p));
        }
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(KeyError::NoPassword);
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("Password for the private key: ")
            .map_err(|_| KeyError::NoPassword)?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Again: ").map_err(|_| KeyError::NoPassword)?,
        );
        if *again != *first {
            return Err(KeyError::Mismatch);
        }
    }
    Ok(first)
}

/// The two files `generate` wrote.
pub struct KeyFiles {
    pub private: PathBuf,
    pub public: PathBuf,
}

/// Generates an ECDSA P-256 key pair and writes `<name>.key` (encrypted
/// with `password`, mode 0600) and `<name>.pub` into `dir`. Refuses to
/// overwrite either file.
pub fn generate(dir: &Path, name: &str, password: &[u8]) -> Result<KeyFiles, KeyError> {
    let files = KeyFiles {
        private: dir.join(format!("{name}.key")),
        public: dir.join(format!("{name}.pub")),
    };
    for path in [&files.private, &files.public] {
        if path.exists() {
            return Err(KeyError::Exists { path: path.clone() });
        }
    }
    let keys =
        ECDSAKeys::new(EllipticCurve::P256).map_err(|e| KeyError::Generate(e.to_string()))?;
    let pair = SigStoreKeyPair::ECDSA(keys);
    let private = pair
        .private_key_to_encrypted_pem(password)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let public = pair
        .public_key_to_pem()
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|source| KeyError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write_new(&files.private, private.as_bytes(), 0o600)?;
    write_new(&files.public, public.as_bytes(), 0o644)?;
    Ok(files)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut f = options.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Reads an encrypted cosign private key and returns a P-256 signer.
pub fn signer(path: &Path, password: &[u8]) -> Result<SigStoreSigner, KeyError> {
    let pem = std::fs::read(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let pair =
        SigStoreKeyPair::from_encrypted_pem(&pem, password).map_err(|e| KeyError::Decrypt {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    pair.to_sigstore_signer(&SigningScheme::ECDSA_P256_SHA256_ASN1)
        .map_err(|e| KeyError::Format {
            path: path.to_path_buf(),
            message: format!("{e} (clawlaw signs with ECDSA P-256 keys)"),
        })
}

/// Reads a PEM public key (any type cosign verifies with).
pub fn public_key(path: &Path) -> Result<CosignVerificationKey, KeyError> {
    let pem = std::fs::read(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    CosignVerificationKey::try_from_pem(&pem).map_err(|e| KeyError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_read_back_sign_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(dir.path(), "cosign", b"s3cret").unwrap();
        let pem = std::fs::read_to_string(&files.private).unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"),
            "{pem}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files.private)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let signer = signer(&files.private, b"s3cret").unwrap();
        let sig = signer.sign(b"payload").unwrap();
        let key = public_key(&files.public).unwrap();
        key.verify_signature(sigstore::crypto::Signature::Raw(&sig), b"payload")
            .unwrap();
        assert!(
            key.verify_signature(sigstore::crypto::Signature::Raw(&sig), b"other")
                .is_err()
        );
    }

    #[test]
    fn wrong_password_existing_files_and_garbage_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(dir.path(), "k", b"right").unwrap();
        let e = signer(&files.private, b"wrong").err().unwrap();
        assert!(e.to_string().contains("wrong password"), "{e}");
        let e = generate(dir.path(), "k", b"x").err().unwrap();
        assert!(e.to_string().contains("already exists"), "{e}");
        let junk = dir.path().join("junk.pub");
        std::fs::write(&junk, "not a key").unwrap();
        let e = public_key(&junk).err().unwrap();
        assert!(e.to_string().contains("not a key"), "{e}");
        let e = public_key(&dir.path().join("missing.pub")).err().unwrap();
        assert!(e.to_string().contains("missing.pub"), "{e}");
    }
}

//! Whom the gate trusts to publish policies: `[trust]` in its config.
//!
//! Today a trust root is a public key (cosign's key-based signing); the
//! policy is "at least `threshold` of these keys signed the manifest".
//! Keyless signing (a Fulcio certificate for an OIDC identity, logged in
//! Rekor) would be another kind of root in the same list, with its own
//! verifier, counted towards the same threshold: the config reserves
//! `[[trust.keyless]]` for it and refuses it until it is implemented.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sigstore::crypto::CosignVerificationKey;

use super::keys::{KeyError, public_key};

/// `[trust]` as written in the config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSection {
    /// PEM public keys (paths relative to the config file).
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// How many distinct keys must have signed; default 1.
    #[serde(default)]
    pub threshold: Option<usize>,
    /// Reserved for keyless (Fulcio/Rekor) identities; not supported yet.
    #[serde(default)]
    pub keyless: Vec<toml::Table>,
}

/// One trusted signer.
pub struct TrustedKey {
    /// The key file's name, as refusals and evidence name it.
    pub name: String,
    pub key: CosignVerificationKey,
}

/// The loaded trust policy.
pub struct TrustPolicy {
    pub keys: Vec<TrustedKey>,
    pub threshold: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error(
        "no key is listed: the gate loads nothing from a registry unless a signature verifies against a trusted key"
    )]
    NoKeys,
    #[error("{threshold} signatures required but {keys} key(s) listed")]
    Threshold { threshold: usize, keys: usize },
    #[error("keyless (Fulcio/Rekor) trust is not supported yet: list public keys in trust.keys")]
    Keyless,
}

impl TrustError {
    /// The config field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TrustError::Key(_) | TrustError::NoKeys => "trust.keys",
            TrustError::Threshold { .. } => "trust.threshold",
            TrustError::Keyless => "trust.keyless",
        }
    }
}

impl TrustPolicy {
    /// Loads the keys `section` names, relative to `base`.
    pub fn load(section: &TrustSection, base: &Path) -> Result<TrustPolicy, TrustError> {
        if !section.keyless.is_empty() {
            return Err(TrustError::Keyless);
        }
        if section.keys.is_empty() {
            return Err(TrustError::NoKeys);
        }
        let threshold = section.threshold.unwrap_or(1);
        if threshold == 0 || threshold > section.keys.len() {
            return Err(TrustError::Threshold {
                threshold,
                keys: section.keys.len(),
            });
        }
        let keys = section
            .keys
            .iter()
            .map(|p| {
                let path = base.join(p);
                Ok(TrustedKey {
                    name: path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into(),
                    ),
                    key: public_key(&path)?,
                })
            })
            .collect::<Result<Vec<_>, TrustError>>()?;
        Ok(TrustPolicy { keys, threshold })
    }

    /// Trust in exactly these key files (the CLI's `--key`).
    pub fn from_files(files: &[PathBuf], threshold: usize) -> Result<TrustPolicy, TrustError> {
        TrustPolicy::load(
            &TrustSection {
                keys: files.to_vec(),
                threshold: Some(threshold),
                keyless: vec![],
            },
            Path::new(""),
        )
    }
}

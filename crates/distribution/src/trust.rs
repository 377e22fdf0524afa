//! Whom the gate trusts to publish policies: `[trust]` in its config.
//!
//! A trusted signer is a public key (cosign's key-based signing) or a
//! keyless identity (a Fulcio certificate for an OIDC identity, logged in
//! Rekor, checked against a local Sigstore trusted root). The policy is "at
//! least `threshold` distinct trusted signers signed the manifest": keys
//! and identities count alike, each once however many signatures it made.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sigstore::crypto::CosignVerificationKey;

use super::identity::{IdentityError, KeylessEntry, KeylessIdentity};
use super::keys::{KeyError, public_key};
use super::trusted_root::{TrustedRoot, TrustedRootError};

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
    /// Trusted keyless identities: `[[trust.keyless]]` with `identity` (or
    /// `identity_regexp`) and `issuer`.
    #[serde(default)]
    pub keyless: Vec<KeylessEntry>,
    /// The Sigstore `trusted_root.json` keyless signatures (and the log
    /// entries of key-based ones) are checked against.
    #[serde(default)]
    pub trusted_root: Option<PathBuf>,
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
    pub keyless: Vec<KeylessIdentity>,
    pub trusted_root: Option<TrustedRoot>,
    pub threshold: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error(
        "no key or keyless identity is listed: the gate loads nothing from a registry unless a signature verifies against a trusted signer"
    )]
    NoKeys,
    #[error("{threshold} signatures required but {keys} signer(s) listed")]
    Threshold { threshold: usize, keys: usize },
    #[error("{0}")]
    Keyless(#[from] IdentityError),
    #[error(
        "keyless identities need a Sigstore trusted root (trusted_root = \"trusted_root.json\") to check certificates and log entries against"
    )]
    NoTrustedRoot,
    #[error("{0}")]
    TrustedRoot(#[from] TrustedRootError),
}

impl TrustError {
    /// The config field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TrustError::Key(_) | TrustError::NoKeys => "trust.keys",
            TrustError::Threshold { .. } => "trust.threshold",
            TrustError::Keyless(_) => "trust.keyless",
            TrustError::NoTrustedRoot | TrustError::TrustedRoot(_) => "trust.trusted_root",
        }
    }
}

impl TrustPolicy {
    /// Loads the keys, identities and trusted root `section` names, files
    /// relative to `base`.
    pub fn load(section: &TrustSection, base: &Path) -> Result<TrustPolicy, TrustError> {
        let signers = section.keys.len() + section.keyless.len();
        if signers == 0 {
            return Err(TrustError::NoKeys);
        }
        let threshold = section.threshold.unwrap_or(1);
        if threshold == 0 || threshold > signers {
            return Err(TrustError::Threshold {
                threshold,
                keys: signers,
            });
        }
        let keyless = section
            .keyless
            .iter()
            .map(KeylessIdentity::new)
            .collect::<Result<Vec<_>, _>>()?;
        let trusted_root = match &section.trusted_root {
            Some(path) => Some(TrustedRoot::load(&base.join(path))?),
            None if !keyless.is_empty() => return Err(TrustError::NoTrustedRoot),
            None => None,
        };
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
        Ok(TrustPolicy {
            keys,
            keyless,
            trusted_root,
            threshold,
        })
    }

    /// Trust in exactly these key files (the CLI's `--key`).
    pub fn from_files(files: &[PathBuf], threshold: usize) -> Result<TrustPolicy, TrustError> {
        TrustPolicy::load(
            &TrustSection {
                keys: files.to_vec(),
                threshold: Some(threshold),
                ..TrustSection::default()
            },
            Path::new(""),
        )
    }
}

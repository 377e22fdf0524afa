//! The verified store: every artifact the gate accepted from a registry, on
//! disk under its data directory, so a restart with the registry down starts
//! from the last verified set.
//!
//! Layout (every file written atomically):
//! - `blobs/<hex>`: components, by the sha256 of their bytes;
//! - `manifests/<hex>`: manifests, by their digest;
//! - `signatures/<hex>.json`: the cosign signatures of manifest `<hex>`
//!   (simple-signing layers and Sigstore bundles);
//! - `refs/<sha256 of the reference>.json`: the digest and version last
//!   accepted for a configured reference (the downgrade floor).
//!
//! Nothing read back is trusted: `load` re-checks every digest and
//! re-verifies the signatures against the gate's current trust policy, so a
//! store edited on disk, or a key the gate no longer trusts, is refused.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::artifact;
use super::reference::PolicyRef;
use super::registry::sha256_digest;
use super::signature::{self, Found};
use super::trust::TrustPolicy;

/// What the gate last accepted for a reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub reference: String,
    /// The manifest digest.
    pub digest: String,
    pub version: Option<String>,
    pub accepted_at: String,
}

/// A verified artifact on disk.
#[derive(Debug, Clone)]
pub struct Stored {
    pub digest: String,
    pub version: Option<String>,
    /// The component file.
    pub component: PathBuf,
    pub signed_by: Vec<String>,
}

pub struct Store {
    dir: PathBuf,
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

fn key_of(reference: &str) -> String {
    hex::encode(Sha256::digest(reference.as_bytes()))
}

impl Store {
    pub fn open(dir: &Path) -> std::io::Result<Store> {
        for sub in ["blobs", "manifests", "signatures", "refs"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        Ok(Store {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, path: PathBuf, bytes: &[u8]) -> std::io::Result<()> {
        let parent = path.parent().expect("store paths have a parent");
        let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
        std::io::Write::write_all(&mut tmp, bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Keeps a verified artifact: manifest, signatures and component.
    pub fn put(
        &self,
        manifest_digest: &str,
        manifest: &[u8],
        signatures: &[Found],
        component: &[u8],
    ) -> std::io::Result<PathBuf> {
        let blob = self
            .dir
            .join("blobs")
            .join(hex_of(&sha256_digest(component)));
        self.write(blob.clone(), component)?;
        self.write(
            self.dir
                .join("signatures")
                .join(format!("{}.json", hex_of(manifest_digest))),
            &serde_json::to_vec(signatures).expect("signatures serialise"),
        )?;
        self.write(
            self.dir.join("manifests").join(hex_of(manifest_digest)),
            manifest,
        )?;
        Ok(blob)
    }

    /// Reads back the artifact `digest` and verifies it again, offline.
    pub fn load(&self, digest: &str, trust: &TrustPolicy) -> Result<Stored, String> {
        let read = |p: PathBuf| std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()));
        let manifest = read(self.dir.join("manifests").join(hex_of(digest)))?;
        if sha256_digest(&manifest) != digest {
            return Err(format!(
                "the stored manifest {digest} does not match its digest"
            ));
        }
        let m = artifact::parse(&manifest).map_err(|e| e.to_string())?;
        let sigs: Vec<Found> = serde_json::from_slice(&read(
            self.dir
                .join("signatures")
                .join(format!("{}.json", hex_of(digest))),
        )?)
        .map_err(|e| format!("stored signatures of {digest}: {e}"))?;
        let signed_by = signature::verify(trust, digest, &sigs).map_err(|e| e.to_string())?;
        let component = self.dir.join("blobs").join(hex_of(&m.layer.digest));
        if sha256_digest(&read(component.clone())?) != m.layer.digest {
            return Err(format!(
                "the stored component {} does not match its digest",
                m.layer.digest
            ));
        }
        Ok(Stored {
            digest: digest.to_string(),
            version: m.version().map(str::to_string),
            component,
            signed_by,
        })
    }

    /// What was last accepted for `reference`.
    pub fn accepted(&self, reference: &PolicyRef) -> Option<Accepted> {
        let path = self
            .dir
            .join("refs")
            .join(format!("{}.json", key_of(&reference.to_string())));
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Records that `digest` (at `version`) now serves for `reference`.
    pub fn accept(
        &self,
        reference: &PolicyRef,
        digest: &str,
        version: Option<&str>,
    ) -> std::io::Result<()> {
        let record = Accepted {
            reference: reference.to_string(),
            digest: digest.to_string(),
            version: version.map(str::to_string),
            accepted_at: jiff::Timestamp::now().to_string(),
        };
        self.write(
            self.dir
                .join("refs")
                .join(format!("{}.json", key_of(&reference.to_string()))),
            &serde_json::to_vec_pretty(&record).expect("a record serialises"),
        )
    }
}

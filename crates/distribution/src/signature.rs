//! cosign signatures of policy artifacts: the simple-signing payload
//! (`critical.image.docker-manifest-digest` names the signed manifest),
//! signed with ECDSA P-256, stored as a layer of media type
//! `application/vnd.dev.cosign.simplesigning.v1+json` with the base64
//! signature in the annotation `dev.cosignproject.cosign/signature`, in an
//! image tagged `sha256-<digest>.sig` in the same repository. This is the
//! layout `cosign sign --key` writes and `cosign verify --key` reads.
//!
//! cosign v3's form, a Sigstore bundle stored as a referrer of the manifest,
//! is found by [`referrers`](super::referrers) and checked by
//! [`bundle`](super::bundle); [`verify`] counts both forms towards the
//! trust policy's threshold.
//!
//! Verification is a pure function of bytes (the manifest digest and the
//! signatures), so the gate runs the same check on what it pulls and on
//! what it kept in its verified store.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oci_client::manifest::{
    IMAGE_CONFIG_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest,
};
use serde::{Deserialize, Serialize};
use sigstore::cosign::payload::simple_signing::{
    CRITICAL_TYPE_NAME, Critical, Identity, Image, SimpleSigning,
};
use sigstore::crypto::{SigStoreSigner, Signature};

use super::bundle::{self, Check};
use super::reference::PolicyRef;
use super::registry::{Registry, RegistryError, sha256_digest};
use super::trust::TrustPolicy;

pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The largest signature payload the gate reads.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// One signature: the exact payload bytes and the base64 signature over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureLayer {
    /// The simple-signing JSON, byte for byte as signed.
    #[serde(with = "b64")]
    pub payload: Vec<u8>,
    /// Base64 of the ASN.1 ECDSA signature.
    pub signature: String,
}

/// A signature found for a manifest, in either form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Found {
    /// cosign v2: a simple-signing layer of the `.sig` image.
    Legacy(SignatureLayer),
    /// cosign v3: a Sigstore bundle (a referrer's layer).
    Bundle {
        #[serde(with = "b64")]
        bundle: Vec<u8>,
    },
}

mod b64 {
    use super::BASE64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(b))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        BASE64.decode(s).map_err(serde::de::Error::custom)
    }
}

/// Signs the manifest `digest` of `image`'s repository.
pub fn sign(
    signer: &SigStoreSigner,
    image: &PolicyRef,
    digest: &str,
) -> Result<SignatureLayer, String> {
    let payload = SimpleSigning {
        critical: Critical {
            identity: Identity {
                docker_reference: image.repository_key(),
            },
            image: Image {
                docker_manifest_digest: digest.to_string(),
            },
            type_name: CRITICAL_TYPE_NAME.to_string(),
        },
        optional: None,
    };
    let payload = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
    let sig = signer.sign(&payload).map_err(|e| e.to_string())?;
    Ok(SignatureLayer {
        payload,
        signature: BASE64.encode(sig),
    })
}

/// Signs manifest `digest` as cosign v3 does with a key: an in-toto
/// statement with cosign's signature predicate in a DSSE envelope, in a
/// v0.3 bundle whose verification material is the key's hint (base64 of
/// the SHA-256 of its DER public key). No log entry: the gate trusts the
/// key, and a registry-only deployment has no Rekor to log to.
pub fn sign_bundle(signer: &SigStoreSigner, digest: &str) -> Result<Vec<u8>, String> {
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("{digest} is not a sha256 digest"))?;
    let statement = serde_json::json!({
        "_type": bundle::STATEMENT_TYPES[0],
        "subject": [{"digest": {"sha256": hex}}],
        "predicateType": bundle::COSIGN_SIGN_PREDICATE,
    });
    let payload = serde_json::to_vec(&statement).map_err(|e| e.to_string())?;
    let sig = signer
        .sign(&bundle::pae(bundle::IN_TOTO_PAYLOAD_TYPE, &payload))
        .map_err(|e| e.to_string())?;
    let public = signer
        .to_sigstore_keypair()
        .and_then(|k| k.public_key_to_der())
        .map_err(|e| e.to_string())?;
    let bundle = serde_json::json!({
        "mediaType": bundle::BUNDLE_V03_MEDIA_TYPE,
        "verificationMaterial": {
            "publicKey": {"hint": BASE64.encode(<sha2::Sha256 as sha2::Digest>::digest(&public))},
            "tlogEntries": [],
        },
        "dsseEnvelope": {
            "payload": BASE64.encode(&payload),
            "payloadType": bundle::IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": BASE64.encode(&sig)}],
        },
    });
    serde_json::to_vec(&bundle).map_err(|e| e.to_string())
}

/// Why signatures do not satisfy the trust policy.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VerifyError {
    #[error("unsigned: no cosign signature exists for {digest}")]
    Unsigned { digest: String },
    #[error(
        "signed, but not by a trusted key or identity: {verified} of the required {threshold} trusted signer(s) signed {digest} ({detail})"
    )]
    Untrusted {
        digest: String,
        verified: usize,
        threshold: usize,
        detail: String,
        /// The check that refused the bundle which got furthest, if a
        /// bundle was refused (none: only legacy signatures by unknown keys).
        failed: Option<Check>,
    },
}

/// Checks that at least `trust.threshold` distinct trusted signers (keys or
/// keyless identities) signed manifest `digest`, in either form. Returns the
/// names of the signers that did.
pub fn verify(
    trust: &TrustPolicy,
    digest: &str,
    found: &[Found],
) -> Result<Vec<String>, VerifyError> {
    if found.is_empty() {
        return Err(VerifyError::Unsigned {
            digest: digest.to_string(),
        });
    }
    let mut problems = Vec::new();
    let mut signed_by = Vec::new();
    // The refused bundle that got furthest (most checks passed) names the
    // refusal: a keyless signature by the wrong identity says more than a
    // key-based one under a keyless-only policy.
    let mut furthest: Option<(usize, Check)> = None;
    for f in found {
        let signer = match f {
            Found::Legacy(layer) => verify_legacy(trust, digest, layer),
            Found::Bundle { bundle } => bundle::verify(
                bundle,
                digest,
                &bundle::BundleTrust::from(trust),
                jiff::Timestamp::now(),
            )
            .map(|v| vec![v.trusted_as])
            .map_err(|e| {
                let passed = bundle::checks_for(bundle)
                    .iter()
                    .position(|c| *c == e.check)
                    .unwrap_or(0);
                furthest = furthest.max(Some((passed, e.check)));
                format!("a bundle: {e}")
            }),
        };
        match signer {
            Ok(names) => {
                for name in names {
                    if !signed_by.contains(&name) {
                        signed_by.push(name);
                    }
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    if signed_by.len() >= trust.threshold {
        return Ok(signed_by);
    }
    if !signed_by.is_empty() {
        problems.push(format!("signed by {}", signed_by.join(", ")));
    }
    problems.dedup();
    Err(VerifyError::Untrusted {
        digest: digest.to_string(),
        verified: signed_by.len(),
        threshold: trust.threshold,
        detail: problems.join("; "),
        failed: furthest.map(|(_, check)| check),
    })
}

/// The trusted keys that signed a simple-signing `layer` naming `digest`.
fn verify_legacy(
    trust: &TrustPolicy,
    digest: &str,
    layer: &SignatureLayer,
) -> Result<Vec<String>, String> {
    let payload: SimpleSigning = serde_json::from_slice(&layer.payload)
        .map_err(|e| format!("a payload is not simple-signing JSON: {e}"))?;
    if payload.critical.image.docker_manifest_digest != digest {
        return Err(format!(
            "a signature is for {}, not this manifest",
            payload.critical.image.docker_manifest_digest
        ));
    }
    let names: Vec<String> = trust
        .keys
        .iter()
        .filter(|k| {
            k.key
                .verify_signature(
                    Signature::Base64Encoded(layer.signature.as_bytes()),
                    &layer.payload,
                )
                .is_ok()
        })
        .map(|k| k.name.clone())
        .collect();
    if names.is_empty() {
        return Err("a signature verifies against none of the trusted keys".into());
    }
    Ok(names)
}

/// Fetches the signatures stored for manifest `digest` of `image`'s
/// repository. No signature image means an empty list.
pub async fn fetch(
    registry: &Registry,
    image: &PolicyRef,
    digest: &str,
) -> Result<Vec<SignatureLayer>, RegistryError> {
    let sig_ref = image.signature_ref(digest);
    let sig_digest = match registry.resolve(&sig_ref).await {
        Ok(d) => d,
        Err(RegistryError::NotFound { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let manifest = registry.manifest(&sig_ref, &sig_digest).await?;
    let manifest: OciImageManifest =
        serde_json::from_slice(&manifest).map_err(|e| RegistryError::Garbage {
            registry: image.registry().to_string(),
            message: format!("signature manifest {sig_ref}: {e}"),
        })?;
    let mut layers = Vec::new();
    for desc in manifest
        .layers
        .iter()
        .filter(|l| l.media_type == SIMPLE_SIGNING_MEDIA_TYPE)
    {
        let Some(signature) = desc
            .annotations
            .as_ref()
            .and_then(|a| a.get(SIGNATURE_ANNOTATION))
        else {
            continue;
        };
        let payload = registry.blob(&sig_ref, desc, MAX_PAYLOAD_BYTES).await?;
        layers.push(SignatureLayer {
            payload,
            signature: signature.clone(),
        });
    }
    Ok(layers)
}

/// Adds `new` to the signatures of manifest `digest` (keeping the ones
/// already there, as cosign does) and pushes the signature image.
pub async fn push(
    registry: &Registry,
    image: &PolicyRef,
    digest: &str,
    new: SignatureLayer,
) -> Result<String, RegistryError> {
    let mut layers = fetch(registry, image, digest).await?;
    if !layers.contains(&new) {
        layers.push(new);
    }
    let sig_ref = image.signature_ref(digest);
    let config = b"{}".to_vec();
    let config_desc = OciDescriptor {
        media_type: IMAGE_CONFIG_MEDIA_TYPE.to_string(),
        digest: sha256_digest(&config),
        size: config.len() as i64,
        urls: None,
        artifact_type: None,
        annotations: None,
    };
    registry.push_blob(&sig_ref, config).await?;
    let mut descs = Vec::new();
    for l in layers {
        let desc = OciDescriptor {
            media_type: SIMPLE_SIGNING_MEDIA_TYPE.to_string(),
            digest: sha256_digest(&l.payload),
            size: l.payload.len() as i64,
            urls: None,
            artifact_type: None,
            annotations: Some(BTreeMap::from([(
                SIGNATURE_ANNOTATION.to_string(),
                l.signature,
            )])),
        };
        registry.push_blob(&sig_ref, l.payload).await?;
        descs.push(desc);
    }
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
        config: config_desc,
        layers: descs,
        subject: None,
        artifact_type: None,
        annotations: None,
    };
    let bytes = serde_json::to_vec(&manifest).expect("the manifest serialises");
    registry.push_manifest(&sig_ref, bytes).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys;
    use crate::trust::TrustPolicy;

    const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    fn keypair(dir: &std::path::Path, name: &str) -> (SigStoreSigner, std::path::PathBuf) {
        let files = keys::generate(dir, name, b"pw").unwrap();
        (keys::signer(&files.private, b"pw").unwrap(), files.public)
    }

    #[test]
    fn k_of_n_keys() {
        let dir = tempfile::tempdir().unwrap();
        let image = PolicyRef::parse("oci://127.0.0.1:5000/p/fs:v1").unwrap();
        let (a, a_pub) = keypair(dir.path(), "a");
        let (b, b_pub) = keypair(dir.path(), "b");
        let (c, _) = keypair(dir.path(), "c");
        let sig_a = sign(&a, &image, DIGEST).unwrap();
        let sig_b = sign(&b, &image, DIGEST).unwrap();
        let sig_c = sign(&c, &image, DIGEST).unwrap();

        let one = TrustPolicy::from_files(&[a_pub.clone(), b_pub.clone()], 1).unwrap();
        assert_eq!(
            verify(&one, DIGEST, &[Found::Legacy(sig_b.clone())]).unwrap(),
            vec!["b.pub"]
        );
        let two = TrustPolicy::from_files(&[a_pub, b_pub], 2).unwrap();
        let e = verify(&two, DIGEST, &[Found::Legacy(sig_a.clone())]).unwrap_err();
        assert!(e.to_string().contains("1 of the required 2"), "{e}");
        assert_eq!(
            verify(
                &two,
                DIGEST,
                &[Found::Legacy(sig_a.clone()), Found::Legacy(sig_b)]
            )
            .unwrap()
            .len(),
            2
        );
        // The same key twice does not count twice.
        assert!(
            verify(
                &two,
                DIGEST,
                &[Found::Legacy(sig_a.clone()), Found::Legacy(sig_a.clone())]
            )
            .is_err()
        );
        // An untrusted key, and no signature at all.
        let e = verify(&one, DIGEST, &[Found::Legacy(sig_c)]).unwrap_err();
        assert!(e.to_string().contains("none of the trusted keys"), "{e}");
        assert!(matches!(
            verify(&one, DIGEST, &[]),
            Err(VerifyError::Unsigned { .. })
        ));
    }

    #[test]
    fn a_signature_binds_the_digest_and_the_payload() {
        let dir = tempfile::tempdir().unwrap();
        let image = PolicyRef::parse("oci://127.0.0.1:5000/p/fs:v1").unwrap();
        let (a, a_pub) = keypair(dir.path(), "a");
        let trust = TrustPolicy::from_files(&[a_pub], 1).unwrap();
        let sig = sign(&a, &image, DIGEST).unwrap();
        let other = DIGEST.replace('1', "2");
        let e = verify(&trust, &other, &[Found::Legacy(sig.clone())]).unwrap_err();
        assert!(e.to_string().contains("not this manifest"), "{e}");
        // A payload edited to name another digest no longer verifies.
        let mut forged = sig.clone();
        forged.payload = String::from_utf8(sig.payload.clone())
            .unwrap()
            .replace(DIGEST, &other)
            .into_bytes();
        assert!(verify(&trust, &other, &[Found::Legacy(forged)]).is_err());
        // The stored form round-trips.
        let json = serde_json::to_string(&sig).unwrap();
        assert_eq!(serde_json::from_str::<SignatureLayer>(&json).unwrap(), sig);
    }
}

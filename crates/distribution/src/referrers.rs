//! cosign v3's storage of a signature: a Sigstore bundle as an **OCI 1.1
//! referrer** of the signed manifest. The referrer is an image manifest
//! whose `artifactType` and single layer are the bundle's media type, whose
//! config is the OCI empty descriptor and whose `subject` is the signed
//! manifest. Registries with the referrers API list it under
//! `/v2/<name>/referrers/<digest>`; on the others (Debian's docker-registry
//! 2.8, Harbor before 2.8) cosign lists it in an image index under the
//! fallback tag `sha256-<hex>`.
//!
//! Reading pulls every listed referrer by digest (capped in number and
//! size), keeps those whose subject is the manifest, and returns their
//! bundle layers; verification is [`bundle`](super::bundle)'s. Writing
//! pushes the referrer and adds it to the fallback index, as cosign does on
//! a registry without the API.

use std::collections::BTreeMap;

use oci_client::manifest::{
    ImageIndexEntry, OCI_IMAGE_INDEX_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor,
    OciImageIndex, OciImageManifest,
};

use super::bundle::{BUNDLE_MEDIA_TYPES, BUNDLE_V03_MEDIA_TYPE, COSIGN_SIGN_PREDICATE};
use super::reference::PolicyRef;
use super::registry::{Registry, RegistryError, sha256_digest};

/// The OCI empty config (`{}`) a referrer artifact carries.
pub const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The annotations cosign v3 sets on a bundle referrer.
pub const CONTENT_ANNOTATION: &str = "dev.sigstore.bundle.content";
pub const PREDICATE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
/// The most referrers the gate pulls for one manifest.
pub const MAX_REFERRERS: usize = 32;
/// The largest bundle the gate reads.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;

fn is_bundle_type(t: &str) -> bool {
    BUNDLE_MEDIA_TYPES.contains(&t)
}

/// The fallback tag of manifest `digest`: `sha256-<hex>`.
pub fn fallback_ref(image: &PolicyRef, digest: &str) -> PolicyRef {
    image.at_tag(&digest.replace(':', "-"))
}

/// The Sigstore bundles stored as referrers of manifest `digest`.
pub async fn fetch(
    registry: &Registry,
    image: &PolicyRef,
    digest: &str,
) -> Result<Vec<Vec<u8>>, RegistryError> {
    let index = registry.referrers(image, digest).await?;
    let mut bundles = Vec::new();
    for entry in index
        .manifests
        .iter()
        .filter(|e| e.artifact_type.as_deref().is_none_or(is_bundle_type))
        .take(MAX_REFERRERS)
    {
        // One oversized or garbled referrer must not hide the others; a
        // registry that fails to answer fails the whole lookup.
        let bytes = match registry.manifest(image, &entry.digest).await {
            Ok(bytes) => bytes,
            Err(RegistryError::TooLarge { .. } | RegistryError::DigestMismatch { .. }) => continue,
            Err(e) => return Err(e),
        };
        let Ok(manifest) = serde_json::from_slice::<OciImageManifest>(&bytes) else {
            continue;
        };
        // The index is unsigned: only a manifest that names this one as its
        // subject is a referrer of it.
        if manifest.subject.as_ref().map(|s| s.digest.as_str()) != Some(digest) {
            continue;
        }
        for layer in manifest
            .layers
            .iter()
            .filter(|l| is_bundle_type(&l.media_type))
        {
            match registry.blob(image, layer, MAX_BUNDLE_BYTES).await {
                Ok(bundle) => bundles.push(bundle),
                Err(RegistryError::TooLarge { .. } | RegistryError::DigestMismatch { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(bundles)
}

/// Stores `bundle` (a signature of manifest `digest`) as a referrer, and
/// lists it in the fallback index tag. Returns the referrer's digest.
pub async fn push(
    registry: &Registry,
    image: &PolicyRef,
    digest: &str,
    bundle: Vec<u8>,
    created: &str,
) -> Result<String, RegistryError> {
    let subject_size = registry.manifest(image, digest).await?.len();
    let config = b"{}".to_vec();
    let config_desc = descriptor(EMPTY_MEDIA_TYPE, &config, None);
    let layer_desc = descriptor(BUNDLE_V03_MEDIA_TYPE, &bundle, None);
    registry.push_blob(image, config).await?;
    registry.push_blob(image, bundle).await?;
    let annotations = BTreeMap::from([
        (CONTENT_ANNOTATION.to_string(), "dsse-envelope".to_string()),
        (
            PREDICATE_ANNOTATION.to_string(),
            COSIGN_SIGN_PREDICATE.to_string(),
        ),
        (
            "org.opencontainers.image.created".to_string(),
            created.to_string(),
        ),
    ]);
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
        config: config_desc,
        layers: vec![layer_desc],
        subject: Some(OciDescriptor {
            media_type: OCI_IMAGE_MEDIA_TYPE.to_string(),
            digest: digest.to_string(),
            size: subject_size as i64,
            urls: None,
            artifact_type: None,
            annotations: None,
        }),
        artifact_type: Some(BUNDLE_V03_MEDIA_TYPE.to_string()),
        annotations: Some(annotations.clone()),
    };
    let bytes = serde_json::to_vec(&manifest).expect("the manifest serialises");
    let referrer = sha256_digest(&bytes);
    let size = bytes.len() as i64;
    registry
        .push_manifest(&image.at_digest(&referrer), bytes)
        .await?;

    let tag = fallback_ref(image, digest);
    let mut index = registry.index(&tag).await?.unwrap_or(OciImageIndex {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_INDEX_MEDIA_TYPE.to_string()),
        manifests: vec![],
        artifact_type: None,
        annotations: None,
    });
    if !index.manifests.iter().any(|m| m.digest == referrer) {
        index.manifests.push(ImageIndexEntry {
            media_type: OCI_IMAGE_MEDIA_TYPE.to_string(),
            digest: referrer.clone(),
            size,
            platform: None,
            annotations: Some(annotations),
            artifact_type: Some(BUNDLE_V03_MEDIA_TYPE.to_string()),
        });
        let bytes = serde_json::to_vec(&index).expect("the index serialises");
        registry.push_index(&tag, bytes).await?;
    }
    Ok(referrer)
}

fn descriptor(
    media_type: &str,
    bytes: &[u8],
    annotations: Option<BTreeMap<String, String>>,
) -> OciDescriptor {
    OciDescriptor {
        media_type: media_type.to_string(),
        digest: sha256_digest(bytes),
        size: bytes.len() as i64,
        urls: None,
        artifact_type: None,
        annotations,
    }
}

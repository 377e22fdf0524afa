//! The CNCF Wasm OCI artifact layout a policy is published in: a config of
//! media type `application/vnd.wasm.config.v0+json` (architecture `wasm`,
//! os `wasip2`, the layer digests and the component's world), exactly one
//! layer `application/wasm` holding the component, and the annotations
//! `org.opencontainers.image.{title,version,source,created}`.
//!
//! Reading accepts the older layer type
//! `application/vnd.wasm.content.layer.v1+wasm` (and its
//! `application/vnd.wasm.config.v1+json` config), which earlier tools push.

use std::collections::BTreeMap;

use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use serde::{Deserialize, Serialize};

use super::registry::sha256_digest;

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The layer type of the older Wasm-to-OCI convention, accepted on pull.
pub const LEGACY_LAYER_MEDIA_TYPE: &str = "application/vnd.wasm.content.layer.v1+wasm";
/// The config type that goes with the older layer type.
pub const LEGACY_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v1+json";

pub const TITLE: &str = "org.opencontainers.image.title";
pub const VERSION: &str = "org.opencontainers.image.version";
pub const SOURCE: &str = "org.opencontainers.image.source";
pub const CREATED: &str = "org.opencontainers.image.created";

/// The component's world as the CNCF config records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ComponentWorld {
    pub target: String,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

/// What the publisher says about a policy.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// RFC 3339.
    pub created: String,
    pub world: ComponentWorld,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WasmConfig<'a> {
    created: &'a str,
    architecture: &'static str,
    os: &'static str,
    layer_digests: Vec<String>,
    component: &'a ComponentWorld,
}

/// An artifact ready to push: its blobs and its manifest.
pub struct Built {
    pub config: Vec<u8>,
    pub layer: Vec<u8>,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub layer_digest: String,
}

/// Lays `component` out as a CNCF Wasm artifact.
pub fn build(component: Vec<u8>, meta: &Metadata) -> Built {
    let layer_digest = sha256_digest(&component);
    let config = serde_json::to_vec(&WasmConfig {
        created: &meta.created,
        architecture: "wasm",
        os: "wasip2",
        layer_digests: vec![layer_digest.clone()],
        component: &meta.world,
    })
    .expect("the config serialises");
    let mut annotations = BTreeMap::from([
        (TITLE.to_string(), meta.name.clone()),
        (VERSION.to_string(), meta.version.clone()),
        (CREATED.to_string(), meta.created.clone()),
    ]);
    if let Some(source) = &meta.source {
        annotations.insert(SOURCE.to_string(), source.clone());
    }
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
        config: OciDescriptor {
            media_type: CONFIG_MEDIA_TYPE.to_string(),
            digest: sha256_digest(&config),
            size: config.len() as i64,
            urls: None,
            artifact_type: None,
            annotations: None,
        },
        layers: vec![OciDescriptor {
            media_type: LAYER_MEDIA_TYPE.to_string(),
            digest: layer_digest.clone(),
            size: component.len() as i64,
            urls: None,
            artifact_type: None,
            annotations: Some(BTreeMap::from([(
                TITLE.to_string(),
                format!("{}.wasm", meta.name),
            )])),
        }],
        subject: None,
        artifact_type: None,
        annotations: Some(annotations),
    };
    let manifest = serde_json::to_vec(&manifest).expect("the manifest serialises");
    Built {
        manifest_digest: sha256_digest(&manifest),
        config,
        layer: component,
        manifest,
        layer_digest,
    }
}

/// A pulled manifest that has the shape of a policy artifact.
#[derive(Debug, Clone)]
pub struct PolicyManifest {
    /// The one layer: the component.
    pub layer: OciDescriptor,
    pub annotations: BTreeMap<String, String>,
}

impl PolicyManifest {
    pub fn version(&self) -> Option<&str> {
        self.annotations.get(VERSION).map(String::as_str)
    }

    pub fn title(&self) -> Option<&str> {
        self.annotations.get(TITLE).map(String::as_str)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("the manifest is not an OCI image manifest: {0}")]
    NotAManifest(String),
    #[error("config media type {0:?} is not a Wasm config ({CONFIG_MEDIA_TYPE})")]
    Config(String),
    #[error(
        "expected exactly one Wasm layer ({LAYER_MEDIA_TYPE} or {LEGACY_LAYER_MEDIA_TYPE}), found {0}"
    )]
    Layers(String),
}

/// Checks that `bytes` is a policy artifact's manifest and returns its layer.
pub fn parse(bytes: &[u8]) -> Result<PolicyManifest, ArtifactError> {
    let m: OciImageManifest =
        serde_json::from_slice(bytes).map_err(|e| ArtifactError::NotAManifest(e.to_string()))?;
    if m.schema_version != 2 {
        return Err(ArtifactError::NotAManifest(format!(
            "schemaVersion is {}, not 2",
            m.schema_version
        )));
    }
    if m.config.media_type != CONFIG_MEDIA_TYPE && m.config.media_type != LEGACY_CONFIG_MEDIA_TYPE {
        return Err(ArtifactError::Config(m.config.media_type));
    }
    let wasm: Vec<&OciDescriptor> = m
        .layers
        .iter()
        .filter(|l| l.media_type == LAYER_MEDIA_TYPE || l.media_type == LEGACY_LAYER_MEDIA_TYPE)
        .collect();
    if wasm.len() != 1 || m.layers.len() != 1 {
        let types: Vec<&str> = m.layers.iter().map(|l| l.media_type.as_str()).collect();
        return Err(ArtifactError::Layers(format!(
            "{} layer(s): {}",
            types.len(),
            types.join(", ")
        )));
    }
    Ok(PolicyManifest {
        layer: wasm[0].clone(),
        annotations: m.annotations.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata {
            name: "fs-boundary".into(),
            version: "0.2.0".into(),
            source: Some("https://github.com/clawlaw/clawlaw".into()),
            created: "2026-11-23T00:00:00Z".into(),
            world: ComponentWorld {
                target: "clawlaw:policy/policy@0.1.0".into(),
                imports: vec!["clawlaw:policy/log@0.1.0".into()],
                exports: vec!["info".into(), "evaluate".into()],
            },
        }
    }

    #[test]
    fn a_built_artifact_parses_back() {
        let built = build(b"\0asm component".to_vec(), &meta());
        let m = parse(&built.manifest).unwrap();
        assert_eq!(m.layer.digest, built.layer_digest);
        assert_eq!(m.layer.media_type, LAYER_MEDIA_TYPE);
        assert_eq!(m.version(), Some("0.2.0"));
        assert_eq!(m.title(), Some("fs-boundary"));
        assert_eq!(built.manifest_digest, sha256_digest(&built.manifest));
        let config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
        assert_eq!(config["architecture"], "wasm");
        assert_eq!(config["os"], "wasip2");
        assert_eq!(config["layerDigests"][0], built.layer_digest.as_str());
        assert_eq!(config["component"]["target"], "clawlaw:policy/policy@0.1.0");
    }

    #[test]
    fn accepts_the_older_layer_type_and_refuses_others() {
        let built = build(b"x".to_vec(), &meta());
        let text = String::from_utf8(built.manifest).unwrap();
        let legacy = text
            .replace(LAYER_MEDIA_TYPE, LEGACY_LAYER_MEDIA_TYPE)
            .replace(CONFIG_MEDIA_TYPE, LEGACY_CONFIG_MEDIA_TYPE);
        assert!(parse(legacy.as_bytes()).is_ok());
        let image = text.replace(LAYER_MEDIA_TYPE, "application/vnd.oci.image.layer.v1.tar");
        assert!(matches!(
            parse(image.as_bytes()),
            Err(ArtifactError::Layers(_))
        ));
        let config = text.replace(
            CONFIG_MEDIA_TYPE,
            "application/vnd.oci.image.config.v1+json",
        );
        assert!(matches!(
            parse(config.as_bytes()),
            Err(ArtifactError::Config(_))
        ));
        assert!(matches!(
            parse(b"<html>"),
            Err(ArtifactError::NotAManifest(_))
        ));
    }
}

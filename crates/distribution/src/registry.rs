//! The registry client: pushes and pulls manifests and blobs through
//! `oci-client`, with per-registry credentials and plain HTTP only for the
//! registries the config marks insecure. Everything it returns has been
//! checked against its digest; nothing it returns has been checked against a
//! signature (that is `signature`'s job).

use std::time::Duration;

use futures_util::StreamExt;
use oci_client::Client;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{
    OCI_IMAGE_INDEX_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageIndex,
};
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::reference::PolicyRef;

/// The largest manifest the gate reads.
const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// `[[registry]]`: how to reach one registry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    /// `host[:port]`, as it appears in references.
    pub host: String,
    /// Talk plain HTTP to this registry (a local test registry). Off by default.
    #[serde(default)]
    pub insecure: bool,
    /// Basic-auth user name (or `username_env`).
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable holding the user name.
    #[serde(default)]
    pub username_env: Option<String>,
    /// The environment variable holding the password (or token).
    #[serde(default)]
    pub password_env: Option<String>,
    /// A file holding the password (first line).
    #[serde(default)]
    pub password_file: Option<std::path::PathBuf>,
}

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("registry {registry} is unreachable: {message}")]
    Unreachable { registry: String, message: String },
    #[error("registry {registry} refused the credentials: {message}")]
    Auth { registry: String, message: String },
    #[error("{what} not found in the registry")]
    NotFound { what: String },
    #[error("{what}: the registry sent content whose digest is {actual}, not {expected}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{what} is larger than {limit} bytes")]
    TooLarge { what: String, limit: usize },
    #[error("registry {registry} answered with something that is not OCI: {message}")]
    Garbage { registry: String, message: String },
    #[error("credentials for {registry}: {message}")]
    Credentials { registry: String, message: String },
}

/// A client for the registries a gate or a CLI command talks to.
pub struct Registry {
    client: Client,
    entries: Vec<RegistryEntry>,
    /// Credentials from the environment (`CLAWLAW_REGISTRY_USERNAME` /
    /// `CLAWLAW_REGISTRY_PASSWORD`), for registries whose entry (if any)
    /// names no user.
    env_auth: Option<(String, String)>,
}

impl Registry {
    /// A client for `entries`; `timeout` bounds connecting and each read, so
    /// a dead registry fails fast instead of holding a reload.
    pub fn new(entries: &[RegistryEntry], timeout: Duration) -> Registry {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let insecure: Vec<String> = entries
            .iter()
            .filter(|e| e.insecure)
            .map(|e| e.host.clone())
            .collect();
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(insecure),
            connect_timeout: Some(timeout),
            read_timeout: Some(timeout),
            ..ClientConfig::default()
        };
        let env_auth = match (
            std::env::var("CLAWLAW_REGISTRY_USERNAME"),
            std::env::var("CLAWLAW_REGISTRY_PASSWORD"),
        ) {
            (Ok(u), Ok(p)) if !u.is_empty() => Some((u, p)),
            _ => None,
        };
        Registry {
            client: Client::new(config),
            entries: entries.to_vec(),
            env_auth,
        }
    }

    fn auth(&self, r: &PolicyRef) -> Result<RegistryAuth, RegistryError> {
        let registry = r.registry();
        let cred_err = |message: String| RegistryError::Credentials {
            registry: registry.to_string(),
            message,
        };
        let Some(entry) = self.entries.iter().find(|e| e.host == registry) else {
            return Ok(match &self.env_auth {
                Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
                None => RegistryAuth::Anonymous,
            });
        };
        let username = match (&entry.username, &entry.username_env) {
            (Some(u), _) => Some(u.clone()),
            (None, Some(var)) => Some(
                std::env::var(var)
                    .map_err(|_| cred_err(format!("environment variable {var} is not set")))?,
            ),
            (None, None) => None,
        };
        let Some(username) = username else {
            return Ok(match &self.env_auth {
                Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
                None => RegistryAuth::Anonymous,
            });
        };
        let password = match (&entry.password_env, &entry.password_file) {
            (Some(var), _) => std::env::var(var)
                .map_err(|_| cred_err(format!("environment variable {var} is not set")))?,
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| cred_err(format!("{}: {e}", file.display())))?
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
            (None, None) => {
                return Err(cred_err(
                    "a username is set but neither password_env nor password_file".into(),
                ));
            }
        };
        Ok(RegistryAuth::Basic(username, password))
    }

    /// Hands the credentials for `r`'s registry to the client, which asks
    /// for a token (or sends basic auth) when the registry challenges it.
    async fn login(&self, r: &PolicyRef) -> Result<RegistryAuth, RegistryError> {
        let auth = self.auth(r)?;
        self.client.store_auth_if_needed(r.registry(), &auth).await;
        Ok(auth)
    }

    /// The digest of the manifest `r` names: its pinned digest, or what the
    /// tag points at now.
    pub async fn resolve(&self, r: &PolicyRef) -> Result<String, RegistryError> {
        if let Some(d) = r.digest() {
            return Ok(d.to_string());
        }
        let auth = self.login(r).await?;
        self.client
            .fetch_manifest_digest(r.oci(), &auth)
            .await
            .map_err(|e| classify(r, e, &format!("manifest {r}")))
    }

    /// The manifest `digest` in `r`'s repository, as raw bytes whose sha256
    /// is `digest`.
    pub async fn manifest(&self, r: &PolicyRef, digest: &str) -> Result<Vec<u8>, RegistryError> {
        let auth = self.login(r).await?;
        let pinned = r.at_digest(digest);
        let what = format!("manifest {pinned}");
        let (bytes, _) = self
            .client
            .pull_manifest_raw(
                pinned.oci(),
                &auth,
                &[
                    OCI_IMAGE_MEDIA_TYPE,
                    oci_client::manifest::IMAGE_MANIFEST_MEDIA_TYPE,
                ],
            )
            .await
            .map_err(|e| classify(r, e, &what))?;
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(RegistryError::TooLarge {
                what,
                limit: MAX_MANIFEST_BYTES,
            });
        }
        check_digest(&what, digest, &bytes)?;
        Ok(bytes.to_vec())
    }

    /// The blob `desc` names, at most `limit` bytes, checked against its digest.
    pub async fn blob(
        &self,
        r: &PolicyRef,
        desc: &OciDescriptor,
        limit: usize,
    ) -> Result<Vec<u8>, RegistryError> {
        let what = format!("blob {} of {r}", desc.digest);
        if desc.size < 0 || desc.size as u64 > limit as u64 {
            return Err(RegistryError::TooLarge { what, limit });
        }
        self.login(r).await?;
        let mut stream = self
            .client
            .pull_blob_stream(r.oci(), desc)
            .await
            .map_err(|e| classify(r, e, &what))?;
        let mut out = Vec::with_capacity(desc.size as usize);
        while let Some(chunk) = stream.stream.next().await {
            let chunk = chunk.map_err(|e| {
                // The client checks the digest as the last chunk arrives.
                if e.to_string().contains("Invalid digest") {
                    RegistryError::DigestMismatch {
                        what: what.clone(),
                        expected: desc.digest.clone(),
                        actual: e.to_string(),
                    }
                } else {
                    RegistryError::Unreachable {
                        registry: r.registry().to_string(),
                        message: e.to_string(),
                    }
                }
            })?;
            if out.len() + chunk.len() > limit {
                return Err(RegistryError::TooLarge { what, limit });
            }
            out.extend_from_slice(&chunk);
        }
        check_digest(&what, &desc.digest, &out)?;
        Ok(out)
    }

    /// Uploads a blob (if the registry does not have it) and returns its digest.
    pub async fn push_blob(&self, r: &PolicyRef, data: Vec<u8>) -> Result<String, RegistryError> {
        let digest = sha256_digest(&data);
        self.login(r).await?;
        let what = format!("blob {digest} to {r}");
        let exists = self
            .client
            .blob_exists(r.oci(), &digest)
            .await
            .map_err(|e| classify(r, e, &what))?;
        if !exists {
            self.client
                .push_blob(r.oci(), data, &digest)
                .await
                .map_err(|e| classify(r, e, &what))?;
        }
        Ok(digest)
    }

    /// Uploads a manifest under `r`'s tag (or digest) and returns its digest.
    pub async fn push_manifest(
        &self,
        r: &PolicyRef,
        bytes: Vec<u8>,
    ) -> Result<String, RegistryError> {
        self.push_manifest_as(r, bytes, OCI_IMAGE_MEDIA_TYPE).await
    }

    /// Uploads an image index under `r`'s tag and returns its digest.
    pub async fn push_index(&self, r: &PolicyRef, bytes: Vec<u8>) -> Result<String, RegistryError> {
        self.push_manifest_as(r, bytes, OCI_IMAGE_INDEX_MEDIA_TYPE)
            .await
    }

    async fn push_manifest_as(
        &self,
        r: &PolicyRef,
        bytes: Vec<u8>,
        media_type: &'static str,
    ) -> Result<String, RegistryError> {
        let digest = sha256_digest(&bytes);
        self.login(r).await?;
        self.client
            .push_manifest_raw(r.oci(), bytes, http_header(media_type))
            .await
            .map_err(|e| classify(r, e, &format!("manifest {r}")))?;
        Ok(digest)
    }

    /// The referrers of manifest `digest` in `r`'s repository: the OCI 1.1
    /// referrers API, or, where the registry has none (it answers 404), the
    /// index under the fallback tag `sha256-<hex>` (empty if there is none).
    pub async fn referrers(
        &self,
        r: &PolicyRef,
        digest: &str,
    ) -> Result<OciImageIndex, RegistryError> {
        self.login(r).await?;
        let pinned = r.at_digest(digest);
        self.client
            .pull_referrers(pinned.oci(), None)
            .await
            .map_err(|e| classify(r, e, &format!("the referrers of {pinned}")))
    }

    /// The image index under `r`'s tag, if there is one (an index under the
    /// referrers fallback tag, to add to).
    pub async fn index(&self, r: &PolicyRef) -> Result<Option<OciImageIndex>, RegistryError> {
        let auth = self.login(r).await?;
        let what = format!("index {r}");
        match self
            .client
            .pull_manifest_raw(r.oci(), &auth, &[OCI_IMAGE_INDEX_MEDIA_TYPE])
            .await
        {
            Ok((bytes, _)) => {
                if bytes.len() > MAX_MANIFEST_BYTES {
                    return Err(RegistryError::TooLarge {
                        what,
                        limit: MAX_MANIFEST_BYTES,
                    });
                }
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| RegistryError::Garbage {
                        registry: r.registry().to_string(),
                        message: format!("{what}: {e}"),
                    })
            }
            Err(e) => match classify(r, e, &what) {
                RegistryError::NotFound { .. } => Ok(None),
                other => Err(other),
            },
        }
    }
}

fn http_header(v: &'static str) -> http::HeaderValue {
    http::HeaderValue::from_static(v)
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn check_digest(what: &str, expected: &str, bytes: &[u8]) -> Result<(), RegistryError> {
    let actual = sha256_digest(bytes);
    if actual != expected {
        return Err(RegistryError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// Turns `oci-client`'s errors into the few cases the gate tells apart.
fn classify(r: &PolicyRef, e: OciDistributionError, what: &str) -> RegistryError {
    let registry = r.registry().to_string();
    match e {
        OciDistributionError::RequestError(ref re)
            if matches!(re.status().map(|s| s.as_u16()), Some(401 | 403)) =>
        {
            RegistryError::Auth {
                registry,
                message: error_chain(&e),
            }
        }
        OciDistributionError::RequestError(ref re)
            if re.status().map(|s| s.as_u16()) == Some(404) =>
        {
            RegistryError::NotFound {
                what: what.to_string(),
            }
        }
        OciDistributionError::RequestError(ref re)
            if re.is_connect() || re.is_timeout() || re.is_request() =>
        {
            RegistryError::Unreachable {
                registry,
                message: error_chain(&e),
            }
        }
        OciDistributionError::AuthenticationFailure(message)
        | OciDistributionError::UnauthorizedError { url: message } => {
            RegistryError::Auth { registry, message }
        }
        OciDistributionError::ImageManifestNotFoundError(_) => RegistryError::NotFound {
            what: what.to_string(),
        },
        OciDistributionError::ServerError { code: 404, .. } => RegistryError::NotFound {
            what: what.to_string(),
        },
        OciDistributionError::RegistryError { ref envelope, .. }
            if envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    oci_client::errors::OciErrorCode::ManifestUnknown
                        | oci_client::errors::OciErrorCode::BlobUnknown
                        | oci_client::errors::OciErrorCode::NameUnknown
                )
            }) =>
        {
            RegistryError::NotFound {
                what: what.to_string(),
            }
        }
        OciDistributionError::RegistryError { ref envelope, .. }
            if envelope.errors.iter().any(|e| {
                matches!(
                    e.code,
                    oci_client::errors::OciErrorCode::Unauthorized
                        | oci_client::errors::OciErrorCode::Denied
                )
            }) =>
        {
            RegistryError::Auth {
                registry,
                message: error_chain(&e),
            }
        }
        OciDistributionError::DigestError(d) => RegistryError::DigestMismatch {
            what: what.to_string(),
            expected: "the requested digest".into(),
            actual: d.to_string(),
        },
        other => RegistryError::Garbage {
            registry,
            message: format!("{what}: {}", error_chain(&other)),
        },
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
